//! What the demo athlete's device recorded: a second-by-second
//! [`Recording`] for each completed workout, **consistent with the
//! workout's summary**.
//!
//! A recording is a pure function of `(seed, workout)`. It is built in
//! three steps:
//!
//! 1. **A shape** from the session's kind: warm-up, the main set (VO2
//!    repeats, threshold blocks, sweet spot, tempo, steady endurance over
//!    rolling terrain, race pacing), sprints, cool-down, coasting on
//!    descents, per-second noise, and a café stop on some long rides.
//! 2. **Calibration** to the summary. The shape `s(t)` becomes
//!    `x(t) = a·u(t) + b·v(t)` — `u` the moving mask, `v` the shape's
//!    deviation from its mean — so the rolling 30-s means that Normalized
//!    Power averages are linear in `(a, b)` too: the linear target (average
//!    power, or distance) fixes `a`, and NP (or normalized graded speed for
//!    runs) is a quartic in `b` whose four moments are summed once and
//!    whose positive root Newton's method finds. Integer rounding is then
//!    repaired one watt at a time so the average is the summary's exactly.
//! 3. **The other channels** follow: heart rate lags the effort (time
//!    constant ~40 s, a little cardiac drift) and is mapped so its average
//!    and maximum are the summary's; cadence, speed (scaled to the
//!    summary's distance), altitude (from the terrain's grade, in FIT's
//!    0.2 m steps) and temperature.
//!
//! What matches the summary, and how closely (the tests prove it over the
//! whole demo history): duration (one sample per timer second), distance
//! (exact), average power (exact), maximum power and heart rate (exact),
//! average heart rate (exact), NP within 1 % (so IF and TSS within 2 %,
//! TSS going with IF²), the runs' normalized graded speed within 1 % when
//! computed with the per-second grade.
//!
//! Which workouts have no file (entered by hand): yoga, some strength and
//! walks, and an occasional forgotten watch ([`has_device_file`]).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use crate::generate::{self, Kind};
use crate::profile::Profile;
use crate::recording::{DeviceSport, DeviceTotals, Recording, Sample};
use crate::workout::{
    FakeWorkout, TYPE_BIKE, TYPE_MTB, TYPE_OTHER, TYPE_RUN, TYPE_STRENGTH, TYPE_SWIM, TYPE_WALK,
};

/// Samples per rolling window of Normalized Power (Coggan: 30 s).
const NP_WINDOW: usize = 30;

/// The long ride whose file has a three-hour gap in the middle (the rider
/// stopped the timer for lunch with friends): a test of "gaps stay gaps".
pub const LONG_GAP_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 7) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// A small, fast, seedable generator (SplitMix64). Statistical quality is
/// irrelevant for noise; speed matters (millions of samples per start).
#[derive(Debug, Clone)]
pub(crate) struct Noise(u64);

