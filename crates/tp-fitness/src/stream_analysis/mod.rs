//! One workout analysed from its second-by-second streams.
//!
//! [`analyze_streams`] takes a decoded recording ([`Streams`]) with the
//! athlete's thresholds and zones ([`AnalysisInputs`]) and returns a
//! [`StreamAnalysis`] of six parts, each naming its method:
//!
//! 1. [`load`] — Normalized Power, IF and TSS (Coggan); for runs and walks
//!    normalized graded speed (Minetti et al. 2002's cost of running on a
//!    grade) and rTSS; for swims TrainingPeaks' sTSS.
//! 2. [`load::EfficiencyAnalysis`] — variability index and efficiency factor.
//! 3. [`decoupling`] — aerobic decoupling of the two halves (Friel), with
//!    the conditions under which it means something.
//! 4. [`w_prime`] — W′ balance (Skiba et al. 2015's differential model).
//! 5. [`zones`] — seconds in the athlete's power, heart-rate and speed zones.
//! 6. [`efforts`] — sustained efforts and sprints, with heart-rate recovery.
//!
//! Everything is computed on one 1 Hz grid ([`grid`]): the recorded
//! seconds, a sample's values held until the next one up to
//! [`crate::mean_max::MAX_HOLD_S`] seconds, pauses excluded — the grid of
//! the mean-maximal curves and histograms. "Recorded" time is the number
//! of grid seconds ([`Streams::recorded_s`]); "start_s" and "t_s" are
//! seconds from the first sample on the streams' time base (pauses
//! included), so they line up with `resample::downsample`.
//!
//! Pure: no IO, no clock. No number in the result is NaN or infinite;
//! what cannot be computed is `None`, with a reason. Linear in the number
//! of samples (a 6-hour ride: a few milliseconds).

pub mod decoupling;
pub mod efforts;
pub(crate) mod grid;
pub mod load;
pub mod w_prime;
pub mod zones;

pub use decoupling::{DecouplingAnalysis, DecouplingLabel};
pub use efforts::{Effort, EffortAnalysis, EffortBasis};
pub use grid::NP_WINDOW;
pub use load::{
    EfficiencyAnalysis, GradeSource, GradedSpeedLoad, LoadAnalysis, LoadBasis, PowerLoad, SwimLoad,
    grade_cost_factor,
};
pub use w_prime::{CpSource, WPrimeAnalysis, WPrimeBalance, WPrimePoint, WPrimeSource};
pub use zones::{ChannelZones, ZoneAnalysis, ZoneSeconds, ZoneSource};

use crate::num::positive;
use crate::workout::EfBasis;
use grid::Grid;
use serde::Serialize;
use tp_model::{ChannelKind, Sport, Streams, Zone};

/// A recording and what the athlete's settings say about it. Thresholds
/// are in SI units (W, m/s, bpm, J); zones as TrainingPeaks gives them (W,
/// bpm, m/s). A threshold that is missing, zero, negative or not finite
/// counts as not given.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInputs<'a> {
    pub streams: &'a Streams,
    /// Picks the load's basis: runs and walks graded speed, swims swim
    /// speed, every other sport power.
    pub sport: Sport,
    pub ftp_w: Option<f64>,
    /// Threshold speed of the sport (runs, swims), m/s.
    pub threshold_speed_m_s: Option<f64>,
    /// Lactate-threshold heart rate (efforts' % of LTHR).
    pub lthr_bpm: Option<f64>,
    /// Critical power for W′ balance; FTP stands in when missing.
    pub cp_w: Option<f64>,
    /// W′, joules; 20 000 J when missing.
    pub w_prime_j: Option<f64>,
    /// The athlete's power zones (W); Coggan's from FTP when missing.
    pub power_zones: Option<&'a [Zone]>,
    /// The athlete's heart-rate zones (bpm).
    pub hr_zones: Option<&'a [Zone]>,
    /// The athlete's speed zones (m/s).
    pub speed_zones: Option<&'a [Zone]>,
}

