//! Health metrics: what a watch worn at night, a scale and a step counter
//! upload, as `GET /metrics/v3/athletes/{id}/consolidatedtimedmetrics/{start}/{end}`
//! serves them (one entry per day that has any metric).
//!
//! Each day's values are a pure function of `(seed, date)` and the
//! athlete's own training load up to that morning (TrainingPeaks' 1/T
//! recurrence from [`HISTORY_START`], T = 42 and 7), so readiness signals
//! mean something:
//!
//! - **HRV** (rMSSD, ms, type 60): the athlete's baseline, a slow wander
//!   (weeks and seasons, phases from the seed), a noisy day-to-day part
//!   (σ ≈ 4 ms), minus a few ms the morning after a big day (0.045 ms per
//!   TSS above 80: −3 after 150, −7.6 after 250), minus 0.3 ms per point
//!   of form below −10 (−3 at TSB −20, −6 at −30, at most −9), plus a
//!   little when fresh (tapering).
//! - **Resting HR** (bpm, type 5): the profile's resting HR, up with the
//!   same fatigue (+0.12 bpm per point of TSB below −10, +1 bpm per 85 TSS
//!   above 80 the day before), ±1–2 bpm of noise.
//! - **Sleep** (hours, type 6): ~7.3 h, longer on weekend mornings and
//!   after a big day, ±~1 h.
//! - **Weight** (kg, type 9): the profile's weight, a little heavier in
//!   winter, a slow wander, ±0.3 kg; about 4 mornings in 5.
//! - **SpO2** (%, type 53): 95–99 on most nights the watch was worn.
//! - **Steps** (type 58): the whole day's, so not for today; ~8 500 plus
//!   the steps of the day's runs and walks; most days.
//!
//! Devices are forgotten: on about 1 night in 12 the watch was not worn
//! (no HRV, resting HR, sleep or SpO2 that morning), and an HRV reading
//! alone fails now and then. [`Health`] says which metrics an athlete has
//! at all.

use std::f64::consts::TAU;

use chrono::{Datelike, NaiveDate, Weekday};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::HISTORY_START;
use crate::athlete::DemoAthlete;
use crate::dates::tp_datetime;
use crate::generate::day_rng;
use crate::workout::{TYPE_RUN, TYPE_WALK};

/// The metrics route refuses ranges longer than this many calendar days
/// (inclusive). No reference reports a cap on this route; the fake sets
/// one so that clients window their requests (a year fits in one).
pub const MAX_METRICS_RANGE_DAYS: i64 = 366;

/// The `day_rng` stream of a day's health metrics.
const HEALTH_STREAM: u64 = 20;

/// Which health metrics an athlete's devices upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// None at all: the route answers an empty list.
    None,
    /// The watch at night only: HRV, resting HR and sleep.
    Recovery,
    /// Watch, scale and step counter: HRV, resting HR, sleep, weight,
    /// SpO2 and steps.
    Full,
}

/// A TrainingPeaks metric type (the `type` of a detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricType {
    /// Resting heart rate, bpm (type 5).
    Pulse,
    /// Sleep, hours (type 6).
    Sleep,
    /// Body weight, kg (type 9).
    Weight,
    /// Blood oxygen saturation, % (type 53).
    Spo2,
    /// Steps of the day (type 58).
    Steps,
    /// Heart-rate variability, rMSSD in ms (type 60).
    Hrv,
}

impl MetricType {
    /// TrainingPeaks' type id.
    pub fn id(self) -> i64 {
        match self {
            MetricType::Pulse => 5,
            MetricType::Sleep => 6,
            MetricType::Weight => 9,
            MetricType::Spo2 => 53,
            MetricType::Steps => 58,
            MetricType::Hrv => 60,
        }
    }

