//! TrainingPeaks' date spellings, in one place.
//!
//! TrainingPeaks writes calendar days as `YYYY-MM-DDT00:00:00` (a datetime at
//! local midnight, no zone) and start times as `YYYY-MM-DDTHH:MM:SS`. Paths
//! take plain `YYYY-MM-DD`; the sport-records query takes the midnight form.
//! The fake accepts both spellings wherever a date comes in, and always writes
//! the exact form TrainingPeaks writes.

use chrono::{NaiveDate, NaiveDateTime};

/// `2024-03-05` → `"2024-03-05T00:00:00"`, the form of `workoutDay`.
pub fn tp_day(date: NaiveDate) -> String {
    date.format("%Y-%m-%dT00:00:00").to_string()
}

/// A local start time in TrainingPeaks' form, `YYYY-MM-DDTHH:MM:SS`.
pub fn tp_datetime(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Parses `YYYY-MM-DD`, or `YYYY-MM-DDT…` (anything after the `T` is
/// ignored, as a calendar day is meant). `None` for anything else.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let day = text.split_once('T').map_or(text, |(day, _)| day);
    if day.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Parses `YYYY-MM-DDTHH:MM:SS` (fractional seconds allowed).
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// Serde adapter for `workoutDay`: a [`NaiveDate`] on the wire as
/// `YYYY-MM-DDT00:00:00`.
pub mod serde_day {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::tp_day(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_day(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a TrainingPeaks day: {text:?}")))
    }
}

/// Serde adapter for `startTime`: an optional [`chrono::NaiveDateTime`] on
/// the wire as `YYYY-MM-DDTHH:MM:SS` or `null`.
pub mod serde_datetime_opt {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&super::tp_datetime(*at)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::parse_datetime(&text).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("not a TrainingPeaks datetime: {text:?}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_parse_to_the_same_day() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(parse_day("2024-02-29"), Some(d));
        assert_eq!(parse_day("2024-02-29T00:00:00"), Some(d));
        assert_eq!(parse_day("2024-02-30"), None);
        assert_eq!(parse_day("24-02-29"), None);
        assert_eq!(tp_day(d), "2024-02-29T00:00:00");
    }
}
