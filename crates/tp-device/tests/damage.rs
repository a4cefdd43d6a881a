//! Damaged, cut-off and odd FIT files: what survives, and what the user is
//! told.

mod common;

use common::{Base, FitWriter, RIDE_RECORD, RIDE_START, fit_time, fixture, ride, ride_second};
use tp_device::{DecodeError, MAX_SAMPLES, decode};
use tp_model::{Activity, ChannelKind, Streams};

fn values(s: &Streams, kind: ChannelKind, i: usize) -> Option<i32> {
    s.channel(kind).and_then(|c| c[i])
}

/// `part` holds the first samples of `whole`: the same times, and the same
/// values except in its last sample, which may lack values of records in
/// the same second that the cut left out.
fn assert_prefix(part: &Streams, whole: &Streams, what: &str) {
    let n = part.len();
    assert!(n <= whole.len(), "{what}: more samples than the whole file");
    assert_eq!(part.time_s(), &whole.time_s()[..n], "{what}: times");
    for kind in ChannelKind::ALL {
        for i in 0..n.saturating_sub(1) {
            assert_eq!(
                values(part, kind, i),
                values(whole, kind, i),
                "{what}: {} of sample {i}",
                kind.key()
            );
        }
    }
}

fn check_every_prefix(name: &str, bytes: &[u8], step: usize) {
    let whole = decode(bytes, None).unwrap();
    let mut cuts: Vec<usize> = (0..bytes.len()).step_by(step).collect();
    cuts.extend(bytes.len().saturating_sub(64)..bytes.len());
    for cut in cuts {
        let what = format!("{name} cut at {cut} of {}", bytes.len());
        match decode(&bytes[..cut], None) {
            Ok(part) => {
                assert_prefix(&part.streams, &whole.streams, &what);
                assert!(!part.problems.is_empty(), "{what}: a cut file must say so");
            }
            Err(
                DecodeError::Unreadable { .. }
                | DecodeError::NoRecords { .. }
                | DecodeError::UnknownFormat { .. }
                | DecodeError::Empty,
            ) => {}
        }
    }
}

// EVERY prefix of a real FIT file (a Garmin Fenix 5 ride, the FIT SDK's
// example activity) and of the fit-tool file with developer fields and
// compressed timestamps decodes without a panic, gives a prefix of the
// whole file's samples, and says it is cut off.
#[test]
fn every_prefix_of_a_real_file_is_a_prefix_of_its_samples() {
    for name in [
        "garmin-fenix-5-bike.fit",
        "Activity.fit",
        "dev_compressed.fit",
    ] {
        check_every_prefix(name, &fixture(name), 1);
    }
}

// The same for the larger fixtures, cut at every 211th byte and at each of
// their last 64 (the fuzzer cuts everywhere).
#[test]
fn prefixes_of_the_larger_files_too() {
    for name in ["hrv-activity.fit", "sample_mulitple_header.fit"] {
        check_every_prefix(name, &fixture(name), 211);
    }
}

// A file cut off mid-ride keeps every record before the cut and says how
// much was read.
#[test]
fn a_cut_off_file_keeps_what_came_before() {
    let bytes = ride(3 * 3600);
    let a = decode(&bytes[..bytes.len() * 2 / 5], None).unwrap();
    let last = *a.streams.time_s().last().unwrap();
    assert!((4000..4400).contains(&last), "{last}");
    let h = last / 3600;
    let m = last % 3600 / 60;
    assert_eq!(
        a.problems,
        [format!(
            "the file is cut off after {h} h {m} min of records; the rest could not be read"
        )]
    );
    assert!(
        a.laps.is_empty() && a.session.is_none(),
        "they came after the cut"
    );
}

// A bad checksum at the end loses nothing, and is reported.
#[test]
fn a_bad_checksum_keeps_the_data() {
    for name in ["garmin-fenix-5-bike.fit", "dev_compressed.fit"] {
        let good = decode(&fixture(name), None).unwrap();
        let mut bytes = fixture(name);
        let n = bytes.len();
        bytes[n - 1] ^= 0x5A;
        let bad = decode(&bytes, None).unwrap();
        assert_eq!(bad.streams, good.streams, "{name}");
        assert_eq!(bad.laps, good.laps, "{name}");
        assert_eq!(bad.session, good.session, "{name}");
        assert_eq!(
            bad.problems,
            ["bad checksum at the end: the data may be damaged"],
            "{name}"
        );
    }
}

// A bad header checksum loses nothing either.
#[test]
fn a_bad_header_checksum_keeps_the_data() {
    let mut bytes = ride(100);
    let good = decode(&bytes, None).unwrap();
    bytes[12] ^= 0xFF;
    let bad = decode(&bytes, None).unwrap();
    assert_eq!(bad.streams, good.streams);
    assert_eq!(
        bad.problems,
        ["bad checksum in the file header: the file may be damaged"]
    );
}

