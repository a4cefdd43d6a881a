//! Part 1 and 2: Normalized Power, normalized graded speed, intensity
//! factor and TSS from the streams; variability index and efficiency
//! factor.

use super::grid::{Grid, Series, mean_of, normalized_of};
use crate::num::{finite, per_positive, positive};
use crate::workout::{EfBasis, Variability};
use serde::Serialize;
use tp_model::{ChannelKind, Sport};

/// How Normalized Power, IF and TSS are computed from power.
pub const POWER_METHOD: &str = "Coggan: NP = 4th root of the mean 4th power of the 30-sample \
     rolling averages of power on the 1 Hz grid in recorded order (pauses skipped, not zeros, the \
     window not restarted); IF = NP / FTP; TSS = recorded hours × IF² × 100";

/// How normalized graded speed, IF and TSS of a run are computed.
pub const GRADED_SPEED_METHOD: &str = "graded speed = speed × C(i)/C(0), Minetti et al. 2002 \
     C(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6 J/(kg·m); NGS = Coggan's \
     normalization of graded speed; IF = NGS / threshold speed; TSS = recorded hours × IF² × 100 \
     (rTSS)";

/// How a grade is taken from altitude and distance.
pub const GRADE_METHOD: &str = "grade = altitude change / distance change between the recorded \
     points 20 m of distance before and 20 m after each second (a centred 40 m window, never \
     across a pause; at least 20 m covered, else 0), clamped to ±0.45";

/// How a swim's IF and TSS are computed.
pub const SWIM_METHOD: &str = "TrainingPeaks sTSS: IF = average speed over the recorded time \
     (rests included) / threshold swim speed; TSS = recorded hours × IF³ × 100";

/// How the load's basis is picked.
pub const LOAD_METHOD: &str = "runs and walks: normalized graded speed; swims: swim speed; \
     every other sport: power";

/// How VI and EF are computed.
pub const EFFICIENCY_METHOD: &str = "VI = NP / average power; EF = NP / average HR (W/bpm), for \
     runs and walks NGS in m/min / average HR, for swims average speed in m/min / average HR; \
     averages over the 1 Hz grid seconds with a value";

/// Distance on each side of a second over which its grade is measured, metres.
pub const GRADE_HALF_WINDOW_M: f64 = 20.0;

/// Minetti's data end at ±45 %; grades beyond count as ±45 %.
pub const MAX_GRADE: f64 = 0.45;

/// What IF and TSS are based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoadBasis {
    /// NP / FTP (TSS).
    Power,
    /// NGS / threshold speed (rTSS).
    NormalizedGradedSpeed,
    /// Average speed / threshold swim speed (sTSS).
    SwimSpeed,
}

impl LoadBasis {
    pub fn for_sport(sport: Sport) -> LoadBasis {
        match sport {
            Sport::Run | Sport::Walk => LoadBasis::NormalizedGradedSpeed,
            Sport::Swim => LoadBasis::SwimSpeed,
            _ => LoadBasis::Power,
        }
    }
}

/// The power side of the load (whenever the file has power).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PowerLoad {
    pub method: &'static str,
    /// Grid seconds with a power value.
    pub seconds_with_power: u32,
    pub average_power_w: f64,
    /// `None` below 30 s of power.
    pub normalized_power_w: Option<f64>,
    pub ftp_w: Option<f64>,
    pub intensity_factor: Option<f64>,
    pub tss: Option<f64>,
}

/// Where a run's grade came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradeSource {
    /// Altitude and distance ([`GRADE_METHOD`]).
    AltitudeAndDistance,
    /// No altitude or distance: flat (graded speed = speed).
    FlatNoAltitude,
}

/// The graded-speed side of the load (runs and walks with speed).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GradedSpeedLoad {
    pub method: &'static str,
    pub grade_method: &'static str,
    pub grade_source: GradeSource,
    /// Grid seconds with a speed value.
    pub seconds_with_speed: u32,
    pub average_speed_m_s: f64,
    pub average_graded_speed_m_s: f64,
    /// `None` below 30 s of speed.
    pub normalized_graded_speed_m_s: Option<f64>,
    pub threshold_speed_m_s: Option<f64>,
    pub intensity_factor: Option<f64>,
    pub tss: Option<f64>,
}

