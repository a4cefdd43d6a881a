//! Health metrics (`/metrics/v3/athletes/{id}/consolidatedtimedmetrics/…`):
//! timed entries of resting HR, HRV, sleep, weight, SpO2, steps…

use crate::lenient::de;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// One timed entry: when, and the values recorded then.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricEntry {
    #[serde(default, deserialize_with = "de::datetime_opt")]
    pub time_stamp: Option<NaiveDateTime>,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub details: Vec<MetricDetail>,
}

/// One value of an entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricDetail {
    /// TrainingPeaks' type id (see [`MetricKind`]).
    #[serde(default, rename = "type", deserialize_with = "de::i64_opt")]
    pub type_id: Option<i64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub label: Option<String>,
}

/// The metric types tp-mcp reads (type ids in tp-api.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Resting heart rate ("Pulse"), bpm — type 5.
    RestingHr,
    /// Sleep, hours — type 6.
    Sleep,
    /// Body weight, kg — type 9.
    Weight,
    /// Resting metabolic rate, kcal — type 15.
    Rmr,
    /// Injury, 1–10 — type 23.
    Injury,
    /// Blood oxygen saturation, % — type 53.
    Spo2,
    /// Steps — type 58.
    Steps,
    /// Heart-rate variability (rMSSD), ms — type 60.
    Hrv,
}

impl MetricKind {
    pub const ALL: [MetricKind; 8] = [
        MetricKind::Hrv,
        MetricKind::RestingHr,
        MetricKind::Sleep,
        MetricKind::Weight,
        MetricKind::Spo2,
        MetricKind::Steps,
        MetricKind::Rmr,
        MetricKind::Injury,
    ];

    pub fn from_id(id: i64) -> Option<MetricKind> {
        Some(match id {
            5 => MetricKind::RestingHr,
            6 => MetricKind::Sleep,
            9 => MetricKind::Weight,
            15 => MetricKind::Rmr,
            23 => MetricKind::Injury,
            53 => MetricKind::Spo2,
            58 => MetricKind::Steps,
            60 => MetricKind::Hrv,
            _ => return None,
        })
    }

    /// The name used in arguments and output, e.g. `resting_hr`.
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::RestingHr => "resting_hr",
            MetricKind::Sleep => "sleep",
            MetricKind::Weight => "weight",
            MetricKind::Rmr => "rmr",
            MetricKind::Injury => "injury",
            MetricKind::Spo2 => "spo2",
            MetricKind::Steps => "steps",
            MetricKind::Hrv => "hrv",
        }
    }

    /// For people, with the unit: "HRV (rMSSD, ms)".
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::RestingHr => "Resting HR (bpm)",
            MetricKind::Sleep => "Sleep (h)",
            MetricKind::Weight => "Weight (kg)",
            MetricKind::Rmr => "RMR (kcal)",
            MetricKind::Injury => "Injury (1–10)",
            MetricKind::Spo2 => "SpO2 (%)",
            MetricKind::Steps => "Steps",
            MetricKind::Hrv => "HRV (rMSSD, ms)",
        }
    }

    /// From what people type: "hrv", "resting hr", "pulse", "sleep", "weight", "spo2", "steps"…
    pub fn parse(text: &str) -> Option<MetricKind> {
        let t: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        Some(match t.as_str() {
            "hrv" | "rmssd" | "heartratevariability" => MetricKind::Hrv,
            "restinghr" | "rhr" | "pulse" | "restingheartrate" => MetricKind::RestingHr,
            "sleep" | "sleephours" => MetricKind::Sleep,
            "weight" | "bodyweight" => MetricKind::Weight,
            "spo2" | "oxygen" | "bloodoxygen" => MetricKind::Spo2,
            "steps" => MetricKind::Steps,
            "rmr" => MetricKind::Rmr,
            "injury" => MetricKind::Injury,
            _ => return None,
        })
    }
}

/// The values of one calendar day, one per kind (several readings of a
/// kind on one day are averaged, the sum for steps).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MetricDay {
    pub date: NaiveDate,
    pub values: std::collections::BTreeMap<MetricKind, f64>,
}

/// Entries → one [`MetricDay`] per date, by date; unknown types, missing and
/// non-finite values are skipped.
pub fn by_day(entries: &[MetricEntry]) -> Vec<MetricDay> {
    use std::collections::BTreeMap;
    let mut sums: BTreeMap<NaiveDate, BTreeMap<MetricKind, (f64, u32)>> = BTreeMap::new();
    for e in entries {
        let Some(date) = e.time_stamp.map(|t| t.date()) else {
            continue;
        };
        for d in &e.details {
            let (Some(kind), Some(v)) = (d.type_id.and_then(MetricKind::from_id), d.value) else {
                continue;
            };
            if !v.is_finite() {
                continue;
            }
            let slot = sums
                .entry(date)
                .or_default()
                .entry(kind)
                .or_insert((0.0, 0));
            slot.0 += v;
            slot.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(date, kinds)| MetricDay {
            date,
            values: kinds
                .into_iter()
                .map(|(k, (sum, n))| {
                    (
                        k,
                        if k == MetricKind::Steps {
                            sum
                        } else {
                            sum / f64::from(n)
                        },
                    )
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_days_leniently() {
        let entries: Vec<MetricEntry> = serde_json::from_value(serde_json::json!([
            {"timeStamp": "2026-11-29T06:30:00", "details": [
                {"type": 60, "value": 70.0, "label": "HRV"}, {"type": 5, "value": "48"}, {"type": 999, "value": 1}]},
            {"timeStamp": "2026-11-29T21:00:00", "details": [{"type": 60, "value": 74.0}, {"type": 58, "value": 4000}]},
            {"timeStamp": "2026-11-29T22:00:00", "details": [{"type": 58, "value": 2000}, {"type": 6, "value": null}]},
            {"timeStamp": null, "details": [{"type": 60, "value": 1.0}]},
            {"details": "junk"}
        ]))
        .unwrap();
        let days = by_day(&entries);
        assert_eq!(days.len(), 1);
        let v = &days[0].values;
        assert_eq!(v[&MetricKind::Hrv], 72.0);
        assert_eq!(v[&MetricKind::RestingHr], 48.0);
        assert_eq!(v[&MetricKind::Steps], 6000.0);
        assert!(!v.contains_key(&MetricKind::Sleep));
        assert_eq!(MetricKind::parse("Resting HR"), Some(MetricKind::RestingHr));
        assert_eq!(MetricKind::parse("SpO2"), Some(MetricKind::Spo2));
    }
}
