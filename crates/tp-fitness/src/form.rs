//! What a form (TSB), a ramp rate and an acute:chronic ratio mean.
//!
//! Every threshold here is a convention, not physiology; each type says
//! which bands it uses and where they come from, so answers can state them.

use crate::num::ratio;
use crate::pmc::FitnessSeries;
use chrono::NaiveDate;
use serde::Serialize;

/// Form from TSB, in the bands the reference TrainingPeaks MCP server uses
/// (pmc.md; other tools use similar bands, e.g. TrainingPeaks' own coaching
/// articles put race-day form at about +5…+25):
///
/// | TSB | label |
/// |---|---|
/// | > 25 | transition (very fresh) |
/// | 5 … 25 | fresh |
/// | −10 … < 5 | neutral |
/// | −30 … < −10 | tired (optimal loading) |
/// | < −30 | overreaching |
///
/// A boundary value belongs to the fresher band except +25 (fresh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormLabel {
    Transition,
    Fresh,
    Neutral,
    Tired,
    Overreaching,
}

/// The bands of [`FormLabel`] as one sentence, for answers.
pub const FORM_BANDS: &str = "TSB > 25 transition (very fresh), 5…25 fresh, −10…5 neutral, \
     −30…−10 tired (optimal loading), < −30 overreaching (reference server's bands)";

impl FormLabel {
    /// The band of a TSB value (a non-finite TSB reads as neutral).
    pub fn from_tsb(tsb: f64) -> FormLabel {
        if tsb.is_nan() {
            FormLabel::Neutral
        } else if tsb > 25.0 {
            FormLabel::Transition
        } else if tsb >= 5.0 {
            FormLabel::Fresh
        } else if tsb >= -10.0 {
            FormLabel::Neutral
        } else if tsb >= -30.0 {
            FormLabel::Tired
        } else {
            FormLabel::Overreaching
        }
    }

    /// A label people read, e.g. "Tired (optimal loading)".
    pub fn label(self) -> &'static str {
        match self {
            FormLabel::Transition => "Transition (very fresh)",
            FormLabel::Fresh => "Fresh",
            FormLabel::Neutral => "Neutral",
            FormLabel::Tired => "Tired (optimal loading)",
            FormLabel::Overreaching => "Overreaching",
        }
    }
}

/// How fast fitness is changing, from the ramp rate (CTL points per week).
///
/// | ramp (CTL/week) | level | source |
/// |---|---|---|
/// | > 8 | aggressive | GoldenCheetah's PMC flags a ramp above +8 |
/// | > 5 … 8 | high | coaches commonly flag ~5–8 per week (pmc.md) |
/// | −4 … 5 | normal | |
/// | < −4 | detraining | GoldenCheetah flags a ramp below −4 |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RampLevel {
    Detraining,
    Normal,
    High,
    Aggressive,
}

/// The bands of [`RampLevel`] as one sentence, for answers.
pub const RAMP_BANDS: &str = "ramp > 8 CTL/week aggressive (GoldenCheetah), 5…8 high (common coaching \
     guidance), −4…5 normal, < −4 detraining (GoldenCheetah)";

impl RampLevel {
    /// A label people read.
    pub fn label(self) -> &'static str {
        match self {
            RampLevel::Detraining => "Detraining (fitness falling fast)",
            RampLevel::Normal => "Normal",
            RampLevel::High => "High",
            RampLevel::Aggressive => "Aggressive",
        }
    }

    /// True for the levels an answer should warn about.
    pub fn is_warning(self) -> bool {
        !matches!(self, RampLevel::Normal)
    }
}

/// The level of a ramp rate (CTL/week); a non-finite ramp reads as normal.
pub fn ramp_warning(ramp: f64) -> RampLevel {
    if ramp > 8.0 {
        RampLevel::Aggressive
    } else if ramp > 5.0 {
        RampLevel::High
    } else if ramp < -4.0 {
        RampLevel::Detraining
    } else {
        RampLevel::Normal
    }
}

/// The TSB a steady ramp of `ramp` CTL/week settles at: about −5·ramp
/// (GoldenCheetah's rule of thumb, pmc.md).
pub fn steady_ramp_tsb(ramp: f64) -> f64 {
    -5.0 * ramp
}

/// Acute:chronic workload ratio ATL/CTL, a load-spike warning.
///
/// `None` when CTL is below 1 (too little chronic load for the ratio to mean
/// anything, and it avoids dividing by ~0) or a value is not finite.
pub fn acute_chronic_ratio(atl: f64, ctl: f64) -> Option<f64> {
    if ctl >= 1.0 { ratio(atl, ctl) } else { None }
}

/// The band of an acute:chronic ratio, after Gabbett (2016, "The
/// training—injury prevention paradox", Br J Sports Med): < 0.8 low,
/// 0.8…1.3 the "sweet spot", > 1.3…1.5 elevated, > 1.5 a spike (danger zone).
/// Gabbett's ratios used rolling averages; with the 7/42-day EWMAs here they
/// are an approximation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcwrLevel {
    Low,
    SweetSpot,
    Elevated,
    Spike,
}

/// The bands of [`AcwrLevel`] as one sentence, for answers.
pub const ACWR_BANDS: &str =
    "ATL/CTL < 0.8 low, 0.8…1.3 sweet spot, 1.3…1.5 elevated, > 1.5 spike (Gabbett 2016)";

