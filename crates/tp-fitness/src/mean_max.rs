//! Exact mean-maximal curves: the best average of every duration.
//!
//! **What is computed.** For a channel (power, heart rate, speed) and every
//! whole number of seconds `d` from 1 to the longest stretch of recording,
//! the highest total of `d` consecutive seconds ([`mean_max_sums`]); divided
//! by `d` it is the exact best average (the "mean-maximal power" of
//! GoldenCheetah and WKO, Peronnet & Thibault 1989 for the idea). A window
//! never spans a gap ([`one_hz_stretches`]).
//!
//! **How, and why it is fast.** Directly: for every duration, every
//! window, as the difference of two prefix sums — 2.3·10⁸ windows for a
//! 6-hour ride. That is exact by construction, and fast because the inner
//! loop (subtract two shifted slices, keep the maximum) is a textbook SIMD
//! reduction, written with explicit instructions ([`crate::simd`]: AVX2 or
//! SSE4.1 picked at run time, NEON on ARM, plain Rust elsewhere) on 32-bit
//! sums whenever the stretch's total fits (it always does for real
//! recordings; 64-bit otherwise). Measured in `bench/RESULTS.md`: a 6-hour
//! ride in about 20 ms, a typical 90-minute one in about 1 ms. A
//! block-pruning variant (skip blocks of starts whose upper bound is below
//! the best so far) was tried and dropped: on steady rides it saved about
//! as much as it cost, on interval sessions (many near-equal windows) it
//! was slower than the direct scan.
//!
//! Monotonicity: the best average of `k·d` seconds never exceeds that of
//! `d` (a window of `k·d` splits into `k` windows of `d`); for durations
//! that are not multiples it can (values `[10, 0, 10]`: best 3 s is 6.7,
//! best 2 s is 5), and the curve reports the exact values.

use tp_model::MeanMaxCurve;

/// Samples up to this many seconds apart are one stretch (smart recording,
/// a dropped record): each value holds until the next sample. A longer step
/// is a gap (a pause, an auto-pause, a dropout): nothing is invented in it.
pub const MAX_HOLD_S: u32 = 5;

