//! Which days of a dataset are in the cache: merged inclusive date intervals.
//!
//! Coverage, not "last sync date", decides what to fetch: a question about
//! March 2023 fetches only the days of March 2023 not yet covered, in the
//! fewest 90-day windows, and never again until they go stale.

use chrono::NaiveDate;

/// An inclusive range of days.
pub type Span = (NaiveDate, NaiveDate);

/// Adds `span` to sorted, merged `spans`, merging overlapping and adjacent ones.
pub fn merge(spans: &[Span], span: Span) -> Vec<Span> {
    let mut all: Vec<Span> = spans.to_vec();
    all.push(span);
    all.sort();
    let mut out: Vec<Span> = Vec::with_capacity(all.len());
    for (s, e) in all {
        match out.last_mut() {
            Some((_, last_end)) if last_end.succ_opt().is_none_or(|next| s <= next) => {
                if e > *last_end {
                    *last_end = e;
                }
            }
            _ => out.push((s, e)),
        }
    }
    out
}

/// The parts of `want` not covered by `spans`, oldest first.
pub fn gaps(spans: &[Span], want: Span) -> Vec<Span> {
    let (mut from, end) = want;
    let mut out = Vec::new();
    if from > end {
        return out;
    }
    for &(s, e) in spans {
        if e < from {
            continue;
        }
        if s > end {
            break;
        }
        if s > from {
            out.push((from, s.pred_opt().unwrap_or(s)));
        }
        match e.succ_opt() {
            Some(next) if e < end => from = next,
            _ => return out,
        }
    }
    out.push((from, end));
    out
}

/// Drops coverage of `day` and everything after it (the days that may have
/// changed since they were fetched).
pub fn truncate_from(spans: &[Span], day: NaiveDate) -> Vec<Span> {
    spans
        .iter()
        .filter(|(s, _)| *s < day)
        .map(|&(s, e)| {
            (
                s,
                if e >= day {
                    day.pred_opt().unwrap_or(s)
                } else {
                    e
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn merging_joins_overlapping_and_adjacent_spans() {
        let s = merge(&[], (d("2026-01-10"), d("2026-01-20")));
        let s = merge(&s, (d("2026-01-21"), d("2026-01-25")));
        assert_eq!(s, vec![(d("2026-01-10"), d("2026-01-25"))]);
        let s = merge(&s, (d("2026-02-01"), d("2026-02-03")));
        let s = merge(&s, (d("2026-01-01"), d("2026-01-12")));
        assert_eq!(
            s,
            vec![
                (d("2026-01-01"), d("2026-01-25")),
                (d("2026-02-01"), d("2026-02-03"))
            ]
        );
    }

    #[test]
    fn gaps_are_what_is_missing() {
        let s = vec![
            (d("2026-01-10"), d("2026-01-20")),
            (d("2026-02-01"), d("2026-02-10")),
        ];
        assert_eq!(gaps(&s, (d("2026-01-12"), d("2026-01-15"))), vec![]);
        assert_eq!(
            gaps(&s, (d("2026-01-01"), d("2026-02-28"))),
            vec![
                (d("2026-01-01"), d("2026-01-09")),
                (d("2026-01-21"), d("2026-01-31")),
                (d("2026-02-11"), d("2026-02-28"))
            ]
        );
        assert_eq!(
            gaps(&[], (d("2026-01-01"), d("2026-01-02"))),
            vec![(d("2026-01-01"), d("2026-01-02"))]
        );
        assert_eq!(
            gaps(&s, (d("2026-01-20"), d("2026-02-01"))),
            vec![(d("2026-01-21"), d("2026-01-31"))]
        );
    }

    #[test]
    fn truncation_forgets_recent_days() {
        let s = vec![
            (d("2026-01-10"), d("2026-01-20")),
            (d("2026-02-01"), d("2026-02-10")),
        ];
        assert_eq!(
            truncate_from(&s, d("2026-01-15")),
            vec![(d("2026-01-10"), d("2026-01-14"))]
        );
        assert_eq!(truncate_from(&s, d("2026-01-10")), vec![]);
        assert_eq!(truncate_from(&s, d("2026-03-01")), s);
    }
}

/// The datasets whose coverage is tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// The workouts list (90-day windows).
    Workouts,
    /// Daily performance data.
    Daily,
}

impl Dataset {
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Workouts => "workouts",
            Dataset::Daily => "daily",
        }
    }
}

impl crate::Store {
    /// The covered spans of a dataset, sorted and merged.
    pub fn coverage(&self, dataset: Dataset) -> Result<Vec<Span>, crate::StoreError> {
        self.with(|c| read_spans(c, dataset))
    }

    /// Forgets coverage of `day` and later (they will be fetched again).
    pub fn forget_from(&self, dataset: Dataset, day: NaiveDate) -> Result<(), crate::StoreError> {
        self.write(|tx| {
            let spans = truncate_from(&read_spans(tx, dataset)?, day);
            write_spans(tx, dataset, &spans)?;
            Ok(())
        })
    }
}

pub(crate) fn read_spans(
    c: &rusqlite::Connection,
    dataset: Dataset,
) -> rusqlite::Result<Vec<Span>> {
    let mut stmt = c.prepare_cached(
        "SELECT start_day, end_day FROM coverage WHERE dataset = ?1 ORDER BY start_day",
    )?;
    let rows = stmt.query_map([dataset.name()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (s, e) = row?;
        if let (Ok(s), Ok(e)) = (s.parse(), e.parse()) {
            out.push((s, e));
        }
    }
    Ok(out)
}

pub(crate) fn write_spans(
    c: &rusqlite::Connection,
    dataset: Dataset,
    spans: &[Span],
) -> rusqlite::Result<()> {
    c.execute("DELETE FROM coverage WHERE dataset = ?1", [dataset.name()])?;
    let mut stmt =
        c.prepare_cached("INSERT INTO coverage (dataset, start_day, end_day) VALUES (?1, ?2, ?3)")?;
    for (s, e) in spans {
        stmt.execute((dataset.name(), s.to_string(), e.to_string()))?;
    }
    Ok(())
}

/// Adds a span to a dataset's coverage inside an open transaction.
pub(crate) fn add_span(
    c: &rusqlite::Connection,
    dataset: Dataset,
    span: Span,
) -> rusqlite::Result<()> {
    let spans = merge(&read_spans(c, dataset)?, span);
    write_spans(c, dataset, &spans)
}