    /// The `label` TrainingPeaks sends with the type.
    pub fn label(self) -> &'static str {
        match self {
            MetricType::Pulse => "Pulse",
            MetricType::Sleep => "Sleep Hours",
            MetricType::Weight => "Weight",
            MetricType::Spo2 => "SPO2",
            MetricType::Steps => "Steps",
            MetricType::Hrv => "HRV",
        }
    }

    /// Whether values are whole numbers on the wire.
    fn integral(self) -> bool {
        matches!(
            self,
            MetricType::Pulse | MetricType::Spo2 | MetricType::Steps
        )
    }
}

/// One day's metrics, by type id.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDay {
    pub date: NaiveDate,
    /// Sorted by type id; never empty.
    pub values: Vec<(MetricType, f64)>,
}

impl MetricDay {
    /// The value of `kind` that day, if measured.
    pub fn get(&self, kind: MetricType) -> Option<f64> {
        self.values
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| *v)
    }

    /// The wire form: `{"id", "athleteId", "timeStamp", "details": [{"type",
    /// "value", "label", "time"}]}`, stamped at 06:30 local time.
    pub fn json(&self, athlete_id: i64) -> Value {
        let stamp = tp_datetime(self.date.and_hms_opt(6, 30, 0).expect("valid time"));
        let details: Vec<Value> = self
            .values
            .iter()
            .map(|&(kind, value)| {
                let value = if kind.integral() {
                    json!(value.round() as i64)
                } else {
                    json!(value)
                };
                json!({
                    "type": kind.id(),
                    "value": value,
                    "label": kind.label(),
                    "time": stamp,
                })
            })
            .collect();
        json!({
            "id": metric_id(athlete_id, self.date),
            "athleteId": athlete_id,
            "timeStamp": stamp,
            "details": details,
        })
    }
}

/// Entry ids: the athlete id × 100 000 plus days since 2000-01-01.
fn metric_id(athlete_id: i64, date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
    athlete_id * 100_000 + (date - epoch).num_days()
}

/// The training load going into one morning.
#[derive(Debug, Clone, Copy, Default)]
struct Load {
    /// Completed TSS of the day before.
    yesterday_tss: f64,
    /// Form (CTL − ATL) at the end of the day before.
    tsb: f64,
}

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// Within ±`spread` of 0, most often near it (σ ≈ spread / 3).
fn wobble(rng: &mut ChaCha8Rng, spread: f64) -> f64 {
    let sum: f64 = (0..3).map(|_| uniform(rng, -1.0, 1.0)).sum();
    spread * sum / 3.0
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// A slow wave of `period` days whose phase the seed picks.
fn wave(seed: u64, which: u64, date: NaiveDate, period: f64) -> f64 {
    let phase = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ which.wrapping_mul(0xBF58_476D)) % 1000;
    let days = (date - HISTORY_START).num_days() as f64;
    (TAU * (days / period + phase as f64 / 1000.0)).sin()
}

/// The steps of the day's completed runs and walks (~0.9 a metre running,
/// ~1.35 walking).
fn workout_steps(athlete: &DemoAthlete, date: NaiveDate) -> f64 {
    athlete
        .workouts_between(date, date)
        .iter()
        .filter(|w| w.is_completed())
        .map(|w| match w.workout_type_value_id {
            TYPE_RUN => 0.9 * w.distance.unwrap_or(0.0),
            TYPE_WALK => 1.35 * w.distance.unwrap_or(0.0),
            _ => 0.0,
        })
        .sum()
}

