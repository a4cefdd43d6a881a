//! TCX and GPX files: the hand-made fixtures (tests/data/ride.tcx,
//! ride.gpx) decoded to the values written in them, and damaged variants.

mod common;

use common::fixture;
use tp_device::{DecodeError, decode};
use tp_model::{ChannelKind, FileFormat, Lap, Streams};

fn column(s: &Streams, kind: ChannelKind) -> Vec<Option<i32>> {
    s.channel(kind).map(<[_]>::to_vec).unwrap_or_default()
}

fn some(values: &[i32]) -> Vec<Option<i32>> {
    values.iter().copied().map(Some).collect()
}

// The TCX fixture gives exactly the values written in it: namespace
// prefixes ignored, sub-second times rounded (07:00:01.4 merges into
// 07:00:01, 07:00:02.6 becomes 3), +02:00 converted to UTC, the point
// without a time left out (and said), the pause kept as a jump, units
// native.
#[test]
fn tcx_samples() {
    let a = decode(&fixture("ride.tcx"), Some("ride.tcx")).unwrap();
    assert_eq!(a.format, FileFormat::Tcx);
    assert_eq!(a.start_utc.unwrap().to_string(), "2024-06-01 07:00:00");
    let s = &a.streams;
    assert_eq!(s.time_s(), &[0, 1, 3, 4, 5, 6, 60]);
    assert_eq!(
        column(s, ChannelKind::Power),
        [
            Some(200),
            Some(215),
            None,
            Some(205),
            Some(230),
            Some(250),
            Some(0)
        ]
    );
    assert_eq!(
        column(s, ChannelKind::HeartRate),
        some(&[120, 121, 122, 123, 124, 126, 118])
    );
    assert_eq!(
        column(s, ChannelKind::Cadence),
        [
            Some(85),
            Some(86),
            None,
            Some(87),
            Some(90),
            Some(91),
            Some(0)
        ]
    );
    assert_eq!(
        column(s, ChannelKind::Speed),
        [
            Some(8000),
            Some(8100),
            None,
            Some(8250),
            Some(8300),
            Some(9000),
            Some(0)
        ]
    );
    assert_eq!(
        column(s, ChannelKind::Distance),
        some(&[0, 810, 2430, 3250, 4080, 4910, 6500])
    );
    assert_eq!(
        column(s, ChannelKind::Altitude),
        some(&[25040, 25060, 25090, 25100, 25120, 25130, 25150])
    );
    assert!(s.channel(ChannelKind::Temperature).is_none());
    assert_eq!(a.problems, ["1 track point without a time was left out"]);
}

// TCX laps are read with their extensions (LX/AvgSpeed, AvgWatts,
// MaxWatts), and the session is their sums, time-weighted means and
// maxima.
#[test]
fn tcx_laps_and_session() {
    let a = decode(&fixture("ride.tcx"), None).unwrap();
    let lap1 = Lap {
        start_s: 0.0,
        elapsed_s: None,
        timer_s: Some(5.0),
        distance_m: Some(40.0),
        avg_power_w: Some(205.0),
        max_power_w: Some(215.0),
        normalized_power_w: None,
        avg_heart_rate_bpm: Some(121.0),
        max_heart_rate_bpm: Some(123.0),
        avg_cadence_rpm: Some(86.0),
        avg_speed_m_s: Some(8.1),
        max_speed_m_s: Some(8.5),
        total_ascent_m: None,
        calories_kcal: Some(2.0),
        trigger: Some("manual".into()),
    };
    let lap2 = Lap {
        start_s: 5.0,
        timer_s: Some(3.0),
        distance_m: Some(25.0),
        avg_power_w: Some(230.0),
        max_power_w: Some(250.0),
        avg_heart_rate_bpm: Some(125.0),
        max_heart_rate_bpm: Some(126.0),
        avg_cadence_rpm: Some(90.0),
        avg_speed_m_s: Some(8.3),
        max_speed_m_s: Some(9.0),
        calories_kcal: Some(1.0),
        trigger: Some("distance".into()),
        ..Lap::default()
    };
    assert_eq!(a.laps, [lap1, lap2]);
    let t = a.session.unwrap();
    assert_eq!(t.sport.as_deref(), Some("cycling"));
    assert_eq!(t.start_utc.unwrap().to_string(), "2024-06-01 07:00:00");
    assert_eq!(t.timer_s, Some(8.0));
    assert_eq!(t.distance_m, Some(65.0));
    assert_eq!(t.calories_kcal, Some(3.0));
    let near = |v: Option<f64>, x: f64| assert!((v.unwrap() - x).abs() < 1e-9, "{v:?} vs {x}");
    near(t.avg_heart_rate_bpm, (121.0 * 5.0 + 125.0 * 3.0) / 8.0);
    near(t.avg_cadence_rpm, (86.0 * 5.0 + 90.0 * 3.0) / 8.0);
    near(t.avg_power_w, (205.0 * 5.0 + 230.0 * 3.0) / 8.0);
    near(t.avg_speed_m_s, (8.1 * 5.0 + 8.3 * 3.0) / 8.0);
    assert_eq!(t.max_heart_rate_bpm, Some(126.0));
    assert_eq!(t.max_power_w, Some(250.0));
    assert_eq!(t.max_speed_m_s, Some(9.0));
    assert_eq!(t.elapsed_s, None, "TCX laps give timer time only");
}