// Garbage in the middle stops the reading there, with the samples before
// it kept and the damage described.
#[test]
fn damage_in_the_middle_keeps_the_records_before() {
    let mut w = FitWriter::new();
    w.define(2, 20, &RIDE_RECORD, false);
    for i in 0..90 {
        let [p, hr, cad, speed, dist, alt, temp] = ride_second(i);
        let t = fit_time(RIDE_START + i);
        w.data(2, &[t, p, hr, cad, speed, dist, alt, temp, speed, alt]);
    }
    w.raw(&[0x0F, 1, 2, 3]); // a data message of a local type never defined
    for i in 90..100 {
        let [p, hr, cad, speed, dist, alt, temp] = ride_second(i);
        let t = fit_time(RIDE_START + i);
        w.data(2, &[t, p, hr, cad, speed, dist, alt, temp, speed, alt]);
    }
    let a = decode(&w.finish(), None).unwrap();
    assert_eq!(a.streams.len(), 90);
    assert_eq!(a.problems.len(), 1);
    assert!(
        a.problems[0].starts_with("the file is damaged after 1 min of records (a message at byte"),
        "{}",
        a.problems[0]
    );
    assert!(
        a.problems[0].ends_with(
            "uses local message type 15, which was never defined); the rest could not be read"
        ),
        "{}",
        a.problems[0]
    );
}

// Same-second records merge, records going back in time are dropped and
// counted, invalid values are missing rather than zero, big-endian
// definitions read the same, and a pause stays a gap.
#[test]
fn odd_records_are_handled_by_the_rules() {
    let mut w = FitWriter::new();
    let record = [
        (253, Base::Uint32),
        (7, Base::Uint16),
        (3, Base::Uint8),
        (2, Base::Uint16),
        (13, Base::Sint8),
    ];
    w.define(0, 20, &record, false);
    w.define(1, 20, &record, true);
    let t = |s: i64| fit_time(RIDE_START + s);
    w.data(0, &[t(0), 200, 120, 2600, -2]);
    w.data(1, &[t(1), 210, 121, 2601, -1]);
    w.data(0, &[t(1), 0xFFFF, 125, 0xFFFF, 0x7F]); // same second: heart rate only
    w.data(1, &[t(3), 230, 0xFF, 2603, 0]);
    w.data(0, &[t(2), 999, 99, 9999, 9]); // back in time
    w.data(0, &[t(600), 240, 130, 2604, 1]); // after a pause
    let a = decode(&w.finish(), None).unwrap();
    let s = &a.streams;
    assert_eq!(s.time_s(), &[0, 1, 3, 600]);
    let col = |k| s.channel(k).unwrap().to_vec();
    assert_eq!(
        col(ChannelKind::Power),
        [Some(200), Some(210), Some(230), Some(240)]
    );
    assert_eq!(
        col(ChannelKind::HeartRate),
        [Some(120), Some(125), None, Some(130)]
    );
    assert_eq!(
        col(ChannelKind::Altitude),
        [Some(2000), Some(2020), Some(2060), Some(2080)],
        "raw × 20 − 50 000 cm"
    );
    assert_eq!(
        col(ChannelKind::Temperature),
        [Some(-2), Some(-1), Some(0), Some(1)]
    );
    assert_eq!(
        a.problems,
        ["1 record dated earlier than the one before was left out"]
    );
}

// A hostile file cannot make us keep more than MAX_SAMPLES samples: the
// rest is left out with a note (records here are one byte each: a
// compressed timestamp header and no fields).
#[test]
fn samples_are_bounded() {
    let mut w = FitWriter::new();
    w.define(1, 20, &[(253, Base::Uint32), (7, Base::Uint16)], false);
    w.data(1, &[fit_time(RIDE_START), 100]);
    w.define(0, 20, &[], false);
    let extra = 1000;
    for i in 1..(MAX_SAMPLES as i64 + extra) {
        w.compressed(0, (fit_time(RIDE_START + i) & 0x1F) as u8, &[]);
    }
    let a = decode(&w.finish(), None).unwrap();
    assert_eq!(a.streams.len(), MAX_SAMPLES);
    assert_eq!(
        a.problems,
        [format!(
            "the file holds more than {MAX_SAMPLES} samples (8 days at one a second); \
             {} records after that were left out",
            extra
        )]
    );
}

