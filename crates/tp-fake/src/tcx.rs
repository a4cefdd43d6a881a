//! [`write_tcx`]: a [`Recording`] as a Garmin Training Center (TCX v2)
//! document, the XML device file TrainingPeaks also accepts and serves.
//!
//! One `Activity` (sport from [`DeviceSport::tcx_sport`], `Id` the start
//! time), one `Lap` per [`Recording::laps`] lap with its totals (the same
//! numbers the FIT writer puts in its `lap` messages: timer time, distance,
//! calories shared by timer time, average and maximum heart rate and speed,
//! average cadence and power), and one `Trackpoint` per sample. A pause
//! inside a lap starts a new `Track`, as Garmin's exports do.
//!
//! Values are written at the recording's resolution, so a reader gets them
//! back exactly: distance in metres with two decimals, altitude with one
//! (two when the centimetres need it), speed in m/s with three, watts, bpm
//! and rpm whole. Elements and their order follow the TCX v2 and
//! ActivityExtension v2 schemas (`ns3:TPX` per trackpoint, `ns3:LX` per
//! lap). Running cadence is written where Garmin writes it for runs
//! (`ns3:RunCadence`, `ns3:AvgRunCadence`), not in `Cadence`, which the
//! schema reserves for bike cadence.
//!
//! # What it deliberately does not do
//! - No positions, `Creator`/`Author` blocks, notes or courses.
//! - No XML escaping: every string written is produced here (numbers,
//!   times, fixed names), never user text.
//! - Required elements are never left out: a lap without distance or
//!   calories says `0`; optional ones (heart rate, cadence, speed, power)
//!   are left out when the lap has no such value.

use std::fmt::Write;

use chrono::{Duration, NaiveDateTime};

use crate::fit::{Summary, split_calories};
use crate::recording::{DeviceSport, Recording, Sample};

const TCX_NAMESPACE: &str = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";
const ACTIVITY_EXTENSION_NAMESPACE: &str = "http://www.garmin.com/xmlschemas/ActivityExtension/v2";