// The GPX fixture: Garmin's TrackPointExtension and Strava's bare <power>
// read alike, +01:00 converted, ele "NaN" missing, the point without a
// time left out, the gap between segments kept, temperature rounded to
// whole degrees; the session is the track's type and start, no laps.
#[test]
fn gpx_samples() {
    let a = decode(&fixture("ride.gpx"), Some("ride.gpx")).unwrap();
    assert_eq!(a.format, FileFormat::Gpx);
    let s = &a.streams;
    assert_eq!(s.time_s(), &[0, 1, 2, 45]);
    assert_eq!(
        column(s, ChannelKind::Power),
        [Some(180), Some(185), None, Some(0)]
    );
    assert_eq!(
        column(s, ChannelKind::HeartRate),
        some(&[110, 111, 113, 104])
    );
    assert_eq!(
        column(s, ChannelKind::Cadence),
        [Some(80), Some(81), None, Some(0)]
    );
    assert_eq!(
        column(s, ChannelKind::Temperature),
        [Some(19), Some(19), None, Some(19)]
    );
    assert_eq!(
        column(s, ChannelKind::Altitude),
        [Some(41020), Some(41060), None, Some(41140)]
    );
    assert!(a.laps.is_empty());
    let t = a.session.unwrap();
    assert_eq!(t.sport.as_deref(), Some("cycling"));
    assert_eq!(t.start_utc, a.start_utc);
    assert_eq!(a.start_utc.unwrap().to_string(), "2024-06-01 07:00:00");
    assert_eq!(a.problems, ["1 track point without a time was left out"]);
}

// Every prefix of the TCX and GPX fixtures decodes without a panic to a
// prefix of the samples (all but the last sample equal), saying it is cut
// off, or to an error when no sample was complete.
#[test]
fn every_prefix_of_the_xml_files() {
    for name in ["ride.tcx", "ride.gpx"] {
        let bytes = fixture(name);
        let whole = decode(&bytes, None).unwrap();
        // The closing tags' whitespace after the root is not part of it.
        let end = bytes.iter().rposition(|&b| b == b'>').unwrap() + 1;
        for cut in 0..end {
            match decode(&bytes[..cut], Some(name)) {
                Ok(part) => {
                    let n = part.streams.len();
                    assert_eq!(
                        part.streams.time_s(),
                        &whole.streams.time_s()[..n],
                        "{name} at {cut}"
                    );
                    for kind in ChannelKind::ALL {
                        let (p, w) = (column(&part.streams, kind), column(&whole.streams, kind));
                        if n > 1 && !p.is_empty() {
                            assert_eq!(p[..n - 1], w[..n - 1], "{name} at {cut}: {}", kind.key());
                        }
                    }
                    assert!(
                        part.problems
                            .iter()
                            .any(|p| p.starts_with("the file is cut off after")),
                        "{name} at {cut}: {:?}",
                        part.problems
                    );
                }
                Err(
                    DecodeError::Empty
                    | DecodeError::UnknownFormat { .. }
                    | DecodeError::Unreadable { .. }
                    | DecodeError::NoRecords { .. },
                ) => {}
            }
        }
    }
}

// Malformed XML in the middle stops the reading there; what came before is
// kept and the damage described.
#[test]
fn malformed_xml_keeps_what_came_before() {
    let text = String::from_utf8(fixture("ride.gpx")).unwrap();
    // A mismatched end tag in the second track point.
    let broken = text.replacen("<ele>410.6</ele>", "<ele>410.6</elevation>", 1);
    assert_ne!(broken, text);
    let a = decode(broken.as_bytes(), None).unwrap();
    assert_eq!(a.streams.time_s(), &[0]);
    assert_eq!(a.problems.len(), 1);
    assert!(
        a.problems[0].starts_with(
            "the file is damaged after its first second of records (malformed XML at byte"
        ),
        "{}",
        a.problems[0]
    );
}

// XML files with nothing to decode say why.
#[test]
fn empty_xml_files_say_why() {
    let e = decode(
        b"<?xml version=\"1.0\"?><gpx version=\"1.1\"><trk/></gpx>",
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the GPX file holds no records: it has no track points"
    );
    let e = decode(
        b"<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap>\
          <Track><Trackpoint><HeartRateBpm><Value>1</Value></HeartRateBpm></Trackpoint></Track>\
          </Lap></Activity></Activities></TrainingCenterDatabase>",
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the TCX file holds no records: none of its track points says when it was recorded"
    );
    let e = decode(
        b"<gpx><trk><trkseg><trkpt><time>2024-06-01T07:00:00Z</ti",
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the GPX file could not be read: it is cut off before its first record"
    );
}

// Elements nested absurdly deep stop the reading (TCX and GPX need about
// ten levels), which keeps each element's handling cheap.
#[test]
fn nesting_is_bounded() {
    let mut gpx =
        String::from("<gpx><trk><trkseg><trkpt><time>2024-06-01T07:00:00Z</time></trkpt>");
    gpx.push_str(&"<x>".repeat(100));
    let a = decode(gpx.as_bytes(), None).unwrap();
    assert_eq!(a.streams.len(), 1);
    assert!(
        a.problems[0].contains("elements nested more than 64 deep"),
        "{:?}",
        a.problems
    );
}
