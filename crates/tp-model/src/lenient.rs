//! Field deserializers that never fail.
//!
//! TrainingPeaks' internal API is not a contract: numbers arrive as numbers,
//! as strings (`"12.5"`), as the string `"NaN"`, as `null`, or not at all, and
//! a field's type has been seen to change between releases. A workout list of
//! five hundred entries must not be lost because one field of one entry was
//! odd, so every field goes through one of these functions: anything that is
//! not a usable value becomes `None` (or the type's default), never an error.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A finite number from a JSON number or numeric string; `None` for `null`,
/// `"NaN"`, `"Infinity"`, empty strings, booleans, objects and anything else.
pub fn number(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// An integer from a JSON integer, an integral float or a numeric string.
pub fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// A non-empty string; numbers are rendered, other types are dropped.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A boolean from `true`/`false`, `"true"`/`"false"` or `0`/`1`.
pub fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// A calendar day from `"YYYY-MM-DD"` or `"YYYY-MM-DDTHH:MM:SS[.fff][Z]"`.
/// TrainingPeaks' `workoutDay` is the athlete's local calendar day, so only the
/// date part is read; no time zone conversion happens.
pub fn date(value: &Value) -> Option<NaiveDate> {
    let s = value.as_str()?.trim();
    let day = s.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// A local date-time from `"YYYY-MM-DDTHH:MM:SS"` (fractional seconds and a
/// trailing `Z` tolerated).
pub fn datetime(value: &Value) -> Option<NaiveDateTime> {
    let s = value.as_str()?.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

macro_rules! lenient_fn {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $conv:expr) => {
        $(#[$doc])*
        pub fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            let value = Value::deserialize(d)?;
            Ok($conv(&value))
        }
    };
}

/// `#[serde(deserialize_with = ...)]` adapters over the functions above.
pub mod de {
    use super::*;

    lenient_fn!(
        /// `Option<f64>` via [`number`].
        f64_opt, Option<f64>, number);
    lenient_fn!(
        /// `Option<i64>` via [`integer`].
        i64_opt, Option<i64>, integer);
    lenient_fn!(
        /// `i64`, 0 when unusable.
        i64_or_zero, i64, |v| integer(v).unwrap_or(0));
    lenient_fn!(
        /// `Option<String>` via [`text`].
        string_opt, Option<String>, text);
    lenient_fn!(
        /// `Option<bool>` via [`boolean`].
        bool_opt, Option<bool>, boolean);
    lenient_fn!(
        /// `bool`, false when unusable.
        bool_or_false, bool, |v| boolean(v).unwrap_or(false));
    lenient_fn!(
        /// `Option<NaiveDate>` via [`date`].
        date_opt, Option<NaiveDate>, date);
    lenient_fn!(
        /// `Option<NaiveDateTime>` via [`datetime`].
        datetime_opt, Option<NaiveDateTime>, datetime);

    /// A list whose elements are parsed one by one; elements that do not
    /// parse are skipped instead of failing the whole list. A non-list value
    /// gives an empty list.
    pub fn vec_skip_bad<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::de::DeserializeOwned,
    {
        let value = Value::deserialize(d)?;
        Ok(match value {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|item| serde_json::from_value(item).ok())
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// A JSON list read element by element into `T`; elements that are not a
/// `T` (a string among objects, say) are skipped instead of failing the whole
/// list, and no intermediate JSON tree of the list is built.
#[derive(Debug, Clone, PartialEq)]
pub struct SkipBad<T>(pub Vec<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for SkipBad<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for Visit<T> {
            type Value = SkipBad<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element::<MaybeItem<T>>()? {
                    if let MaybeItem::Item(t) = item {
                        out.push(t);
                    }
                }
                Ok(SkipBad(out))
            }
        }
        d.deserialize_seq(Visit(std::marker::PhantomData))
    }
}

/// One element: a `T`, or anything else (ignored).
enum MaybeItem<T> {
    Item(T),
    Other,
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for MaybeItem<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Objects are read as T directly; anything else is skipped.
        let value = Value::deserialize(d)?;
        Ok(match value {
            Value::Object(_) => {
                serde_json::from_value(value).map_or(MaybeItem::Other, MaybeItem::Item)
            }
            _ => MaybeItem::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_accept_numbers_and_numeric_strings_only() {
        assert_eq!(number(&json!(12.5)), Some(12.5));
        assert_eq!(number(&json!(3)), Some(3.0));
        assert_eq!(number(&json!("7.25")), Some(7.25));
        assert_eq!(number(&json!("NaN")), None);
        assert_eq!(number(&json!("Infinity")), None);
        assert_eq!(number(&json!("")), None);
        assert_eq!(number(&json!(null)), None);
        assert_eq!(number(&json!(true)), None);
        assert_eq!(number(&json!({"a": 1})), None);
    }

    #[test]
    fn integers_accept_integral_floats_and_strings() {
        assert_eq!(integer(&json!(42)), Some(42));
        assert_eq!(integer(&json!(42.0)), Some(42));
        assert_eq!(integer(&json!(42.5)), None);
        assert_eq!(integer(&json!("17")), Some(17));
        assert_eq!(integer(&json!("NaN")), None);
    }

    #[test]
    fn dates_read_the_calendar_day_only() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(date(&json!("2026-03-09T00:00:00")), Some(d));
        assert_eq!(date(&json!("2026-03-09")), Some(d));
        assert_eq!(date(&json!("2026-03-09T23:59:59Z")), Some(d));
        assert_eq!(date(&json!("03/09/2026")), None);
        assert_eq!(date(&json!(20260309)), None);
        let dt = datetime(&json!("2026-03-09T06:30:15")).unwrap();
        assert_eq!(dt.to_string(), "2026-03-09 06:30:15");
        assert!(datetime(&json!("2026-03-09T06:30:15.250Z")).is_some());
    }

    #[test]
    fn booleans_and_text() {
        assert_eq!(boolean(&json!("true")), Some(true));
        assert_eq!(boolean(&json!(0)), Some(false));
        assert_eq!(boolean(&json!("yes")), None);
        assert_eq!(text(&json!("  ")), None);
        assert_eq!(text(&json!(5)), Some("5".into()));
    }

    #[test]
    fn lists_skip_bad_elements() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct P {
            #[serde(default, deserialize_with = "de::f64_opt")]
            x: Option<f64>,
        }
        let l: SkipBad<P> =
            serde_json::from_str(r#"[{"x": 1}, "junk", 3, {"x": "NaN"}, null]"#).unwrap();
        assert_eq!(l.0, vec![P { x: Some(1.0) }, P { x: None }]);
        assert!(serde_json::from_str::<SkipBad<P>>(r#"{"not": "a list"}"#).is_err());
    }

    proptest::proptest! {
        /// Whatever JSON arrives, the number reader never yields NaN or ±inf.
        #[test]
        fn number_is_always_finite_or_none(f in proptest::num::f64::ANY, s in ".*") {
            if let Some(n) = number(&json!(f)) { proptest::prop_assert!(n.is_finite()); }
            if let Some(n) = number(&json!(s)) { proptest::prop_assert!(n.is_finite()); }
        }
    }
}