impl Noise {
    pub(crate) fn new(seed: u64, workout_id: i64, stream: u64) -> Noise {
        let mut n = Noise(
            seed ^ (workout_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        n.next_u64();
        n
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Triangular in (−1, 1), most often near 0.
    fn tri(&mut self) -> f64 {
        self.unit() + self.unit() - 1.0
    }
}

/// Whether the workout has a device file: completed, and not one of those
/// entered by hand (yoga; 40 % of strength sessions and 30 % of walks; 1.5 %
/// of the rest, a forgotten watch).
pub fn has_device_file(seed: u64, w: &FakeWorkout) -> bool {
    if !w.is_completed() || w.total_time.unwrap_or(0.0) <= 0.0 {
        return false;
    }
    let mut n = Noise::new(seed, w.workout_id, 11);
    let manual_share = match w.workout_type_value_id {
        TYPE_OTHER => 1.0,
        TYPE_STRENGTH => 0.4,
        TYPE_WALK => 0.3,
        _ => 0.015,
    };
    !n.chance(manual_share)
}

/// The recording of a completed workout with a device file; `None` for
/// planned workouts and workouts entered by hand.
pub fn record(seed: u64, w: &FakeWorkout, profile: &Profile) -> Option<Recording> {
    if !has_device_file(seed, w) {
        return None;
    }
    let kind = generate::kind_of(seed, w, profile);
    let secs = (w.total_time? * 3600.0).round() as usize;
    if secs < 60 {
        return None;
    }
    let mut noise = Noise::new(seed, w.workout_id, 1);
    let ctx = Context {
        w,
        kind,
        secs,
        date: w.workout_day,
        profile,
    };
    let (sport, samples, lap_starts) = match w.workout_type_value_id {
        TYPE_BIKE | TYPE_MTB => bike(&ctx, &mut noise)?,
        TYPE_RUN => run(&ctx, &mut noise)?,
        TYPE_SWIM => swim(&ctx, &mut noise)?,
        TYPE_WALK => walk(&ctx, &mut noise)?,
        _ => strength(&ctx, &mut noise)?,
    };
    let ftp = profile.ftp_on(w.workout_day);
    let has_power = samples.iter().any(|s| s.power_w.is_some());
    let start_local = w
        .start_time
        .unwrap_or_else(|| w.workout_day.and_hms_opt(12, 0, 0).expect("noon exists"));
    Some(Recording {
        start_utc: amsterdam_to_utc(start_local),
        sport,
        samples,
        lap_starts,
        totals: DeviceTotals {
            normalized_power_w: w.normalized_power_actual.map(|np| np.round() as u16),
            training_stress_score: w.tss_actual,
            intensity_factor: w.if_actual,
            threshold_power_w: has_power.then_some(ftp as u16),
            calories_kcal: w.calories.map(|c| c.max(0) as u16),
        },
    })
}

/// What every channel builder needs.
struct Context<'a> {
    w: &'a FakeWorkout,
    kind: Option<Kind>,
    secs: usize,
    date: NaiveDate,
    profile: &'a Profile,
}

/// One block of a session's shape: a level (fraction of threshold) held,
/// or ramped from `from` to `to`, for `secs` seconds.
#[derive(Debug, Clone, Copy)]
struct Block {
    secs: usize,
    from: f64,
    to: f64,
    /// The rider follows the terrain (and coasts on descents) here.
    terrain: bool,
    /// A lap starts with this block.
    lap: bool,
}

fn hold(secs: usize, level: f64, terrain: bool, lap: bool) -> Block {
    Block {
        secs,
        from: level,
        to: level,
        terrain,
        lap,
    }
}

/// Warm-up, `main` blocks, cool-down, fitted to exactly `n` seconds: the
/// main set is cut or extended with steady riding to fit.
fn frame(n: usize, warm_level: (f64, f64), main: Vec<Block>, steady: f64, cool: f64) -> Vec<Block> {
    let warm = ((n as f64 * 0.18) as usize).clamp(60, 900);
    let cool_s = ((n as f64 * 0.1) as usize).clamp(30, 600);
    let budget = n.saturating_sub(warm + cool_s);
    let mut blocks = vec![Block {
        secs: warm,
        from: warm_level.0,
        to: warm_level.1,
        terrain: true,
        lap: true,
    }];
    let mut used = 0;
    for b in main {
        if used + b.secs > budget {
            break;
        }
        used += b.secs;
        blocks.push(b);
    }
    if budget > used {
        blocks.push(hold(budget - used, steady, true, used > 0));
    }
    blocks.push(hold(n - warm - budget.max(used), cool, true, true));
    blocks.retain(|b| b.secs > 0);
    blocks
}

/// `reps` of `on` seconds at `hi` and `off` seconds at `lo`.
fn repeats(reps: usize, on: usize, hi: f64, off: usize, lo: f64) -> Vec<Block> {
    (0..reps)
        .flat_map(|_| [hold(on, hi, false, true), hold(off, lo, false, true)])
        .collect()
}

/// Expands blocks into a per-second level and lap starts.
fn expand(blocks: &[Block]) -> (Vec<f64>, Vec<bool>, Vec<usize>) {
    let mut level = Vec::new();
    let mut terrain = Vec::new();
    let mut laps = vec![0];
    for b in blocks {
        if b.lap && !level.is_empty() {
            laps.push(level.len());
        }
        for i in 0..b.secs {
            let f = if b.secs > 1 {
                i as f64 / (b.secs - 1) as f64
            } else {
                0.0
            };
            level.push(b.from + (b.to - b.from) * f);
            terrain.push(b.terrain);
        }
    }
    laps.dedup();
    (level, terrain, laps)
}

/// A sine wave sampled once a second, by rotation instead of `sin` (the
/// fake samples millions of seconds at every start).
struct Wave {
    sin: f64,
    cos: f64,
    step_sin: f64,
    step_cos: f64,
}

impl Wave {
    /// `sin(2π·t/period + phase)` for t = 0, 1, 2, …
    fn new(period_s: f64, phase: f64) -> Wave {
        let step = std::f64::consts::TAU / period_s;
        Wave {
            sin: phase.sin(),
            cos: phase.cos(),
            step_sin: step.sin(),
            step_cos: step.cos(),
        }
    }

    /// The current value, then one second on.
    fn next(&mut self) -> f64 {
        let value = self.sin;
        let (s, c) = (self.sin, self.cos);
        self.sin = s * self.step_cos + c * self.step_sin;
        self.cos = c * self.step_cos - s * self.step_sin;
        value
    }
}

/// Rolling hills: a grade (rise per metre) per second, two superposed
/// waves whose amplitude gives about `gain_per_m` of climbing per metre.
fn terrain_grade(n: usize, gain_per_m: f64, noise: &mut Noise) -> Vec<f64> {
    let amplitude = std::f64::consts::PI * gain_per_m.max(0.0);
    let (p1, p2) = (noise.range(360.0, 900.0), noise.range(90.0, 240.0));
    let mut long = Wave::new(p1, noise.range(0.0, 6.3));
    let mut short = Wave::new(p2, noise.range(0.0, 6.3));
    (0..n)
        .map(|_| amplitude * (0.7 * long.next() + 0.3 * short.next()))
        .collect()
}

/// Finds `x = c + a·u + b·v` per sample — `c` fixed values (sprints,
/// coasting zeros), `u` the mask of the free samples, `v` the shape's
/// deviation on them — with `Σ weight·x = target_sum` and the normalized
/// value (4th-power mean of rolling 30-sample means) equal to
/// `target_norm`, for `b ≥ 0`. `None` when the target cannot be reached:
/// even `b = 0` normalizes above it (the fixed part is too variable).
fn calibrate(
    fixed: &[f64],
    u: &[f64],
    v: &[f64],
    weight: &[f64],
    target_sum: f64,
    target_norm: Option<f64>,
) -> Option<Vec<f64>> {
    let lc: f64 = fixed.iter().zip(weight).map(|(c, w)| c * w).sum();
    let lu: f64 = u.iter().zip(weight).map(|(u, w)| u * w).sum();
    let lv: f64 = v.iter().zip(weight).map(|(v, w)| v * w).sum();
    if lu <= 0.0 {
        return Some(fixed.to_vec());
    }
    let alpha = (target_sum - lc) / lu;
    let shift = lv / lu;
    // base = c + alpha·u and h = v − shift·u keep the linear target whatever b is.
    let base: Vec<f64> = fixed.iter().zip(u).map(|(c, u)| c + alpha * u).collect();
    let h: Vec<f64> = v.iter().zip(u).map(|(v, u)| v - shift * u).collect();
    let beta = match target_norm {
        Some(norm) if u.len() >= NP_WINDOW => solve_beta(&base, &h, norm)?,
        _ => 1.0,
    };
    Some(base.iter().zip(&h).map(|(e, h)| e + beta * h).collect())
}

/// The positive root `b` of `mean((e + b·g)^4) = norm^4`, where `e` and `g`
/// are the rolling 30-sample means of `base` and `h`; `None` when `b = 0`
/// is already above the target.
fn solve_beta(base: &[f64], h: &[f64], norm: f64) -> Option<f64> {
    let e = rolling_means(base, NP_WINDOW);
    let g = rolling_means(h, NP_WINDOW);
    let mut m = [0.0f64; 5];
    for (e, g) in e.iter().zip(&g) {
        let (e2, g2) = (e * e, g * g);
        m[0] += e2 * e2;
        m[1] += e2 * e * g;
        m[2] += e2 * g2;
        m[3] += e * g2 * g;
        m[4] += g2 * g2;
    }
    let count = e.len().max(1) as f64;
    for x in &mut m {
        *x /= count;
    }
    let binom = [1.0, 4.0, 6.0, 4.0, 1.0];
    let target = norm.powi(4);
    let value = |b: f64| -> f64 {
        (0..5)
            .map(|k| binom[k] * b.powi(k as i32) * m[k])
            .sum::<f64>()
            - target
    };
    let slope = |b: f64| -> f64 {
        (1..5)
            .map(|k| binom[k] * k as f64 * b.powi(k as i32 - 1) * m[k])
            .sum::<f64>()
    };
    if value(0.0) > 0.0 {
        return None;
    }
    // Convex in b: start right of the root, Newton descends monotonically.
    let mut b = 1.0;
    while value(b) < 0.0 && b < 1e9 {
        b *= 2.0;
    }
    for _ in 0..60 {
        let (v, s) = (value(b), slope(b));
        if s <= 0.0 {
            break;
        }
        let next = b - v / s;
        let done = (next - b).abs() < 1e-12 * b.abs().max(1.0);
        b = next;
        if done {
            break;
        }
    }
    Some(b.max(0.0))
}

/// Means of every full window of `w` consecutive values.
fn rolling_means(x: &[f64], w: usize) -> Vec<f64> {
    if x.len() < w {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(x.len() - w + 1);
    let mut sum: f64 = x[..w].iter().sum();
    out.push(sum / w as f64);
    for i in w..x.len() {
        sum += x[i] - x[i - w];
        out.push(sum / w as f64);
    }
    out
}

/// Normalized value of a series (Coggan's NP algorithm): the 4th root of
/// the mean 4th power of the rolling 30-sample means.
#[cfg(test)]
pub(crate) fn normalized(x: &[f64]) -> Option<f64> {
    let r = rolling_means(x, NP_WINDOW);
    if r.is_empty() {
        return None;
    }
    let m = r.iter().map(|v| v.powi(4)).sum::<f64>() / r.len() as f64;
    Some(m.powf(0.25))
}

/// Rounds `x` to integers whose sum is exactly `target_sum`, changing
/// values by one unit where rounding left the sum off, never at the
/// indices in `keep` and never below `floor` (values equal to `floor` are
/// left alone when lowering).
fn round_to_sum(x: &[f64], target_sum: i64, keep: &[usize], floor: i64, ceil: i64) -> Vec<i64> {
    let mut out: Vec<i64> = x
        .iter()
        .map(|v| (v.round() as i64).clamp(floor, ceil))
        .collect();
    let mut diff = target_sum - out.iter().sum::<i64>();
    let eligible: Vec<usize> = (0..out.len())
        .filter(|i| !keep.contains(i) && out[*i] > floor)
        .collect();
    if eligible.is_empty() {
        return out;
    }
    // Spread evenly: a prime stride through the eligible indices, one that
    // does not divide their count (so every index comes round).
    let stride = [7919usize, 104_729, 1_299_709]
        .into_iter()
        .find(|p| !eligible.len().is_multiple_of(*p))
        .unwrap_or(1);
    let mut k = 0usize;
    let mut guard = 0usize;
    while diff != 0 && guard < 4 * out.len() + 16 {
        let i = eligible[(k * stride) % eligible.len()];
        k += 1;
        guard += 1;
        if diff > 0 && out[i] < ceil {
            out[i] += 1;
            diff -= 1;
        } else if diff < 0 && out[i] > floor + 1 {
            out[i] -= 1;
            diff += 1;
        }
    }
    out
}

/// Heart rate that follows `effort` (fraction of threshold) with a lag,
/// drifts up slowly, and has exactly the summary's average and maximum
/// (and never goes below its minimum).
fn heart_rate(
    effort: &[f64],
    lthr: f64,
    avg: f64,
    max: f64,
    min: f64,
    noise: &mut Noise,
) -> Vec<u8> {
    let n = effort.len();
    let mut raw = Vec::with_capacity(n);
    let mut h = min;
    let (rise, fall) = (1.0 - (-1.0f64 / 35.0).exp(), 1.0 - (-1.0f64 / 60.0).exp());
    for (t, e) in effort.iter().enumerate() {
        let target = lthr * (0.58 + 0.38 * e.clamp(0.0, 1.6)) + lthr * 0.04 * (t as f64 / 3600.0);
        h += (target - h) * if target > h { rise } else { fall };
        raw.push(h + 0.8 * noise.tri());
    }
    let mean = raw.iter().sum::<f64>() / n as f64;
    let (peak_at, peak) =
        raw.iter().enumerate().fold(
            (0, f64::MIN),
            |acc, (i, v)| if *v > acc.1 { (i, *v) } else { acc },
        );
    let k = if peak > mean {
        (max - avg) / (peak - mean)
    } else {
        0.0
    };
    let mapped: Vec<f64> = raw.iter().map(|v| avg + k * (v - mean)).collect();
    let target_sum = (avg * n as f64).round() as i64;
    let mut out = round_to_sum(&mapped, target_sum, &[peak_at], min as i64, max as i64);
    out[peak_at] = max as i64;
    // The clamps may have moved the sum: repair it again, keeping the peak.
    let again: Vec<f64> = out.iter().map(|v| *v as f64).collect();
    out = round_to_sum(&again, target_sum, &[peak_at], min as i64, max as i64);
    out.into_iter().map(|v| v.clamp(1, 254) as u8).collect()
}

/// Speeds (m/s) scaled so they cover exactly `distance_m`, as FIT stores
/// them (mm/s) with distances (cm) accumulated from the stored speeds.
fn speed_and_distance(speed: &[f64], distance_m: f64) -> (Vec<u16>, Vec<u32>) {
    let total: f64 = speed.iter().sum();
    let scale = if total > 0.0 { distance_m / total } else { 0.0 };
    let mm: Vec<f64> = speed.iter().map(|v| v * scale * 1000.0).collect();
    let target_mm = (distance_m * 1000.0).round() as i64;
    let speed_mm = round_to_sum(&mm, target_mm, &[], 0, 65_000);
    let mut cum = 0i64;
    let distance_cm = speed_mm
        .iter()
        .map(|v| {
            cum += v;
            (cum as f64 / 10.0).round() as u32
        })
        .collect();
    (
        speed_mm.into_iter().map(|v| v as u16).collect(),
        distance_cm,
    )
}

/// Altitude (cm, in FIT's 20 cm steps) from a start height and the climb
/// of each second (grade × distance moved).
fn altitude(start_m: f64, grade: &[f64], speed_mm: &[u16]) -> Vec<i32> {
    let mut alt = start_m;
    grade
        .iter()
        .zip(speed_mm)
        .map(|(g, v)| {
            alt += g * f64::from(*v) / 1000.0;
            ((alt * 5.0).round() as i32) * 20
        })
        .collect()
}

/// Temperature drifting slowly around the summary's average.
fn temperature(n: usize, avg: f64, noise: &mut Noise) -> Vec<i8> {
    let mut wave = Wave::new(5400.0, noise.range(0.0, 6.3));
    (0..n)
        .map(|_| (avg + 1.2 * wave.next()).round().clamp(-40.0, 60.0) as i8)
        .collect()
}

/// Timestamps: one per second, with pauses inserted after the given
/// sample indices (index, seconds stopped).
fn timeline(n: usize, pauses: &[(usize, u32)]) -> Vec<u32> {
    let mut t = 0u32;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if let Some((_, gap)) = pauses.iter().find(|(at, _)| *at == i) {
            t += gap;
        }
        out.push(t);
        t += 1;
    }
    out
}

type Built = (DeviceSport, Vec<Sample>, Vec<usize>);

fn bike(ctx: &Context, noise: &mut Noise) -> Option<Built> {
    let w = ctx.w;
    let n = ctx.secs;
    let ftp = f64::from(ctx.profile.ftp_on(ctx.date));
    // A ride without a power meter still has a shape (for heart rate and
    // speed); its file just has no power channel.
    let has_power = w.power_average.is_some() && w.normalized_power_actual.is_some();
    let avg = w.power_average.map_or(0.62 * ftp, f64::from);
    let np = w.normalized_power_actual.unwrap_or(avg * 1.05);
    let pmax = w.power_maximum.map_or(avg * 3.0, f64::from);
    let outdoors = w.distance.is_some();
    let kind = ctx.kind;
    // The shape, in fractions of FTP.
    // Efforts at the intensities an athlete holds them (a power-duration
    // curve: about 130 % of FTP for 3 min, 105 % for 10, 170 % for 30 s).
    let main = match kind {
        Some(Kind::BikeVo2) => repeats(5, 180, 1.32, 180, 0.45),
        Some(Kind::BikeThreshold) => repeats(3, 600, 1.05, 300, 0.5),
        Some(Kind::BikeSweetSpot) => repeats(2, 1200, 0.92, 300, 0.55),
        Some(Kind::BikeTempo) => repeats(2, 1800, 0.8, 300, 0.6),
        Some(Kind::BikeOpeners) => {
            let mut o = repeats(3, 30, 1.7, 150, 0.55);
            o.extend(repeats(2, 60, 1.3, 120, 0.6));
            o
        }
        Some(Kind::RaceTt) => vec![hold(n, 0.97, true, false)],
        _ => Vec::new(),
    };
    let steady = match kind {
        Some(Kind::RaceTt) => 0.97,
        Some(Kind::RaceFondo) => 0.8,
        _ => 0.68,
    };
    let blocks = frame(n, (0.5, 0.72), main, steady, 0.55);
    let (mut level, on_terrain, laps) = expand(&blocks);
    let gain_per_m = match (w.elevation_gain, w.distance) {
        (Some(g), Some(d)) if d > 0.0 => g / d,
        _ => 0.0,
    };
    let grade = if outdoors {
        terrain_grade(n, gain_per_m, noise)
    } else {
        vec![0.0; n]
    };
    let hilly = if kind == Some(Kind::Mtb) { 2.5 } else { 1.6 };
    let mut moving = vec![true; n];
    let mut t = 0;
    while t < n {
        if on_terrain[t] {
            level[t] = (level[t] + hilly * grade[t]).max(0.25);
            if outdoors && grade[t] < -0.03 {
                moving[t] = false;
            }
        }
        if outdoors && on_terrain[t] && noise.chance(1.0 / 240.0) {
            let stop = (noise.range(3.0, 9.0) as usize).min(n - t);
            moving[t..t + stop].iter_mut().for_each(|m| *m = false);
            t += stop;
            continue;
        }
        t += 1;
    }
    // On about half of the long and hilly rides, one hard climb or attack
    // of 4–8 minutes.
    if matches!(kind, Some(Kind::BikeLong | Kind::Mtb | Kind::RaceFondo))
        && n > 3600
        && noise.chance(0.5)
    {
        let len = noise.range(240.0, 480.0) as usize;
        let at = (noise.range(0.3, 0.7) * n as f64) as usize;
        for t in at..(at + len).min(n) {
            level[t] = 1.18;
            moving[t] = true;
        }
    }
    for l in level.iter_mut() {
        *l *= 1.0 + 0.07 * noise.tri();
    }
    // Sprints have fixed watts; the ride's maximum power is the peak second
    // of the first one.
    let sprint_shape = [0.72, 0.93, 1.0, 0.97, 0.92, 0.86, 0.8, 0.72, 0.6, 0.45];
    let mut fixed: Vec<Option<f64>> = moving
        .iter()
        .map(|m| if *m { None } else { Some(0.0) })
        .collect();
    let sprints = if n > 900 {
        1 + (noise.unit() * 3.0) as usize
    } else {
        1
    };
    let mut peak_at = n / 2;
    let mut extra_sprints = Vec::new();
    for k in 0..sprints {
        let at = if n > 900 {
            (noise.range(0.2, 0.8) * n as f64) as usize
        } else {
            n / 2 - 2
        };
        let top = if k == 0 { 1.0 } else { noise.range(0.8, 0.97) };
        for (i, share) in sprint_shape.iter().enumerate() {
            if at + i < n {
                fixed[at + i] = Some((share * top * pmax).round());
                if k > 0 {
                    extra_sprints.push(at + i);
                }
            }
        }
        if k == 0 {
            peak_at = at + 2;
        }
    }
    fixed[peak_at] = Some(pmax);
    let target_sum = (avg * n as f64).round();
    let ones = vec![1.0; n];
    let mut power = Vec::new();
    for attempt in 0..12 {
        let c: Vec<f64> = fixed.iter().map(|f| f.unwrap_or(0.0)).collect();
        let u: Vec<f64> = fixed
            .iter()
            .map(|f| f64::from(u8::from(f.is_none())))
            .collect();
        let free: f64 = u.iter().sum();
        let mean_level = level.iter().zip(&u).map(|(l, u)| l * u).sum::<f64>() / free.max(1.0);
        let v: Vec<f64> = level
            .iter()
            .zip(&u)
            .map(|(l, u)| u * (l - mean_level) * ftp)
            .collect();
        match calibrate(&c, &u, &v, &ones, target_sum, Some(np)) {
            None if !extra_sprints.is_empty() => {
                // Too variable even when steady: no second or third sprint
                // (the first holds the ride's maximum)…
                for t in extra_sprints.drain(..) {
                    if t != peak_at && t + 2 != peak_at {
                        fixed[t] = None;
                    }
                }
            }
            None => {
                // …then ride through half of the coasting stretches (with
                // none left, hold it steady).
                let coasting: Vec<usize> = (0..n).filter(|t| fixed[*t] == Some(0.0)).collect();
                if coasting.is_empty() || attempt == 11 {
                    let flat = vec![0.0; n];
                    power = calibrate(&c, &u, &flat, &ones, target_sum, None).unwrap_or(c);
                    break;
                }
                for (k, t) in coasting.iter().enumerate() {
                    if (k / 4) % 2 == 0 {
                        fixed[*t] = None;
                    }
                }
            }
            Some(x) => {
                // Nobody pedals at 10 W: lift the lowest free seconds to a
                // floor and solve again with them fixed.
                let floor = (0.3 * avg).round();
                let low: Vec<usize> = (0..n)
                    .filter(|t| fixed[*t].is_none() && x[*t] < floor)
                    .collect();
                if low.is_empty() || attempt == 11 {
                    power = x;
                    break;
                }
                for t in low {
                    fixed[t] = Some(floor);
                }
            }
        }
    }
    let watts = round_to_sum(&power, target_sum as i64, &[peak_at], 0, pmax as i64);

    let effort: Vec<f64> = watts.iter().map(|p| *p as f64 / ftp).collect();
    let hr = match (w.heart_rate_average, w.heart_rate_maximum) {
        (Some(a), Some(m)) => Some(heart_rate(
            &smooth(&effort, 20.0),
            f64::from(ctx.profile.lthr_bike),
            f64::from(a),
            f64::from(m),
            f64::from(w.heart_rate_minimum.unwrap_or(a - 30)),
            noise,
        )),
        _ => None,
    };
    let cadence_avg = f64::from(w.cadence_average.unwrap_or(88));
    let mut sway = Wave::new(1885.0, 0.0);
    let cadence: Vec<u8> = watts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if *p == 0 {
                0
            } else if effort[i] > 1.8 {
                (cadence_avg + 22.0 + 3.0 * noise.tri()).round() as u8
            } else {
                (cadence_avg + 3.0 * noise.tri() + 4.0 * sway.next()).round() as u8
            }
        })
        .collect();
    let (speed, distance, alt) = if let Some(distance_m) = w.distance {
        let smooth_power = smooth(&watts.iter().map(|p| *p as f64).collect::<Vec<_>>(), 10.0);
        let raw: Vec<f64> = smooth_power
            .iter()
            .zip(&grade)
            .map(|(p, g)| (p.max(40.0)).cbrt() * (1.0 - 5.0 * g).clamp(0.35, 1.8))
            .collect();
        let (speed, dist) = speed_and_distance(&raw, distance_m);
        let start_alt = w.elevation_minimum.unwrap_or(10.0) + 5.0;
        let alt = altitude(start_alt, &grade, &speed);
        (Some(speed), Some(dist), Some(alt))
    } else {
        (None, None, None)
    };
    let temp = w.temp_avg.map(|avg| temperature(n, avg, noise));