impl<'a> AnalysisInputs<'a> {
    /// Inputs with no threshold and no zone given.
    pub fn new(streams: &'a Streams, sport: Sport) -> AnalysisInputs<'a> {
        AnalysisInputs {
            streams,
            sport,
            ftp_w: None,
            threshold_speed_m_s: None,
            lthr_bpm: None,
            cp_w: None,
            w_prime_j: None,
            power_zones: None,
            hr_zones: None,
            speed_zones: None,
        }
    }
}

/// A workout analysed from its streams.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StreamAnalysis {
    pub sport: Sport,
    /// Timer seconds: grid seconds, pauses excluded.
    pub recorded_s: u32,
    /// From the first sample to the end of the last, pauses included.
    pub elapsed_s: u32,
    /// Part 1: NP (or NGS), IF, TSS.
    pub load: LoadAnalysis,
    /// Part 2: VI and EF.
    pub efficiency: EfficiencyAnalysis,
    /// Part 3: aerobic decoupling.
    pub decoupling: DecouplingAnalysis,
    /// Part 4: W′ balance.
    pub w_prime_balance: WPrimeAnalysis,
    /// Part 5: time in zones.
    pub time_in_zones: ZoneAnalysis,
    /// Part 6: efforts and sprints.
    pub efforts: EffortAnalysis,
}