/// The recording as a TCX document (see the module doc).
pub fn write_tcx(rec: &Recording) -> String {
    let mut xml = String::with_capacity(1024 + rec.samples.len() * 400);
    let is_run = rec.sport == DeviceSport::Running;
    let laps = rec.laps();
    let summaries: Vec<Summary> = laps.iter().map(|l| Summary::of(rec, l.clone())).collect();
    let timer: Vec<u32> = summaries.iter().map(|s| s.timer_s).collect();
    let calories = split_calories(rec.totals.calories_kcal.unwrap_or(0), &timer);
    let pause_ends: Vec<usize> = rec.pauses().iter().map(|&(_, after)| after).collect();

    // `write!` into a String cannot fail.
    let _ = writeln!(xml, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        xml,
        r#"<TrainingCenterDatabase xmlns="{TCX_NAMESPACE}" xmlns:ns3="{ACTIVITY_EXTENSION_NAMESPACE}">"#
    );
    xml.push_str("  <Activities>\n");
    let _ = writeln!(xml, r#"    <Activity Sport="{}">"#, rec.sport.tcx_sport());
    let _ = writeln!(xml, "      <Id>{}</Id>", iso_time(rec.start_utc, 0));
    for ((lap, summary), lap_calories) in laps.iter().zip(&summaries).zip(calories) {
        let _ = writeln!(
            xml,
            r#"      <Lap StartTime="{}">"#,
            iso_time(rec.start_utc, summary.start_t)
        );
        write_lap_totals(&mut xml, summary, lap_calories, is_run);
        xml.push_str("        <Track>\n");
        for index in lap.clone() {
            if index != lap.start && pause_ends.binary_search(&index).is_ok() {
                xml.push_str("        </Track>\n        <Track>\n");
            }
            write_trackpoint(&mut xml, rec.start_utc, &rec.samples[index], is_run);
        }
        xml.push_str("        </Track>\n");
        write_lap_extension(&mut xml, summary, is_run);
        xml.push_str("      </Lap>\n");
    }
    xml.push_str("    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n");
    xml
}

/// The lap's elements before its track, in the schema's order.
fn write_lap_totals(xml: &mut String, lap: &Summary, calories: u16, is_run: bool) {
    let _ = writeln!(
        xml,
        "        <TotalTimeSeconds>{}</TotalTimeSeconds>",
        lap.timer_s
    );
    let distance = centi(i64::from(lap.distance_cm.unwrap_or(0)));
    let _ = writeln!(xml, "        <DistanceMeters>{distance}</DistanceMeters>");
    if let Some(max) = lap.speed_mm_s.max() {
        let _ = writeln!(xml, "        <MaximumSpeed>{}</MaximumSpeed>", milli(max));
    }
    let _ = writeln!(xml, "        <Calories>{calories}</Calories>");
    if let Some(avg) = lap.heart_rate_bpm.avg() {
        let _ = writeln!(
            xml,
            "        <AverageHeartRateBpm><Value>{avg}</Value></AverageHeartRateBpm>"
        );
    }
    if let Some(max) = lap.heart_rate_bpm.max() {
        let _ = writeln!(
            xml,
            "        <MaximumHeartRateBpm><Value>{max}</Value></MaximumHeartRateBpm>"
        );
    }
    xml.push_str("        <Intensity>Active</Intensity>\n");
    if !is_run && let Some(avg) = lap.cadence_rpm.avg() {
        let _ = writeln!(xml, "        <Cadence>{avg}</Cadence>");
    }
    xml.push_str("        <TriggerMethod>Manual</TriggerMethod>\n");
}

/// `ns3:LX`: average speed, run cadence and power (when the lap has them).
fn write_lap_extension(xml: &mut String, lap: &Summary, is_run: bool) {
    let avg_speed = lap.speed_mm_s.avg();
    let run_cadence = if is_run { lap.cadence_rpm.avg() } else { None };
    let avg_watts = lap.power_w.avg();
    if avg_speed.is_none() && run_cadence.is_none() && avg_watts.is_none() {
        return;
    }
    xml.push_str("        <Extensions>\n          <ns3:LX>\n");
    if let Some(speed) = avg_speed {
        let _ = writeln!(
            xml,
            "            <ns3:AvgSpeed>{}</ns3:AvgSpeed>",
            milli(speed)
        );
    }
    if let Some(cadence) = run_cadence {
        let _ = writeln!(
            xml,
            "            <ns3:AvgRunCadence>{cadence}</ns3:AvgRunCadence>"
        );
    }
    if let Some(watts) = avg_watts {
        let _ = writeln!(xml, "            <ns3:AvgWatts>{watts}</ns3:AvgWatts>");
    }
    if let Some(watts) = lap.power_w.max() {
        let _ = writeln!(xml, "            <ns3:MaxWatts>{watts}</ns3:MaxWatts>");
    }
    xml.push_str("          </ns3:LX>\n        </Extensions>\n");
}

fn write_trackpoint(xml: &mut String, start: NaiveDateTime, sample: &Sample, is_run: bool) {
    xml.push_str("          <Trackpoint>\n");
    let _ = writeln!(
        xml,
        "            <Time>{}</Time>",
        iso_time(start, sample.t)
    );
    if let Some(cm) = sample.altitude_cm {
        let _ = writeln!(
            xml,
            "            <AltitudeMeters>{}</AltitudeMeters>",
            altitude_m(cm)
        );
    }
    if let Some(cm) = sample.distance_cm {
        let _ = writeln!(
            xml,
            "            <DistanceMeters>{}</DistanceMeters>",
            centi(cm.into())
        );
    }
    if let Some(bpm) = sample.heart_rate_bpm {
        let _ = writeln!(
            xml,
            "            <HeartRateBpm><Value>{bpm}</Value></HeartRateBpm>"
        );
    }
    let run_cadence = if is_run { sample.cadence_rpm } else { None };
    if !is_run && let Some(rpm) = sample.cadence_rpm {
        let _ = writeln!(xml, "            <Cadence>{rpm}</Cadence>");
    }
    if sample.speed_mm_s.is_some() || run_cadence.is_some() || sample.power_w.is_some() {
        xml.push_str("            <Extensions>\n              <ns3:TPX>\n");
        if let Some(speed) = sample.speed_mm_s {
            let _ = writeln!(
                xml,
                "                <ns3:Speed>{}</ns3:Speed>",
                milli(speed.into())
            );
        }
        if let Some(cadence) = run_cadence {
            let _ = writeln!(
                xml,
                "                <ns3:RunCadence>{cadence}</ns3:RunCadence>"
            );
        }
        if let Some(watts) = sample.power_w {
            let _ = writeln!(xml, "                <ns3:Watts>{watts}</ns3:Watts>");
        }
        xml.push_str("              </ns3:TPX>\n            </Extensions>\n");
    }
    xml.push_str("          </Trackpoint>\n");
}

/// `start + t` seconds as ISO 8601 UTC, e.g. `2024-05-04T07:30:00Z`.
fn iso_time(start: NaiveDateTime, t: u32) -> String {
    (start + Duration::seconds(t.into()))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Hundredths as a decimal with two places: 123456 → `1234.56`.
fn centi(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Thousandths as a decimal with three places: 8123 → `8.123`.
fn milli(thousandths: u32) -> String {
    format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
}

/// Altitude in metres with one decimal, two when the cm need it.
fn altitude_m(cm: i32) -> String {
    let text = centi(cm.into());
    match text.strip_suffix('0') {
        Some(one_decimal) => one_decimal.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    //! The documents are read back with a small tag scanner written here
    //! (no XML crate is a dependency): nesting checked, values parsed back.

    use super::*;
    use crate::fit::tests::{
        ride_missing_heart_rate, ride_with_pauses, run_without_power, swim_speed_and_distance,
    };

    /// Panics unless every opened element is closed, in order, and there is
    /// exactly one root element. Returns how many elements there are.
    fn assert_well_formed(xml: &str) -> usize {
        let mut open: Vec<&str> = Vec::new();
        let (mut elements, mut roots) = (0, 0);
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') {
                assert!(tag.ends_with('?'), "processing instruction {tag}");
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "closing {name}");
                continue;
            }
            let name = tag.split_whitespace().next().expect("element name");
            elements += 1;
            if open.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        assert!(open.is_empty(), "never closed: {open:?}");
        assert_eq!(roots, 1);
        elements
    }

    /// The text of the first `<name>…</name>` in `fragment`.
    fn element<'a>(fragment: &'a str, name: &str) -> Option<&'a str> {
        let open = format!("<{name}>");
        let start = fragment.find(&open)? + open.len();
        let end = fragment[start..].find(&format!("</{name}>"))? + start;
        Some(&fragment[start..end])
    }

    /// `<Trackpoint>` bodies, in order.
    fn trackpoints(xml: &str) -> Vec<&str> {
        xml.split("<Trackpoint>")
            .skip(1)
            .map(|t| t.split("</Trackpoint>").next().unwrap())
            .collect()
    }

    /// `<Lap …>` bodies before their track, in order.
    fn lap_heads(xml: &str) -> Vec<&str> {
        xml.split("<Lap ")
            .skip(1)
            .map(|l| l.split("<Track>").next().unwrap())
            .collect()
    }

    /// `<Lap …>` bodies after their last track (the lap extension).
    fn lap_tails(xml: &str) -> Vec<&str> {
        xml.split("</Lap>")
            .filter_map(|lap| lap.rsplit_once("</Track>").map(|(_, tail)| tail))
            .collect()
    }

    /// A decimal read back in hundredths/thousandths of its unit.
    fn scaled(text: Option<&str>, per_unit: f64) -> Option<i64> {
        text.map(|t| (t.parse::<f64>().expect("a number") * per_unit).round() as i64)
    }

    fn whole(text: Option<&str>) -> Option<i64> {
        text.map(|t| t.parse().expect("a whole number"))
    }

    /// Every trackpoint's time and values equal its sample's, read back at
    /// the recording's resolution; running cadence read from `RunCadence`.
    fn assert_trackpoints_match(rec: &Recording, xml: &str) {
        let points = trackpoints(xml);
        assert_eq!(points.len(), rec.samples.len());
        let is_run = rec.sport == DeviceSport::Running;
        for (sample, point) in rec.samples.iter().zip(points) {
            let at = format!("t={}", sample.t);
            let time = (rec.start_utc + Duration::seconds(sample.t.into()))
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            assert_eq!(element(point, "Time"), Some(time.as_str()), "{at}");
            let altitude = scaled(element(point, "AltitudeMeters"), 100.0);
            assert_eq!(altitude, sample.altitude_cm.map(i64::from), "{at}");
            let distance = scaled(element(point, "DistanceMeters"), 100.0);
            assert_eq!(distance, sample.distance_cm.map(i64::from), "{at}");
            let bpm = whole(element(point, "HeartRateBpm").and_then(|h| element(h, "Value")));
            assert_eq!(bpm, sample.heart_rate_bpm.map(i64::from), "{at}");
            let cadence_element = if is_run { "ns3:RunCadence" } else { "Cadence" };
            let cadence = whole(element(point, cadence_element));
            assert_eq!(cadence, sample.cadence_rpm.map(i64::from), "{at}");
            let speed = scaled(element(point, "ns3:Speed"), 1000.0);
            assert_eq!(speed, sample.speed_mm_s.map(i64::from), "{at}");
            let watts = whole(element(point, "ns3:Watts"));
            assert_eq!(watts, sample.power_w.map(i64::from), "{at}");
        }
    }

    #[test]
    fn ride_with_pauses_reads_back() {
        // Proves the ride's document is well-formed, names the sport and
        // start, has a lap per lap (start times, timer times, distances,
        // shared calories, heart rate and power totals), a new Track after
        // the pause inside lap 1 only, and trackpoints equal to the samples.
        let rec = ride_with_pauses();
        let xml = write_tcx(&rec);
        assert_well_formed(&xml);
        assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
        assert!(
            xml.contains(r#"xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2""#)
        );
        assert!(
            xml.contains(r#"xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2""#)
        );
        assert!(xml.contains(r#"<Activity Sport="Biking">"#));
        assert_eq!(element(&xml, "Id"), Some("2024-05-04T07:30:00Z"));
        assert_trackpoints_match(&rec, &xml);

        let heads = lap_heads(&xml);
        let starts: Vec<&str> = heads.iter().filter_map(|h| h.split('"').nth(1)).collect();
        assert_eq!(
            starts,
            [
                "2024-05-04T07:30:00Z",
                "2024-05-04T07:31:05Z",
                "2024-05-04T07:32:35Z"
            ]
        );
        let timer: Vec<_> = heads
            .iter()
            .map(|h| whole(element(h, "TotalTimeSeconds")))
            .collect();
        assert_eq!(timer, [Some(60), Some(60), Some(80)]);
        let calories: Vec<_> = heads
            .iter()
            .map(|h| whole(element(h, "Calories")))
            .collect();
        assert_eq!(calories, [Some(56), Some(56), Some(75)]);
        for (head, span) in heads.iter().zip(rec.laps()) {
            let samples = &rec.samples[span.clone()];
            let before = span
                .start
                .checked_sub(1)
                .map_or(0, |i| rec.samples[i].distance_cm.unwrap());
            let distance = samples.last().unwrap().distance_cm.unwrap() - before;
            assert_eq!(
                scaled(element(head, "DistanceMeters"), 100.0),
                Some(i64::from(distance))
            );
            let max_bpm = samples
                .iter()
                .filter_map(|s| s.heart_rate_bpm)
                .max()
                .map(i64::from);
            let max_element =
                element(head, "MaximumHeartRateBpm").and_then(|h| element(h, "Value"));
            assert_eq!(whole(max_element), max_bpm);
            assert_eq!(element(head, "Intensity"), Some("Active"));
            assert_eq!(element(head, "TriggerMethod"), Some("Manual"));
        }
        let tails = lap_tails(&xml);
        assert_eq!(tails.len(), 3);
        for (tail, span) in tails.iter().zip(rec.laps()) {
            let samples = &rec.samples[span];
            let watts: u32 = samples.iter().map(|s| u32::from(s.power_w.unwrap())).sum();
            let avg = (f64::from(watts) / samples.len() as f64).round() as i64;
            assert_eq!(whole(element(tail, "ns3:AvgWatts")), Some(avg));
            assert!(element(tail, "ns3:AvgSpeed").is_some());
        }
        assert_eq!(xml.matches("<Track>").count(), 4);
        let first_lap = xml.split("</Lap>").next().unwrap();
        let tracks: Vec<usize> = first_lap
            .split("<Track>")
            .skip(1)
            .map(|t| trackpoints(t).len())
            .collect();
        assert_eq!(tracks, [40, 20]);
    }

    #[test]
    fn run_cadence_goes_where_garmin_puts_it() {
        // Proves a run writes cadence as ns3:RunCadence (trackpoints) and
        // ns3:AvgRunCadence (laps), never as bike Cadence, no watts, and
        // altitudes below sea level with their sign.
        let rec = run_without_power();
        let xml = write_tcx(&rec);
        assert_well_formed(&xml);
        assert!(xml.contains(r#"<Activity Sport="Running">"#));
        assert!(!xml.contains("<Cadence>"));
        assert!(!xml.contains("Watts"));
        assert_eq!(xml.matches("<ns3:AvgRunCadence>").count(), 2);
        assert_eq!(element(&xml, "AltitudeMeters"), Some("-2.0"));
        assert_trackpoints_match(&rec, &xml);
    }

    #[test]
    fn missing_heart_rate_is_left_out() {
        // Proves trackpoints without heart rate have no HeartRateBpm (not 0)
        // and a lap without any heart rate has no heart-rate totals, while
        // Calories (required) is 0 when the device gave none.
        let rec = ride_missing_heart_rate();
        let xml = write_tcx(&rec);
        assert_well_formed(&xml);
        assert_trackpoints_match(&rec, &xml);
        let heads = lap_heads(&xml);
        assert!(element(heads[0], "AverageHeartRateBpm").is_some());
        assert_eq!(element(heads[2], "AverageHeartRateBpm"), None);
        assert_eq!(element(heads[2], "MaximumHeartRateBpm"), None);
        assert_eq!(element(heads[2], "Calories"), Some("0"));
        assert!(!xml.contains("<Value>0</Value>"));
    }

    #[test]
    fn swim_has_only_speed_and_distance() {
        // Proves a swim is Sport "Other" with trackpoints of time, distance
        // and speed only, and laps with distance and speeds.
        let rec = swim_speed_and_distance();
        let xml = write_tcx(&rec);
        assert_well_formed(&xml);
        assert!(xml.contains(r#"<Activity Sport="Other">"#));
        for absent in ["HeartRateBpm", "Cadence", "Watts", "AltitudeMeters"] {
            assert!(!xml.contains(absent), "{absent}");
        }
        assert_trackpoints_match(&rec, &xml);
        assert_eq!(xml.matches("<MaximumSpeed>").count(), 2);
    }

    #[test]
    fn numbers_keep_the_recording_resolution() {
        // Proves the decimal formatting: two places for cm, three for mm/s,
        // altitude with one place unless the cm need two, signs kept.
        assert_eq!(centi(123_456), "1234.56");
        assert_eq!(centi(5), "0.05");
        assert_eq!(centi(-5), "-0.05");
        assert_eq!(milli(8_005), "8.005");
        assert_eq!(milli(0), "0.000");
        assert_eq!(altitude_m(12_340), "123.4");
        assert_eq!(altitude_m(12_345), "123.45");
        assert_eq!(altitude_m(-200), "-2.0");
        assert_eq!(altitude_m(-20), "-0.2");
        assert_eq!(altitude_m(0), "0.0");
    }
}