    // A café stop on some long rides; a three-hour one on LONG_GAP_DAY.
    let mut pauses = Vec::new();
    if kind == Some(Kind::BikeLong) && ctx.date == LONG_GAP_DAY {
        pauses.push((n / 2, 3 * 3600));
    } else if kind == Some(Kind::BikeLong) && noise.chance(0.6) {
        pauses.push((
            (noise.range(0.45, 0.65) * n as f64) as usize,
            noise.range(480.0, 1200.0) as u32,
        ));
    }
    let times = timeline(n, &pauses);
    let samples = (0..n)
        .map(|i| Sample {
            t: times[i],
            power_w: has_power.then_some(watts[i] as u16),
            heart_rate_bpm: hr.as_ref().map(|h| h[i]),
            cadence_rpm: Some(cadence[i]),
            speed_mm_s: speed.as_ref().map(|s| s[i]),
            distance_cm: distance.as_ref().map(|d| d[i]),
            altitude_cm: alt.as_ref().map(|a| a[i]),
            temperature_c: temp.as_ref().map(|t| t[i]),
        })
        .collect();
    let sport = if w.workout_type_value_id == TYPE_MTB {
        DeviceSport::MountainBiking
    } else if outdoors {
        DeviceSport::Cycling
    } else {
        DeviceSport::IndoorCycling
    };
    Some((sport, samples, laps))
}

