//! Readiness signals from health metrics, beside TSB: HRV against the
//! athlete's own rolling baseline, the resting-HR trend, recent sleep.
//!
//! Signals, never a diagnosis. The method (docs/analytics.md):
//!
//! - **HRV** (rMSSD): on `ln rMSSD`, as HRV-guided training does (Plews et
//!   al. 2012, 2013; Kiviniemi et al. 2007). Recent = the mean of the daily
//!   values of the last 7 days (at least 3); baseline = mean and sample SD
//!   of the daily values of the last 60 days (at least 14). Normal = within
//!   baseline ± 0.5 SD (the "smallest worthwhile change"); **well below**
//!   under baseline − 1 SD.
//! - **Resting HR**: the 7-day mean against the 60-day mean; **elevated** at
//!   +5 bpm or more (day-to-day variation is about ±5 bpm: Achten &
//!   Jeukendrup 2003).
//! - **Sleep**: the 7-day mean of nightly hours.
//!
//! A day with several readings of a kind counts their mean
//! ([`tp_model::metrics::by_day`]).

use chrono::NaiveDate;
use serde::Serialize;
use tp_model::{MetricDay, MetricKind};

/// Days in the recent window.
pub const RECENT_DAYS: i64 = 7;
/// Days in the baseline window.
pub const BASELINE_DAYS: i64 = 60;
/// Fewest recent values for a signal.
pub const MIN_RECENT: usize = 3;
/// Fewest baseline values for a signal.
pub const MIN_BASELINE: usize = 14;
/// Half a standard deviation: the HRV band's half-width.
pub const HRV_BAND_SD: f64 = 0.5;
/// "Well below" threshold, in SDs.
pub const HRV_WELL_BELOW_SD: f64 = 1.0;
/// Resting HR this much above baseline is elevated.
pub const RESTING_HR_ELEVATED_BPM: f64 = 5.0;

/// Where recent HRV sits against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HrvStatus {
    /// Under baseline − 1 SD.
    WellBelow,
    /// Under the band (baseline − 0.5 SD).
    Below,
    Normal,
    /// Over the band (baseline + 0.5 SD).
    Above,
}

impl HrvStatus {
    pub fn label(self) -> &'static str {
        match self {
            HrvStatus::WellBelow => "well below your baseline",
            HrvStatus::Below => "below your normal range",
            HrvStatus::Normal => "within your normal range",
            HrvStatus::Above => "above your normal range",
        }
    }
}

/// HRV against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HrvSignal {
    /// Mean of the recent daily ln rMSSD, and the same as ms (e^mean).
    pub recent_ln: f64,
    pub recent_ms: f64,
    pub recent_days: u32,
    /// Baseline mean and sample SD of ln rMSSD.
    pub baseline_ln: f64,
    pub baseline_sd_ln: f64,
    pub baseline_ms: f64,
    pub baseline_days: u32,
    /// The normal band, ln rMSSD.
    pub normal_low_ln: f64,
    pub normal_high_ln: f64,
    /// (recent − baseline) / SD.
    pub z: f64,
    pub status: HrvStatus,
}

/// Resting HR against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RestingHrSignal {
    pub recent_bpm: f64,
    pub recent_days: u32,
    pub baseline_bpm: f64,
    pub baseline_days: u32,
    pub change_bpm: f64,
    pub elevated: bool,
}

/// Recent sleep.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SleepSignal {
    pub mean_hours: f64,
    pub nights: u32,
}

/// The readiness signals on a day.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Readiness {
    pub as_of: NaiveDate,
    pub hrv: Option<HrvSignal>,
    pub resting_hr: Option<RestingHrSignal>,
    pub sleep: Option<SleepSignal>,
    /// What could not be computed and why (too few values, none recorded).
    pub missing: Vec<String>,
    /// The method in one line.
    pub method: String,
}

/// The method line every answer carries.
pub const METHOD: &str = "HRV: 7-day mean of ln rMSSD against the 60-day mean ± 0.5 SD (well below: −1 SD), \
Plews et al. 2013; resting HR: 7-day mean against the 60-day mean, elevated at +5 bpm; sleep: 7-day mean. Signals, not medical advice";

fn values(days: &[MetricDay], kind: MetricKind, from: NaiveDate, to: NaiveDate) -> Vec<f64> {
    days.iter()
        .filter(|d| d.date >= from && d.date <= to)
        .filter_map(|d| d.values.get(&kind).copied())
        .filter(|v| v.is_finite())
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation (n − 1), as numpy's `std(ddof=1)`.
fn sample_sd(xs: &[f64]) -> f64 {
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0)).sqrt()
}

