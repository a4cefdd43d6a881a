//! What every format shares: samples collected on one time base, within
//! [`MAX_SAMPLES`], values converted to the channels' native units, and the
//! wording of the problems found on the way.

use crate::{MAX_LAPS, MAX_SAMPLES};
use chrono::{DateTime, NaiveDateTime};
use tp_model::activity::StreamsBuilder;
use tp_model::{ChannelKind, Streams};

/// The channel values of one record, at most one per channel.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Values {
    slots: [Option<i32>; ChannelKind::ALL.len()],
}

impl Values {
    pub fn set(&mut self, kind: ChannelKind, value: Option<i32>) {
        if value.is_some() {
            self.slots[usize::from(kind.id())] = value;
        }
    }

    pub fn get(&self, kind: ChannelKind) -> Option<i32> {
        self.slots[usize::from(kind.id())]
    }

    /// The values present, as [`StreamsBuilder::push`] takes them.
    fn pairs(&self) -> ([(ChannelKind, i32); ChannelKind::ALL.len()], usize) {
        let mut out = [(ChannelKind::Power, 0); ChannelKind::ALL.len()];
        let mut n = 0;
        for (kind, slot) in ChannelKind::ALL.into_iter().zip(self.slots) {
            if let Some(v) = slot {
                out[n] = (kind, v);
                n += 1;
            }
        }
        (out, n)
    }
}

/// A value in SI units (W, bpm, rpm, m/s, m, m, °C), as text files write
/// them, in the channel's native integer unit; `None` when it is not a
/// finite number, out of range, or negative where it cannot be.
pub(crate) fn native(kind: ChannelKind, si: f64) -> Option<i32> {
    let signed = matches!(kind, ChannelKind::Altitude | ChannelKind::Temperature);
    if !si.is_finite() || (!signed && si < 0.0) {
        return None;
    }
    let v = (si / kind.scale()).round();
    (f64::from(i32::MIN)..=f64::from(i32::MAX))
        .contains(&v)
        .then_some(v as i32)
}

/// Samples in arrival order, relative to the first one's time.
#[derive(Debug, Default)]
pub(crate) struct Samples {
    builder: StreamsBuilder,
    /// Unix seconds of the first sample: the time base.
    first: Option<i64>,
    /// Seconds since `first` of the last sample kept.
    last: Option<u32>,
    /// Samples refused because [`MAX_SAMPLES`] was reached.
    over_limit: usize,
    /// Samples dated before the first one.
    before_start: usize,
    /// Samples dated more than `u32::MAX` seconds after the first one.
    too_late: usize,
}

impl Samples {
    pub fn new() -> Samples {
        Samples::default()
    }

    /// Adds the sample taken at `unix_s`; one in the same second as the
    /// last merges into it, one earlier is dropped and counted.
    pub fn push(&mut self, unix_s: i64, values: &Values) {
        let first = *self.first.get_or_insert(unix_s);
        let Some(since) = unix_s.checked_sub(first) else {
            self.before_start += 1;
            return;
        };
        let Ok(t) = u32::try_from(since) else {
            if since < 0 {
                self.before_start += 1;
            } else {
                self.too_late += 1;
            }
            return;
        };
        if self.builder.len() >= MAX_SAMPLES && self.last.is_some_and(|l| t > l) {
            self.over_limit += 1;
            return;
        }
        let (pairs, n) = values.pairs();
        if self.builder.push(t, &pairs[..n]) {
            self.last = Some(t);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.builder.is_empty()
    }

    /// Unix seconds of the first sample.
    pub fn first_unix_s(&self) -> Option<i64> {
        self.first
    }

    /// When the first sample was taken, UTC.
    pub fn start_utc(&self) -> Option<NaiveDateTime> {
        self.first.and_then(utc)
    }

    /// "after 1 h 12 min of records" / "before its first record": where in
    /// the file something went wrong, for a problem note.
    pub fn progress(&self) -> String {
        match self.last {
            None => "before its first record".to_string(),
            Some(0) => "after its first second of records".to_string(),
            Some(s) => format!("after {} of records", human_duration(s)),
        }
    }

    /// The streams, with a problem note for every kind of sample dropped.
    pub fn finish(self, problems: &mut Vec<String>) -> Streams {
        let backwards = self.builder.out_of_order + self.before_start;
        if backwards > 0 {
            problems.push(left_out(
                backwards,
                "record",
                "dated earlier than the one before",
            ));
        }
        if self.too_late > 0 {
            problems.push(left_out(
                self.too_late,
                "record",
                "dated more than a century after the start",
            ));
        }
        if self.over_limit > 0 {
            problems.push(format!(
                "the file holds more than {MAX_SAMPLES} samples (8 days at one a second); {}",
                left_out(self.over_limit, "record", "after that")
            ));
        }
        self.builder.finish()
    }
}

/// "1 record" / "12 records".
pub(crate) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// "1 record without a time was left out", "3 … were left out".
pub(crate) fn left_out(n: usize, what: &str, which: &str) -> String {
    let verb = if n == 1 { "was" } else { "were" };
    format!("{} {which} {verb} left out", plural(n, what))
}

/// A note when laps were dropped for [`MAX_LAPS`].
pub(crate) fn laps_dropped(n: usize) -> Option<String> {
    (n > 0).then(|| format!("the file holds more than {MAX_LAPS} laps; the last {n} were left out"))
}

/// Unix seconds as a UTC date and time.
pub(crate) fn utc(unix_s: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(unix_s, 0).map(|d| d.naive_utc())
}

/// "42 s", "12 min", "1 h 12 min".
pub(crate) fn human_duration(s: u32) -> String {
    let (h, m) = (s / 3600, s % 3600 / 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Native units are exact integers, and impossible values are missing.
    #[test]
    fn si_values_become_native_integers() {
        assert_eq!(native(ChannelKind::Speed, 8.125), Some(8125));
        assert_eq!(native(ChannelKind::Distance, 1234.56), Some(123456));
        assert_eq!(native(ChannelKind::Altitude, -12.3), Some(-1230));
        assert_eq!(native(ChannelKind::Temperature, -4.6), Some(-5));
        assert_eq!(native(ChannelKind::HeartRate, -1.0), None);
        assert_eq!(native(ChannelKind::Power, f64::NAN), None);
        assert_eq!(native(ChannelKind::Distance, 1e12), None);
    }

    // The duration in a problem note reads like a person would say it.
    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(42), "42 s");
        assert_eq!(human_duration(12 * 60 + 5), "12 min");
        assert_eq!(human_duration(3600), "1 h");
        assert_eq!(human_duration(4320), "1 h 12 min");
    }

    // Samples share one time base; earlier ones are dropped and noted,
    // same-second ones merge.
    #[test]
    fn samples_are_relative_to_the_first() {
        let mut s = Samples::new();
        let mut v = Values::default();
        v.set(ChannelKind::Power, Some(200));
        s.push(1_000, &v);
        s.push(1_000, &Values::default());
        s.push(999, &v);
        s.push(1_005, &v);
        assert_eq!(s.progress(), "after 5 s of records");
        let mut problems = Vec::new();
        let streams = s.finish(&mut problems);
        assert_eq!(streams.time_s(), &[0, 5]);
        assert_eq!(
            problems,
            ["1 record dated earlier than the one before was left out"]
        );
    }
}