/// An exponential moving average with time constant `tau` seconds.
fn smooth(x: &[f64], tau: f64) -> Vec<f64> {
    let k = 1.0 - (-1.0 / tau).exp();
    let mut s = x.first().copied().unwrap_or(0.0);
    x.iter()
        .map(|v| {
            s += (v - s) * k;
            s
        })
        .collect()
}

/// The metabolic cost of running on a grade relative to the flat
/// (Minetti et al. 2002, J Appl Physiol 93:1039): what a second at a
/// grade is worth as flat-ground speed.
pub(crate) fn grade_cost_factor(grade: f64) -> f64 {
    let i = grade.clamp(-0.45, 0.45);
    let cost =
        155.4 * i.powi(5) - 30.4 * i.powi(4) - 43.3 * i.powi(3) + 46.3 * i * i + 19.5 * i + 3.6;
    cost / 3.6
}

fn run(ctx: &Context, noise: &mut Noise) -> Option<Built> {
    let w = ctx.w;
    let n = ctx.secs;
    let distance_m = w.distance?;
    let threshold = ctx.profile.run_threshold_speed_on(ctx.date);
    let main = match ctx.kind {
        Some(Kind::RunIntervals) => repeats(8, 180, 1.1, 120, 0.72),
        Some(Kind::RunTempo) => vec![hold(1500, 0.95, false, true), hold(300, 0.78, false, true)],
        Some(Kind::Race10k) | Some(Kind::RaceHalf) => {
            vec![Block {
                secs: n,
                from: 0.98,
                to: 1.02,
                terrain: true,
                lap: true,
            }]
        }
        _ => Vec::new(),
    };
    let blocks = frame(n, (0.75, 0.82), main, 0.84, 0.78);
    let (mut level, _, laps) = expand(&blocks);
    for l in level.iter_mut() {
        *l *= 1.0 + 0.03 * noise.tri();
    }
    let gain_per_m = w.elevation_gain.map_or(0.0, |g| g / distance_m.max(1.0));
    // Runs roll gently; the grade costs what Minetti says.
    let mut grade = terrain_grade(n, gain_per_m, noise);
    let ngs = w.normalized_speed_actual.unwrap_or(distance_m / n as f64);
    // If the hills alone would normalize above the target, flatten them.
    let mut flatten = 1.0;
    let graded = loop {
        let cost: Vec<f64> = grade.iter().map(|g| grade_cost_factor(*g)).collect();
        let weight: Vec<f64> = cost.iter().map(|c| 1.0 / c).collect();
        let ones = vec![1.0; n];
        let mean_level = level.iter().sum::<f64>() / n as f64;
        let v: Vec<f64> = level.iter().map(|l| (l - mean_level) * threshold).collect();
        let zero = vec![0.0; n];
        let solved = calibrate(&zero, &ones, &v, &weight, distance_m, Some(ngs));
        let reached = solved.is_some();
        let gs = solved
            .or_else(|| calibrate(&zero, &ones, &v, &weight, distance_m, None))
            .unwrap_or_default();
        if reached || flatten < 0.05 {
            break gs
                .iter()
                .zip(&cost)
                .map(|(g, c)| (g / c).max(0.5))
                .collect::<Vec<f64>>();
        }
        flatten *= 0.6;
        grade.iter_mut().for_each(|g| *g *= 0.6);
    };
    let (speed, distance) = speed_and_distance(&graded, distance_m);
    let start_alt = noise.range(0.0, 60.0);
    let alt = altitude(start_alt, &grade, &speed);
    let effort: Vec<f64> = speed
        .iter()
        .zip(&grade)
        .map(|(v, g)| f64::from(*v) / 1000.0 * grade_cost_factor(*g) / threshold)
        .collect();
    let hr = match (w.heart_rate_average, w.heart_rate_maximum) {
        (Some(a), Some(m)) => Some(heart_rate(
            &smooth(&effort, 15.0),
            f64::from(ctx.profile.lthr),
            f64::from(a),
            f64::from(m),
            f64::from(w.heart_rate_minimum.unwrap_or(a - 30)),
            noise,
        )),
        _ => None,
    };
    let cadence_avg = f64::from(w.cadence_average.unwrap_or(88));
    let temp = w.temp_avg.map(|avg| temperature(n, avg, noise));
    let mut pauses = Vec::new();
    if noise.chance(0.2) {
        pauses.push((
            (noise.range(0.2, 0.8) * n as f64) as usize,
            noise.range(20.0, 90.0) as u32,
        ));
    }
    let times = timeline(n, &pauses);
    let samples = (0..n)
        .map(|i| Sample {
            t: times[i],
            power_w: None,
            heart_rate_bpm: hr.as_ref().map(|h| h[i]),
            cadence_rpm: Some(
                (cadence_avg + 2.0 * noise.tri() + 3.0 * (effort[i] - 0.85)).round() as u8,
            ),
            speed_mm_s: Some(speed[i]),
            distance_cm: Some(distance[i]),
            altitude_cm: Some(alt[i]),
            temperature_c: temp.as_ref().map(|t| t[i]),
        })
        .collect();
    Some((
        DeviceSport::Running,
        samples,
        laps_by_distance(&distance, 100_000, laps),
    ))
}