/// A swim's load.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SwimLoad {
    pub method: &'static str,
    /// Distance / recorded time (rests included), m/s.
    pub average_speed_m_s: f64,
    pub threshold_speed_m_s: Option<f64>,
    pub intensity_factor: Option<f64>,
    pub tss: Option<f64>,
}

/// Part 1: NP, IF and TSS from the streams.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LoadAnalysis {
    pub method: &'static str,
    /// What `intensity_factor` and `tss` are based on (by sport).
    pub basis: LoadBasis,
    /// Timer seconds on the 1 Hz grid / 3600.
    pub hours_recorded: f64,
    pub intensity_factor: Option<f64>,
    pub tss: Option<f64>,
    /// Why `intensity_factor` and `tss` are missing.
    pub reason: Option<String>,
    pub power: Option<PowerLoad>,
    pub graded_speed: Option<GradedSpeedLoad>,
    pub swim: Option<SwimLoad>,
}

/// Part 2: variability and efficiency.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EfficiencyAnalysis {
    pub method: &'static str,
    /// NP / average power.
    pub variability_index: Option<f64>,
    pub variability: Option<Variability>,
    pub efficiency_factor: Option<f64>,
    pub efficiency_factor_basis: Option<EfBasis>,
    /// "W/bpm" or "m/min per bpm".
    pub efficiency_factor_unit: Option<&'static str>,
    pub average_heart_rate_bpm: Option<f64>,
    /// Why a value is missing.
    pub reasons: Vec<String>,
}

/// Minetti's cost of running at a grade relative to the flat, C(i)/C(0)
/// (Minetti et al. 2002, J Appl Physiol 93:1039–1046), the grade clamped
/// to ±[`MAX_GRADE`].
pub fn grade_cost_factor(grade: f64) -> f64 {
    let i = if grade.is_finite() {
        grade.clamp(-MAX_GRADE, MAX_GRADE)
    } else {
        0.0
    };
    let cost = ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;
    cost / 3.6
}

/// Speed on the grid and the graded speed, for runs.
#[derive(Debug, Clone)]
pub(crate) struct Graded {
    pub speed: Series,
    pub graded: Series,
    pub source: GradeSource,
}

/// Speed from the speed channel, else from distance differences.
pub(crate) fn speed_series(grid: &Grid) -> Option<Series> {
    if let Some(s) = grid.channel(ChannelKind::Speed) {
        return Some(s.to_vec());
    }
    let d = grid.channel(ChannelKind::Distance)?;
    let mut out = vec![None; grid.len()];
    for k in 1..grid.len() {
        if grid.gap_before_s[k] == 0
            && let (Some(a), Some(b)) = (d[k - 1], d[k])
        {
            out[k] = Some((b - a).max(0.0));
        }
    }
    out.iter().any(Option::is_some).then_some(out)
}

/// The grade of every grid second ([`GRADE_METHOD`]); 0 where there is no
/// altitude or distance.
pub(crate) fn grades(grid: &Grid) -> Option<Vec<f64>> {
    let dist = grid.channel(ChannelKind::Distance)?;
    let alt = grid.channel(ChannelKind::Altitude)?;
    let mut grade = vec![0.0; grid.len()];
    let half = GRADE_HALF_WINDOW_M;
    for seg in grid.segments() {
        let pts: Vec<(usize, f64, f64)> =
            seg.filter_map(|k| Some((k, dist[k]?, alt[k]?))).collect();
        let (mut lo, mut hi) = (0usize, 0usize);
        for (j, &(k, d, _)) in pts.iter().enumerate() {
            while lo < j && pts[lo + 1].1 <= d - half {
                lo += 1;
            }
            hi = hi.max(j);
            while hi + 1 < pts.len() && pts[hi].1 < d + half {
                hi += 1;
            }
            let (d0, a0) = (pts[lo].1, pts[lo].2);
            let (d1, a1) = (pts[hi].1, pts[hi].2);
            if d1 - d0 >= half {
                grade[k] = ((a1 - a0) / (d1 - d0)).clamp(-MAX_GRADE, MAX_GRADE);
            }
        }
    }
    Some(grade)
}

