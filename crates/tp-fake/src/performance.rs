//! The performance-data (PMC) rows of
//! `POST /fitness/v1/athletes/{id}/reporting/performancedata/{start}/{end}`.
//!
//! One row per calendar day. `ctl`/`atl`/`tsb` follow TrainingPeaks'
//! published 1/T recurrence *starting at the requested start date* from the
//! start values in the request body, so — as with the real server — the
//! numbers depend on the window asked for. Days after `today` use the planned
//! TSS as their load (the web app's PMC projects the future from the plan).
//! A body without constants gets the string `"NaN"` instead of numbers.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::athlete::DemoAthlete;
use crate::dates::tp_day;

/// The body fields that switch on numeric CTL/ATL/TSB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PmcConstants {
    pub ctl_days: f64,
    pub atl_days: f64,
    /// CTL on the day before the window.
    pub ctl_start: f64,
    /// ATL on the day before the window.
    pub atl_start: f64,
}

impl Default for PmcConstants {
    fn default() -> Self {
        PmcConstants {
            ctl_days: 42.0,
            atl_days: 7.0,
            ctl_start: 0.0,
            atl_start: 0.0,
        }
    }
}

impl PmcConstants {
    /// Reads `ctlConstant`/`atlConstant`/`ctlStart`/`atlStart` from a request
    /// body: `None` when neither constant is present (the `{}` body); a
    /// missing one defaults to 42/7 and missing starts to 0. Non-positive
    /// constants are refused.
    pub fn from_body(body: &Value) -> Result<Option<PmcConstants>, String> {
        let number = |name: &str| -> Result<Option<f64>, String> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| format!("{name} must be a number")),
            }
        };
        let (ctl, atl) = (number("ctlConstant")?, number("atlConstant")?);
        if ctl.is_none() && atl.is_none() {
            return Ok(None);
        }
        let defaults = PmcConstants::default();
        let constants = PmcConstants {
            ctl_days: ctl.unwrap_or(defaults.ctl_days),
            atl_days: atl.unwrap_or(defaults.atl_days),
            ctl_start: number("ctlStart")?.unwrap_or(0.0),
            atl_start: number("atlStart")?.unwrap_or(0.0),
        };
        if constants.ctl_days <= 0.0 || constants.atl_days <= 0.0 {
            return Err("ctlConstant and atlConstant must be positive".into());
        }
        Ok(Some(constants))
    }
}

/// One day of performance data.
#[derive(Debug, Clone, PartialEq)]
pub struct PerfRow {
    pub day: NaiveDate,
    pub tss_actual: f64,
    pub tss_planned: f64,
    pub if_actual: Option<f64>,
    pub if_planned: Option<f64>,
    /// `None` is served as the string `"NaN"`.
    pub ctl: Option<f64>,
    pub atl: Option<f64>,
    pub tsb: Option<f64>,
}

impl PerfRow {
    pub fn to_json(&self) -> Value {
        let number_or_nan = |v: Option<f64>| v.map_or(json!("NaN"), |v| json!(v));
        json!({
            "workoutDay": tp_day(self.day),
            "tssActual": self.tss_actual,
            "tssPlanned": self.tss_planned,
            "ifActual": self.if_actual,
            "ifPlanned": self.if_planned,
            "ctl": number_or_nan(self.ctl),
            "atl": number_or_nan(self.atl),
            "tsb": number_or_nan(self.tsb),
        })
    }
}

/// TSS-weighted mean intensity, `None` without any weight.
fn weighted_if(pairs: &[(f64, f64)]) -> Option<f64> {
    let weight: f64 = pairs.iter().map(|(tss, _)| tss).sum();
    (weight > 0.0).then(|| pairs.iter().map(|(tss, i)| tss * i).sum::<f64>() / weight)
}

/// Rows for `start ..= end` (caller checks `start <= end`). An empty
/// `workout_types` means all types; otherwise only those
/// `workoutTypeValueId`s count.
pub fn performance_data(
    athlete: &DemoAthlete,
    start: NaiveDate,
    end: NaiveDate,
    constants: Option<PmcConstants>,
    workout_types: &[i32],
) -> Vec<PerfRow> {
    let mut ctl = constants.map_or(0.0, |c| c.ctl_start);
    let mut atl = constants.map_or(0.0, |c| c.atl_start);
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|day| {
            let mut actual = Vec::new();
            let mut planned = Vec::new();
            for w in athlete.workouts_between(day, day) {
                if !workout_types.is_empty() && !workout_types.contains(&w.workout_type_value_id) {
                    continue;
                }
                if w.is_completed()
                    && let Some(tss) = w.tss_actual
                {
                    actual.push((tss, w.if_actual.unwrap_or(0.0)));
                }
                if let Some(tss) = w.tss_planned {
                    planned.push((tss, w.if_planned.unwrap_or(0.0)));
                }
            }
            // Sums of one-decimal values, rounded to drop float noise; the
            // recurrence uses exactly the numbers served.
            let tss_actual = (actual.iter().map(|(t, _)| t).sum::<f64>() * 10.0).round() / 10.0;
            let tss_planned = (planned.iter().map(|(t, _)| t).sum::<f64>() * 10.0).round() / 10.0;
            let (mut row_ctl, mut row_atl, mut row_tsb) = (None, None, None);
            if let Some(c) = constants {
                let load = if day <= athlete.today() {
                    tss_actual
                } else {
                    tss_planned
                };
                row_tsb = Some(ctl - atl);
                ctl += (load - ctl) / c.ctl_days;
                atl += (load - atl) / c.atl_days;
                row_ctl = Some(ctl);
                row_atl = Some(atl);
            }
            PerfRow {
                day,
                tss_actual,
                tss_planned,
                if_actual: weighted_if(&actual).map(|i| (i * 1000.0).round() / 1000.0),
                if_planned: weighted_if(&planned).map(|i| (i * 1000.0).round() / 1000.0),
                ctl: row_ctl,
                atl: row_atl,
                tsb: row_tsb,
            }
        })
        .collect()
}