/// The channel on a 1 Hz grid, cut into stretches without a gap: samples
/// at most [`MAX_HOLD_S`] apart are continuous (a value holds until the
/// next sample); a longer step, or a sample without a value for this
/// channel, ends a stretch.
pub fn one_hz_stretches(time_s: &[u32], values: &[Option<i32>]) -> Vec<Vec<i64>> {
    let n = time_s.len().min(values.len());
    let mut out: Vec<Vec<i64>> = Vec::new();
    let mut current: Vec<i64> = Vec::new();
    for i in 0..n {
        let Some(v) = values[i] else {
            continue;
        };
        current.push(i64::from(v));
        let next_has_value = i + 1 < n && values[i + 1].is_some();
        let step = if i + 1 < n {
            time_s[i + 1].saturating_sub(time_s[i])
        } else {
            0
        };
        if next_has_value && (1..=MAX_HOLD_S).contains(&step) {
            // Continuous: the value holds for the seconds until the next sample.
            current.extend(std::iter::repeat_n(i64::from(v), step as usize - 1));
        } else {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

/// The exact mean-maximal curve of a channel: best sums for every duration
/// up to the longest stretch.
pub fn mean_max_curve(time_s: &[u32], values: &[Option<i32>]) -> MeanMaxCurve {
    let stretches = one_hz_stretches(time_s, values);
    let longest = stretches.iter().map(Vec::len).max().unwrap_or(0);
    let mut best = vec![i64::MIN; longest];
    for s in &stretches {
        for (b, v) in best.iter_mut().zip(mean_max_sums(s)) {
            *b = (*b).max(v);
        }
    }
    MeanMaxCurve { best_sums: best }
}

/// The best sum of `d` consecutive values, for every `d` from 1 to
/// `values.len()` (index `d − 1`).
pub fn mean_max_sums(values: &[i64]) -> Vec<i64> {
    let mut prefix = Vec::with_capacity(values.len() + 1);
    let mut acc = 0i64;
    prefix.push(0);
    for v in values {
        acc = acc.saturating_add(*v);
        prefix.push(acc);
    }
    let fits_i32 = prefix
        .iter()
        .all(|p| (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(p))
        && values.iter().all(|v| *v >= 0);
    if fits_i32 {
        let narrow: Vec<i32> = prefix.iter().map(|p| *p as i32).collect();
        best_sums_i32(&narrow).into_iter().map(i64::from).collect()
    } else {
        best_sums_i64(&prefix)
    }
}

/// For every `d`, the largest `prefix[i + d] − prefix[i]` (32-bit; the
/// caller checked that no difference overflows), the inner loop in SIMD
/// ([`crate::simd`]).
fn best_sums_i32(prefix: &[i32]) -> Vec<i32> {
    (1..prefix.len())
        .map(|d| crate::simd::max_difference(&prefix[d..], &prefix[..prefix.len() - d]))
        .collect()
}

/// The same on 64-bit sums (only for recordings no device writes).
fn best_sums_i64(prefix: &[i64]) -> Vec<i64> {
    (1..prefix.len())
        .map(|d| {
            let n = prefix.len() - d;
            prefix[d..]
                .iter()
                .zip(&prefix[..n])
                .map(|(end, start)| end.saturating_sub(*start))
                .fold(i64::MIN, i64::max)
        })
        .collect()
}

/// The best window of exactly `d` values and where it starts: (sum, start).
pub fn best_window(values: &[i64], d: usize) -> Option<(i64, usize)> {
    if d == 0 || d > values.len() {
        return None;
    }
    let mut sum: i64 = values[..d].iter().sum();
    let mut best = (sum, 0);
    for i in d..values.len() {
        sum += values[i] - values[i - d];
        if sum > best.0 {
            best = (sum, i + 1 - d);
        }
    }
    Some(best)
}

/// The direct method written plainly (tests compare against it).
pub fn direct(values: &[i64]) -> Vec<i64> {
    let m = values.len();
    let mut prefix = vec![0i64; m + 1];
    for i in 0..m {
        prefix[i + 1] = prefix[i] + values[i];
    }
    (1..=m)
        .map(|d| {
            (0..=m - d)
                .map(|i| prefix[i + d] - prefix[i])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Proves the example from the module doc: exact values, even where a
    // longer duration has the higher average.
    #[test]
    fn exact_even_when_not_monotone() {
        assert_eq!(mean_max_sums(&[10, 0, 10]), vec![10, 10, 20]);
        let c = mean_max_curve(&[0, 1, 2], &[Some(10), Some(0), Some(10)]);
        assert_eq!(c.best_average(2), Some(5.0));
        assert!((c.best_average(3).unwrap() - 20.0 / 3.0).abs() < 1e-12);
    }

    // Proves gaps split stretches, short steps hold the value, and a
    // missing value ends a stretch.
    #[test]
    fn stretches_follow_the_recording() {
        let t = [0, 1, 2, 4, 30, 31, 32, 33];
        let v = [
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            None,
            Some(7),
            Some(8),
        ];
        assert_eq!(
            one_hz_stretches(&t, &v),
            vec![vec![1, 2, 3, 3, 4], vec![5], vec![7, 8]]
        );
        let c = mean_max_curve(&t, &v);
        assert_eq!(c.best_sums, vec![8, 15, 10, 12, 13]);
    }

    // Proves the vectorised method equals the plain one on long, realistic
    // series (steady riding with intervals and sprints, a flat line, a
    // ramp), on 64-bit sums too, and that best_window finds the start.
    #[test]
    fn vectorised_equals_plain_on_long_series() {
        let mut seed = 11u64;
        let mut noise = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            ((seed >> 33) % 41) as i64 - 20
        };
        let ride: Vec<i64> = (0..5000)
            .map(|i| {
                let block = if (i / 300) % 3 == 0 { 320 } else { 190 };
                let sprint = if i % 1700 < 8 { 700 } else { 0 };
                (block + sprint + noise()).max(0)
            })
            .collect();
        assert_eq!(mean_max_sums(&ride), direct(&ride));
        let flat = vec![200i64; 3000];
        assert_eq!(mean_max_sums(&flat), direct(&flat));
        let rising: Vec<i64> = (0..2500).collect();
        assert_eq!(mean_max_sums(&rising), direct(&rising));
        let huge: Vec<i64> = (0..300).map(|i| 40_000_000 + (i % 7) * 1_000_000).collect();
        assert_eq!(mean_max_sums(&huge), direct(&huge));
        assert_eq!(best_window(&[1, 5, 5, 1, 6], 2), Some((10, 1)));
        assert_eq!(best_window(&[1, 2], 3), None);
    }

    proptest! {
        // Proves exactness on arbitrary series of any length.
        #[test]
        fn vectorised_equals_plain(values in proptest::collection::vec(-50i64..2000, 0..700)) {
            prop_assert_eq!(mean_max_sums(&values), direct(&values));
        }

        // Proves spiky series (mostly zeros, rare huge values) too.
        #[test]
        fn vectorised_equals_plain_on_spikes(
            spikes in proptest::collection::vec((0usize..1500, 1i64..5000), 0..20),
            len in 200usize..1500,
        ) {
            let mut values = vec![0i64; len];
            for (at, v) in spikes {
                if at < len {
                    values[at] = v;
                }
            }
            prop_assert_eq!(mean_max_sums(&values), direct(&values));
        }

        // Proves the theorem the curve does satisfy: k·d never beats d.
        #[test]
        fn multiples_never_beat_their_divisor(values in proptest::collection::vec(0i64..1500, 1..400)) {
            let sums = mean_max_sums(&values);
            for d in 1..=sums.len() {
                let mut k = 2;
                while k * d <= sums.len() {
                    prop_assert!(sums[k * d - 1] as f64 / (k * d) as f64 <= sums[d - 1] as f64 / d as f64 + 1e-9);
                    k += 1;
                }
            }
        }
    }
}
