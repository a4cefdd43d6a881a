//! Per-workout metrics from a workout summary.
//!
//! Formulas (pmc.md, after Coggan and Friel):
//!
//! - Intensity Factor `IF = NP / FTP` — TrainingPeaks' own `if` is used when
//!   given (it also covers pace- and HR-based IF); otherwise NP / FTP for a
//!   workout with Normalized Power when FTP is known.
//! - Efficiency Factor `EF = NP / average HR` (bike, W/bpm); for runs and
//!   walks normalized graded speed (else average speed) / average HR, here in
//!   metres per minute per bpm.
//! - Variability Index `VI = NP / average power` (≈1.00–1.05 steady, > 1.15
//!   very variable).
//! - TSS per hour = TSS / hours.
//! - Aerobic decoupling (Pa:HR) needs the first and second half of the
//!   workout's time series; a summary only has whole-workout averages, so it
//!   is `None` with the reason.
//!
//! Units in: hours, metres, m/s, W, bpm (as TrainingPeaks sends them).

use crate::num::{per_positive, positive, ratio, usable};
use chrono::NaiveDate;
use serde::Serialize;
use tp_model::{Sport, Workout};

/// Where an intensity factor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IfSource {
    /// TrainingPeaks' `if` field.
    Given,
    /// Normalized Power ÷ FTP, computed here.
    NpOverFtp,
}

/// An intensity factor and its source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct IntensityFactor {
    pub value: f64,
    pub source: IfSource,
}

/// The IF of a completed workout: the given one, else NP / FTP (only when
/// both are positive). `None` otherwise.
pub fn intensity_factor(w: &Workout, ftp: Option<f64>) -> Option<IntensityFactor> {
    if let Some(v) = usable(w.intensity_factor).filter(|v| *v >= 0.0) {
        return Some(IntensityFactor {
            value: v,
            source: IfSource::Given,
        });
    }
    let np = positive(w.normalized_power_actual)?;
    let value = per_positive(np, positive(ftp)?)?;
    Some(IntensityFactor {
        value,
        source: IfSource::NpOverFtp,
    })
}

/// What an efficiency factor divides by heart rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EfBasis {
    /// NP (W) / avg HR — W per bpm.
    NormalizedPower,
    /// Normalized graded speed (m/min) / avg HR.
    NormalizedSpeed,
    /// Average speed (m/min) / avg HR.
    AverageSpeed,
}

/// An efficiency factor, what it is based on and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EfficiencyFactor {
    pub value: f64,
    pub basis: EfBasis,
    /// "W/bpm" or "m/min per bpm".
    pub unit: &'static str,
}

/// EF: runs and walks by speed, other sports by Normalized Power; `None`
/// without average HR or the numerator.
pub fn efficiency_factor(w: &Workout) -> Option<EfficiencyFactor> {
    let hr = positive(w.heart_rate_average)?;
    if matches!(w.sport(), Sport::Run | Sport::Walk) {
        let (speed, basis) = match positive(w.normalized_speed_actual) {
            Some(s) => (s, EfBasis::NormalizedSpeed),
            None => (positive(w.velocity_average)?, EfBasis::AverageSpeed),
        };
        let value = per_positive(speed * 60.0, hr)?;
        return Some(EfficiencyFactor {
            value,
            basis,
            unit: "m/min per bpm",
        });
    }
    let value = per_positive(positive(w.normalized_power_actual)?, hr)?;
    Some(EfficiencyFactor {
        value,
        basis: EfBasis::NormalizedPower,
        unit: "W/bpm",
    })
}

/// How steady the power was, from the variability index.
///
/// Bands (pmc.md, after Coggan): ≤ 1.05 steady, ≤ 1.15 variable, above very
/// variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Variability {
    Steady,
    Variable,
    VeryVariable,
}

impl Variability {
    /// The band's name.
    pub fn label(self) -> &'static str {
        match self {
            Variability::Steady => "steady",
            Variability::Variable => "variable",
            Variability::VeryVariable => "very variable",
        }
    }
}

