//! Splitting date ranges into windows TrainingPeaks accepts.

use chrono::{Days, NaiveDate};

/// The longest range, in calendar days inclusive, the workouts endpoint accepts.
pub const MAX_WINDOW_DAYS: u64 = 90;

/// Splits `start..=end` into consecutive inclusive windows of at most
/// `max_days` days each, oldest first, with no gaps and no overlap. An
/// inverted range gives no windows.
pub fn date_windows(
    start: NaiveDate,
    end: NaiveDate,
    max_days: u64,
) -> Vec<(NaiveDate, NaiveDate)> {
    let max_days = max_days.max(1);
    let mut windows = Vec::new();
    let mut from = start;
    while from <= end {
        let to = from
            .checked_add_days(Days::new(max_days - 1))
            .map_or(end, |d| d.min(end));
        windows.push((from, to));
        match to.succ_opt() {
            Some(next) => from = next,
            None => break,
        }
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_400_day_range_is_five_windows() {
        let start = d("2025-01-01");
        let end = start + Days::new(399);
        let w = date_windows(start, end, MAX_WINDOW_DAYS);
        assert_eq!(w.len(), 5);
        assert_eq!(w[0], (d("2025-01-01"), d("2025-03-31")));
        assert_eq!(w[4].1, end);
        for pair in w.windows(2) {
            assert_eq!(
                pair[0].1.succ_opt().unwrap(),
                pair[1].0,
                "no gap, no overlap"
            );
        }
        let days: i64 = w.iter().map(|(a, b)| (*b - *a).num_days() + 1).sum();
        assert_eq!(days, 400);
    }

    #[test]
    fn edges() {
        assert_eq!(date_windows(d("2025-01-01"), d("2025-01-01"), 90).len(), 1);
        assert_eq!(date_windows(d("2025-01-02"), d("2025-01-01"), 90), vec![]);
        assert_eq!(date_windows(d("2025-01-01"), d("2025-03-31"), 90).len(), 1);
        assert_eq!(date_windows(d("2025-01-01"), d("2025-04-01"), 90).len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn windows_cover_the_range_exactly(offset in 0u64..20_000, len in 0u64..4_000, max in 1u64..400) {
            let start = d("1990-01-01") + Days::new(offset);
            let end = start + Days::new(len);
            let w = date_windows(start, end, max);
            proptest::prop_assert_eq!(w.len() as u64, (len + 1).div_ceil(max));
            proptest::prop_assert_eq!(w[0].0, start);
            proptest::prop_assert_eq!(w.last().unwrap().1, end);
            for (a, b) in &w {
                proptest::prop_assert!((*b - *a).num_days() < max as i64);
            }
        }
    }
}
