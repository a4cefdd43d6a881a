//! The Performance Management Chart: fitness (CTL), fatigue (ATL), form (TSB).
//!
//! Each day, with `k = f(T)` the convention's decay factor:
//!
//! ```text
//! CTL(d) = CTL(d−1) + (TSS(d) − CTL(d−1)) · k(Tc)      Tc = 42 days by default
//! ATL(d) = ATL(d−1) + (TSS(d) − ATL(d−1)) · k(Ta)      Ta = 7 days by default
//! TSB(d) = CTL(d−1) − ATL(d−1)                          yesterday's balance
//! ```
//!
//! - [`Convention::TrainingPeaks`]: `k = 1/T`, the form TrainingPeaks' help
//!   pages publish ("Fitness (CTL)", "Fatigue (ATL)", "Form (TSB)" articles).
//!   The default.
//! - [`Convention::Exponential`]: `k = 1 − e^(−1/T)`, GoldenCheetah's PMC and
//!   intervals.icu (0.02353 vs 0.02381 for 42 d; 0.1331 vs 0.1429 for 7 d).
//!
//! Nobody has confirmed which one TrainingPeaks' servers use, so every answer
//! names the convention and constants ([`PmcParams::describe`]).
//!
//! TSB is **yesterday's** CTL minus ATL (pmc.md, as TrainingPeaks shows it:
//! form is what you bring into today); the first day uses the start values.
//!
//! The recurrence is computed from the first day of the given series with
//! the start values (0 by default, as TrainingPeaks does on the first day of
//! an athlete's history). An exponentially weighted average keeps
//! `e^(−n/42)` of its starting error after `n` days, so callers pass the
//! whole history: starting only 90 days back leaves CTL ~12 % low.

use crate::num::clean_tss;
use crate::series::{LoadSeries, TSS_LIMIT};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::fmt::Write as _;

/// How the daily decay factor is derived from a time constant `T` (days).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// `k = 1/T` — published in TrainingPeaks' help pages; the default.
    #[default]
    TrainingPeaks,
    /// `k = 1 − e^(−1/T)` — GoldenCheetah, intervals.icu, WKO spreadsheets.
    Exponential,
}

impl Convention {
    /// The decay factor for a time constant of `t` days.
    pub fn factor(self, t: f64) -> f64 {
        match self {
            Convention::TrainingPeaks => 1.0 / t,
            Convention::Exponential => -(-1.0 / t).exp_m1(),
        }
    }

    /// A short name that says the formula, e.g. "TrainingPeaks (step 1/T)".
    pub fn name(self) -> &'static str {
        match self {
            Convention::TrainingPeaks => "TrainingPeaks (step 1/T)",
            Convention::Exponential => "exponential (step 1 − e^(−1/T), GoldenCheetah)",
        }
    }

    /// Parses "trainingpeaks"/"tp"/"1/t" or "exponential"/"exp"/"goldencheetah"/"gc"
    /// (case-insensitive).
    pub fn parse(input: &str) -> Option<Convention> {
        let key: String = input
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match key.as_str() {
            "trainingpeaks" | "tp" | "1t" | "linear" | "default" => Some(Convention::TrainingPeaks),
            "exponential" | "exp" | "goldencheetah" | "gc" | "intervalsicu" => {
                Some(Convention::Exponential)
            }
            _ => None,
        }
    }
}

/// Why PMC parameters were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PmcError {
    /// A time constant that is not a finite number of days ≥ 1 (below one
    /// day the step overshoots and the averages oscillate).
    #[error("the {which} time constant must be a finite number of days ≥ 1, got {value}")]
    TimeConstant { which: &'static str, value: f64 },
    /// A start value that is not finite or beyond ±1e15.
    #[error("the starting {which} must be a finite number, got {value}")]
    StartValue { which: &'static str, value: f64 },
}

/// PMC constants and starting values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PmcParams {
    /// Fitness (CTL) time constant in days; TrainingPeaks' default is 42.
    pub ctl_days: f64,
    /// Fatigue (ATL) time constant in days; TrainingPeaks' default is 7.
    pub atl_days: f64,
    pub convention: Convention,
    /// CTL before the first day of the series (TrainingPeaks' "starting CTL", 0 by default).
    pub ctl_start: f64,
    /// ATL before the first day of the series (0 by default).
    pub atl_start: f64,
}

