//! Real FIT files decoded by us, compared with what an independent decoder
//! (fitdecode, via tests/data/expected.py) found in them.

mod common;

use common::{FIT_FIXTURES, expected, fixture};
use serde_json::Value as Json;
use tp_device::{DecodeError, decode};
use tp_model::{Activity, ChannelKind, Lap, SessionTotals};

fn json_f64(v: &Json) -> Option<f64> {
    v.as_f64()
}

fn close(ours: Option<f64>, theirs: &Json, what: &str) {
    match (ours, json_f64(theirs)) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: ours {a}, fitdecode {b}"
        ),
        (a, _) => panic!("{what}: ours {a:?}, fitdecode {theirs}"),
    }
}

fn same_word(ours: &Option<String>, theirs: &Json, what: &str) {
    assert_eq!(ours.as_deref(), theirs.as_str(), "{what}");
}

fn check_lap(ours: &Lap, theirs: &Json, what: &str) {
    close(
        Some(ours.start_s),
        &theirs["start_s"],
        &format!("{what} start_s"),
    );
    close(
        ours.elapsed_s,
        &theirs["elapsed_s"],
        &format!("{what} elapsed_s"),
    );
    close(ours.timer_s, &theirs["timer_s"], &format!("{what} timer_s"));
    close(
        ours.distance_m,
        &theirs["distance_m"],
        &format!("{what} distance_m"),
    );
    close(
        ours.avg_power_w,
        &theirs["avg_power_w"],
        &format!("{what} avg_power_w"),
    );
    close(
        ours.max_power_w,
        &theirs["max_power_w"],
        &format!("{what} max_power_w"),
    );
    close(
        ours.normalized_power_w,
        &theirs["normalized_power_w"],
        &format!("{what} normalized_power_w"),
    );
    close(
        ours.avg_heart_rate_bpm,
        &theirs["avg_heart_rate_bpm"],
        &format!("{what} avg_heart_rate_bpm"),
    );
    close(
        ours.max_heart_rate_bpm,
        &theirs["max_heart_rate_bpm"],
        &format!("{what} max_heart_rate_bpm"),
    );
    close(
        ours.avg_cadence_rpm,
        &theirs["avg_cadence_rpm"],
        &format!("{what} avg_cadence_rpm"),
    );
    close(
        ours.avg_speed_m_s,
        &theirs["avg_speed_m_s"],
        &format!("{what} avg_speed_m_s"),
    );
    close(
        ours.max_speed_m_s,
        &theirs["max_speed_m_s"],
        &format!("{what} max_speed_m_s"),
    );
    close(
        ours.total_ascent_m,
        &theirs["total_ascent_m"],
        &format!("{what} total_ascent_m"),
    );
    close(
        ours.calories_kcal,
        &theirs["calories_kcal"],
        &format!("{what} calories_kcal"),
    );
    same_word(
        &ours.trigger,
        &theirs["trigger"],
        &format!("{what} trigger"),
    );
}

fn check_session(ours: &SessionTotals, theirs: &Json, file: &str) {
    let f = |name: &str| format!("{file} session {name}");
    same_word(&ours.sport, &theirs["sport"], &f("sport"));
    same_word(&ours.sub_sport, &theirs["sub_sport"], &f("sub_sport"));
    assert_eq!(
        ours.start_utc
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        theirs["start_utc"].as_str().map(str::to_string),
        "{}",
        f("start_utc")
    );
    let pairs: [(Option<f64>, &str); 18] = [
        (ours.elapsed_s, "elapsed_s"),
        (ours.timer_s, "timer_s"),
        (ours.distance_m, "distance_m"),
        (ours.avg_power_w, "avg_power_w"),
        (ours.max_power_w, "max_power_w"),
        (ours.normalized_power_w, "normalized_power_w"),
        (ours.avg_heart_rate_bpm, "avg_heart_rate_bpm"),
        (ours.max_heart_rate_bpm, "max_heart_rate_bpm"),
        (ours.avg_cadence_rpm, "avg_cadence_rpm"),
        (ours.avg_speed_m_s, "avg_speed_m_s"),
        (ours.max_speed_m_s, "max_speed_m_s"),
        (ours.total_ascent_m, "total_ascent_m"),
        (ours.total_descent_m, "total_descent_m"),
        (ours.calories_kcal, "calories_kcal"),
        (ours.training_stress_score, "training_stress_score"),
        (ours.intensity_factor, "intensity_factor"),
        (ours.threshold_power_w, "threshold_power_w"),
        (ours.avg_temperature_c, "avg_temperature_c"),
    ];
    for (value, name) in pairs {
        close(value, &theirs[name], &f(name));
    }
}

