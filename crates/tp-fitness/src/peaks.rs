//! Personal records: the best per record type, and the names of the types.
//!
//! TrainingPeaks names a record type two ways: the per-sport ranking
//! endpoint takes a `prType` query (`power5min`), per-workout records carry
//! a `class` and `type` (`Power`, `Pr5Minutes`). The table lives in
//! [`tp_model::pr_types`]; this module adds human labels ("5 min power")
//! and picks the best record per (class, type) from per-workout records.

use crate::num::usable;
use chrono::NaiveDate;
use serde::Serialize;
use tp_model::pr_types::{self, PrClass, PrSport, PrType};
use tp_model::{PersonalRecord, RankedPeak};

pub use tp_model::pr_types::{pr_type_by_query, pr_type_by_record};

/// The `prType` values the ranking endpoint accepts for a sport (tp-api.md):
/// Bike — power and heart rate over 5 s … 90 min; Run — heart rate and speed
/// over 400 m … 50 km.
pub fn pr_types_for(sport: PrSport) -> Vec<PrType> {
    pr_types::pr_types_for(sport)
}

/// The `prType` query value for a per-workout record (`Power`, `Pr5Minutes` → `power5min`).
pub fn query_for_record(class: PrClass, record_type: &str) -> Option<&'static str> {
    pr_type_by_record(class, record_type).map(|t| t.query)
}

/// The per-workout (class, `type`) for a `prType` query (`power5min` → `Power`, `Pr5Minutes`).
pub fn record_for_query(query: &str) -> Option<(PrClass, &'static str)> {
    pr_type_by_query(query).map(|t| (t.class, t.record_type))
}

/// What a class's values are measured in.
pub fn unit_of(class: PrClass) -> &'static str {
    match class {
        PrClass::Power => "W",
        PrClass::HeartRate => "bpm",
        PrClass::Speed => "m/s",
    }
}

/// A label people read: "5 min power", "20 min heart rate", "5 km speed";
/// an unknown type keeps TrainingPeaks' spelling ("Pr7Minutes power").
pub fn human_label(class: PrClass, record_type: &str) -> String {
    let what = match class {
        PrClass::Power => "power",
        PrClass::HeartRate => "heart rate",
        PrClass::Speed => "speed",
    };
    match pr_type_by_record(class, record_type) {
        Some(t) => format!("{} {what}", t.label),
        None => format!("{record_type} {what}"),
    }
}

/// Which records to consider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordScope {
    /// Only records ranked 1 in the "All-Time" time frame: records that are
    /// still the athlete's all-time best.
    AllTimeBest,
    /// Every valid record, whatever its time frame and rank.
    All,
}

/// The best record of one (class, type).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BestRecord {
    pub class: PrClass,
    /// TrainingPeaks' type, e.g. "Pr5Minutes".
    pub record_type: String,
    /// The `prType` query value, when the type is known, e.g. "power5min".
    pub query: Option<&'static str>,
    /// e.g. "5 min power".
    pub label: String,
    /// W, bpm or m/s.
    pub value: f64,
    pub unit: &'static str,
    /// Seconds (power, HR) or metres (speed), when the type is known.
    pub span: Option<f64>,
    /// For speed records: the time over the distance, seconds.
    pub duration_s: Option<f64>,
    pub workout_id: Option<i64>,
    pub workout_date: Option<NaiveDate>,
    pub workout_title: Option<String>,
    pub time_frame: Option<String>,
    pub rank: Option<i64>,
}

/// The best records and what was left out.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PeakSummary {
    pub scope: RecordScope,
    /// Sorted by class (power, heart rate, speed), then duration/distance.
    pub records: Vec<BestRecord>,
    /// Records that passed the filters.
    pub considered: u32,
    /// Records flagged invalid, without a value, or of an unknown class.
    pub skipped: u32,
}

fn is_all_time(frame: Option<&str>) -> bool {
    frame.is_some_and(|f| {
        let key: String = f.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        key.eq_ignore_ascii_case("alltime")
    })
}

/// The best value per (class, type) — the highest, for watts, bpm and m/s
/// alike — among `records` in `scope`, optionally of one class only. A tie
/// keeps the earlier workout.
pub fn best_records(
    records: &[PersonalRecord],
    scope: RecordScope,
    class: Option<PrClass>,
) -> PeakSummary {
    let mut best: Vec<BestRecord> = Vec::new();
    let (mut considered, mut skipped) = (0u32, 0u32);
    for r in records {
        let parsed = r.class.as_deref().and_then(PrClass::parse);
        let (Some(c), Some(rt), Some(value)) = (parsed, r.record_type.as_deref(), usable(r.value))
        else {
            skipped += 1;
            continue;
        };
        if r.invalid {
            skipped += 1;
            continue;
        }
        if class.is_some_and(|want| want != c) {
            continue;
        }
        if scope == RecordScope::AllTimeBest
            && !(is_all_time(r.time_frame.as_deref()) && r.rank == Some(1))
        {
            continue;
        }
        considered += 1;
        let known = pr_type_by_record(c, rt);
        let candidate = BestRecord {
            class: c,
            record_type: known.map_or_else(|| rt.to_owned(), |t| t.record_type.to_owned()),
            query: known.map(|t| t.query),
            label: human_label(c, rt),
            value,
            unit: unit_of(c),
            span: known.map(|t| t.span),
            duration_s: known
                .filter(|t| t.class == PrClass::Speed)
                .and_then(|t| crate::num::per_positive(t.span, value)),
            workout_id: r.workout_id,
            workout_date: r.workout_date,
            workout_title: r.workout_title.clone(),
            time_frame: r.time_frame.clone(),
            rank: r.rank,
        };
        match best
            .iter_mut()
            .find(|b| b.class == c && b.record_type.eq_ignore_ascii_case(&candidate.record_type))
        {
            Some(b) => {
                let better = value > b.value
                    || (value == b.value
                        && candidate.workout_date.is_some()
                        && (b.workout_date.is_none() || candidate.workout_date < b.workout_date));
                if better {
                    *b = candidate;
                }
            }
            None => best.push(candidate),
        }
    }
    best.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(
                a.span
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.span.unwrap_or(f64::MAX)),
            )
            .then(a.record_type.cmp(&b.record_type))
    });
    PeakSummary {
        scope,
        records: best,
        considered,
        skipped,
    }
}