/// The signals on `today` from the daily metrics (any range; only the last
/// 60 days are read).
pub fn readiness(days: &[MetricDay], today: NaiveDate) -> Readiness {
    let recent_from = today - chrono::Days::new(RECENT_DAYS as u64 - 1);
    let base_from = today - chrono::Days::new(BASELINE_DAYS as u64 - 1);
    let mut missing = Vec::new();
    let mut need = |name: &str, recent: usize, base: usize| -> bool {
        if recent >= MIN_RECENT && base >= MIN_BASELINE {
            return true;
        }
        missing.push(if base == 0 {
            format!("{name}: none recorded in the last {BASELINE_DAYS} days")
        } else {
            format!(
                "{name}: too few values ({recent} in the last {RECENT_DAYS} days, {base} in {BASELINE_DAYS}; needs {MIN_RECENT} and {MIN_BASELINE})"
            )
        });
        false
    };

    let ln = |xs: Vec<f64>| {
        xs.into_iter()
            .filter(|v| *v > 0.0)
            .map(f64::ln)
            .collect::<Vec<_>>()
    };
    let hrv_recent = ln(values(days, MetricKind::Hrv, recent_from, today));
    let hrv_base = ln(values(days, MetricKind::Hrv, base_from, today));
    let hrv = need("HRV", hrv_recent.len(), hrv_base.len()).then(|| {
        let (r, b, sd) = (mean(&hrv_recent), mean(&hrv_base), sample_sd(&hrv_base));
        let z = if sd > 0.0 { (r - b) / sd } else { 0.0 };
        let status = if r < b - HRV_WELL_BELOW_SD * sd {
            HrvStatus::WellBelow
        } else if r < b - HRV_BAND_SD * sd {
            HrvStatus::Below
        } else if r > b + HRV_BAND_SD * sd {
            HrvStatus::Above
        } else {
            HrvStatus::Normal
        };
        HrvSignal {
            recent_ln: r,
            recent_ms: r.exp(),
            recent_days: hrv_recent.len() as u32,
            baseline_ln: b,
            baseline_sd_ln: sd,
            baseline_ms: b.exp(),
            baseline_days: hrv_base.len() as u32,
            normal_low_ln: b - HRV_BAND_SD * sd,
            normal_high_ln: b + HRV_BAND_SD * sd,
            z,
            status,
        }
    });

    let rhr_recent = values(days, MetricKind::RestingHr, recent_from, today);
    let rhr_base = values(days, MetricKind::RestingHr, base_from, today);
    let resting_hr = need("resting HR", rhr_recent.len(), rhr_base.len()).then(|| {
        let (r, b) = (mean(&rhr_recent), mean(&rhr_base));
        RestingHrSignal {
            recent_bpm: r,
            recent_days: rhr_recent.len() as u32,
            baseline_bpm: b,
            baseline_days: rhr_base.len() as u32,
            change_bpm: r - b,
            elevated: r - b >= RESTING_HR_ELEVATED_BPM,
        }
    });

    let nights = values(days, MetricKind::Sleep, recent_from, today);
    let sleep = if nights.is_empty() {
        missing.push(format!(
            "sleep: none recorded in the last {RECENT_DAYS} days"
        ));
        None
    } else {
        Some(SleepSignal {
            mean_hours: mean(&nights),
            nights: nights.len() as u32,
        })
    };
    Readiness {
        as_of: today,
        hrv,
        resting_hr,
        sleep,
        missing,
        method: METHOD.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn day(date: NaiveDate, hrv: Option<f64>, rhr: Option<f64>) -> MetricDay {
        let mut values = BTreeMap::new();
        if let Some(h) = hrv {
            values.insert(MetricKind::Hrv, h);
        }
        if let Some(r) = rhr {
            values.insert(MetricKind::RestingHr, r);
        }
        MetricDay { date, values }
    }

    #[test]
    fn a_low_week_is_below_and_the_numbers_are_the_definitions() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut days = Vec::new();
        for i in 0..60u64 {
            let date = today - chrono::Days::new(59 - i);
            let recent = i >= 53;
            let hrv = if recent { 50.0 } else { 70.0 + (i % 5) as f64 };
            let rhr = if recent { 55.0 } else { 47.0 };
            days.push(day(date, Some(hrv), Some(rhr)));
        }
        let r = readiness(&days, today);
        let h = r.hrv.unwrap();
        assert_eq!(h.recent_days, 7);
        assert_eq!(h.baseline_days, 60);
        assert!((h.recent_ms - 50.0).abs() < 1e-9);
        let lns: Vec<f64> = days
            .iter()
            .map(|d| d.values[&MetricKind::Hrv].ln())
            .collect();
        assert!((h.baseline_ln - mean(&lns)).abs() < 1e-12);
        assert_eq!(h.status, HrvStatus::WellBelow);
        let rhr = r.resting_hr.unwrap();
        assert!((rhr.change_bpm - (55.0 - (53.0 * 47.0 + 7.0 * 55.0) / 60.0)).abs() < 1e-9);
        assert!(rhr.elevated);
        assert!(r.sleep.is_none() && r.missing.iter().any(|m| m.starts_with("sleep")));
    }

    #[test]
    fn too_few_values_say_so() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let r = readiness(&[day(today, Some(60.0), None)], today);
        assert!(r.hrv.is_none() && r.resting_hr.is_none());
        assert!(r.missing.iter().any(|m| m.contains("HRV: too few values")));
        assert!(
            r.missing
                .iter()
                .any(|m| m.contains("resting HR: none recorded"))
        );
    }
}
