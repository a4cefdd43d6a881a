//! A range's mean-maximal curve: the best of its workouts' curves, at the
//! durations asked for.
//!
//! **What a point is.** For a duration `d`, the highest average held for
//! *at least* `d` seconds in any workout of the range: the exact best of
//! every window of `d` seconds or longer (`window_s` says which length won;
//! it is `d` itself except in the rare case where a longer effort averaged
//! more — values 10, 0, 10 have a best 2 s of 5 but a best 3 s of 6.7, and
//! the 2-s point then shows the 3-s window). That is how GoldenCheetah and
//! WKO draw a power curve (never rising with duration), and it is exact:
//! no duration is interpolated from its neighbours. Ties go to the earlier
//! workout, as TrainingPeaks ranks records.

use chrono::NaiveDate;
use serde::Serialize;
use tp_model::{CurveEnvelope, EnvelopeEntry, MeanMaxCurve};

/// The standard durations of a power curve (seconds): 1 s to 2 h.
pub const STANDARD_DURATIONS: [u32; 27] = [
    1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200,
    1800, 2400, 3600, 4500, 5400, 7200,
];

/// One workout's curve in a range.
#[derive(Debug, Clone, Copy)]
pub struct WorkoutCurve<'a> {
    pub workout_id: i64,
    pub date: NaiveDate,
    pub curve: &'a MeanMaxCurve,
}

/// The best average held for at least `duration_s` seconds in the range.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CurvePoint {
    pub duration_s: u32,
    /// The average, in the channel's native unit (W, bpm, mm/s).
    pub value: f64,
    /// The window that achieved it (seconds, ≥ `duration_s`).
    pub window_s: u32,
    pub workout_id: i64,
    pub date: NaiveDate,
}

/// A candidate: exact sum over a window, compared by average without
/// rounding (`a/b > c/d` as `a·d > c·b`).
#[derive(Debug, Clone, Copy)]
struct Best {
    sum: i64,
    window: u32,
}

impl Best {
    fn beats(self, other: Best) -> bool {
        i128::from(self.sum) * i128::from(other.window)
            > i128::from(other.sum) * i128::from(self.window)
    }
}

/// A source of candidates, in chronological order: one workout's curve,
/// or a month's envelope (its workouts' best, already folded, with the
/// date of each workout found through `date_of`).
#[derive(Clone, Copy)]
pub enum CurveSource<'a> {
    Workout(WorkoutCurve<'a>),
    Envelope {
        envelope: &'a CurveEnvelope,
        date_of: &'a dyn Fn(i64) -> Option<NaiveDate>,
    },
}

/// The range's curve at `durations` (any order, any whole seconds): one
/// entry per requested duration, `None` where no workout lasted that long.
pub fn range_curve(curves: &[WorkoutCurve], durations: &[u32]) -> Vec<Option<CurvePoint>> {
    let sources: Vec<CurveSource> = curves.iter().copied().map(CurveSource::Workout).collect();
    range_curve_from(&sources, durations)
}

/// [`range_curve`] over workouts and month envelopes, given oldest first
/// (ties keep the earlier source).
pub fn range_curve_from(sources: &[CurveSource], durations: &[u32]) -> Vec<Option<CurvePoint>> {
    let mut best_at: Vec<Option<(Best, i64, NaiveDate)>> = vec![None; durations.len()];
    let mut offer = |slot: usize, candidate: Best, workout_id: i64, date: NaiveDate| {
        let better = match &best_at[slot] {
            None => true,
            // Strictly better: ties keep the earlier source.
            Some((b, _, _)) => candidate.beats(*b),
        };
        if better {
            best_at[slot] = Some((candidate, workout_id, date));
        }
    };
    for source in sources {
        match source {
            CurveSource::Workout(w) => {
                for (slot, candidate) in workout_candidates(w.curve, durations) {
                    offer(slot, candidate, w.workout_id, w.date);
                }
            }
            CurveSource::Envelope { envelope, date_of } => {
                for (slot, d) in durations.iter().enumerate() {
                    let Some(e) = (*d as usize)
                        .checked_sub(1)
                        .and_then(|i| envelope.entries.get(i))
                    else {
                        continue;
                    };
                    if let Some(date) = date_of(e.workout_id) {
                        offer(
                            slot,
                            Best {
                                sum: e.sum,
                                window: e.window_s,
                            },
                            e.workout_id,
                            date,
                        );
                    }
                }
            }
        }
    }
    best_at
        .into_iter()
        .enumerate()
        .map(|(slot, found)| {
            found.map(|(best, workout_id, date)| CurvePoint {
                duration_s: durations[slot],
                value: best.sum as f64 / f64::from(best.window),
                window_s: best.window,
                workout_id,
                date,
            })
        })
        .collect()
}

/// One workout's best held for at least each requested duration: (slot,
/// candidate) for the durations it lasted.
fn workout_candidates(curve: &MeanMaxCurve, durations: &[u32]) -> Vec<(usize, Best)> {
    let mut wanted: Vec<(usize, u32)> = durations.iter().copied().enumerate().collect();
    wanted.sort_by_key(|w| std::cmp::Reverse(w.1));
    let sums = &curve.best_sums;
    let mut out = Vec::with_capacity(wanted.len());
    // Walk down from the longest duration, carrying the best average of
    // any window at least this long.
    let mut carried: Option<Best> = None;
    let mut next = wanted.partition_point(|w| w.1 as usize > sums.len());
    let mut d = sums.len();
    while d >= 1 && next < wanted.len() {
        let here = Best {
            sum: sums[d - 1],
            window: d as u32,
        };
        if carried.is_none_or(|c| here.beats(c)) {
            carried = Some(here);
        }
        while next < wanted.len() && wanted[next].1 as usize == d {
            out.push((wanted[next].0, carried.expect("set above")));
            next += 1;
        }
        d -= 1;
    }
    out
}