/// The top of a per-sport ranking: the entry ranked 1, else the highest
/// value. `None` when no entry has a value.
pub fn top_ranked(peaks: &[RankedPeak]) -> Option<&RankedPeak> {
    let valued = || peaks.iter().filter(|p| usable(p.value).is_some());
    valued().find(|p| p.rank == Some(1)).or_else(|| {
        valued().fold(None, |acc: Option<&RankedPeak>, p| match acc {
            Some(a) if a.value >= p.value => Some(a),
            _ => Some(p),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(
        class: &str,
        ty: &str,
        value: f64,
        frame: &str,
        rank: i64,
        id: i64,
        day: u32,
    ) -> PersonalRecord {
        PersonalRecord {
            workout_id: Some(id),
            workout_date: NaiveDate::from_ymd_opt(2026, 5, day),
            workout_title: Some(format!("w{id}")),
            class: Some(class.into()),
            record_type: Some(ty.into()),
            time_frame: Some(frame.into()),
            value: Some(value),
            rank: Some(rank),
            ..PersonalRecord::default()
        }
    }

    #[test]
    fn labels_and_name_mapping() {
        assert_eq!(human_label(PrClass::Power, "Pr5Minutes"), "5 min power");
        assert_eq!(
            human_label(PrClass::HeartRate, "Pr20Minutes"),
            "20 min heart rate"
        );
        assert_eq!(human_label(PrClass::Speed, "Pr5Kilometer"), "5 km speed");
        assert_eq!(
            human_label(PrClass::Power, "Pr7Minutes"),
            "Pr7Minutes power"
        );
        assert_eq!(
            query_for_record(PrClass::Power, "Pr5Minutes"),
            Some("power5min")
        );
        assert_eq!(
            record_for_query("power5min"),
            Some((PrClass::Power, "Pr5Minutes"))
        );
        assert_eq!(
            record_for_query("hR90min"),
            Some((PrClass::HeartRate, "Pr90Minutes"))
        );
        assert_eq!(pr_types_for(PrSport::Bike).len(), 14);
        assert_eq!(pr_types_for(PrSport::Run).len(), 18);
    }

    #[test]
    fn best_per_class_and_type() {
        let mut invalid = rec("Power", "Pr5Minutes", 999.0, "All-Time", 1, 9, 9);
        invalid.invalid = true;
        let records = vec![
            rec("Power", "Pr5Minutes", 320.0, "All-Time", 1, 1, 1),
            rec("Power", "Pr5Minutes", 330.0, "Last 90 Days", 1, 2, 2),
            rec("Power", "Pr20Minutes", 280.0, "All-Time", 1, 3, 3),
            rec("Power", "Pr20Minutes", 285.0, "All-Time", 2, 4, 4), // odd but possible: not rank 1
            rec("HeartRate", "Pr5Minutes", 178.0, "All-Time", 1, 5, 5),
            rec("Speed", "Pr5Kilometer", 4.0, "all time", 1, 6, 6),
            invalid,
            PersonalRecord {
                class: Some("Cadence".into()),
                record_type: Some("X".into()),
                value: Some(1.0),
                ..PersonalRecord::default()
            },
        ];
        let s = best_records(&records, RecordScope::AllTimeBest, None);
        let got: Vec<_> = s
            .records
            .iter()
            .map(|r| (r.label.as_str(), r.value, r.workout_id))
            .collect();
        assert_eq!(
            got,
            vec![
                ("5 min power", 320.0, Some(1)),
                ("20 min power", 280.0, Some(3)),
                ("5 min heart rate", 178.0, Some(5)),
                ("5 km speed", 4.0, Some(6)),
            ]
        );
        assert_eq!((s.considered, s.skipped), (4, 2));
        assert_eq!(s.records[3].duration_s, Some(1250.0)); // 5000 m at 4 m/s
        assert_eq!(s.records[0].query, Some("power5min"));

        let all = best_records(&records, RecordScope::All, Some(PrClass::Power));
        let got: Vec<_> = all
            .records
            .iter()
            .map(|r| (r.record_type.as_str(), r.value))
            .collect();
        assert_eq!(got, vec![("Pr5Minutes", 330.0), ("Pr20Minutes", 285.0)]);
        assert!(best_records(&[], RecordScope::All, None).records.is_empty());
    }

    #[test]
    fn top_of_a_ranking() {
        let p = |rank, value| RankedPeak {
            rank,
            value,
            ..RankedPeak::default()
        };
        let list = [
            p(Some(2), Some(300.0)),
            p(Some(1), Some(310.0)),
            p(None, None),
        ];
        assert_eq!(top_ranked(&list).unwrap().value, Some(310.0));
        let unranked = [p(None, Some(250.0)), p(None, Some(260.0)), p(None, None)];
        assert_eq!(top_ranked(&unranked).unwrap().value, Some(260.0));
        assert_eq!(top_ranked(&[]), None);
    }
}