/// A variability index and its band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct VariabilityIndex {
    pub value: f64,
    pub label: Variability,
}

/// VI = NP / average power; `None` without both (positive).
pub fn variability_index(w: &Workout) -> Option<VariabilityIndex> {
    let value = per_positive(
        positive(w.normalized_power_actual)?,
        positive(w.power_average)?,
    )?;
    let label = if value <= 1.05 {
        Variability::Steady
    } else if value <= 1.15 {
        Variability::Variable
    } else {
        Variability::VeryVariable
    };
    Some(VariabilityIndex { value, label })
}

/// Whether the speed was measured or derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeedBasis {
    /// `velocityAverage`.
    Recorded,
    /// distance ÷ duration.
    DistanceOverTime,
}

/// Speed with the pace a sport is usually talked about in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Speed {
    pub m_per_s: f64,
    pub km_per_h: f64,
    /// Minutes per kilometre — for runs and walks.
    pub pace_min_per_km: Option<f64>,
    /// Minutes per 100 m — for swims.
    pub pace_min_per_100m: Option<f64>,
    pub basis: SpeedBasis,
}

/// Speed in the units of a sport: km/h always; min/km for runs and walks,
/// min/100 m for swims. `None` for a speed that is not positive.
pub fn speed_for(sport: Sport, m_per_s: f64, basis: SpeedBasis) -> Option<Speed> {
    let v = positive(Some(m_per_s))?;
    let km_per_h = crate::num::finite(v * 3.6)?;
    let pace = |metres: f64| per_positive(metres / 60.0, v);
    Some(Speed {
        m_per_s: v,
        km_per_h,
        pace_min_per_km: matches!(sport, Sport::Run | Sport::Walk)
            .then(|| pace(1000.0))
            .flatten(),
        pace_min_per_100m: matches!(sport, Sport::Swim).then(|| pace(100.0)).flatten(),
        basis,
    })
}

/// The workout's average speed: recorded, else distance / duration.
pub fn workout_speed(w: &Workout) -> Option<Speed> {
    if let Some(v) = positive(w.velocity_average) {
        return speed_for(w.sport(), v, SpeedBasis::Recorded);
    }
    let v = per_positive(positive(w.distance)?, positive(w.total_time)? * 3600.0)?;
    speed_for(w.sport(), v, SpeedBasis::DistanceOverTime)
}

/// How an actual compares with its plan.
///
/// Bands: < 50 % missed, 50 … < 80 % low, 80 … 120 % on target, > 120 %
/// over. The on-target band is TrainingPeaks' green (completed within ±20 %
/// of plan, per its calendar colour-coding help page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceLabel {
    Missed,
    Low,
    OnTarget,
    Over,
}

/// The bands of [`ComplianceLabel`] as one sentence, for answers.
pub const COMPLIANCE_BANDS: &str = "< 50 % missed, 50–80 % low, 80–120 % on target, > 120 % over";

impl ComplianceLabel {
    /// The band's name.
    pub fn label(self) -> &'static str {
        match self {
            ComplianceLabel::Missed => "missed",
            ComplianceLabel::Low => "low",
            ComplianceLabel::OnTarget => "on target",
            ComplianceLabel::Over => "over",
        }
    }

    /// The band of a percentage of plan.
    pub fn from_percent(pct: f64) -> ComplianceLabel {
        if pct > 120.0 {
            ComplianceLabel::Over
        } else if pct >= 80.0 {
            ComplianceLabel::OnTarget
        } else if pct >= 50.0 {
            ComplianceLabel::Low
        } else {
            ComplianceLabel::Missed
        }
    }
}

/// TrainingPeaks' calendar compliance colours (its help page "Color coding
/// workouts by compliance"): green within ±20 % of plan, yellow 50–79 % or
/// 121–150 %, red below 50 %, above 150 % or not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceColour {
    Green,
    Yellow,
    Red,
}

impl ComplianceColour {
    /// The colour of a percentage of plan.
    pub fn from_percent(pct: f64) -> ComplianceColour {
        if (80.0..=120.0).contains(&pct) {
            ComplianceColour::Green
        } else if (50.0..=150.0).contains(&pct) {
            ComplianceColour::Yellow
        } else {
            ComplianceColour::Red
        }
    }
}

