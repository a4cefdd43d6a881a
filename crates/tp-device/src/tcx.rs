//! Garmin Training Center XML (TCX).
//!
//! ```text
//! TrainingCenterDatabase/Activities/Activity Sport="Biking"
//!   Id                                   the start time
//!   Lap StartTime="…"
//!     TotalTimeSeconds DistanceMeters MaximumSpeed Calories
//!     AverageHeartRateBpm/Value MaximumHeartRateBpm/Value Cadence TriggerMethod
//!     Track/Trackpoint
//!       Time AltitudeMeters DistanceMeters HeartRateBpm/Value Cadence
//!       Extensions/TPX: Speed Watts RunCadence
//!     Extensions/LX: AvgSpeed AvgWatts MaxWatts AvgRunCadence
//! ```
//!
//! Elements are matched by local name, whatever their namespace prefix.
//! The session totals are the laps' sums (time, distance, calories),
//! time-weighted means (heart rate, cadence, power, speed) and maxima.

use crate::MAX_LAPS;
use crate::error::DecodeError;
use crate::samples::{self, Samples, Values, native};
use crate::xml::{self, Handler};
use quick_xml::events::BytesStart;
use tp_model::{Activity, ChannelKind, FileFormat, Lap, SessionTotals};

pub(crate) fn decode(bytes: &[u8]) -> Result<Activity, DecodeError> {
    let text = xml::text(bytes);
    let mut tcx = Tcx::default();
    let ending = xml::walk(&text, &mut tcx);
    let mut problems = Vec::new();
    problems.extend(xml::ending_note(&ending, &tcx.samples, FileFormat::Tcx)?);
    if tcx.samples.is_empty() {
        return Err(DecodeError::NoRecords {
            format: FileFormat::Tcx,
            why: (tcx.points_without_time > 0)
                .then(|| "none of its track points says when it was recorded".to_string()),
        });
    }
    if tcx.points_without_time > 0 {
        problems.push(samples::left_out(
            tcx.points_without_time,
            "track point",
            "without a time",
        ));
    }
    if tcx.activities > 1 {
        problems.push(format!(
            "the file holds {} activities; their records share one time base and the sport \
             is the first's",
            tcx.activities
        ));
    }
    problems.extend(samples::laps_dropped(tcx.laps_dropped));
    let first = tcx.samples.first_unix_s().unwrap_or(0) as f64;
    let laps: Vec<Lap> = tcx
        .laps
        .into_iter()
        .map(|(start, mut lap)| {
            lap.start_s = start.map_or(0.0, |s| s - first);
            lap
        })
        .collect();
    let session = session(&laps, tcx.sport, tcx.start.or(tcx.id));
    let start_utc = tcx.samples.start_utc();
    let streams = tcx.samples.finish(&mut problems);
    Ok(Activity {
        format: FileFormat::Tcx,
        start_utc,
        streams,
        laps,
        session,
        problems,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Activity,
    Id,
    Lap,
    Trackpoint,
    Time,
    AltitudeMeters,
    DistanceMeters,
    HeartRateBpm,
    AverageHeartRateBpm,
    MaximumHeartRateBpm,
    Value,
    Cadence,
    RunCadence,
    Speed,
    Watts,
    TotalTimeSeconds,
    MaximumSpeed,
    Calories,
    TriggerMethod,
    AvgSpeed,
    AvgWatts,
    MaxWatts,
    AvgRunCadence,
    Other,
}

/// A track point as far as it has been read.
#[derive(Default)]
struct Point {
    /// UTC seconds and nanoseconds.
    time: Option<(i64, u32)>,
    values: Values,
    /// Running cadence, for when no (bike) cadence was recorded.
    run_cadence: Option<i32>,
}

#[derive(Default)]
struct Tcx {
    samples: Samples,
    /// The track point being read.
    point: Option<Point>,
    points_without_time: usize,
    /// The lap being read, with its start (Unix seconds).
    lap: Option<(Option<f64>, Lap)>,
    laps: Vec<(Option<f64>, Lap)>,
    laps_dropped: usize,
    activities: usize,
    sport: Option<String>,
    /// The first activity's `Id` (its start) and first lap start.
    id: Option<f64>,
    start: Option<f64>,
}

impl Handler for Tcx {
    type Tag = Tag;

    fn tag(&self, name: &str) -> Tag {
        match name {
            "Activity" => Tag::Activity,
            "Id" => Tag::Id,
            "Lap" => Tag::Lap,
            "Trackpoint" => Tag::Trackpoint,
            "Time" => Tag::Time,
            "AltitudeMeters" => Tag::AltitudeMeters,
            "DistanceMeters" => Tag::DistanceMeters,
            "HeartRateBpm" => Tag::HeartRateBpm,
            "AverageHeartRateBpm" => Tag::AverageHeartRateBpm,
            "MaximumHeartRateBpm" => Tag::MaximumHeartRateBpm,
            "Value" => Tag::Value,
            "Cadence" => Tag::Cadence,
            "RunCadence" => Tag::RunCadence,
            "Speed" => Tag::Speed,
            "Watts" => Tag::Watts,
            "TotalTimeSeconds" => Tag::TotalTimeSeconds,
            "MaximumSpeed" => Tag::MaximumSpeed,
            "Calories" => Tag::Calories,
            "TriggerMethod" => Tag::TriggerMethod,
            "AvgSpeed" => Tag::AvgSpeed,
            "AvgWatts" => Tag::AvgWatts,
            "MaxWatts" => Tag::MaxWatts,
            "AvgRunCadence" => Tag::AvgRunCadence,
            _ => Tag::Other,
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, open: &[Tag]) {
        match open.last() {
            Some(Tag::Activity) => {
                self.activities += 1;
                if self.activities == 1 {
                    self.sport = xml::attribute(e, "Sport").map(|s| sport_word(&s));
                }
            }
            Some(Tag::Lap) => {
                let start = xml::attribute(e, "StartTime")
                    .and_then(|s| xml::parse_time(&s))
                    .map(xml::seconds_f64);
                if self.start.is_none() {
                    self.start = start;
                }
                self.lap = Some((start, Lap::default()));
            }
            Some(Tag::Trackpoint) => self.point = Some(Point::default()),
            _ => {}
        }
    }

    fn text(&mut self, text: &str, open: &[Tag]) {
        let n = open.len();
        let (Some(&tag), parent) = (open.last(), n.checked_sub(2).map(|i| open[i])) else {
            return;
        };
        let num = || xml::number(text);
        if let Some(point) = &mut self.point {
            let values = &mut point.values;
            let mut set =
                |kind, si: Option<f64>| values.set(kind, si.and_then(|v| native(kind, v)));
            match (tag, parent) {
                (Tag::Time, _) => point.time = xml::parse_time(text),
                (Tag::AltitudeMeters, _) => set(ChannelKind::Altitude, num()),
                (Tag::DistanceMeters, _) => set(ChannelKind::Distance, num()),
                (Tag::Value, Some(Tag::HeartRateBpm)) => set(ChannelKind::HeartRate, num()),
                (Tag::Cadence, _) => set(ChannelKind::Cadence, num()),
                (Tag::Speed, _) => set(ChannelKind::Speed, num()),
                (Tag::Watts, _) => set(ChannelKind::Power, num()),
                (Tag::RunCadence, _) => {
                    point.run_cadence = num().and_then(|v| native(ChannelKind::Cadence, v));
                }
                _ => {}
            }
        } else if let Some((_, lap)) = &mut self.lap {
            match (tag, parent) {
                (Tag::TotalTimeSeconds, _) => lap.timer_s = num(),
                (Tag::DistanceMeters, _) => lap.distance_m = num(),
                (Tag::MaximumSpeed, _) => lap.max_speed_m_s = num(),
                (Tag::Calories, _) => lap.calories_kcal = num(),
                (Tag::Value, Some(Tag::AverageHeartRateBpm)) => lap.avg_heart_rate_bpm = num(),
                (Tag::Value, Some(Tag::MaximumHeartRateBpm)) => lap.max_heart_rate_bpm = num(),
                (Tag::Cadence, _) => lap.avg_cadence_rpm = num(),
                (Tag::AvgRunCadence, _) if lap.avg_cadence_rpm.is_none() => {
                    lap.avg_cadence_rpm = num();
                }
                (Tag::TriggerMethod, _) => lap.trigger = Some(snake_case(text)),
                (Tag::AvgSpeed, _) => lap.avg_speed_m_s = num(),
                (Tag::AvgWatts, _) => lap.avg_power_w = num(),
                (Tag::MaxWatts, _) => lap.max_power_w = num(),
                _ => {}
            }
        } else if tag == Tag::Id && self.activities == 1 && self.id.is_none() {
            self.id = xml::parse_time(text).map(xml::seconds_f64);
        }
    }

    fn close(&mut self, open: &[Tag]) {
        match open.last() {
            Some(Tag::Trackpoint) => {
                if let Some(mut point) = self.point.take() {
                    let Some(time) = point.time else {
                        self.points_without_time += 1;
                        return;
                    };
                    // Running cadence counts where no bike cadence was recorded.
                    if point.values.get(ChannelKind::Cadence).is_none() {
                        point.values.set(ChannelKind::Cadence, point.run_cadence);
                    }
                    self.samples.push(xml::round_to_second(time), &point.values);
                }
            }
            Some(Tag::Lap) => {
                if let Some(lap) = self.lap.take() {
                    if self.laps.len() < MAX_LAPS {
                        self.laps.push(lap);
                    } else {
                        self.laps_dropped += 1;
                    }
                }
            }
            _ => {}
        }
    }
}

/// TCX sport names as the FIT profile spells them (`Biking` → `cycling`).
fn sport_word(sport: &str) -> String {
    match sport.trim() {
        "Biking" => "cycling".to_string(),
        other => snake_case(other),
    }
}

/// `HeartRate` → `heart_rate`, `Manual` → `manual`.
fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.trim().chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The session as the laps add up: sums, time-weighted means, maxima.
fn session(laps: &[Lap], sport: Option<String>, start: Option<f64>) -> Option<SessionTotals> {
    if laps.is_empty() && sport.is_none() {
        return None;
    }
    // Absurd lap values could add up to infinity: such a total is missing.
    let finite = |v: f64| Some(v).filter(|v| v.is_finite());
    let sum = |f: fn(&Lap) -> Option<f64>| {
        let v: Vec<f64> = laps.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum()).and_then(finite)
    };
    let max = |f: fn(&Lap) -> Option<f64>| laps.iter().filter_map(f).reduce(f64::max);
    let mean = |f: fn(&Lap) -> Option<f64>| {
        let (mut total, mut weight) = (0.0, 0.0);
        for lap in laps {
            if let (Some(v), Some(w)) = (f(lap), lap.timer_s.filter(|w| *w > 0.0)) {
                total += v * w;
                weight += w;
            }
        }
        (weight > 0.0).then(|| total / weight).and_then(finite)
    };
    Some(SessionTotals {
        sport,
        start_utc: start.and_then(|s| samples::utc(s.floor() as i64)),
        timer_s: sum(|l| l.timer_s),
        distance_m: sum(|l| l.distance_m),
        calories_kcal: sum(|l| l.calories_kcal),
        avg_heart_rate_bpm: mean(|l| l.avg_heart_rate_bpm),
        max_heart_rate_bpm: max(|l| l.max_heart_rate_bpm),
        avg_cadence_rpm: mean(|l| l.avg_cadence_rpm),
        avg_power_w: mean(|l| l.avg_power_w),
        max_power_w: max(|l| l.max_power_w),
        avg_speed_m_s: mean(|l| l.avg_speed_m_s),
        max_speed_m_s: max(|l| l.max_speed_m_s),
        ..SessionTotals::default()
    })
}