/// Auto-laps every `every_cm` of distance, unless the session has its own
/// (structured) laps.
fn laps_by_distance(distance_cm: &[u32], every_cm: u32, structured: Vec<usize>) -> Vec<usize> {
    if structured.len() > 3 {
        return structured;
    }
    let mut laps = vec![0];
    let mut next = every_cm;
    for (i, d) in distance_cm.iter().enumerate() {
        if *d >= next {
            laps.push(i + 1);
            next += every_cm;
        }
    }
    laps.retain(|&i| i < distance_cm.len());
    laps.dedup();
    laps
}

fn swim(ctx: &Context, noise: &mut Noise) -> Option<Built> {
    let w = ctx.w;
    let n = ctx.secs;
    let distance_m = w.distance?;
    // 100 m repeats with 15 s rests; the speed per repeat varies a little.
    let mut shape = Vec::with_capacity(n);
    let mut laps = vec![0];
    let swim_s = ((100.0 / (distance_m / n as f64 / 0.92)).round() as usize).max(30);
    while shape.len() < n {
        let pace = 1.0 + 0.04 * noise.tri();
        for _ in 0..swim_s.min(n - shape.len()) {
            shape.push(pace * (1.0 + 0.05 * noise.tri()));
        }
        let rest = 15.min(n - shape.len());
        shape.resize(shape.len() + rest, 0.0);
        if shape.len() < n {
            laps.push(shape.len());
        }
    }
    let (speed, distance) = speed_and_distance(&shape, distance_m);
    let effort: Vec<f64> = shape.iter().map(|s| s * 0.85).collect();
    let hr = match (w.heart_rate_average, w.heart_rate_maximum) {
        (Some(a), Some(m)) => Some(heart_rate(
            &smooth(&effort, 20.0),
            f64::from(ctx.profile.lthr),
            f64::from(a),
            f64::from(m),
            f64::from(w.heart_rate_minimum.unwrap_or(a - 30)),
            noise,
        )),
        _ => None,
    };
    let samples = (0..n)
        .map(|i| Sample {
            t: i as u32,
            heart_rate_bpm: hr.as_ref().map(|h| h[i]),
            speed_mm_s: Some(speed[i]),
            distance_cm: Some(distance[i]),
            ..Sample::default()
        })
        .collect();
    Some((DeviceSport::Swimming, samples, laps))
}

