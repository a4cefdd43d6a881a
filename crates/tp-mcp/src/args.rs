//! Reading tool arguments: dates, ranges, day counts and sports, with errors
//! that name the argument and say what is expected.
//!
//! Models make small mistakes ("30" for 30, "2026-2-3" for a date); what can
//! be read unambiguously is accepted, anything else is an [`ArgError`] the
//! model can correct from the message alone.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Deserializer};
use tp_model::Sport;

/// The longest range any tool accepts, in days (about 30 years).
pub const MAX_RANGE_DAYS: i64 = 11_000;

/// A bad argument: which one, and what to send instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("Invalid argument `{argument}`: {message}")]
pub struct ArgError {
    pub argument: String,
    pub message: String,
}

impl ArgError {
    pub fn new(argument: impl Into<String>, message: impl Into<String>) -> ArgError {
        ArgError {
            argument: argument.into(),
            message: message.into(),
        }
    }
}

/// Parses a `YYYY-MM-DD` date (single-digit month/day tolerated).
pub fn date(argument: &str, value: &str) -> Result<NaiveDate, ArgError> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|d| (1990..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            ArgError::new(
                argument,
                format!("expected a date as YYYY-MM-DD (e.g. 2026-03-14), got {value:?}"),
            )
        })
}

/// An optional date argument.
pub fn opt_date(argument: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ArgError> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| date(argument, v))
        .transpose()
}

/// A day count in `1..=max`.
pub fn days(argument: &str, value: i64, max: i64) -> Result<u64, ArgError> {
    if value < 1 || value > max {
        return Err(ArgError::new(
            argument,
            format!("expected a whole number of days from 1 to {max}, got {value}"),
        ));
    }
    Ok(value as u64)
}

/// A result limit in `1..=max`.
pub fn limit(argument: &str, value: i64, max: i64) -> Result<usize, ArgError> {
    if value < 1 || value > max {
        return Err(ArgError::new(
            argument,
            format!("expected a number from 1 to {max}, got {value}"),
        ));
    }
    Ok(value as usize)
}

/// An inclusive date range from optional `start_date`/`end_date` and a
/// default length: the end defaults to `default_end`, the start to
/// `end − (default_days − 1)`. Inverted and absurdly long ranges are refused.
pub fn range(
    start: Option<&str>,
    end: Option<&str>,
    default_end: NaiveDate,
    default_days: u64,
) -> Result<(NaiveDate, NaiveDate), ArgError> {
    let end_date = opt_date("end_date", end)?.unwrap_or(default_end);
    let start_date = match opt_date("start_date", start)? {
        Some(s) => s,
        None => first_of_last_days(end_date, default_days),
    };
    check_range(start_date, end_date)?;
    Ok((start_date, end_date))
}

/// The first of the `days` days ending on `end` inclusive: `end − (days − 1)`.
pub fn first_of_last_days(end: NaiveDate, days: u64) -> NaiveDate {
    end.checked_sub_days(Days::new(days.saturating_sub(1)))
        .unwrap_or(end)
}

/// Refuses inverted and over-long ranges.
pub fn check_range(start: NaiveDate, end: NaiveDate) -> Result<(), ArgError> {
    if start > end {
        return Err(ArgError::new(
            "start_date",
            format!(
                "start_date {start} is after end_date {end}; swap them or move start_date earlier"
            ),
        ));
    }
    if (end - start).num_days() >= MAX_RANGE_DAYS {
        return Err(ArgError::new(
            "start_date",
            format!("the range {start} to {end} is longer than {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok(())
}

/// A sport name ("Bike", "run", "cycling", ...).
pub fn sport(argument: &str, value: &str) -> Result<Sport, ArgError> {
    Sport::parse(value).ok_or_else(|| {
        let names: Vec<&str> = tp_model::sport::NAMED_SPORTS
            .iter()
            .map(|s| s.name())
            .collect();
        ArgError::new(
            argument,
            format!("unknown sport {value:?}; use one of {}", names.join(", ")),
        )
    })
}

/// Deserializes an integer from a JSON number or a numeric string (`"30"`).
/// Fractions and other types fail with a message naming the expectation.
pub fn lenient_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match &v {
        serde_json::Value::Null => Ok(None),
        other => tp_model::lenient::integer(other).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a whole number, got {other}"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(date("start_date", "2026-03-04").unwrap(), d("2026-03-04"));
        assert_eq!(date("start_date", "2026-3-4").unwrap(), d("2026-03-04"));
        let e = date("start_date", "2026-13-01").unwrap_err();
        assert_eq!(e.argument, "start_date");
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        assert!(date("end_date", "yesterday").is_err());
        assert!(date("end_date", "0001-01-01").is_err());
    }

    #[test]
    fn ranges_default_and_refuse_inversion() {
        let today = d("2026-11-24");
        assert_eq!(
            range(None, None, today, 30).unwrap(),
            (d("2026-10-26"), today)
        );
        assert_eq!(
            range(Some("2026-01-01"), None, today, 30).unwrap(),
            (d("2026-01-01"), today)
        );
        let e = range(Some("2026-05-01"), Some("2026-04-01"), today, 30).unwrap_err();
        assert!(e.message.contains("after"), "{e}");
        assert!(range(Some("1991-01-01"), Some("2099-01-01"), today, 30).is_err());
    }

    #[test]
    fn day_counts_and_limits() {
        assert_eq!(days("days", 42, 3650).unwrap(), 42);
        assert!(days("days", 0, 3650).is_err());
        assert!(
            days("days", -5, 3650)
                .unwrap_err()
                .to_string()
                .contains("-5")
        );
        assert!(days("days", 100_000, 3650).is_err());
        assert!(limit("limit", 0, 500).is_err());
    }

    #[test]
    fn sports() {
        assert_eq!(sport("sport", "cycling").unwrap(), Sport::Bike);
        let e = sport("sport", "chess").unwrap_err();
        assert!(
            e.message.contains("Bike") && e.message.contains("chess"),
            "{e}"
        );
    }
}
