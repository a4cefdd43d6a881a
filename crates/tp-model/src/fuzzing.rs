//! What the fuzzers check, in one place: the cargo-fuzz target
//! (`fuzz/fuzz_targets/api_json.rs`, coverage-guided) and the proptest suite
//! (`tests/fuzz_parsers.rs`, on every `cargo test`) both call these.
//!
//! Every parser is fed the input. A parser may refuse it, but it must not
//! panic, and every number it keeps must be finite. A panic here is a
//! finding: it is what the fuzzers report.

use crate::lenient::SkipBad;
use crate::{
    AthleteSettings, FitnessDay, PersonalRecord, RankedPeak, UserEnvelope, Workout, WorkoutRecords,
};
use serde_json::Value;

/// Raw response bytes, as the API could send them: through every parser.
pub fn check_every_parser_on_bytes(bytes: &[u8]) {
    // The shapes the client reads straight from a body.
    if let Ok(SkipBad(days)) = serde_json::from_slice::<SkipBad<FitnessDay>>(bytes) {
        days.iter().for_each(check_fitness_day);
    }
    if let Ok(SkipBad(workouts)) = serde_json::from_slice::<SkipBad<Workout>>(bytes) {
        workouts.iter().for_each(check_workout);
    }
    if let Ok(SkipBad(peaks)) = serde_json::from_slice::<SkipBad<RankedPeak>>(bytes) {
        for p in &peaks {
            assert_finite("RankedPeak.value", p.value);
        }
    }
    // Anything that is JSON also goes through the value-level parsers.
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        check_every_parser(&value);
    }
}

/// One JSON value, of any shape: through every model's parser.
pub fn check_every_parser(value: &Value) {
    if let Some(w) = Workout::from_json(value.clone()) {
        check_workout(&w);
    }
    if let Ok(SkipBad(ws)) = serde_json::from_value::<SkipBad<Workout>>(value.clone()) {
        ws.iter().for_each(check_workout);
    }
    if let Ok(SkipBad(days)) = serde_json::from_value::<SkipBad<FitnessDay>>(value.clone()) {
        days.iter().for_each(check_fitness_day);
    }
    if let Ok(d) = serde_json::from_value::<FitnessDay>(value.clone()) {
        check_fitness_day(&d);
    }
    if let Ok(r) = serde_json::from_value::<WorkoutRecords>(value.clone()) {
        r.personal_records.iter().for_each(check_record);
    }
    if let Ok(p) = serde_json::from_value::<RankedPeak>(value.clone()) {
        assert_finite("RankedPeak.value", p.value);
    }
    if let Ok(u) = serde_json::from_value::<UserEnvelope>(value.clone())
        && let Some(user) = u.user
    {
        let _ = (user.athlete_id(), user.display_name());
    }
    if let Ok(s) = serde_json::from_value::<AthleteSettings>(value.clone()) {
        assert_finite("AthleteSettings.ftp()", s.ftp());
        for group in s
            .power_zones
            .iter()
            .chain(&s.heart_rate_zones)
            .chain(&s.speed_zones)
        {
            assert_finite("ZoneGroup.threshold", group.threshold);
            for z in &group.zones {
                assert_finite("Zone.minimum", z.minimum);
                assert_finite("Zone.maximum", z.maximum);
            }
        }
    }
}

fn check_workout(w: &Workout) {
    for (field, v) in [
        ("tss_actual", w.tss_actual),
        ("total_time", w.total_time),
        ("intensity_factor", w.intensity_factor),
    ] {
        assert_finite(field, v);
    }
    let _ = (w.sport(), w.is_completed());
}

fn check_fitness_day(d: &FitnessDay) {
    for (field, v) in [
        ("tss_actual", d.tss_actual),
        ("tss_planned", d.tss_planned),
        ("ctl", d.ctl),
        ("atl", d.atl),
        ("tsb", d.tsb),
    ] {
        assert_finite(field, v);
    }
}

fn check_record(r: &PersonalRecord) {
    assert_finite("PersonalRecord.value", r.value);
}

fn assert_finite(field: &str, v: Option<f64>) {
    if let Some(x) = v {
        assert!(x.is_finite(), "{field} parsed to {x}, not a finite number");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "tss_actual parsed to NaN")]
    fn a_nan_that_got_through_is_a_finding() {
        check_workout(&Workout {
            tss_actual: Some(f64::NAN),
            ..Workout::default()
        });
    }

    #[test]
    fn the_api_s_nan_strings_are_no_finding() {
        check_every_parser_on_bytes(
            br#"[{"workoutDay":"2026-01-01","tssActual":"NaN","ctl":"NaN"}]"#,
        );
        check_every_parser_on_bytes(br#"{"workoutId":1,"tssActual":"NaN","if":"Infinity"}"#);
    }
}