fn walk(ctx: &Context, noise: &mut Noise) -> Option<Built> {
    let w = ctx.w;
    let n = ctx.secs;
    let distance_m = w.distance?;
    let mut wave = Wave::new(2513.0, 0.0);
    let shape: Vec<f64> = (0..n)
        .map(|_| 1.0 + 0.08 * noise.tri() + 0.1 * wave.next())
        .collect();
    let (speed, distance) = speed_and_distance(&shape, distance_m);
    let grade = terrain_grade(
        n,
        w.elevation_gain.map_or(0.004, |g| g / distance_m.max(1.0)),
        noise,
    );
    let alt = altitude(noise.range(0.0, 300.0), &grade, &speed);
    let effort: Vec<f64> = grade.iter().map(|g| 0.45 + 4.0 * g.max(0.0)).collect();
    let hr = match (w.heart_rate_average, w.heart_rate_maximum) {
        (Some(a), Some(m)) => Some(heart_rate(
            &smooth(&effort, 30.0),
            f64::from(ctx.profile.lthr),
            f64::from(a),
            f64::from(m),
            f64::from(w.heart_rate_minimum.unwrap_or(a - 20)),
            noise,
        )),
        _ => None,
    };
    let samples = (0..n)
        .map(|i| Sample {
            t: i as u32,
            heart_rate_bpm: hr.as_ref().map(|h| h[i]),
            speed_mm_s: Some(speed[i]),
            distance_cm: Some(distance[i]),
            altitude_cm: Some(alt[i]),
            ..Sample::default()
        })
        .collect();
    let sport = if w.heart_rate_average.is_none() {
        DeviceSport::Hiking
    } else {
        DeviceSport::Walking
    };
    Some((
        sport,
        samples,
        laps_by_distance(&distance, 100_000, vec![0]),
    ))
}