impl Default for PmcParams {
    fn default() -> Self {
        PmcParams {
            ctl_days: 42.0,
            atl_days: 7.0,
            convention: Convention::TrainingPeaks,
            ctl_start: 0.0,
            atl_start: 0.0,
        }
    }
}

fn time_constant_ok(t: f64) -> bool {
    t.is_finite() && t >= 1.0
}

fn start_ok(v: f64) -> bool {
    v.is_finite() && v.abs() <= TSS_LIMIT
}

/// A number as people write it: `42` rather than `42.0`, `42.5` as is.
fn plain(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

impl PmcParams {
    /// Validated parameters with start values 0.
    pub fn new(
        ctl_days: f64,
        atl_days: f64,
        convention: Convention,
    ) -> Result<PmcParams, PmcError> {
        let params = PmcParams {
            ctl_days,
            atl_days,
            convention,
            ..PmcParams::default()
        };
        params.validate()?;
        Ok(params)
    }

    /// The same parameters with other starting values (validate afterwards).
    pub fn with_start(self, ctl_start: f64, atl_start: f64) -> PmcParams {
        PmcParams {
            ctl_start,
            atl_start,
            ..self
        }
    }

    /// Checks that the time constants are finite and ≥ 1 day and the start
    /// values finite (and within ±1e15).
    pub fn validate(&self) -> Result<(), PmcError> {
        if !time_constant_ok(self.ctl_days) {
            return Err(PmcError::TimeConstant {
                which: "CTL",
                value: self.ctl_days,
            });
        }
        if !time_constant_ok(self.atl_days) {
            return Err(PmcError::TimeConstant {
                which: "ATL",
                value: self.atl_days,
            });
        }
        if !start_ok(self.ctl_start) {
            return Err(PmcError::StartValue {
                which: "CTL",
                value: self.ctl_start,
            });
        }
        if !start_ok(self.atl_start) {
            return Err(PmcError::StartValue {
                which: "ATL",
                value: self.atl_start,
            });
        }
        Ok(())
    }

    /// The parameters with every invalid field replaced: a bad time constant
    /// by the default (42 / 7), a bad start value by 0. Valid parameters are
    /// returned unchanged. [`FitnessSeries::compute`] runs on these.
    pub fn sanitized(&self) -> PmcParams {
        let d = PmcParams::default();
        let pick = |v: f64, ok: bool, default: f64| if ok { v } else { default };
        PmcParams {
            ctl_days: pick(self.ctl_days, time_constant_ok(self.ctl_days), d.ctl_days),
            atl_days: pick(self.atl_days, time_constant_ok(self.atl_days), d.atl_days),
            convention: self.convention,
            ctl_start: pick(self.ctl_start, start_ok(self.ctl_start), 0.0),
            atl_start: pick(self.atl_start, start_ok(self.atl_start), 0.0),
        }
    }

    /// The CTL decay factor for this convention.
    pub fn ctl_factor(&self) -> f64 {
        self.convention.factor(self.ctl_days)
    }

    /// The ATL decay factor for this convention.
    pub fn atl_factor(&self) -> f64 {
        self.convention.factor(self.atl_days)
    }

    /// The convention's name, e.g. "TrainingPeaks (step 1/T)".
    pub fn convention_name(&self) -> &'static str {
        self.convention.name()
    }

    /// Convention and constants in one line, for every answer, e.g.
    /// "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d" (start values are added
    /// when not 0: "…, starting CTL 35, ATL 20").
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}, CTL {} d, ATL {} d",
            self.convention.name(),
            plain(self.ctl_days),
            plain(self.atl_days)
        );
        if self.ctl_start != 0.0 || self.atl_start != 0.0 {
            let _ = write!(
                s,
                ", starting CTL {}, ATL {}",
                plain(self.ctl_start),
                plain(self.atl_start)
            );
        }
        s
    }

    /// One step of the recurrence from (`ctl`, `atl`) with the day's `tss`;
    /// returns the new (CTL, ATL). The caller computes TSB as `ctl − atl`
    /// *before* the step.
    #[inline]
    pub fn step(&self, ctl: f64, atl: f64, tss: f64) -> (f64, f64) {
        let tss = clean_tss(tss);
        (
            ctl + (tss - ctl) * self.ctl_factor(),
            atl + (tss - atl) * self.atl_factor(),
        )
    }
}