/// The best held for at least every duration, over workouts given oldest
/// first (ties keep the earlier): what the store keeps per month.
pub fn envelope(curves: &[WorkoutCurve]) -> CurveEnvelope {
    let longest = curves
        .iter()
        .map(|w| w.curve.best_sums.len())
        .max()
        .unwrap_or(0);
    let mut entries: Vec<Option<EnvelopeEntry>> = vec![None; longest];
    for w in curves {
        let sums = &w.curve.best_sums;
        let mut carried: Option<Best> = None;
        for d in (1..=sums.len()).rev() {
            let here = Best {
                sum: sums[d - 1],
                window: d as u32,
            };
            if carried.is_none_or(|c| here.beats(c)) {
                carried = Some(here);
            }
            let c = carried.expect("set above");
            let better = match &entries[d - 1] {
                None => true,
                Some(e) => c.beats(Best {
                    sum: e.sum,
                    window: e.window_s,
                }),
            };
            if better {
                entries[d - 1] = Some(EnvelopeEntry {
                    sum: c.sum,
                    window_s: c.window,
                    workout_id: w.workout_id,
                });
            }
        }
    }
    CurveEnvelope {
        entries: entries.into_iter().flatten().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mean_max::mean_max_sums;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
    }

    // Proves the envelope rule on the module doc's example, ties to the
    // earlier workout, and None beyond every workout's length.
    #[test]
    fn at_least_d_seconds_and_ties_to_the_earlier() {
        let a = MeanMaxCurve {
            best_sums: mean_max_sums(&[10, 0, 10]),
        };
        let b = MeanMaxCurve {
            best_sums: mean_max_sums(&[10, 2]),
        };
        let curves = [
            WorkoutCurve {
                workout_id: 1,
                date: day(1),
                curve: &a,
            },
            WorkoutCurve {
                workout_id: 2,
                date: day(2),
                curve: &b,
            },
        ];
        let points = range_curve(&curves, &[2, 1, 3, 4]);
        let p2 = points[0].as_ref().unwrap();
        assert_eq!((p2.window_s, p2.workout_id), (3, 1));
        assert!((p2.value - 20.0 / 3.0).abs() < 1e-12);
        let p1 = points[1].as_ref().unwrap();
        assert_eq!(
            (p1.value, p1.workout_id, p1.window_s),
            (10.0, 1, 1),
            "tie: the earlier"
        );
        assert_eq!(points[2].as_ref().unwrap().window_s, 3);
        assert!(points[3].is_none());
    }

    proptest! {
        // Proves that folding workouts into month envelopes (in order)
        // answers exactly what the workouts themselves answer, ties and all.
        #[test]
        fn envelopes_answer_as_their_workouts(
            rides in proptest::collection::vec(proptest::collection::vec(0i64..60, 1..50), 1..8),
            split in 0usize..8,
        ) {
            let curves: Vec<MeanMaxCurve> = rides.iter().map(|r| MeanMaxCurve { best_sums: mean_max_sums(r) }).collect();
            let wc: Vec<WorkoutCurve> = curves.iter().enumerate()
                .map(|(i, c)| WorkoutCurve { workout_id: i as i64, date: day(1 + i as u32), curve: c })
                .collect();
            let split = split.min(wc.len());
            let (early, late) = wc.split_at(split);
            let (a, b) = (envelope(early), envelope(late));
            let date_of = |id: i64| Some(day(1 + id as u32));
            let sources = [
                CurveSource::Envelope { envelope: &a, date_of: &date_of },
                CurveSource::Envelope { envelope: &b, date_of: &date_of },
            ];
            let longest = rides.iter().map(Vec::len).max().unwrap() as u32;
            let durations: Vec<u32> = (1..=longest + 2).collect();
            prop_assert_eq!(range_curve_from(&sources, &durations), range_curve(&wc, &durations));
        }

        // Proves: a range's curve equals the maximum of its workouts'
        // curves; it never increases with duration; and each point is the
        // brute-force best over windows at least that long.
        #[test]
        fn range_is_the_max_of_its_workouts_and_never_rises(
            rides in proptest::collection::vec(proptest::collection::vec(0i64..1500, 1..120), 1..6),
        ) {
            let curves: Vec<MeanMaxCurve> = rides.iter().map(|r| MeanMaxCurve { best_sums: mean_max_sums(r) }).collect();
            let wc: Vec<WorkoutCurve> = curves.iter().enumerate()
                .map(|(i, c)| WorkoutCurve { workout_id: i as i64, date: day(1 + i as u32), curve: c })
                .collect();
            let longest = rides.iter().map(Vec::len).max().unwrap() as u32;
            let durations: Vec<u32> = (1..=longest).collect();
            let range = range_curve(&wc, &durations);
            let mut previous = f64::INFINITY;
            for (i, p) in range.iter().enumerate() {
                let p = p.as_ref().unwrap();
                prop_assert!(p.value <= previous + 1e-9);
                previous = p.value;
                let d = durations[i] as usize;
                // Brute force: every window of every ride at least d long.
                let mut best = f64::MIN;
                for r in &rides {
                    for len in d..=r.len() {
                        for s in 0..=r.len() - len {
                            best = best.max(r[s..s + len].iter().sum::<i64>() as f64 / len as f64);
                        }
                    }
                }
                prop_assert!((p.value - best).abs() < 1e-9);
                // And each workout alone is never above the range.
                for w in &wc {
                    if let Some(q) = range_curve(&[*w], &[durations[i]])[0].as_ref() {
                        prop_assert!(q.value <= p.value + 1e-9);
                    }
                }
            }
        }
    }
}