/// Speed and graded speed on the grid; `None` without speed or distance.
pub(crate) fn graded(grid: &Grid) -> Option<Graded> {
    let speed = speed_series(grid)?;
    let (grade, source) = match grades(grid) {
        Some(g) => (g, GradeSource::AltitudeAndDistance),
        None => (vec![0.0; grid.len()], GradeSource::FlatNoAltitude),
    };
    let graded = speed
        .iter()
        .zip(&grade)
        .map(|(v, g)| v.map(|v| v * grade_cost_factor(*g)))
        .collect();
    Some(Graded {
        speed,
        graded,
        source,
    })
}

fn tss(hours: f64, intensity: Option<f64>, exponent: i32) -> Option<f64> {
    finite(hours * intensity?.powi(exponent) * 100.0)
}

pub(crate) fn power_load(grid: &Grid, ftp: Option<f64>, hours: f64) -> Option<PowerLoad> {
    let power = grid.channel(ChannelKind::Power)?;
    let np = normalized_of(power);
    let intensity = np.and_then(|np| per_positive(np, ftp?));
    Some(PowerLoad {
        method: POWER_METHOD,
        seconds_with_power: grid.seconds_with(ChannelKind::Power) as u32,
        average_power_w: mean_of(power)?,
        normalized_power_w: np,
        ftp_w: ftp,
        intensity_factor: intensity,
        tss: tss(hours, intensity, 2),
    })
}

pub(crate) fn graded_speed_load(
    g: &Graded,
    threshold: Option<f64>,
    hours: f64,
) -> Option<GradedSpeedLoad> {
    let ngs = normalized_of(&g.graded);
    let intensity = ngs.and_then(|n| per_positive(n, threshold?));
    Some(GradedSpeedLoad {
        method: GRADED_SPEED_METHOD,
        grade_method: GRADE_METHOD,
        grade_source: g.source,
        seconds_with_speed: g.speed.iter().flatten().count() as u32,
        average_speed_m_s: mean_of(&g.speed)?,
        average_graded_speed_m_s: mean_of(&g.graded)?,
        normalized_graded_speed_m_s: ngs,
        threshold_speed_m_s: threshold,
        intensity_factor: intensity,
        tss: tss(hours, intensity, 2),
    })
}

/// Distance over recorded time when the file has distance, else the mean
/// speed on the grid (which counts rests as 0 too).
pub(crate) fn swim_load(grid: &Grid, threshold: Option<f64>, hours: f64) -> Option<SwimLoad> {
    let by_distance = grid.channel(ChannelKind::Distance).and_then(|d| {
        let last = d.iter().rev().flatten().next()?;
        positive(per_positive(*last, grid.len() as f64))
    });
    let average =
        by_distance.or_else(|| positive(grid.channel(ChannelKind::Speed).and_then(mean_of)))?;
    let intensity = per_positive(average, threshold?);
    Some(SwimLoad {
        method: SWIM_METHOD,
        average_speed_m_s: average,
        threshold_speed_m_s: threshold,
        intensity_factor: intensity,
        tss: tss(hours, intensity, 3),
    })
}

/// Part 1 from its pieces.
pub(crate) fn load_analysis(
    sport: Sport,
    hours: f64,
    power: Option<PowerLoad>,
    graded_speed: Option<GradedSpeedLoad>,
    swim: Option<SwimLoad>,
) -> LoadAnalysis {
    let basis = LoadBasis::for_sport(sport);
    let (intensity, tss, reason) = match basis {
        LoadBasis::Power => match &power {
            None => (None, None, Some("no power in the recording")),
            Some(p) if p.normalized_power_w.is_none() => {
                (None, None, Some("fewer than 30 s of power"))
            }
            Some(p) if p.ftp_w.is_none() => (None, None, Some("no FTP given")),
            Some(p) => (p.intensity_factor, p.tss, None),
        },
        LoadBasis::NormalizedGradedSpeed => match &graded_speed {
            None => (None, None, Some("no speed or distance in the recording")),
            Some(g) if g.normalized_graded_speed_m_s.is_none() => {
                (None, None, Some("fewer than 30 s of speed"))
            }
            Some(g) if g.threshold_speed_m_s.is_none() => {
                (None, None, Some("no threshold speed given"))
            }
            Some(g) => (g.intensity_factor, g.tss, None),
        },
        LoadBasis::SwimSpeed => match &swim {
            None => (None, None, Some("no speed or distance in the recording")),
            Some(s) if s.threshold_speed_m_s.is_none() => {
                (None, None, Some("no threshold swim speed given"))
            }
            Some(s) => (s.intensity_factor, s.tss, None),
        },
    };
    let reason = match (reason, intensity) {
        (Some(r), _) => Some(r.to_string()),
        (None, None) => Some("IF is not a finite number with this threshold".to_string()),
        (None, Some(_)) => None,
    };
    LoadAnalysis {
        method: LOAD_METHOD,
        basis,
        hours_recorded: hours,
        intensity_factor: intensity,
        tss,
        reason,
        power,
        graded_speed,
        swim,
    }
}