/// One morning's metrics; `None` when nothing was measured.
fn day_metrics(
    athlete: &DemoAthlete,
    health: Health,
    date: NaiveDate,
    load: Load,
) -> Option<MetricDay> {
    let profile = athlete.profile();
    let seed = athlete.seed();
    let mut rng = day_rng(seed, date, HEALTH_STREAM);
    // Every draw happens whatever is kept, so one missing metric never
    // shifts another's value.
    let watch_worn = rng.random_bool(0.92);
    let hrv_read = rng.random_bool(0.97);
    let spo2_read = rng.random_bool(0.9);
    let weighed = rng.random_bool(0.8);
    let steps_counted = rng.random_bool(0.95);
    let (hrv_noise, rhr_noise, sleep_noise) = (
        wobble(&mut rng, 12.0),
        wobble(&mut rng, 4.0),
        wobble(&mut rng, 2.4),
    );
    let (weight_noise, spo2_noise, steps_noise) = (
        wobble(&mut rng, 0.9),
        wobble(&mut rng, 2.4),
        wobble(&mut rng, 9000.0),
    );

    let big_day = (load.yesterday_tss - 80.0).max(0.0);
    let tired = (-load.tsb - 10.0).max(0.0);
    let fresh = (load.tsb - 5.0).clamp(0.0, 20.0);

    let mut values = Vec::new();
    if watch_worn {
        let rhr = f64::from(profile.resting_hr) + 0.12 * tired.min(30.0) + big_day / 85.0;
        values.push((MetricType::Pulse, (rhr + rhr_noise).round()));
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let sleep = 7.3 + if weekend { 0.4 } else { 0.0 } + (big_day / 400.0).min(0.4);
        values.push((
            MetricType::Sleep,
            round_to((sleep + sleep_noise).clamp(4.5, 9.8), 2),
        ));
    }
    if health == Health::Full {
        if weighed {
            let winter = (TAU * (f64::from(date.ordinal()) - 15.0) / 365.25).cos();
            let kg = profile.weight_kg + 0.6 * winter + 0.5 * wave(seed, 3, date, 61.0);
            values.push((MetricType::Weight, round_to(kg + weight_noise, 1)));
        }
        if watch_worn && spo2_read {
            values.push((
                MetricType::Spo2,
                (97.0 + spo2_noise).round().clamp(94.0, 99.0),
            ));
        }
        if steps_counted && date < athlete.today() {
            let steps = 8500.0 + steps_noise + workout_steps(athlete, date);
            values.push((MetricType::Steps, steps.max(600.0).round()));
        }
    }
    if watch_worn && hrv_read {
        let drift = 4.0 * wave(seed, 1, date, 97.0) + 2.5 * wave(seed, 2, date, 365.25);
        let hrv = profile.hrv_baseline_ms + drift - 0.045 * big_day - 0.3 * tired.min(30.0)
            + 0.15 * fresh
            + hrv_noise;
        values.push((MetricType::Hrv, round_to(hrv.clamp(25.0, 140.0), 1)));
    }
    if health == Health::None || values.is_empty() {
        return None;
    }
    values.sort_by_key(|(kind, _)| *kind);
    Some(MetricDay { date, values })
}

