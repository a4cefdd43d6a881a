//! Performance-data rows (`/fitness/v1/athletes/{id}/reporting/performancedata/...`).

use crate::lenient::de;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One day of TrainingPeaks' performance data.
///
/// TrainingPeaks' own `ctl`/`atl`/`tsb` are kept for comparison only: with an
/// empty request body they arrive as `"NaN"`, and with start values they
/// depend on the requested window. tp-mcp computes the PMC itself from
/// `tss_actual` over the whole history (see `tp-fitness`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FitnessDay {
    #[serde(default, deserialize_with = "de::date_opt")]
    pub workout_day: Option<NaiveDate>,
    /// Sum of completed TSS that day.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub tss_actual: Option<f64>,
    /// Sum of planned TSS that day.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub tss_planned: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub if_actual: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub if_planned: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub ctl: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub atl: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub tsb: Option<f64>,
}

/// The request body for performance data. TrainingPeaks answers numeric
/// `ctl`/`atl`/`tsb` only when the constants are sent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceDataRequest {
    pub atl_constant: u32,
    pub atl_start: f64,
    pub ctl_constant: u32,
    pub ctl_start: f64,
    pub workout_types: [u8; 0],
}

impl Default for PerformanceDataRequest {
    fn default() -> Self {
        PerformanceDataRequest {
            atl_constant: 7,
            atl_start: 0.0,
            ctl_constant: 42,
            ctl_start: 0.0,
            workout_types: [],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nan_strings_are_no_value() {
        let day: FitnessDay = serde_json::from_value(json!({
            "workoutDay": "2026-01-05T00:00:00", "tssActual": 95.0, "tssPlanned": 0,
            "ifActual": null, "ctl": "NaN", "atl": "NaN", "tsb": "NaN"
        }))
        .unwrap();
        assert_eq!(day.workout_day, NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(day.tss_actual, Some(95.0));
        assert_eq!(day.tss_planned, Some(0.0));
        assert_eq!((day.ctl, day.atl, day.tsb), (None, None, None));
    }

    #[test]
    fn request_body_uses_trainingpeaks_names() {
        let body = serde_json::to_value(PerformanceDataRequest::default()).unwrap();
        assert_eq!(
            body,
            json!({"atlConstant": 7, "atlStart": 0.0, "ctlConstant": 42, "ctlStart": 0.0, "workoutTypes": []})
        );
    }
}