/// The band of a variability index (`workout::variability_index`'s).
pub(crate) fn variability_band(vi: f64) -> Variability {
    if vi <= 1.05 {
        Variability::Steady
    } else if vi <= 1.15 {
        Variability::Variable
    } else {
        Variability::VeryVariable
    }
}

/// Part 2.
pub(crate) fn efficiency(grid: &Grid, load: &LoadAnalysis) -> EfficiencyAnalysis {
    let mut reasons = Vec::new();
    let np = load.power.as_ref().and_then(|p| p.normalized_power_w);
    let vi = match &load.power {
        None => {
            reasons.push("variability index: no power in the recording".to_string());
            None
        }
        Some(p) => {
            let vi = np.and_then(|np| per_positive(np, p.average_power_w));
            if vi.is_none() {
                reasons.push(
                    "variability index: fewer than 30 s of power or an average of 0 W".to_string(),
                );
            }
            vi
        }
    };
    let hr = grid
        .channel(ChannelKind::HeartRate)
        .and_then(mean_of)
        .filter(|h| *h > 0.0);
    let numerator = match load.basis {
        LoadBasis::Power => np.map(|np| (np, EfBasis::NormalizedPower, "W/bpm")),
        LoadBasis::NormalizedGradedSpeed => load
            .graded_speed
            .as_ref()
            .and_then(|g| g.normalized_graded_speed_m_s)
            .map(|n| (n * 60.0, EfBasis::NormalizedSpeed, "m/min per bpm")),
        LoadBasis::SwimSpeed => load.swim.as_ref().map(|s| {
            (
                s.average_speed_m_s * 60.0,
                EfBasis::AverageSpeed,
                "m/min per bpm",
            )
        }),
    };
    let ef = match (numerator, hr) {
        (Some((x, basis, unit)), Some(h)) => positive(per_positive(x, h)).map(|v| (v, basis, unit)),
        (None, _) => {
            reasons.push(format!(
                "efficiency factor: no {}",
                match load.basis {
                    LoadBasis::Power => "Normalized Power",
                    LoadBasis::NormalizedGradedSpeed => "normalized graded speed",
                    LoadBasis::SwimSpeed => "swim speed",
                }
            ));
            None
        }
        (Some(_), None) => {
            reasons.push("efficiency factor: no heart rate in the recording".to_string());
            None
        }
    };
    EfficiencyAnalysis {
        method: EFFICIENCY_METHOD,
        variability_index: vi,
        variability: vi.map(variability_band),
        efficiency_factor: ef.map(|e| e.0),
        efficiency_factor_basis: ef.map(|e| e.1),
        efficiency_factor_unit: ef.map(|e| e.2),
        average_heart_rate_bpm: hr,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tp_model::Streams;

    fn grid(t: Vec<u32>, channels: &[(ChannelKind, Vec<Option<i32>>)]) -> Grid {
        let c: BTreeMap<_, _> = channels.iter().cloned().collect();
        Grid::new(&Streams::from_parts(t, c).unwrap())
    }

    // Proves Minetti's polynomial at hand-computed points.
    #[test]
    fn minetti_by_hand() {
        assert_eq!(grade_cost_factor(0.0), 1.0);
        // i = 0.1: 155.4e-5 − 30.4e-4 − 43.3e-3 + 46.3e-2 + 1.95 + 3.6 = 5.9685…
        let c = 155.4e-5 - 30.4e-4 - 43.3e-3 + 0.463 + 1.95 + 3.6;
        assert!((grade_cost_factor(0.1) - c / 3.6).abs() < 1e-12);
        assert_eq!(grade_cost_factor(0.9), grade_cost_factor(0.45));
        assert_eq!(grade_cost_factor(f64::NAN), 1.0);
    }

    // Proves NP, IF and TSS of an hour at 200 W then 300 W, by hand: the
    // rolling means are 200 (1771 windows), the 29 ramp windows, 300 (1771).
    #[test]
    fn power_load_by_hand() {
        let mut p = vec![Some(200); 1800];
        p.extend(vec![Some(300); 1800]);
        let g = grid((0..3600).collect(), &[(ChannelKind::Power, p)]);
        let l = power_load(&g, Some(250.0), 1.0).unwrap();
        let ramp: f64 = (1..30)
            .map(|k| (200.0 + 100.0 * k as f64 / 30.0).powi(4))
            .sum();
        let np = ((1771.0 * 200f64.powi(4) + ramp + 1771.0 * 300f64.powi(4)) / 3571.0).powf(0.25);
        assert!((l.normalized_power_w.unwrap() - np).abs() < 1e-9);
        assert_eq!(l.average_power_w, 250.0);
        let intensity = np / 250.0;
        assert!((l.intensity_factor.unwrap() - intensity).abs() < 1e-12);
        assert!((l.tss.unwrap() - intensity * intensity * 100.0).abs() < 1e-9);
    }

    // Proves the grade: a steady 10 % climb at 2 m/s has grade 0.1 and a
    // graded speed of 2 × C(0.1)/C(0); a flat file without altitude is flat.
    #[test]
    fn graded_speed_on_a_climb() {
        let n = 300;
        let speed = vec![Some(2000); n];
        let dist: Vec<Option<i32>> = (0..n as i32).map(|k| Some(200 * k)).collect();
        let alt: Vec<Option<i32>> = (0..n as i32).map(|k| Some(20 * k)).collect();
        let g = grid(
            (0..n as u32).collect(),
            &[
                (ChannelKind::Speed, speed.clone()),
                (ChannelKind::Distance, dist.clone()),
                (ChannelKind::Altitude, alt),
            ],
        );
        let gr = grades(&g).unwrap();
        assert!(gr.iter().all(|x| (x - 0.1).abs() < 1e-12), "{gr:?}");
        let climb = graded(&g).unwrap();
        let l = graded_speed_load(&climb, Some(4.0), 300.0 / 3600.0).unwrap();
        let expected = 2.0 * grade_cost_factor(0.1);
        assert!((l.normalized_graded_speed_m_s.unwrap() - expected).abs() < 1e-9);
        assert!((l.intensity_factor.unwrap() - expected / 4.0).abs() < 1e-9);
        assert_eq!(l.grade_source, GradeSource::AltitudeAndDistance);
        let flat = grid(
            (0..n as u32).collect(),
            &[(ChannelKind::Speed, speed), (ChannelKind::Distance, dist)],
        );
        let f = graded(&flat).unwrap();
        assert_eq!(f.source, GradeSource::FlatNoAltitude);
        assert_eq!(normalized_of(&f.graded), Some(2.0));
    }

    // Proves speed from distance when the file has no speed channel, and
    // that a pause gives no speed for the second after it.
    #[test]
    fn speed_from_distance() {
        let g = grid(
            vec![0, 1, 2, 60, 61],
            &[(
                ChannelKind::Distance,
                vec![Some(0), Some(300), Some(600), Some(700), Some(1000)],
            )],
        );
        assert_eq!(
            speed_series(&g).unwrap(),
            vec![None, Some(3.0), Some(3.0), None, Some(3.0)]
        );
    }

    // Proves sTSS: 1000 m in 1000 s at a threshold of 1.25 m/s is IF 0.8,
    // TSS = 1000/3600 × 0.512 × 100.
    #[test]
    fn swim_by_hand() {
        let d: Vec<Option<i32>> = (1..=1000).map(|k| Some(100 * k)).collect();
        let g = grid((0..1000).collect(), &[(ChannelKind::Distance, d)]);
        let s = swim_load(&g, Some(1.25), 1000.0 / 3600.0).unwrap();
        assert_eq!(s.average_speed_m_s, 1.0);
        assert!((s.intensity_factor.unwrap() - 0.8).abs() < 1e-12);
        assert!((s.tss.unwrap() - 1000.0 / 3600.0 * 0.512 * 100.0).abs() < 1e-9);
    }
}