/// Analyses one recording.
pub fn analyze_streams(inputs: &AnalysisInputs) -> StreamAnalysis {
    let grid = Grid::new(inputs.streams);
    let recorded = grid.len();
    let hours = recorded as f64 / 3600.0;
    let ftp = positive(inputs.ftp_w);
    let threshold_speed = positive(inputs.threshold_speed_m_s);
    let basis = LoadBasis::for_sport(inputs.sport);

    let graded = (basis == LoadBasis::NormalizedGradedSpeed)
        .then(|| load::graded(&grid))
        .flatten();
    let power = load::power_load(&grid, ftp, hours);
    let graded_speed = graded
        .as_ref()
        .and_then(|g| load::graded_speed_load(g, threshold_speed, hours));
    let swim = (basis == LoadBasis::SwimSpeed)
        .then(|| load::swim_load(&grid, threshold_speed, hours))
        .flatten();
    let load = load::load_analysis(inputs.sport, hours, power, graded_speed, swim);
    let efficiency = load::efficiency(&grid, &load);

    let power_series = grid.channel(ChannelKind::Power);
    let decoupling_basis = match basis {
        LoadBasis::Power => power_series
            .map(|values| decoupling::Basis {
                values,
                ef: EfBasis::NormalizedPower,
                unit: "W/bpm",
                scale: 1.0,
            })
            .ok_or_else(|| "no power in the recording".to_string()),
        LoadBasis::NormalizedGradedSpeed => graded
            .as_ref()
            .map(|g| decoupling::Basis {
                values: &g.graded,
                ef: EfBasis::NormalizedSpeed,
                unit: "m/min per bpm",
                scale: 60.0,
            })
            .ok_or_else(|| "no speed or distance in the recording".to_string()),
        LoadBasis::SwimSpeed => Err("decoupling is computed on power, or on graded speed for \
                                     runs and walks, not for swims"
            .to_string()),
    };
    let w_prime_balance = w_prime::w_prime_balance(&grid, inputs.cp_w, inputs.w_prime_j, ftp);

    let speed_from_grid = graded
        .is_none()
        .then(|| load::speed_series(&grid))
        .flatten();
    let speed: Option<&[Option<f64>]> = graded
        .as_ref()
        .map(|g| g.speed.as_slice())
        .or(speed_from_grid.as_deref());
    let time_in_zones = zones::zone_analysis(
        &grid,
        ftp,
        inputs.power_zones,
        inputs.hr_zones,
        inputs.speed_zones,
        speed,
    );

    let lthr = positive(inputs.lthr_bpm);
    let effort_inputs = match basis {
        LoadBasis::Power => match (power_series, ftp) {
            (None, _) => Err("no power in the recording".to_string()),
            (Some(_), None) => Err("no FTP given".to_string()),
            (Some(values), Some(threshold)) => Ok(efforts::EffortInputs {
                basis: EffortBasis::Power,
                values,
                threshold,
                ef_scale: 1.0,
                speed,
                lthr,
            }),
        },
        LoadBasis::NormalizedGradedSpeed => match (&graded, threshold_speed) {
            (None, _) => Err("no speed or distance in the recording".to_string()),
            (Some(_), None) => Err("no threshold speed given".to_string()),
            (Some(g), Some(threshold)) => Ok(efforts::EffortInputs {
                basis: EffortBasis::GradedSpeed,
                values: &g.graded,
                threshold,
                ef_scale: 60.0,
                speed,
                lthr,
            }),
        },
        LoadBasis::SwimSpeed => Err(
            "efforts are found on power, or on graded speed for runs and walks, not for swims"
                .to_string(),
        ),
    };
    let efforts = efforts::effort_analysis(&grid, effort_inputs);

    let effort_s = match &efforts.reason {
        None => Ok(efforts.efforts.iter().map(|e| e.duration_s as usize).sum()),
        Some(why) => Err(why.clone()),
    };
    let decoupling = decoupling::decoupling(
        decoupling_basis,
        grid.channel(ChannelKind::HeartRate),
        recorded,
        effort_s,
    );

    StreamAnalysis {
        sport: inputs.sport,
        recorded_s: recorded as u32,
        elapsed_s: inputs.streams.elapsed_s(),
        load,
        efficiency,
        decoupling,
        w_prime_balance,
        time_in_zones,
        efforts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    // Proves the parts fit together on a small steady ride: 40 min at
    // 200 W (FTP 250), HR 140, with a 10-min pause after 20 min.
    #[test]
    fn a_steady_ride_end_to_end() {
        let mut t: Vec<u32> = (0..1200).collect();
        t.extend(1800..3000);
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, vec![Some(200); 2400]);
        c.insert(ChannelKind::HeartRate, vec![Some(140); 2400]);
        let s = Streams::from_parts(t, c).unwrap();
        let a = analyze_streams(&AnalysisInputs {
            ftp_w: Some(250.0),
            ..AnalysisInputs::new(&s, Sport::Bike)
        });
        assert_eq!((a.recorded_s, a.elapsed_s), (2400, 3000));
        assert_eq!(a.load.basis, LoadBasis::Power);
        assert_eq!(a.load.intensity_factor, Some(0.8));
        assert!((a.load.tss.unwrap() - 2400.0 / 3600.0 * 64.0).abs() < 1e-9);
        assert_eq!(a.efficiency.variability_index, Some(1.0));
        assert!((a.efficiency.efficiency_factor.unwrap() - 200.0 / 140.0).abs() < 1e-12);
        assert_eq!(a.decoupling.percent, Some(0.0));
        assert_eq!(a.decoupling.label, Some(DecouplingLabel::Coupled));
        let b = a.w_prime_balance.balance.as_ref().unwrap();
        assert_eq!((b.minimum_j, b.cp_source), (20_000.0, CpSource::Ftp));
        let z = a.time_in_zones.power.as_ref().unwrap();
        assert_eq!(z.zones[2].seconds, 2400, "200 W is Coggan Z3 at FTP 250");
        assert!(a.time_in_zones.heart_rate.is_none());
        assert!(a.efforts.efforts.is_empty() && a.efforts.sprints.is_empty());
        assert_eq!(a.efforts.basis, Some(EffortBasis::Power));
    }

    // Proves the result has a JSON schema and serializes with snake_case
    // names (enum values included).
    #[test]
    fn schema_and_snake_case() {
        let schema = serde_json::to_string(&schemars::schema_for!(StreamAnalysis)).unwrap();
        assert!(schema.contains("normalized_graded_speed_m_s"));
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, vec![Some(300); 600]);
        let s = Streams::from_parts((0..600).collect(), c).unwrap();
        let a = analyze_streams(&AnalysisInputs {
            ftp_w: Some(250.0),
            ..AnalysisInputs::new(&s, Sport::MountainBike)
        });
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["load"]["basis"], "power");
        assert_eq!(
            json["w_prime_balance"]["balance"]["w_prime_source"],
            "default_20000_j"
        );
        assert_eq!(json["efforts"]["efforts"][0]["duration_s"], 600);
        fn keys_are_snake_case(v: &serde_json::Value) -> bool {
            match v {
                serde_json::Value::Object(m) => m.iter().all(|(k, v)| {
                    !k.chars().any(|c| c.is_ascii_uppercase()) && keys_are_snake_case(v)
                }),
                serde_json::Value::Array(a) => a.iter().all(keys_are_snake_case),
                _ => true,
            }
        }
        assert!(keys_are_snake_case(&json));
    }

    // Proves a file with nothing usable gives reasons, not numbers.
    #[test]
    fn nothing_to_analyse() {
        let s = Streams::default();
        let a = analyze_streams(&AnalysisInputs::new(&s, Sport::Bike));
        assert_eq!(a.recorded_s, 0);
        assert_eq!(a.load.reason.as_deref(), Some("no power in the recording"));
        assert!(a.w_prime_balance.balance.is_none());
        assert!(a.efforts.reason.is_some());
        assert!(!a.decoupling.meaningful);
        let swim = analyze_streams(&AnalysisInputs::new(&s, Sport::Swim));
        assert_eq!(swim.load.basis, LoadBasis::SwimSpeed);
        assert!(swim.decoupling.reasons[0].contains("swims"));
    }
}