/// One compared quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ComplianceItem {
    pub actual: f64,
    pub planned: f64,
    /// actual ÷ planned × 100.
    pub percent: f64,
    pub label: ComplianceLabel,
}

/// Which quantity the overall compliance is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceBasis {
    Duration,
    Distance,
    Tss,
}

/// A workout against its plan.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Compliance {
    pub tss: Option<ComplianceItem>,
    /// Hours.
    pub duration: Option<ComplianceItem>,
    /// Metres.
    pub distance: Option<ComplianceItem>,
    /// Duration first (what TrainingPeaks' calendar colours compare), then
    /// distance, then TSS.
    pub basis: Option<ComplianceBasis>,
    pub overall: Option<ComplianceLabel>,
    pub colour: Option<ComplianceColour>,
}

fn item(actual: Option<f64>, planned: Option<f64>, completed: bool) -> Option<ComplianceItem> {
    let planned = positive(planned)?;
    // a workout not done counts as 0 against its plan
    let actual = if completed {
        usable(actual)?.max(0.0)
    } else {
        0.0
    };
    let percent = per_positive(actual, planned)? * 100.0;
    let percent = crate::num::finite(percent)?;
    Some(ComplianceItem {
        actual,
        planned,
        percent,
        label: ComplianceLabel::from_percent(percent),
    })
}

/// Actual against planned TSS, duration and distance; `None` when the
/// workout has no positive plan for any of them. A workout that was not
/// completed scores 0 % (missed).
pub fn compliance(w: &Workout) -> Option<Compliance> {
    let done = w.is_completed();
    let tss = item(w.tss_actual, w.tss_planned, done);
    let duration = item(w.total_time, w.total_time_planned, done);
    let distance = item(w.distance, w.distance_planned, done);
    let (basis, main) = match (duration, distance, tss) {
        (Some(d), _, _) => (ComplianceBasis::Duration, d),
        (None, Some(d), _) => (ComplianceBasis::Distance, d),
        (None, None, Some(t)) => (ComplianceBasis::Tss, t),
        (None, None, None) => return None,
    };
    Some(Compliance {
        tss,
        duration,
        distance,
        basis: Some(basis),
        overall: Some(main.label),
        colour: Some(ComplianceColour::from_percent(main.percent)),
    })
}

/// Aerobic decoupling, when it can be computed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Decoupling {
    /// Percent; `None` when it cannot be computed.
    pub percent: Option<f64>,
    /// Why it is missing.
    pub reason: Option<&'static str>,
}

/// Why a summary cannot give decoupling.
pub const DECOUPLING_UNAVAILABLE: &str = "aerobic decoupling compares the efficiency factor of the \
     second half of a steady workout with the first half; a workout summary has only whole-workout \
     averages, so it needs the workout's time series";

/// Pa:HR decoupling from the EF of each half: (EF₁ − EF₂) / EF₁ × 100
/// (Friel: below ~5 % on a long steady session indicates aerobic
/// endurance). `None` unless both are positive.
pub fn aerobic_decoupling(first_half_ef: f64, second_half_ef: f64) -> Option<f64> {
    let ef2 = positive(Some(second_half_ef))?;
    per_positive(positive(Some(first_half_ef))? - ef2, first_half_ef).map(|x| x * 100.0)
}

/// Every per-workout metric the summary allows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WorkoutMetrics {
    pub workout_id: i64,
    pub title: String,
    pub sport: Sport,
    /// e.g. "Bike", "Other (id 42)".
    pub sport_name: String,
    pub date: Option<NaiveDate>,
    pub completed: bool,
    pub duration_hours: Option<f64>,
    pub distance_m: Option<f64>,
    pub tss: Option<f64>,
    /// How TrainingPeaks computed the TSS, when it says.
    pub tss_method: Option<String>,
    pub intensity_factor: Option<IntensityFactor>,
    pub efficiency_factor: Option<EfficiencyFactor>,
    pub variability_index: Option<VariabilityIndex>,
    pub tss_per_hour: Option<f64>,
    pub speed: Option<Speed>,
    pub compliance: Option<Compliance>,
    pub decoupling: Decoupling,
}

