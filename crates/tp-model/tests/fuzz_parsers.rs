//! Property-based fuzzing of every JSON model parser, on every `cargo test`:
//! any JSON value, of any shape, parses or is refused — never a panic, never
//! a NaN. The checks are `tp_model::fuzzing`'s, the same ones the
//! coverage-guided cargo-fuzz target (`fuzz/`) runs; proptest adds inputs
//! built from TrainingPeaks' own field names, which a byte fuzzer finds late.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tp_model::fuzzing::{check_every_parser, check_every_parser_on_bytes};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn every_parser_on_any_json_value(v in json_value()) {
        check_every_parser(&v);
    }

    #[test]
    fn every_parser_on_raw_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_every_parser_on_bytes(&bytes);
    }

    #[test]
    fn every_parser_on_serialized_json(v in json_value()) {
        check_every_parser_on_bytes(&serde_json::to_vec(&v).unwrap());
    }
}
