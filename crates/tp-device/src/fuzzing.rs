//! What the fuzzers check, in one place: the cargo-fuzz target
//! (`fuzz/fuzz_targets/device_file.rs`, coverage-guided) and the proptest
//! suite (`tests/robustness.rs`, on every `cargo test`) both call this.
//!
//! Any bytes are decoded. The decoder may refuse them, but it must not
//! panic, and what it returns must keep the promises of
//! [`tp_model::Streams`] and of this crate's bounds. A panic here is a
//! finding: it is what the fuzzers report.

use crate::{MAX_LAPS, MAX_SAMPLES, decode, detect_format};
use std::collections::BTreeMap;
use tp_model::{Activity, FileFormat, Streams};

/// Decodes `bytes` (without a name and, unless it is FIT, with each
/// format's name, which may only change the outcome for XML whose root we
/// could not see) and checks the result.
pub fn check_decode(bytes: &[u8]) {
    let names: &[Option<&str>] = if detect_format(bytes, None) == Some(FileFormat::Fit) {
        &[None]
    } else {
        &[None, Some("a.fit"), Some("a.tcx.gz"), Some("a.gpx")]
    };
    for &name in names {
        match decode(bytes, name) {
            Ok(a) => {
                assert_eq!(Some(a.format), detect_format(bytes, name), "format");
                check_activity(&a);
            }
            Err(e) => assert!(!e.to_string().is_empty(), "an error says what"),
        }
    }
}

/// The promises an [`Activity`] keeps.
pub fn check_activity(a: &Activity) {
    let s = &a.streams;
    assert!(
        !s.is_empty(),
        "an activity has samples (else it is an error)"
    );
    assert!(s.len() <= MAX_SAMPLES, "bounded samples");
    assert!(a.laps.len() <= MAX_LAPS, "bounded laps");
    assert!(a.start_utc.is_some(), "the first sample's time is known");
    assert!(
        s.time_s().windows(2).all(|w| w[0] < w[1]),
        "time_s strictly increasing"
    );
    assert_eq!(
        s.time_s().first(),
        Some(&0),
        "time_s counts from the first sample"
    );
    let mut channels = BTreeMap::new();
    for (kind, values) in s.channels() {
        assert_eq!(values.len(), s.len(), "{} as long as time_s", kind.key());
        assert!(
            values.iter().any(Option::is_some),
            "{} has a value",
            kind.key()
        );
        channels.insert(kind, values.to_vec());
    }
    let rebuilt = Streams::from_parts(s.time_s().to_vec(), channels).expect("valid streams");
    assert_eq!(&rebuilt, s);
    for lap in &a.laps {
        let numbers = [
            Some(lap.start_s),
            lap.elapsed_s,
            lap.timer_s,
            lap.distance_m,
            lap.avg_power_w,
            lap.max_power_w,
            lap.normalized_power_w,
            lap.avg_heart_rate_bpm,
            lap.max_heart_rate_bpm,
            lap.avg_cadence_rpm,
            lap.avg_speed_m_s,
            lap.max_speed_m_s,
            lap.total_ascent_m,
            lap.calories_kcal,
        ];
        assert!(
            numbers.iter().flatten().all(|v| v.is_finite()),
            "finite lap: {lap:?}"
        );
    }
    if let Some(t) = &a.session {
        let numbers = [
            t.elapsed_s,
            t.timer_s,
            t.distance_m,
            t.avg_power_w,
            t.max_power_w,
            t.normalized_power_w,
            t.avg_heart_rate_bpm,
            t.max_heart_rate_bpm,
            t.avg_cadence_rpm,
            t.avg_speed_m_s,
            t.max_speed_m_s,
            t.total_ascent_m,
            t.total_descent_m,
            t.calories_kcal,
            t.training_stress_score,
            t.intensity_factor,
            t.threshold_power_w,
            t.avg_temperature_c,
        ];
        assert!(
            numbers.iter().flatten().all(|v| v.is_finite()),
            "finite session: {t:?}"
        );
    }
    assert!(
        a.problems.iter().all(|p| !p.is_empty()),
        "problems in words"
    );
}
