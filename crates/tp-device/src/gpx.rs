//! GPS Exchange Format (GPX) tracks.
//!
//! ```text
//! gpx/trk
//!   type                                 the sport, when the writer says
//!   trkseg/trkpt lat="…" lon="…"
//!     ele time
//!     extensions: hr cad atemp power …    (any prefix, any nesting)
//! ```
//!
//! The sensor values live in extensions whose names vary by writer:
//! Garmin's TrackPointExtension (`gpxtpx:hr`, `cad`, `atemp`, `speed`),
//! Strava's `power`, Garmin's PowerExtension (`PowerInWatts`), Cluetrust
//! (`gpxdata:hr`, `cadence`, `temp`, `distance`). Any element with one of
//! those local names inside a track point's `extensions` counts.
//!
//! GPX has no laps, and no totals of the device's own: the session is only
//! the track's sport (when `trk/type` names it) and start.

use crate::error::DecodeError;
use crate::samples::{self, Samples, Values, native};
use crate::xml::{self, Handler};
use quick_xml::events::BytesStart;
use tp_model::{Activity, ChannelKind, FileFormat, SessionTotals};

pub(crate) fn decode(bytes: &[u8]) -> Result<Activity, DecodeError> {
    let text = xml::text(bytes);
    let mut gpx = Gpx::default();
    let ending = xml::walk(&text, &mut gpx);
    let mut problems = Vec::new();
    problems.extend(xml::ending_note(&ending, &gpx.samples, FileFormat::Gpx)?);
    if gpx.samples.is_empty() {
        return Err(DecodeError::NoRecords {
            format: FileFormat::Gpx,
            why: Some(if gpx.points_without_time > 0 {
                "none of its track points says when it was recorded".to_string()
            } else {
                "it has no track points".to_string()
            }),
        });
    }
    if gpx.points_without_time > 0 {
        problems.push(samples::left_out(
            gpx.points_without_time,
            "track point",
            "without a time",
        ));
    }
    let start_utc = gpx.samples.start_utc();
    let session = gpx.sport.map(|sport| SessionTotals {
        sport: Some(sport),
        start_utc,
        ..SessionTotals::default()
    });
    let streams = gpx.samples.finish(&mut problems);
    Ok(Activity {
        format: FileFormat::Gpx,
        start_utc,
        streams,
        laps: Vec::new(),
        session,
        problems,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Trk,
    Type,
    Trkpt,
    Ele,
    Time,
    Extensions,
    /// A sensor value inside `extensions`.
    Channel(ChannelKind),
    Other,
}

#[derive(Default)]
struct Gpx {
    samples: Samples,
    /// The track point being read: its time and values.
    point: Option<(Option<(i64, u32)>, Values)>,
    points_without_time: usize,
    sport: Option<String>,
}

impl Handler for Gpx {
    type Tag = Tag;

    fn tag(&self, name: &str) -> Tag {
        match name {
            "trk" => Tag::Trk,
            "type" => Tag::Type,
            "trkpt" => Tag::Trkpt,
            "ele" => Tag::Ele,
            "time" => Tag::Time,
            "extensions" => Tag::Extensions,
            "hr" | "heartrate" => Tag::Channel(ChannelKind::HeartRate),
            "cad" | "cadence" => Tag::Channel(ChannelKind::Cadence),
            "atemp" | "temp" | "temperature" => Tag::Channel(ChannelKind::Temperature),
            "power" | "watts" | "PowerInWatts" => Tag::Channel(ChannelKind::Power),
            "speed" => Tag::Channel(ChannelKind::Speed),
            "distance" => Tag::Channel(ChannelKind::Distance),
            _ => Tag::Other,
        }
    }

    fn open(&mut self, _: &BytesStart<'_>, open: &[Tag]) {
        if open.last() == Some(&Tag::Trkpt) {
            self.point = Some((None, Values::default()));
        }
    }

    fn text(&mut self, text: &str, open: &[Tag]) {
        let Some(&tag) = open.last() else { return };
        let parent = open.len().checked_sub(2).map(|i| open[i]);
        let Some((time, values)) = &mut self.point else {
            if tag == Tag::Type && parent == Some(Tag::Trk) && self.sport.is_none() {
                self.sport = Some(text.trim().to_lowercase()).filter(|s| !s.is_empty());
            }
            return;
        };
        match (tag, parent) {
            (Tag::Time, Some(Tag::Trkpt)) => *time = xml::parse_time(text),
            (Tag::Ele, Some(Tag::Trkpt)) => {
                let v = xml::number(text).and_then(|m| native(ChannelKind::Altitude, m));
                values.set(ChannelKind::Altitude, v);
            }
            (Tag::Channel(kind), _) if open.contains(&Tag::Extensions) => {
                values.set(kind, xml::number(text).and_then(|v| native(kind, v)));
            }
            _ => {}
        }
    }

    fn close(&mut self, open: &[Tag]) {
        if open.last() == Some(&Tag::Trkpt)
            && let Some((time, values)) = self.point.take()
        {
            match time {
                Some(t) => self.samples.push(xml::round_to_second(t), &values),
                None => self.points_without_time += 1,
            }
        }
    }
}
