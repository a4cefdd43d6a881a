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
use tp_model::MeanMaxCurve;

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

/// The range's curve at `durations` (any order, any whole seconds): one
/// entry per requested duration, `None` where no workout lasted that long.
pub fn range_curve(curves: &[WorkoutCurve], durations: &[u32]) -> Vec<Option<CurvePoint>> {
    let mut wanted: Vec<(usize, u32)> = durations.iter().copied().enumerate().collect();
    wanted.sort_by_key(|w| std::cmp::Reverse(w.1));
    let mut out: Vec<Option<CurvePoint>> = vec![None; durations.len()];
    let mut best_at: Vec<Option<(Best, i64, NaiveDate)>> = vec![None; durations.len()];
    for w in curves {
        let sums = &w.curve.best_sums;
        // Walk down from the longest duration, carrying the best average of
        // any window at least this long.
        let mut carried: Option<Best> = None;
        let mut next = 0;
        let mut d = sums.len();
        while next < wanted.len() && wanted[next].1 as usize > d {
            next += 1;
        }
        while d >= 1 && next < wanted.len() {
            let here = Best {
                sum: sums[d - 1],
                window: d as u32,
            };
            if carried.is_none_or(|c| here.beats(c)) {
                carried = Some(here);
            }
            while next < wanted.len() && wanted[next].1 as usize == d {
                let (slot, _) = wanted[next];
                let candidate = carried.expect("set above");
                let better = match &best_at[slot] {
                    None => true,
                    // Strictly better: ties keep the earlier workout
                    // (curves arrive oldest first).
                    Some((b, _, _)) => candidate.beats(*b),
                };
                if better {
                    best_at[slot] = Some((candidate, w.workout_id, w.date));
                }
                next += 1;
            }
            d -= 1;
        }
    }
    for (slot, found) in best_at.into_iter().enumerate() {
        if let Some((best, workout_id, date)) = found {
            out[slot] = Some(CurvePoint {
                duration_s: durations[slot],
                value: best.sum as f64 / f64::from(best.window),
                window_s: best.window,
                workout_id,
                date,
            });
        }
    }
    out
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