/// Metrics of one workout; `ftp` (W) lets IF be computed from NP when
/// TrainingPeaks did not send one.
pub fn analyze_workout(w: &Workout, ftp: Option<f64>) -> WorkoutMetrics {
    let duration_hours = positive(w.total_time);
    let tss = usable(w.tss_actual);
    WorkoutMetrics {
        workout_id: w.workout_id,
        title: w.display_title(),
        sport: w.sport(),
        sport_name: w.sport().to_string(),
        date: w.workout_day,
        completed: w.is_completed(),
        duration_hours,
        distance_m: usable(w.distance).filter(|d| *d >= 0.0),
        tss,
        tss_method: w.tss_method().map(str::to_owned),
        intensity_factor: intensity_factor(w, ftp),
        efficiency_factor: efficiency_factor(w),
        variability_index: variability_index(w),
        tss_per_hour: tss.and_then(|t| ratio(t, duration_hours?)),
        speed: workout_speed(w),
        compliance: compliance(w),
        decoupling: Decoupling {
            percent: None,
            reason: Some(DECOUPLING_UNAVAILABLE),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ride() -> Workout {
        Workout {
            workout_id: 11,
            title: Some("Tempo".into()),
            workout_type_value_id: Some(2),
            workout_day: NaiveDate::from_ymd_opt(2026, 5, 2),
            completed: Some(true),
            tss_actual: Some(90.0),
            total_time: Some(1.5),
            distance: Some(45_000.0),
            normalized_power_actual: Some(230.0),
            power_average: Some(200.0),
            heart_rate_average: Some(145.0),
            tss_planned: Some(100.0),
            total_time_planned: Some(1.25),
            ..Workout::default()
        }
    }

    #[test]
    fn bike_metrics() {
        let m = analyze_workout(&ride(), Some(250.0));
        // IF = 230/250 = 0.92 (no IF given); EF = 230/145; VI = 230/200 = 1.15 → variable
        assert_eq!(
            m.intensity_factor,
            Some(IntensityFactor {
                value: 0.92,
                source: IfSource::NpOverFtp
            })
        );
        let ef = m.efficiency_factor.unwrap();
        assert_eq!(
            (ef.value, ef.basis, ef.unit),
            (230.0 / 145.0, EfBasis::NormalizedPower, "W/bpm")
        );
        let vi = m.variability_index.unwrap();
        assert_eq!((vi.value, vi.label), (1.15, Variability::Variable));
        assert_eq!(m.tss_per_hour, Some(60.0));
        // 45 km in 1.5 h = 30 km/h, derived
        let sp = m.speed.unwrap();
        assert!((sp.km_per_h - 30.0).abs() < 1e-12);
        assert_eq!(
            (sp.basis, sp.pace_min_per_km, sp.pace_min_per_100m),
            (SpeedBasis::DistanceOverTime, None, None)
        );
        // compliance: duration 1.5/1.25 = 120 % on target (basis), TSS 90 %
        let c = m.compliance.unwrap();
        assert_eq!(c.basis, Some(ComplianceBasis::Duration));
        assert!((c.duration.unwrap().percent - 120.0).abs() < 1e-9);
        assert_eq!(c.overall, Some(ComplianceLabel::OnTarget));
        assert_eq!(c.colour, Some(ComplianceColour::Green));
        assert_eq!(c.tss.unwrap().percent, 90.0);
        assert_eq!(c.distance, None);
        assert_eq!(m.decoupling.percent, None);
        assert!(m.decoupling.reason.unwrap().contains("time series"));
        // a given IF wins
        let given = Workout {
            intensity_factor: Some(0.88),
            ..ride()
        };
        assert_eq!(
            intensity_factor(&given, Some(250.0)).unwrap().source,
            IfSource::Given
        );
        assert_eq!(
            intensity_factor(
                &Workout {
                    normalized_power_actual: None,
                    ..ride()
                },
                Some(250.0)
            ),
            None
        );
        assert_eq!(intensity_factor(&ride(), None), None);
    }

    #[test]
    fn run_and_swim_speed_and_run_ef() {
        let run = Workout {
            workout_type_value_id: Some(3),
            completed: Some(true),
            velocity_average: Some(3.333_333_333_333_333_5), // 5:00 /km
            normalized_speed_actual: Some(3.5),
            heart_rate_average: Some(150.0),
            ..Workout::default()
        };
        let sp = workout_speed(&run).unwrap();
        assert!((sp.pace_min_per_km.unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(sp.basis, SpeedBasis::Recorded);
        let ef = efficiency_factor(&run).unwrap();
        // 3.5 m/s = 210 m/min; 210/150 = 1.4
        assert!((ef.value - 1.4).abs() < 1e-12);
        assert_eq!(ef.basis, EfBasis::NormalizedSpeed);
        let avg_only = Workout {
            normalized_speed_actual: None,
            ..run.clone()
        };
        assert_eq!(
            efficiency_factor(&avg_only).unwrap().basis,
            EfBasis::AverageSpeed
        );
        let swim = Workout {
            workout_type_value_id: Some(1),
            velocity_average: Some(1.25),
            ..Workout::default()
        };
        // 100 m at 1.25 m/s = 80 s = 1.333 min
        let sp = workout_speed(&swim).unwrap();
        assert!((sp.pace_min_per_100m.unwrap() - 80.0 / 60.0).abs() < 1e-12);
        assert_eq!(sp.pace_min_per_km, None);
        assert_eq!(
            workout_speed(&Workout {
                velocity_average: Some(0.0),
                ..swim
            }),
            None
        );
    }

    #[test]
    fn compliance_bands_and_missed_workouts() {
        assert_eq!(ComplianceLabel::from_percent(49.9), ComplianceLabel::Missed);
        assert_eq!(ComplianceLabel::from_percent(50.0), ComplianceLabel::Low);
        assert_eq!(ComplianceLabel::from_percent(79.9), ComplianceLabel::Low);
        assert_eq!(
            ComplianceLabel::from_percent(80.0),
            ComplianceLabel::OnTarget
        );
        assert_eq!(
            ComplianceLabel::from_percent(120.0),
            ComplianceLabel::OnTarget
        );
        assert_eq!(ComplianceLabel::from_percent(120.1), ComplianceLabel::Over);
        assert_eq!(
            ComplianceColour::from_percent(140.0),
            ComplianceColour::Yellow
        );
        assert_eq!(ComplianceColour::from_percent(151.0), ComplianceColour::Red);
        let skipped = Workout {
            completed: Some(false),
            tss_planned: Some(80.0),
            distance_planned: Some(10_000.0),
            ..Workout::default()
        };
        let c = compliance(&skipped).unwrap();
        assert_eq!(c.basis, Some(ComplianceBasis::Distance));
        assert_eq!(c.overall, Some(ComplianceLabel::Missed));
        assert_eq!(c.colour, Some(ComplianceColour::Red));
        assert_eq!(c.tss.unwrap().percent, 0.0);
        assert_eq!(
            compliance(&Workout {
                tss_planned: Some(0.0),
                ..Workout::default()
            }),
            None
        );
    }

    #[test]
    fn empty_workout_has_no_numbers() {
        let m = analyze_workout(&Workout::default(), Some(250.0));
        assert_eq!(m.intensity_factor, None);
        assert_eq!(m.efficiency_factor, None);
        assert_eq!(m.variability_index, None);
        assert_eq!(m.tss_per_hour, None);
        assert_eq!(m.speed, None);
        assert_eq!(m.compliance, None);
        assert_eq!(m.sport_name, "Other (id 0)");
        assert!((aerobic_decoupling(1.5, 1.44).unwrap() - 4.0).abs() < 1e-9);
        assert_eq!(aerobic_decoupling(0.0, 1.0), None);
    }
}