/// One day of the PMC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PmcDay {
    pub date: NaiveDate,
    /// The day's completed TSS as used (non-finite input counts 0).
    pub tss: f64,
    /// Fitness at the end of the day.
    pub ctl: f64,
    /// Fatigue at the end of the day.
    pub atl: f64,
    /// Form coming into the day: yesterday's CTL − ATL.
    pub tsb: f64,
}

/// The PMC over contiguous days, with the parameters it was computed with.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FitnessSeries {
    /// The parameters actually used (after [`PmcParams::sanitized`]).
    pub params: PmcParams,
    pub days: Vec<PmcDay>,
}

impl FitnessSeries {
    /// Computes the PMC from the first day of `loads`.
    ///
    /// Never fails: invalid parameters are replaced as in
    /// [`PmcParams::sanitized`] (call [`PmcParams::validate`] first to report
    /// them, or use [`FitnessSeries::try_compute`]); the parameters used are
    /// kept in the result. One pass, one allocation (the output).
    pub fn compute(loads: &LoadSeries, params: &PmcParams) -> FitnessSeries {
        let params = params.sanitized();
        let kc = params.ctl_factor();
        let ka = params.atl_factor();
        let mut ctl = params.ctl_start;
        let mut atl = params.atl_start;
        let mut days = Vec::with_capacity(loads.actual.len());
        for (date, &raw) in loads.start.iter_days().zip(&loads.actual) {
            let tss = clean_tss(raw);
            let tsb = ctl - atl;
            ctl += (tss - ctl) * kc;
            atl += (tss - atl) * ka;
            days.push(PmcDay {
                date,
                tss,
                ctl,
                atl,
                tsb,
            });
        }
        FitnessSeries { params, days }
    }

    /// Like [`FitnessSeries::compute`], but refuses invalid parameters.
    pub fn try_compute(loads: &LoadSeries, params: &PmcParams) -> Result<FitnessSeries, PmcError> {
        params.validate()?;
        Ok(FitnessSeries::compute(loads, params))
    }

    /// Number of days.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// True when there are no days.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The first day.
    pub fn first(&self) -> Option<&PmcDay> {
        self.days.first()
    }

    /// The last day (the current state when the series ends today).
    pub fn last(&self) -> Option<&PmcDay> {
        self.days.last()
    }

    /// The day with this date, `None` outside the series.
    pub fn on(&self, date: NaiveDate) -> Option<&PmcDay> {
        let first = self.days.first()?;
        let i = date.signed_duration_since(first.date).num_days();
        if i < 0 {
            return None;
        }
        match self.days.get(i as usize) {
            Some(day) if day.date == date => Some(day),
            // only if someone edited `days` by hand
            _ => self
                .days
                .binary_search_by_key(&date, |d| d.date)
                .ok()
                .map(|i| &self.days[i]),
        }
    }