// A developer field whose size does not fit its declared type would make
// fitparser panic; we stop there instead, keeping what came before.
#[test]
fn a_malformed_developer_field_stops_the_reading_safely() {
    let mut w = FitWriter::new();
    w.define(0, 20, &[(253, Base::Uint32), (7, Base::Uint16)], false);
    w.data(0, &[fit_time(RIDE_START), 100]);
    // developer_data_id: developer_data_index (3) = 0
    w.define(1, 207, &[(3, Base::Uint8)], false);
    w.data(1, &[0]);
    // field_description: developer index 0, field 0, base type uint16 (0x84)
    w.define(
        2,
        206,
        &[(0, Base::Uint8), (1, Base::Uint8), (2, Base::Uint8)],
        false,
    );
    w.data(2, &[0, 0, 0x84]);
    // a record with that field declared 255 bytes long: not a multiple of 2
    w.define_with_dev(3, 20, &[(253, Base::Uint32)], &[(0, 255, 0)], false);
    w.data_with_dev(3, &[fit_time(RIDE_START + 1)], &[0; 255]);
    let a = decode(&w.finish(), None).unwrap();
    assert_eq!(a.streams.len(), 1);
    assert_eq!(
        a.problems,
        [
            "the file is damaged after its first second of records (a developer field's size does not match \
          its type); the rest could not be read"
        ]
    );
}

// Stray bytes after the end are reported; zero padding is not a problem.
#[test]
fn trailing_bytes() {
    let mut bytes = ride(10);
    bytes.extend([0; 7]);
    assert_eq!(decode(&bytes, None).unwrap().problems, Vec::<String>::new());
    bytes.extend(b"hello");
    assert_eq!(
        decode(&bytes, None).unwrap().problems,
        ["12 bytes after the end of the FIT data could not be read"]
    );
}

// Files that hold nothing to decode say why.
#[test]
fn empty_files_say_why() {
    let mut w = FitWriter::new();
    w.define(0, 0, &[(0, Base::Enum)], false);
    w.data(0, &[5]);
    let e = decode(&w.finish(), Some("plan.fit")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the FIT file holds no records: it is a workout file, not an activity"
    );
    let e = decode(&ride(10)[..13], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the FIT file could not be read: it is cut off before its first record"
    );
    let mut w = FitWriter::new();
    w.raw(&[0x05]);
    let e = decode(&w.finish(), None).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the FIT file could not be read: it is damaged before its first record"),
        "{e}"
    );
}

// A compressed timestamp before any full one gives no time: such records
// are left out, not placed at an invented time.
#[test]
fn compressed_timestamps_need_a_base() {
    let mut w = FitWriter::new();
    w.define(0, 20, &[(7, Base::Uint16)], false);
    w.compressed(0, 3, &[100]);
    w.define(1, 20, &[(253, Base::Uint32), (7, Base::Uint16)], false);
    w.data(1, &[fit_time(RIDE_START), 200]);
    w.compressed(0, ((fit_time(RIDE_START) + 2) & 0x1F) as u8, &[300]);
    let a: Activity = decode(&w.finish(), None).unwrap();
    assert_eq!(a.streams.time_s(), &[0, 2]);
    assert_eq!(a.problems, ["1 record without a time was left out"]);
}

// A chain of many small files with bad checksums: the first bad checksum
// is reported, the rest cost nothing (fitparser's checksum errors carry a
// copy of the rest of the input, so checking each would be quadratic).
#[test]
fn many_bad_checksums_are_said_once_and_cost_little() {
    let mut bytes = ride(10);
    for _ in 0..20_000 {
        let mut empty = FitWriter::new().finish();
        let n = empty.len();
        empty[n - 2..].copy_from_slice(&[0xFF, 0xFF]);
        bytes.extend(empty);
    }
    let t = std::time::Instant::now();
    let a = decode(&bytes, None).unwrap();
    assert_eq!(a.streams.len(), 10);
    assert_eq!(
        a.problems,
        ["bad checksum at the end: the data may be damaged"]
    );
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
}

// Field definitions whose sizes do not fit their types are read as bytes
// (like the FIT SDK does), but fitparser prints a line for each: after a
// few we stop, so a hostile file cannot fill the log.
#[test]
fn malformed_definitions_are_bounded() {
    let mut w = FitWriter::new();
    w.define(0, 20, &[(253, Base::Uint32), (7, Base::Uint16)], false);
    w.data(0, &[fit_time(RIDE_START), 100]);
    for _ in 0..40 {
        // field 7 declared 3 bytes long as a uint16
        w.raw(&[0x41, 0, 0, 20, 0, 1, 7, 3, 0x84]);
    }
    w.data(0, &[fit_time(RIDE_START + 1), 110]);
    let a = decode(&w.finish(), None).unwrap();
    assert_eq!(a.streams.len(), 1);
    assert_eq!(
        a.problems,
        [
            "the file is damaged after its first second of records (many field sizes do not \
          match their types); the rest could not be read"
        ]
    );
}
