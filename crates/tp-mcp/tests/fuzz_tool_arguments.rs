//! Property-based fuzzing of tool-argument parsing, on every `cargo test`:
//! any JSON object sent to any tool yields an answer or an `isError` result
//! naming an argument — never a panic. The checks are `tp_mcp::fuzzing`'s,
//! the same ones the coverage-guided cargo-fuzz target (`fuzz/`) runs;
//! proptest adds arguments built from the tools' own argument names.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tp_mcp::fuzzing::{check_tool_call, offline_context};

fn arg_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        prop_oneof![
            Just("2026-02-30".to_string()),
            Just("2026-01-01".to_string()),
            Just("Bike".to_string()),
            Just("exponential".to_string()),
            Just("-3".to_string()),
            ".{0,16}"
        ]
        .prop_map(Value::String),
        prop::collection::vec(any::<i32>(), 0..3).prop_map(|v| json!(v)),
    ]
}

fn args() -> impl Strategy<Value = Map<String, Value>> {
    let names = prop_oneof![
        Just("days"),
        Just("start_date"),
        Just("end_date"),
        Just("workout_type"),
        Just("limit"),
        Just("workout_id"),
        Just("sport"),
        Just("pr_class"),
        Just("projection_days"),
        Just("ctl_days"),
        Just("atl_days"),
        Just("convention"),
        Just("refresh"),
        Just("bogus"),
    ];
    prop::collection::vec((names, arg_value()), 0..5)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_arguments_to_any_tool_give_an_answer_or_a_clear_error(tool in 0usize..14, args in args()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        check_tool_call(&rt, &offline_context(), tool, args);
    }
}