fn strength(ctx: &Context, noise: &mut Noise) -> Option<Built> {
    let w = ctx.w;
    let n = ctx.secs;
    let (avg, max) = (w.heart_rate_average?, w.heart_rate_maximum?);
    // Sets of ~45 s, rests of ~90 s.
    let effort: Vec<f64> = (0..n)
        .map(|t| if t % 135 < 45 { 0.75 } else { 0.35 })
        .collect();
    let hr = heart_rate(
        &smooth(&effort, 25.0),
        f64::from(ctx.profile.lthr),
        f64::from(avg),
        f64::from(max),
        f64::from(w.heart_rate_minimum.unwrap_or(avg - 25)),
        noise,
    );
    let samples = (0..n)
        .map(|i| Sample {
            t: i as u32,
            heart_rate_bpm: Some(hr[i]),
            ..Sample::default()
        })
        .collect();
    Some((DeviceSport::Training, samples, vec![0]))
}

/// Local time in Amsterdam (CET, CEST from the last Sunday of March to the
/// last Sunday of October, switching at 01:00 UTC) to UTC.
pub fn amsterdam_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let year = local.year();
    let last_sunday = |month: u32| {
        let mut d =
            NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("not the first day of time");
        }
        d
    };
    let summer_from = last_sunday(3).and_hms_opt(2, 0, 0).expect("valid");
    let summer_until = last_sunday(10).and_hms_opt(3, 0, 0).expect("valid");
    let offset = if local >= summer_from && local < summer_until {
        2
    } else {
        1
    };
    local - Duration::hours(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DemoAthlete;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn np_of(watts: &[f64]) -> f64 {
        normalized(watts).unwrap()
    }

    // Proves the calibration hits both targets exactly before rounding:
    // the linear one (average) and the quartic one (NP).
    #[test]
    fn calibration_hits_average_and_np() {
        let mut noise = Noise::new(1, 2, 3);
        let n = 3000;
        let u = vec![1.0; n];
        let v: Vec<f64> = (0..n)
            .map(|t| if (t / 200) % 2 == 0 { 50.0 } else { -50.0 } + 5.0 * noise.tri())
            .collect();
        let zero = vec![0.0; n];
        let x = calibrate(&zero, &u, &v, &u, 200.0 * n as f64, Some(216.0)).unwrap();
        let mean = x.iter().sum::<f64>() / n as f64;
        assert!((mean - 200.0).abs() < 1e-9, "{mean}");
        assert!((np_of(&x) - 216.0).abs() < 1e-6, "{}", np_of(&x));
    }

    // Proves the rounding repair keeps the exact sum and the kept index.
    #[test]
    fn rounding_keeps_the_sum() {
        let x = vec![1.4, 2.4, 3.4, 4.4, 100.0];
        let out = round_to_sum(&x, 112, &[4], 0, 1000);
        assert_eq!(out.iter().sum::<i64>(), 112);
        assert_eq!(out[4], 100);
    }

    // Proves the Minetti factor is 1 on the flat, more uphill, and least
    // on a gentle descent.
    #[test]
    fn grade_cost_is_minettis() {
        assert!((grade_cost_factor(0.0) - 1.0).abs() < 1e-12);
        assert!(grade_cost_factor(0.05) > 1.2);
        assert!(grade_cost_factor(-0.05) < 1.0);
        assert!(grade_cost_factor(-0.3) > grade_cost_factor(-0.15));
    }

    // Proves the DST rule on both switch days.
    #[test]
    fn amsterdam_time_to_utc() {
        let t = |y, m, d, h| day(y, m, d).and_hms_opt(h, 0, 0).unwrap();
        assert_eq!(amsterdam_to_utc(t(2026, 1, 10, 9)), t(2026, 1, 10, 8));
        assert_eq!(amsterdam_to_utc(t(2026, 7, 10, 9)), t(2026, 7, 10, 7));
        assert_eq!(amsterdam_to_utc(t(2026, 3, 29, 1)), t(2026, 3, 29, 0));
        assert_eq!(amsterdam_to_utc(t(2026, 3, 29, 3)), t(2026, 3, 29, 1));
        assert_eq!(amsterdam_to_utc(t(2026, 10, 25, 9)), t(2026, 10, 25, 8));
    }

    // Proves every recording of the demo history agrees with its workout's
    // summary: one sample per timer second, distance and average power
    // exact, NP within 1 %, average and maximum HR exact, maximum power
    // exact.
    #[test]
    fn every_recording_matches_its_summary() {
        let a = DemoAthlete::new(crate::DEMO_SEED, day(2026, 11, 24));
        recordings_match_their_summaries(&a);
    }

    // Proves the same of the coach's athletes, whose thresholds are scaled
    // and whose workout ids are offset.
    #[test]
    fn coached_recordings_match_their_summaries() {
        for id in [crate::JORDAN_LEE_ID, crate::SAM_TAYLOR_ID] {
            let a = crate::coach::generate(crate::DEMO_SEED, day(2026, 11, 24), id).unwrap();
            recordings_match_their_summaries(&a);
        }
    }

    fn recordings_match_their_summaries(a: &DemoAthlete) {
        let started = std::time::Instant::now();
        let mut checked = 0;
        let mut worst_np: f64 = 0.0;
        for w in a.workouts() {
            let Some(rec) = record(a.seed(), w, a.profile()) else {
                continue;
            };
            checked += 1;
            let n = rec.samples.len();
            let secs = (w.total_time.unwrap() * 3600.0).round() as usize;
            assert_eq!(n, secs, "{} duration", w.workout_id);
            assert!(rec.samples.windows(2).all(|p| p[1].t > p[0].t));
            if let Some(d) = w.distance {
                let last = rec.samples.last().unwrap().distance_cm.unwrap();
                assert_eq!(
                    last as i64,
                    (d * 100.0).round() as i64,
                    "{} distance",
                    w.workout_id
                );
            }
            if let Some(avg) = w.power_average {
                let watts: Vec<f64> = rec
                    .samples
                    .iter()
                    .map(|s| f64::from(s.power_w.unwrap()))
                    .collect();
                let mean = watts.iter().sum::<f64>() / n as f64;
                assert!(
                    (mean - f64::from(avg)).abs() < 0.5 / n as f64 + 1e-9,
                    "{} avg {mean} vs {avg}",
                    w.workout_id
                );
                let np = np_of(&watts);
                let target = w.normalized_power_actual.unwrap();
                let err = (np / target - 1.0).abs();
                worst_np = worst_np.max(err);
                assert!(err < 0.01, "{} NP {np} vs {target}", w.workout_id);
                let max = watts.iter().cloned().fold(0.0, f64::max);
                assert_eq!(
                    max,
                    f64::from(w.power_maximum.unwrap()),
                    "{} max power",
                    w.workout_id
                );
            }
            if let (Some(avg), Some(max)) = (w.heart_rate_average, w.heart_rate_maximum) {
                let hr: Vec<f64> = rec
                    .samples
                    .iter()
                    .map(|s| f64::from(s.heart_rate_bpm.unwrap()))
                    .collect();
                let mean = hr.iter().sum::<f64>() / n as f64;
                assert!(
                    (mean - f64::from(avg)).abs() < 0.5 / n as f64 + 1e-9,
                    "{} HR {mean} vs {avg}",
                    w.workout_id
                );
                assert_eq!(hr.iter().cloned().fold(0.0, f64::max), f64::from(max));
            }
        }
        eprintln!(
            "{checked} recordings in {:?}, worst NP error {:.4} %",
            started.elapsed(),
            worst_np * 100.0
        );
        assert!(checked > 1500, "{checked}");
    }
}