impl AcwrLevel {
    /// The band of a ratio.
    pub fn from_ratio(r: f64) -> AcwrLevel {
        if r > 1.5 {
            AcwrLevel::Spike
        } else if r > 1.3 {
            AcwrLevel::Elevated
        } else if r >= 0.8 {
            AcwrLevel::SweetSpot
        } else {
            AcwrLevel::Low
        }
    }

    /// A label people read.
    pub fn label(self) -> &'static str {
        match self {
            AcwrLevel::Low => "Low",
            AcwrLevel::SweetSpot => "Sweet spot",
            AcwrLevel::Elevated => "Elevated",
            AcwrLevel::Spike => "Spike",
        }
    }
}

/// Fitness, fatigue, form and their readings on one day.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FormStatus {
    pub date: NaiveDate,
    pub ctl: f64,
    pub atl: f64,
    /// Form coming into the day (yesterday's CTL − ATL).
    pub tsb: f64,
    pub form: FormLabel,
    /// CTL(date) − CTL(date − 7); `None` when the series is too short.
    pub ramp_rate: Option<f64>,
    pub ramp_level: Option<RampLevel>,
    pub acute_chronic_ratio: Option<f64>,
    pub acwr_level: Option<AcwrLevel>,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
}

impl FormStatus {
    /// The status on `date`, `None` when the series does not have that day.
    pub fn at(series: &FitnessSeries, date: NaiveDate) -> Option<FormStatus> {
        let day = series.on(date)?;
        let ramp_rate = series.ramp_rate(date);
        let acr = acute_chronic_ratio(day.atl, day.ctl);
        Some(FormStatus {
            date,
            ctl: day.ctl,
            atl: day.atl,
            tsb: day.tsb,
            form: FormLabel::from_tsb(day.tsb),
            ramp_rate,
            ramp_level: ramp_rate.map(ramp_warning),
            acute_chronic_ratio: acr,
            acwr_level: acr.map(AcwrLevel::from_ratio),
            convention: series.describe(),
        })
    }

    /// The status on the last day of the series.
    pub fn latest(series: &FitnessSeries) -> Option<FormStatus> {
        FormStatus::at(series, series.last()?.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pmc::PmcParams;
    use crate::series::LoadSeries;

    #[test]
    fn form_bands_and_their_boundaries() {
        let cases = [
            (40.0, FormLabel::Transition),
            (25.1, FormLabel::Transition),
            (25.0, FormLabel::Fresh),
            (5.0, FormLabel::Fresh),
            (4.99, FormLabel::Neutral),
            (-10.0, FormLabel::Neutral),
            (-10.01, FormLabel::Tired),
            (-30.0, FormLabel::Tired),
            (-30.01, FormLabel::Overreaching),
            (f64::NEG_INFINITY, FormLabel::Overreaching),
            (f64::NAN, FormLabel::Neutral),
        ];
        for (tsb, label) in cases {
            assert_eq!(FormLabel::from_tsb(tsb), label, "{tsb}");
        }
    }

    #[test]
    fn ramp_levels() {
        assert_eq!(ramp_warning(8.01), RampLevel::Aggressive);
        assert_eq!(ramp_warning(8.0), RampLevel::High);
        assert_eq!(ramp_warning(5.01), RampLevel::High);
        assert_eq!(ramp_warning(5.0), RampLevel::Normal);
        assert_eq!(ramp_warning(-4.0), RampLevel::Normal);
        assert_eq!(ramp_warning(-4.01), RampLevel::Detraining);
        assert!(!ramp_warning(0.0).is_warning());
        assert_eq!(steady_ramp_tsb(4.0), -20.0);
    }

    #[test]
    fn acute_chronic() {
        assert_eq!(acute_chronic_ratio(90.0, 60.0), Some(1.5));
        assert_eq!(acute_chronic_ratio(90.0, 0.5), None);
        assert_eq!(acute_chronic_ratio(f64::NAN, 60.0), None);
        assert_eq!(AcwrLevel::from_ratio(1.5), AcwrLevel::Elevated);
        assert_eq!(AcwrLevel::from_ratio(1.51), AcwrLevel::Spike);
        assert_eq!(AcwrLevel::from_ratio(0.8), AcwrLevel::SweetSpot);
        assert_eq!(AcwrLevel::from_ratio(0.79), AcwrLevel::Low);
    }

    #[test]
    fn status_reads_one_day_of_the_series() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        // 60 days at 50, then a 7-day block at 120: a load spike
        let mut tss = vec![50.0; 60];
        tss.extend([120.0; 7]);
        let s = FitnessSeries::compute(&LoadSeries::from_daily(start, tss), &PmcParams::default());
        let st = FormStatus::latest(&s).unwrap();
        let last = s.last().unwrap();
        let week_ago = s.on(last.date - chrono::Days::new(7)).unwrap();
        assert_eq!(st.ramp_rate, Some(last.ctl - week_ago.ctl));
        assert_eq!(st.acute_chronic_ratio, Some(last.atl / last.ctl));
        assert_eq!(st.form, FormLabel::from_tsb(last.tsb));
        assert_eq!(st.acwr_level, Some(AcwrLevel::Spike)); // ATL ≈ 97, CTL ≈ 52
        assert_eq!(st.convention, "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d");
    }
}
