//! Property-based fuzzing of every JSON model parser: any JSON value, of
//! any shape, parses or is refused — never a panic, never a NaN.
//! (cargo-fuzz needs a nightly toolchain, which this project's machines do
//! not have; proptest runs on stable, in every `cargo test`.)

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tp_model::lenient::SkipBad;
use tp_model::{AthleteSettings, FitnessDay, UserEnvelope, Workout, WorkoutRecords};

/// Arbitrary JSON, biased towards the field names TrainingPeaks uses so that
/// the lenient field readers are exercised, not just skipped.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("workoutId"),
        Just("workoutDay"),
        Just("tssActual"),
        Just("if"),
        Just("totalTime"),
        Just("completed"),
        Just("ctl"),
        Just("personalRecords"),
        Just("timeFrame"),
        Just("value"),
        Just("user"),
        Just("athletes"),
        Just("athleteId"),
        Just("powerZones"),
        Just("threshold"),
        Just("zones"),
        Just("settings"),
        Just("startTime"),
        Just("title"),
        Just("x"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("NaN".to_string()),
            Just("2026-02-30T00:00:00".to_string()),
            Just("12.5".to_string()),
            ".{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..8).prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

fn finite(f: Option<f64>) -> bool {
    f.is_none_or(f64::is_finite)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn workouts_never_panic_and_numbers_stay_finite(v in json_value()) {
        if let Some(w) = Workout::from_json(v.clone()) {
            prop_assert!(finite(w.tss_actual) && finite(w.total_time) && finite(w.intensity_factor));
        }
        let _ = serde_json::from_value::<SkipBad<Workout>>(v);
    }

    #[test]
    fn other_models_never_panic(v in json_value()) {
        if let Ok(d) = serde_json::from_value::<FitnessDay>(v.clone()) {
            prop_assert!(finite(d.ctl) && finite(d.tss_actual));
        }
        let _ = serde_json::from_value::<SkipBad<FitnessDay>>(v.clone());
        let _ = serde_json::from_value::<WorkoutRecords>(v.clone());
        if let Ok(u) = serde_json::from_value::<UserEnvelope>(v.clone()) {
            let _ = u.user.map(|u| (u.athlete_id(), u.display_name()));
        }
        if let Ok(s) = serde_json::from_value::<AthleteSettings>(v) {
            prop_assert!(finite(s.ftp()));
        }
    }

    #[test]
    fn raw_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<Workout>(&bytes);
        let _ = serde_json::from_slice::<SkipBad<FitnessDay>>(&bytes);
        let _ = serde_json::from_slice::<UserEnvelope>(&bytes);
    }
}