    /// (CTL, ATL) at the end of `date`: a day of the series, or the start
    /// values for the day before the first. `None` otherwise.
    pub fn state_at_end_of(&self, date: NaiveDate) -> Option<(f64, f64)> {
        if let Some(day) = self.on(date) {
            return Some((day.ctl, day.atl));
        }
        let first = self.days.first()?;
        (first.date.pred_opt() == Some(date))
            .then_some((self.params.ctl_start, self.params.atl_start))
    }

    /// CTL(date) − CTL(date − `days`), by date. `None` when either end is
    /// unknown (the day before the first counts as the start value).
    pub fn ctl_change(&self, date: NaiveDate, days: u32) -> Option<f64> {
        let (now, _) = self.state_at_end_of(date)?;
        let (then, _) = self.state_at_end_of(date.checked_sub_days(Days::new(days.into()))?)?;
        Some(now - then)
    }

    /// ATL(date) − ATL(date − `days`), by date.
    pub fn atl_change(&self, date: NaiveDate, days: u32) -> Option<f64> {
        let (_, now) = self.state_at_end_of(date)?;
        let (_, then) = self.state_at_end_of(date.checked_sub_days(Days::new(days.into()))?)?;
        Some(now - then)
    }

    /// Ramp rate: CTL(date) − CTL(date − 7), in CTL points per week
    /// (pmc.md; coaches flag above ~5–8, GoldenCheetah above +8 or below −4,
    /// see [`crate::form::ramp_warning`]).
    pub fn ramp_rate(&self, date: NaiveDate) -> Option<f64> {
        self.ctl_change(date, 7)
    }

    /// The days from `start` to `end` inclusive that the series has (an empty
    /// slice when none).
    pub fn window(&self, start: NaiveDate, end: NaiveDate) -> &[PmcDay] {
        let lo = self.days.partition_point(|d| d.date < start);
        let hi = self.days.partition_point(|d| d.date <= end);
        if lo >= hi { &[] } else { &self.days[lo..hi] }
    }