/// The athlete's metrics on the days of `start ..= end` that have any (none
/// after `today`), by date.
pub fn metric_days(
    athlete: &DemoAthlete,
    health: Health,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<MetricDay> {
    let last = end.min(athlete.today());
    if health == Health::None || last < HISTORY_START || last < start {
        return Vec::new();
    }
    let (mut ctl, mut atl) = (0.0f64, 0.0f64);
    let mut load = Load::default();
    let mut out = Vec::new();
    for date in HISTORY_START.iter_days().take_while(|d| *d <= last) {
        if date >= start
            && let Some(day) = day_metrics(athlete, health, date, load)
        {
            out.push(day);
        }
        let tss = athlete.daily_tss(date);
        ctl += (tss - ctl) / 42.0;
        atl += (tss - atl) / 7.0;
        load = Load {
            yesterday_tss: tss,
            tsb: ctl - atl,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn demo() -> DemoAthlete {
        DemoAthlete::new(crate::DEMO_SEED, day(2026, 11, 24))
    }

    fn mean(xs: &[f64]) -> f64 {
        xs.iter().sum::<f64>() / xs.len().max(1) as f64
    }

    fn percentile(xs: &[f64], p: f64) -> f64 {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    }

    // Proves a day's metrics depend on (seed, date) and the load only: a
    // later `today` leaves earlier days identical, another seed changes them.
    #[test]
    fn each_day_is_a_pure_function_of_seed_date_and_load() {
        let a = DemoAthlete::new(7, day(2024, 6, 1));
        let b = DemoAthlete::new(7, day(2025, 3, 1));
        let c = DemoAthlete::new(8, day(2024, 6, 1));
        let window = |x: &DemoAthlete| x.health_metrics(day(2023, 1, 1), day(2024, 5, 31));
        assert_eq!(window(&a), window(&b));
        assert_ne!(window(&a), window(&c));
        assert_eq!(window(&a), window(&DemoAthlete::new(7, day(2024, 6, 1))));
        assert!(
            a.health_metrics(day(2024, 6, 2), day(2024, 12, 31))
                .is_empty()
        );
        let today = a.health_metrics(day(2024, 6, 1), day(2024, 6, 1));
        assert!(today.iter().all(|d| d.get(MetricType::Steps).is_none()));
    }

    // Proves the demo athlete's values are an endurance athlete's, that
    // devices are sometimes forgotten, and the wire form.
    #[test]
    fn demo_values_are_plausible_and_sometimes_missing() {
        let a = demo();
        let days = a.health_metrics(HISTORY_START, a.today());
        let span = (a.today() - HISTORY_START).num_days() as f64 + 1.0;
        let values = |kind| -> Vec<f64> { days.iter().filter_map(|d| d.get(kind)).collect() };
        let share = |kind| values(kind).len() as f64 / span;
        let hrv = values(MetricType::Hrv);
        assert!(
            (0.8..0.95).contains(&share(MetricType::Hrv)),
            "HRV {}",
            share(MetricType::Hrv)
        );
        assert!((0.7..0.9).contains(&share(MetricType::Weight)));
        assert!((0.75..0.92).contains(&share(MetricType::Spo2)));
        assert!((0.9..1.0).contains(&share(MetricType::Steps)));
        assert!(days.len() as f64 > 0.97 * span, "most days have something");
        let (p5, p95) = (percentile(&hrv, 0.05), percentile(&hrv, 0.95));
        eprintln!(
            "HRV 5–95 % {p5}–{p95} on {:.0} % of days; resting HR {}–{}",
            100.0 * share(MetricType::Hrv),
            percentile(&values(MetricType::Pulse), 0.05),
            percentile(&values(MetricType::Pulse), 0.95)
        );
        assert!(p5 >= 50.0 && p95 <= 88.0, "HRV 5–95 % {p5}–{p95}");
        assert!(hrv.iter().all(|v| (35.0..=100.0).contains(v)));
        let rhr = values(MetricType::Pulse);
        assert!(percentile(&rhr, 0.05) >= 43.0 && percentile(&rhr, 0.95) <= 53.0);
        let sleep = values(MetricType::Sleep);
        assert!((7.0..8.0).contains(&mean(&sleep)) && percentile(&sleep, 0.05) > 5.5);
        let weight = values(MetricType::Weight);
        assert!(weight.iter().all(|kg| (68.5..=74.5).contains(kg)));
        assert!(
            values(MetricType::Spo2)
                .iter()
                .all(|p| (94.0..=99.0).contains(p))
        );
        let steps = values(MetricType::Steps);
        assert!((8_000.0..16_000.0).contains(&mean(&steps)));
        for d in &days {
            assert!(d.values.windows(2).all(|w| w[0].0.id() < w[1].0.id()));
        }

        let json = days.last().unwrap().json(a.profile().athlete_id);
        assert_eq!(json["athleteId"], crate::DEMO_ATHLETE_ID);
        assert_eq!(json["timeStamp"], "2026-11-24T06:30:00");
        assert_eq!(
            json["id"],
            crate::DEMO_ATHLETE_ID * 100_000 + (a.today() - day(2000, 1, 1)).num_days()
        );
        for detail in json["details"].as_array().unwrap() {
            let id = detail["type"].as_i64().unwrap();
            assert!([5, 6, 9, 53, 58, 60].contains(&id));
            assert!(detail["label"].is_string() && detail["value"].is_number());
            if [5, 53, 58].contains(&id) {
                assert!(detail["value"].is_i64(), "{detail}");
            }
        }
    }

    // Proves the readiness signals follow the athlete's own load: lower HRV
    // and higher resting HR the morning after a big day and in deep fatigue.
    #[test]
    fn hrv_and_resting_hr_follow_the_load() {
        let a = demo();
        let days = a.health_metrics(HISTORY_START, a.today());
        let (mut ctl, mut atl) = (0.0f64, 0.0f64);
        let mut form = std::collections::HashMap::new();
        for d in HISTORY_START.iter_days().take_while(|d| *d <= a.today()) {
            let yesterday = d.pred_opt().map_or(0.0, |y| a.daily_tss(y));
            form.insert(d, (yesterday, ctl - atl));
            let tss = a.daily_tss(d);
            ctl += (tss - ctl) / 42.0;
            atl += (tss - atl) / 7.0;
        }
        let pick = |kind, keep: &dyn Fn(f64, f64) -> bool| -> Vec<f64> {
            days.iter()
                .filter(|d| {
                    let (tss, tsb) = form[&d.date];
                    keep(tss, tsb)
                })
                .filter_map(|d| d.get(kind))
                .collect()
        };
        let after_big = pick(MetricType::Hrv, &|tss, _| tss > 150.0);
        let after_rest = pick(MetricType::Hrv, &|tss, _| tss < 30.0);
        assert!(after_big.len() > 50 && after_rest.len() > 50);
        let drop = mean(&after_rest) - mean(&after_big);
        let by_form =
            |lo: f64, hi: f64| mean(&pick(MetricType::Hrv, &|_, tsb| (lo..hi).contains(&tsb)));
        eprintln!(
            "HRV after rest {:.1}, after > 150 TSS {:.1}; by TSB: < −20 {:.1}, −20…−5 {:.1}, > −5 {:.1}",
            mean(&after_rest),
            mean(&after_big),
            by_form(-100.0, -20.0),
            by_form(-20.0, -5.0),
            by_form(-5.0, 100.0)
        );
        assert!(
            (2.5..12.0).contains(&drop),
            "HRV after a big day: −{drop:.1} ms"
        );
        let tired = pick(MetricType::Hrv, &|_, tsb| tsb < -20.0);
        let fresh = pick(MetricType::Hrv, &|_, tsb| tsb > -5.0);
        assert!(tired.len() > 20, "{} deeply tired mornings", tired.len());
        assert!(mean(&fresh) - mean(&tired) > 3.0);
        let rhr_tired = pick(MetricType::Pulse, &|_, tsb| tsb < -20.0);
        let rhr_fresh = pick(MetricType::Pulse, &|_, tsb| tsb > -5.0);
        assert!(mean(&rhr_tired) > mean(&rhr_fresh) + 0.8);
    }

    // Proves which metrics each kind of athlete has.
    #[test]
    fn health_kinds_decide_which_metrics_exist() {
        let today = day(2025, 2, 1);
        let profile = Profile::default();
        let watch_only = DemoAthlete::with_profile(5, today, profile.clone(), Health::Recovery);
        let days = watch_only.health_metrics(day(2024, 1, 1), today);
        assert!(days.len() > 300);
        assert!(days.iter().all(|d| {
            d.values
                .iter()
                .all(|(k, _)| matches!(k, MetricType::Hrv | MetricType::Pulse | MetricType::Sleep))
        }));
        let none = DemoAthlete::with_profile(5, today, profile.clone(), Health::None);
        assert!(none.health_metrics(HISTORY_START, today).is_empty());
        let new = DemoAthlete::new_account_of(5, today, profile);
        assert!(new.health_metrics(HISTORY_START, today).is_empty());
    }
}