/// Everything the expected JSON holds, compared with our decoding.
fn check_against_fitdecode(name: &str, a: &Activity) {
    let e = expected(name);
    let s = &a.streams;
    assert_eq!(
        s.len() as u64,
        e["samples"].as_u64().unwrap(),
        "{name} samples"
    );
    assert_eq!(
        a.start_utc
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        e["start_utc"].as_str().map(str::to_string),
        "{name} start"
    );
    assert_eq!(
        s.time_s().last().map(|&t| u64::from(t)),
        e["last_time_s"].as_u64(),
        "{name} last time"
    );
    for kind in ChannelKind::ALL {
        let ours = s.channel(kind);
        let theirs = &e["channels"][kind.key()];
        match ours {
            None => assert!(theirs.is_null(), "{name} {}: missing", kind.key()),
            Some(values) => {
                let present: Vec<i64> = values.iter().flatten().map(|&v| i64::from(v)).collect();
                assert_eq!(
                    present.len() as u64,
                    theirs["count"].as_u64().unwrap(),
                    "{name} {} count",
                    kind.key()
                );
                assert_eq!(
                    present.iter().sum::<i64>(),
                    theirs["sum"].as_i64().unwrap(),
                    "{name} {} sum",
                    kind.key()
                );
                assert_eq!(
                    present.iter().min().copied(),
                    theirs["min"].as_i64(),
                    "{name} {} min",
                    kind.key()
                );
                assert_eq!(
                    present.iter().max().copied(),
                    theirs["max"].as_i64(),
                    "{name} {} max",
                    kind.key()
                );
            }
        }
    }
    for sample in e["samples_at"].as_array().unwrap() {
        let i = sample["index"].as_u64().unwrap() as usize;
        assert_eq!(
            u64::from(s.time_s()[i]),
            sample["time_s"].as_u64().unwrap(),
            "{name} time of sample {i}"
        );
        for kind in ChannelKind::ALL {
            let ours = s.channel(kind).and_then(|c| c[i]).map(i64::from);
            assert_eq!(
                ours,
                sample[kind.key()].as_i64(),
                "{name} sample {i} {}",
                kind.key()
            );
        }
    }
    let laps = e["laps"].as_array().unwrap();
    assert_eq!(a.laps.len(), laps.len(), "{name} laps");
    for (i, (ours, theirs)) in a.laps.iter().zip(laps).enumerate() {
        check_lap(ours, theirs, &format!("{name} lap {i}"));
    }
    match (&a.session, &e["session"]) {
        (None, Json::Null) => {}
        (Some(ours), theirs) if !theirs.is_null() => check_session(ours, theirs, name),
        (ours, theirs) => panic!("{name} session: ours {ours:?}, fitdecode {theirs}"),
    }
}

// Every FIT fixture with records decodes to exactly the samples, laps and
// session fitdecode found: counts, sums, extremes, sampled values, every
// lap field, every session field.
#[test]
fn fit_fixtures_match_fitdecode() {
    for name in FIT_FIXTURES {
        let e = expected(name);
        if e["samples"] == 0 {
            continue;
        }
        let a = decode(&fixture(name), Some(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        check_against_fitdecode(name, &a);
        if e["sessions"] == 1 {
            assert_eq!(
                a.problems,
                Vec::<String>::new(),
                "{name}: a clean file has no problems"
            );
        }
    }
}

// Chained FIT files (several headers) are read to the end, and a
// multisport file keeps the first session and names the others.
#[test]
fn chained_multisport_files_keep_every_part() {
    let name = "sample_mulitple_header.fit";
    assert_eq!(expected(name)["fit_headers"], 4);
    let a = decode(&fixture(name), None).unwrap();
    assert_eq!(a.laps.len(), 5, "laps of every chained file");
    assert_eq!(
        a.session.as_ref().unwrap().sport.as_deref(),
        Some("swimming")
    );
    assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
    assert!(
        a.problems[0].starts_with("the file holds 5 sessions (a multisport activity)"),
        "{}",
        a.problems[0]
    );
}

// A file with developer fields and compressed timestamp headers (written
// by fit-tool: 5-bit rollover, a 20 s dropout inside compressed records,
// a pause, definitions changing mid-file) decodes exactly; the developer
// fields are read past, not misread into our channels.
#[test]
fn developer_fields_and_compressed_timestamps() {
    let name = "dev_compressed.fit";
    let a = decode(&fixture(name), None).unwrap();
    check_against_fitdecode(name, &a);
    let t = a.streams.time_s();
    assert_eq!(
        t[89..92],
        [89, 110, 111],
        "the dropout is a jump, not filled in"
    );
    assert_eq!(t[119..121], [139, 200], "the pause too");
    let hr = a.streams.channel(ChannelKind::HeartRate).unwrap();
    assert_eq!(hr[5], None, "a record without heart rate has none, not 0");
}

// DeveloperData.fit (FIT SDK example) has developer fields but its records
// carry no time: it parses to the end and says so, rather than failing on
// the developer fields.
#[test]
fn records_without_time_are_not_samples() {
    let e = decode(&fixture("DeveloperData.fit"), None).unwrap_err();
    assert!(matches!(e, DecodeError::NoRecords { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the FIT file holds no records: its 3 records do not say when they were recorded"
    );
}
