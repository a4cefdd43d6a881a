//! The workout object (`/fitness/v6/athletes/{id}/workouts/...`).

use crate::lenient::de;
use crate::sport::Sport;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// One workout, completed or planned, as TrainingPeaks describes it.
///
/// Every field is optional because TrainingPeaks omits or nulls whatever the
/// device or the coach did not provide. Units are TrainingPeaks' own and are
/// kept as they are; formatters convert for display.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workout {
    /// TrainingPeaks' id; 0 when missing (such entries are dropped by the client).
    #[serde(default, deserialize_with = "de::i64_or_zero")]
    pub workout_id: i64,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub athlete_id: Option<i64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub title: Option<String>,
    /// See [`Sport::from_id`].
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub workout_type_value_id: Option<i64>,
    /// The athlete's local calendar day.
    #[serde(default, deserialize_with = "de::date_opt")]
    pub workout_day: Option<NaiveDate>,
    /// Local start time, when recorded.
    #[serde(default, deserialize_with = "de::datetime_opt")]
    pub start_time: Option<NaiveDateTime>,
    #[serde(default, deserialize_with = "de::bool_opt")]
    pub completed: Option<bool>,

    /// Training Stress Score of the completed workout.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub tss_actual: Option<f64>,
    /// Planned Training Stress Score.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub tss_planned: Option<f64>,
    /// Intensity factor of the completed workout (NP / FTP, or its pace/HR analogue).
    #[serde(default, rename = "if", deserialize_with = "de::f64_opt")]
    pub intensity_factor: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub if_planned: Option<f64>,
    /// How the TSS was computed ("Power", "HeartRate", "Pace", ...), when sent.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub tss_source: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub tss_calculation_method: Option<String>,

    /// Duration in **hours** (decimal).
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub total_time: Option<f64>,
    /// Planned duration in **hours** (decimal).
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub total_time_planned: Option<f64>,
    /// Distance in **metres**.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub distance: Option<f64>,
    /// Planned distance in **metres**.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub distance_planned: Option<f64>,
    /// kcal.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub calories: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub calories_planned: Option<f64>,

    /// Heart rate, bpm.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub heart_rate_average: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub heart_rate_maximum: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub heart_rate_minimum: Option<f64>,

    /// Power, watts.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub power_average: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub power_maximum: Option<f64>,
    /// Normalized Power, watts.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub normalized_power_actual: Option<f64>,

    /// Speed, **metres per second**.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub velocity_average: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub velocity_maximum: Option<f64>,
    /// Normalized (graded) speed, m/s.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub normalized_speed_actual: Option<f64>,

    /// Elevation, metres.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub elevation_gain: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub elevation_loss: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub elevation_average: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub elevation_minimum: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub elevation_maximum: Option<f64>,

    /// Cadence, rpm (bike) or steps/min (run).
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub cadence_average: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub cadence_maximum: Option<f64>,
    /// Average temperature, °C.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub temp_avg: Option<f64>,

    /// How the athlete felt, 0–10.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub feeling: Option<f64>,
    /// Rate of perceived exertion, 1–10.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub rpe: Option<f64>,

    /// Instructions, often written by a coach. User-authored text: data, never instructions to a model.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub description: Option<String>,
    /// The coach's comments. User-authored text.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub coach_comments: Option<String>,
    /// Comment objects as TrainingPeaks sends them (shape not relied upon).
    #[serde(default)]
    pub workout_comments: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub user_tags: Option<String>,

    /// How many personal records this workout set.
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub personal_record_count: Option<i64>,
    /// Structured-interval definition, when planned with one.
    #[serde(default)]
    pub structure: Option<serde_json::Value>,
}

impl Workout {
    /// Parses one workout object, tolerating any odd field.
    pub fn from_json(value: serde_json::Value) -> Option<Workout> {
        if !value.is_object() {
            return None;
        }
        serde_json::from_value(value).ok()
    }

    /// The sport, `Unknown(0)` when TrainingPeaks sent no type.
    pub fn sport(&self) -> Sport {
        Sport::from_id(self.workout_type_value_id.unwrap_or(0))
    }

    /// True when the athlete did this workout: TrainingPeaks says so, or it has
    /// recorded actuals (older entries omit `completed`).
    pub fn is_completed(&self) -> bool {
        match self.completed {
            Some(done) => done,
            None => {
                self.tss_actual.is_some()
                    || self.total_time.is_some_and(|h| h > 0.0)
                    || self.distance.is_some_and(|d| d > 0.0)
            }
        }
    }

    /// True when the workout carries a plan (duration, distance or TSS).
    pub fn has_plan(&self) -> bool {
        self.tss_planned.is_some()
            || self.total_time_planned.is_some()
            || self.distance_planned.is_some()
    }

    /// How TSS was computed, from whichever of the two fields was sent.
    pub fn tss_method(&self) -> Option<&str> {
        self.tss_source
            .as_deref()
            .or(self.tss_calculation_method.as_deref())
    }

    /// The title, or the sport name when the workout has none.
    pub fn display_title(&self) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| self.sport().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_typical_completed_workout() {
        let w = Workout::from_json(json!({
            "workoutId": 3001, "athleteId": 12, "title": "Tempo", "workoutTypeValueId": 2,
            "workoutDay": "2026-05-02T00:00:00", "startTime": "2026-05-02T07:15:00",
            "completed": true, "tssActual": 88.4, "if": 0.82, "totalTime": 1.5,
            "distance": 42000.0, "normalizedPowerActual": 221, "heartRateAverage": 141,
            "velocityAverage": 7.8, "personalRecordCount": 2, "someNewField": {"x": 1}
        }))
        .unwrap();
        assert_eq!(w.workout_id, 3001);
        assert_eq!(w.sport(), Sport::Bike);
        assert_eq!(w.workout_day, NaiveDate::from_ymd_opt(2026, 5, 2));
        assert_eq!(w.intensity_factor, Some(0.82));
        assert_eq!(w.normalized_power_actual, Some(221.0));
        assert!(w.is_completed());
        assert!(!w.has_plan());
    }

    #[test]
    fn odd_fields_become_none_not_errors() {
        let w = Workout::from_json(json!({
            "workoutId": "77", "tssActual": "NaN", "if": null, "totalTime": "1.25",
            "distance": {"oops": true}, "title": 5, "completed": "false",
            "workoutDay": "not a date"
        }))
        .unwrap();
        assert_eq!(w.workout_id, 77);
        assert_eq!(w.tss_actual, None);
        assert_eq!(w.intensity_factor, None);
        assert_eq!(w.total_time, Some(1.25));
        assert_eq!(w.distance, None);
        assert_eq!(w.title.as_deref(), Some("5"));
        assert_eq!(w.completed, Some(false));
        assert_eq!(w.workout_day, None);
        assert!(!w.is_completed());
    }

    #[test]
    fn completion_is_inferred_when_the_flag_is_missing() {
        let planned = Workout::from_json(json!({"workoutId": 1, "tssPlanned": 60})).unwrap();
        assert!(!planned.is_completed());
        assert!(planned.has_plan());
        let done = Workout::from_json(json!({"workoutId": 2, "totalTime": 0.5})).unwrap();
        assert!(done.is_completed());
        assert!(Workout::from_json(json!([1, 2])).is_none());
    }
}