    /// The convention's name, e.g. "TrainingPeaks (step 1/T)".
    pub fn convention_name(&self) -> &'static str {
        self.params.convention_name()
    }

    /// Convention and constants, e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub fn describe(&self) -> String {
        self.params.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// TSS [100, 0, 50], CTL 42 / ATL 7, from 0, step 1/T:
    ///
    /// day 1: CTL = 0 + (100 − 0)/42 = 2.380952380952381
    ///        ATL = 0 + (100 − 0)/7  = 14.285714285714286
    ///        TSB = 0 − 0 = 0 (start values)
    /// day 2: CTL = 2.380952… + (0 − 2.380952…)/42 = 2.380952…·41/42 = 2.3242630385487528
    ///        ATL = 14.285714… · 6/7 = 12.244897959183673
    ///        TSB = CTL1 − ATL1 = 2.380952… − 14.285714… = −11.904761904761905
    /// day 3: CTL = 2.3242630… + (50 − 2.3242630…)/42 = 2.3242630385·41/42 + 50/42
    ///            = 2.2689234424 + 1.1904761905 = 3.4593996329
    ///        ATL = 12.244897959·6/7 + 50/7 = 10.495626822 + 7.142857143 = 17.638483965
    ///        TSB = CTL2 − ATL2 = 2.3242630385 − 12.2448979592 = −9.9206349206
    #[test]
    fn known_answer_trainingpeaks_convention() {
        let loads = LoadSeries::from_daily(d(2026, 1, 1), vec![100.0, 0.0, 50.0]);
        let s = FitnessSeries::compute(&loads, &PmcParams::default());
        let ctl1 = 100.0 / 42.0;
        let atl1 = 100.0 / 7.0;
        assert!(close(s.days[0].ctl, 2.380_952_380_952_381));
        assert!(close(s.days[0].atl, 14.285_714_285_714_286));
        assert_eq!(s.days[0].tsb, 0.0);
        let ctl2 = ctl1 * 41.0 / 42.0;
        let atl2 = atl1 * 6.0 / 7.0;
        assert!(close(s.days[1].ctl, 2.324_263_038_548_753));
        assert!(close(s.days[1].atl, 12.244_897_959_183_673));
        assert!(close(s.days[1].tsb, ctl1 - atl1));
        assert!(close(s.days[1].tsb, -11.904_761_904_761_905));
        assert!(close(s.days[2].ctl, ctl2 * 41.0 / 42.0 + 50.0 / 42.0));
        assert!((s.days[2].ctl - 3.459_399_632_9).abs() < 1e-9);
        assert!((s.days[2].atl - 17.638_483_965).abs() < 1e-9);
        assert!(close(s.days[2].tsb, ctl2 - atl2));
        assert!((s.days[2].tsb - -9.920_634_920_6).abs() < 1e-9);
        assert_eq!(s.days[2].date, d(2026, 1, 3));
        assert_eq!(s.describe(), "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d");
    }

    /// The same loads with k = 1 − e^(−1/T):
    /// k42 = 1 − e^(−1/42) = 0.023528313…, k7 = 1 − e^(−1/7) = 0.133122100…
    /// day 1: CTL = 100·k42 = 2.3528313…, ATL = 100·k7 = 13.3122100…
    /// day 2: CTL = CTL1·(1−k42), ATL = ATL1·(1−k7), TSB = CTL1 − ATL1 = −10.9593787…
    /// day 3: CTL = CTL2·(1−k42) + 50·k42, ATL = ATL2·(1−k7) + 50·k7
    #[test]
    fn known_answer_exponential_convention() {
        let loads = LoadSeries::from_daily(d(2026, 1, 1), vec![100.0, 0.0, 50.0]);
        let params = PmcParams {
            convention: Convention::Exponential,
            ..PmcParams::default()
        };
        let s = FitnessSeries::compute(&loads, &params);
        let k42 = 1.0 - (-1.0f64 / 42.0).exp();
        let k7 = 1.0 - (-1.0f64 / 7.0).exp();
        assert!((k42 - 0.023_528_313).abs() < 1e-9);
        assert!((k7 - 0.133_122_100).abs() < 1e-9);
        let (ctl1, atl1) = (100.0 * k42, 100.0 * k7);
        let (ctl2, atl2) = (ctl1 * (1.0 - k42), atl1 * (1.0 - k7));
        assert!(close(s.days[0].ctl, ctl1) && close(s.days[0].atl, atl1));
        assert!(close(s.days[1].ctl, ctl2) && close(s.days[1].atl, atl2));
        assert!(close(s.days[1].tsb, ctl1 - atl1));
        assert!((s.days[1].tsb - -10.959_378_7).abs() < 1e-6);
        assert!(close(s.days[2].ctl, ctl2 * (1.0 - k42) + 50.0 * k42));
        assert!(close(s.days[2].atl, atl2 * (1.0 - k7) + 50.0 * k7));
        assert!(close(s.days[2].tsb, ctl2 - atl2));
        assert!(s.describe().starts_with("exponential (step 1 − e^(−1/T)"));
    }

    #[test]
    fn start_values_feed_the_first_tsb() {
        let loads = LoadSeries::from_daily(d(2026, 1, 1), vec![0.0, 0.0]);
        let params = PmcParams::default().with_start(50.0, 30.0);
        let s = FitnessSeries::compute(&loads, &params);
        assert_eq!(s.days[0].tsb, 20.0);
        assert!(close(s.days[0].ctl, 50.0 * 41.0 / 42.0));
        assert!(close(s.days[0].atl, 30.0 * 6.0 / 7.0));
        assert_eq!(s.state_at_end_of(d(2025, 12, 31)), Some((50.0, 30.0)));
        assert_eq!(s.state_at_end_of(d(2025, 12, 30)), None);
        assert_eq!(
            params.describe(),
            "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d, starting CTL 50, ATL 30"
        );
    }

    #[test]
    fn validation_refuses_bad_constants_and_compute_sanitizes_them() {
        assert_eq!(
            PmcParams::new(0.5, 7.0, Convention::TrainingPeaks),
            Err(PmcError::TimeConstant {
                which: "CTL",
                value: 0.5
            })
        );
        assert!(matches!(
            PmcParams::new(42.0, f64::NAN, Convention::Exponential),
            Err(PmcError::TimeConstant { which: "ATL", .. })
        ));
        assert!(PmcParams::new(42.0, 7.0, Convention::Exponential).is_ok());
        assert!(PmcParams::new(1.0, 1.0, Convention::TrainingPeaks).is_ok());
        let bad = PmcParams {
            ctl_days: f64::INFINITY,
            atl_days: -3.0,
            ctl_start: f64::NAN,
            ..PmcParams::default()
        };
        assert!(matches!(bad.validate(), Err(PmcError::TimeConstant { .. })));
        let with_bad_start = PmcParams {
            ctl_start: f64::NAN,
            ..PmcParams::default()
        };
        assert!(matches!(
            with_bad_start.validate(),
            Err(PmcError::StartValue { which: "CTL", .. })
        ));
        let loads = LoadSeries::from_daily(d(2026, 1, 1), vec![70.0; 10]);
        let s = FitnessSeries::compute(&loads, &bad);
        assert_eq!(s.params, PmcParams::default());
        assert_eq!(s, FitnessSeries::compute(&loads, &PmcParams::default()));
        assert!(FitnessSeries::try_compute(&loads, &bad).is_err());
        let msg = PmcError::TimeConstant {
            which: "CTL",
            value: 0.5,
        }
        .to_string();
        assert_eq!(
            msg,
            "the CTL time constant must be a finite number of days ≥ 1, got 0.5"
        );
    }

    #[test]
    fn lookups_by_date() {
        // 10 days of 42 TSS from 2026-03-01
        let loads = LoadSeries::from_daily(d(2026, 3, 1), vec![42.0; 10]);
        let s = FitnessSeries::compute(&loads, &PmcParams::default());
        assert_eq!(s.on(d(2026, 3, 5)).unwrap().date, d(2026, 3, 5));
        assert_eq!(s.on(d(2026, 2, 28)), None);
        assert_eq!(s.on(d(2026, 3, 11)), None);
        // CTL(n) = 42·(1 − (41/42)^n) for constant 42 from 0
        let ctl = |n: i32| 42.0 * (1.0 - (41.0f64 / 42.0).powi(n));
        let ramp = s.ramp_rate(d(2026, 3, 10)).unwrap();
        assert!(close(ramp, ctl(10) - ctl(3)));
        // 2026-03-07 − 7 = 02-28, the day before the first: start value 0
        assert!(close(s.ramp_rate(d(2026, 3, 7)).unwrap(), ctl(7)));
        assert_eq!(s.ramp_rate(d(2026, 3, 6)), None);
        assert_eq!(s.window(d(2026, 3, 9), d(2026, 4, 1)).len(), 2);
        assert_eq!(s.window(d(2026, 2, 1), d(2026, 3, 1)).len(), 1);
        assert!(s.window(d(2026, 3, 5), d(2026, 3, 4)).is_empty());
        assert!(s.window(d(2027, 1, 1), d(2027, 2, 1)).is_empty());
    }

    #[test]
    fn conventions_parse() {
        assert_eq!(
            Convention::parse("TrainingPeaks"),
            Some(Convention::TrainingPeaks)
        );
        assert_eq!(Convention::parse("1/T"), Some(Convention::TrainingPeaks));
        assert_eq!(
            Convention::parse("Golden-Cheetah"),
            Some(Convention::Exponential)
        );
        assert_eq!(Convention::parse("banana"), None);
    }
}
