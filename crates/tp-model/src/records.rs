//! Personal records (`/personalrecord/v2/...`).

use crate::lenient::de;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The personal records one workout set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkoutRecords {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub personal_record_count: Option<i64>,
    /// TrainingPeaks has not finished computing PRs for this workout yet.
    #[serde(default, deserialize_with = "de::bool_or_false")]
    pub calcs_pending: bool,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub personal_records: Vec<PersonalRecord>,
}

/// One personal record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalRecord {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub workout_id: Option<i64>,
    #[serde(default, deserialize_with = "de::date_opt")]
    pub workout_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub workout_title: Option<String>,
    /// "Power", "HeartRate" or "Speed".
    #[serde(default, rename = "class", deserialize_with = "de::string_opt")]
    pub class: Option<String>,
    /// e.g. "Pr5Seconds", "Pr20Minutes", "Pr5Kilometer".
    #[serde(default, rename = "type", deserialize_with = "de::string_opt")]
    pub record_type: Option<String>,
    /// e.g. "All-Time", "This Year", "Last 90 Days".
    #[serde(default, deserialize_with = "time_frame_name")]
    pub time_frame: Option<String>,
    /// Watts, bpm or m/s depending on `class`.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub rank: Option<i64>,
    #[serde(default, deserialize_with = "de::bool_or_false")]
    pub invalid: bool,
}

/// `timeFrame` is an object `{"name": ...}`; a bare string is accepted too.
fn time_frame_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(match &value {
        Value::Object(map) => map.get("name").and_then(crate::lenient::text),
        other => crate::lenient::text(other),
    })
}

/// One entry of a per-sport ranking (`/personalrecord/v2/athletes/{id}/{sport}?prType=...`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedPeak {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub rank: Option<i64>,
    /// Watts, bpm or m/s depending on the prType.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub workout_id: Option<i64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub workout_title: Option<String>,
    #[serde(default, deserialize_with = "de::date_opt")]
    pub workout_date: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_records_and_skips_garbage_entries() {
        let r: WorkoutRecords = serde_json::from_value(json!({
            "personalRecordCount": 2, "calcsPending": false,
            "personalRecords": [
                {"id": 1, "workoutId": 9, "workoutDate": "2026-04-01T00:00:00", "class": "Power",
                 "type": "Pr20Minutes", "timeFrame": {"name": "All-Time"}, "value": 301.5, "rank": 1, "invalid": false},
                "garbage",
                {"class": "HeartRate", "type": "Pr5Minutes", "timeFrame": "This Year", "value": "NaN", "rank": 2}
            ]
        }))
        .unwrap();
        assert_eq!(r.personal_records.len(), 2);
        assert_eq!(
            r.personal_records[0].time_frame.as_deref(),
            Some("All-Time")
        );
        assert_eq!(r.personal_records[0].value, Some(301.5));
        assert_eq!(
            r.personal_records[1].time_frame.as_deref(),
            Some("This Year")
        );
        assert_eq!(r.personal_records[1].value, None);
    }
}
