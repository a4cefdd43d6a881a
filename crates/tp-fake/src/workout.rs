//! [`FakeWorkout`]: one workout exactly as the fake serves it.
//!
//! The struct's serde form *is* the wire form: field names are spelled as
//! TrainingPeaks spells them, so [`FakeWorkout::to_json`] is what the detail
//! and list routes return, and an admin edit is a JSON merge followed by a
//! deserialize. Most optional fields serialize as `null` (as TrainingPeaks
//! does); a handful are left out entirely when absent (`tssSource`,
//! `tssCalculationMethod`, `caloriesPlanned`, `cadenceMaximum`, `tempAvg`,
//! `elevationAverage/Minimum/Maximum`) so clients meet missing fields too.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `workoutTypeValueId` table (the better-maintained reference's, which
/// `GET /fitness/v6/workouttypes` also serves).
pub const WORKOUT_TYPES: &[(i32, &str)] = &[
    (1, "Swim"),
    (2, "Bike"),
    (3, "Run"),
    (4, "Brick"),
    (5, "Crosstrain"),
    (6, "Race"),
    (7, "Day Off"),
    (8, "Mountain Bike"),
    (9, "Strength"),
    (10, "Custom"),
    (11, "XC Ski"),
    (12, "Rowing"),
    (13, "Walk"),
    (100, "Other"),
];

pub const TYPE_SWIM: i32 = 1;
pub const TYPE_BIKE: i32 = 2;
pub const TYPE_RUN: i32 = 3;
pub const TYPE_MTB: i32 = 8;
pub const TYPE_STRENGTH: i32 = 9;
pub const TYPE_WALK: i32 = 13;
pub const TYPE_OTHER: i32 = 100;

/// One workout, completed or planned, in TrainingPeaks' field names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FakeWorkout {
    pub workout_id: i64,
    pub athlete_id: i64,
    pub title: String,
    pub workout_type_value_id: i32,
    #[serde(with = "crate::dates::serde_day")]
    pub workout_day: NaiveDate,
    #[serde(with = "crate::dates::serde_datetime_opt")]
    pub start_time: Option<NaiveDateTime>,
    pub completed: Option<bool>,

    pub tss_actual: Option<f64>,
    pub tss_planned: Option<f64>,
    /// Intensity factor of the completed workout (JSON `if`).
    #[serde(rename = "if")]
    pub if_actual: Option<f64>,
    pub if_planned: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tss_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tss_calculation_method: Option<String>,

    /// Hours, decimal.
    pub total_time: Option<f64>,
    /// Hours, decimal.
    pub total_time_planned: Option<f64>,
    /// Metres.
    pub distance: Option<f64>,
    /// Metres.
    pub distance_planned: Option<f64>,
    pub calories: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calories_planned: Option<i32>,

    pub heart_rate_average: Option<i32>,
    pub heart_rate_maximum: Option<i32>,
    pub heart_rate_minimum: Option<i32>,

    pub power_average: Option<i32>,
    pub power_maximum: Option<i32>,
    pub normalized_power_actual: Option<f64>,

    /// m/s.
    pub velocity_average: Option<f64>,
    /// m/s.
    pub velocity_maximum: Option<f64>,
    /// m/s (normalized graded speed; runs).
    pub normalized_speed_actual: Option<f64>,

    pub elevation_gain: Option<f64>,
    pub elevation_loss: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elevation_average: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elevation_minimum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elevation_maximum: Option<f64>,

    pub cadence_average: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cadence_maximum: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_avg: Option<f64>,

    pub feeling: Option<i32>,
    pub rpe: Option<i32>,

    pub description: Option<String>,
    pub coach_comments: Option<String>,
    pub workout_comments: Vec<Value>,
    pub user_tags: Option<String>,

    /// Not authoritative: the routes serve the number of records the
    /// records module derives (`DemoAthlete::workout_json`).
    pub personal_record_count: i32,
    pub structure: Option<Value>,

    /// Fields the fake does not model, kept when an admin edit adds them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FakeWorkout {
    /// The exact JSON object the fake serves for this workout.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a FakeWorkout always serializes")
    }

    /// Overwrites the given JSON fields (TrainingPeaks names) and re-reads
    /// the workout. Fails, leaving `self` untouched, if a value has the wrong
    /// type for its field.
    pub fn merge_json(&mut self, fields: &Map<String, Value>) -> Result<(), serde_json::Error> {
        let mut json = self.to_json();
        let object = json.as_object_mut().expect("a workout is a JSON object");
        for (key, value) in fields {
            object.insert(key.clone(), value.clone());
        }
        *self = serde_json::from_value(json)?;
        Ok(())
    }

    /// `true` when the workout was done (not merely planned).
    pub fn is_completed(&self) -> bool {
        self.completed == Some(true)
    }

    /// The name of `workoutTypeValueId` in [`WORKOUT_TYPES`].
    pub fn type_name(&self) -> &'static str {
        WORKOUT_TYPES
            .iter()
            .find(|(id, _)| *id == self.workout_type_value_id)
            .map_or("Other", |(_, name)| name)
    }

    /// Key that orders a day's workouts: by day, then start time (workouts
    /// without one last), then id.
    pub fn sort_key(&self) -> (NaiveDate, NaiveDateTime, i64) {
        (
            self.workout_day,
            self.start_time.unwrap_or(NaiveDateTime::MAX),
            self.workout_id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_trainingpeaks_names_and_round_trips() {
        let w = FakeWorkout {
            workout_id: 3_000_000_001,
            workout_day: NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
            if_actual: Some(0.8),
            completed: Some(true),
            ..FakeWorkout::default()
        };
        let json = w.to_json();
        assert_eq!(json["workoutDay"], "2024-01-02T00:00:00");
        assert_eq!(json["if"], 0.8);
        assert_eq!(json["startTime"], Value::Null);
        assert!(json.get("tssSource").is_none());
        assert_eq!(json["workoutComments"], serde_json::json!([]));
        let back: FakeWorkout = serde_json::from_value(json).unwrap();
        assert_eq!(back, w);
    }

    #[test]
    fn merge_overwrites_and_rejects_bad_types() {
        let mut w = FakeWorkout::default();
        let fields = serde_json::json!({"title": "Edited", "tssActual": 55.5, "somethingNew": 1});
        w.merge_json(fields.as_object().unwrap()).unwrap();
        assert_eq!(w.title, "Edited");
        assert_eq!(w.tss_actual, Some(55.5));
        assert_eq!(w.extra["somethingNew"], 1);
        let bad = serde_json::json!({"heartRateAverage": "fast"});
        assert!(w.merge_json(bad.as_object().unwrap()).is_err());
        assert_eq!(w.title, "Edited");
    }
}
