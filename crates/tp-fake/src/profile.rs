//! The demo athlete's physiology: who Alex Rivera is and how fit, on any date.
//!
//! Everything here is a pure function of the date (no seed), so the same
//! thresholds apply whichever synthetic history is generated. Thresholds move
//! in monthly steps, the way an athlete updates FTP after a test, not every
//! day.

use chrono::{Datelike, NaiveDate};

use crate::HISTORY_START;

/// The demo athlete's fixed facts and threshold curves.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub athlete_id: i64,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub user_name: &'static str,
    pub birthday: NaiveDate,
    pub gender: &'static str,
    pub time_zone: &'static str,
    pub weight_kg: f64,
    /// Lactate-threshold heart rate for running, also the default group (bpm).
    pub lthr: u32,
    /// Lactate-threshold heart rate on the bike (bpm), a little below running.
    pub lthr_bike: u32,
    pub max_hr: u32,
    pub resting_hr: u32,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            athlete_id: crate::DEMO_ATHLETE_ID,
            first_name: "Alex",
            last_name: "Rivera",
            email: "alex.rivera@example.com",
            user_name: "alex.rivera",
            birthday: NaiveDate::from_ymd_opt(1989, 4, 17).expect("valid date"),
            gender: "m",
            time_zone: "Europe/Amsterdam",
            weight_kg: 71.5,
            lthr: 171,
            lthr_bike: 165,
            max_hr: 189,
            resting_hr: 46,
        }
    }
}

/// Years of training since [`HISTORY_START`] at the start of `date`'s month
/// (0 before it). Thresholds change by month, so this is a step function.
fn training_years(date: NaiveDate) -> f64 {
    let first = date.with_day(1).expect("day 1 exists");
    (first - HISTORY_START).num_days().max(0) as f64 / 365.25
}

/// A ±1 wobble over the year, highest in late summer, lowest in late winter,
/// evaluated mid-month.
fn seasonal_wobble(date: NaiveDate) -> f64 {
    let mid_month_doy = f64::from(date.with_day(15).expect("day 15 exists").ordinal());
    (std::f64::consts::TAU * (mid_month_doy - 130.0) / 365.25).sin()
}

impl Profile {
    /// Functional threshold power in force on `date` (W): rises from about
    /// 235 W in early 2022 towards ~288 W, with a ±5 W seasonal wobble.
    pub fn ftp_on(&self, date: NaiveDate) -> u32 {
        let years = training_years(date);
        let base = 240.0 + 48.0 * (1.0 - (-years / 2.0).exp());
        (base + 5.0 * seasonal_wobble(date)).round() as u32
    }

    /// Threshold running speed on `date` (m/s, two decimals): ~4:10/km at the
    /// start of the history improving towards ~3:55/km.
    pub fn run_threshold_speed_on(&self, date: NaiveDate) -> f64 {
        let years = training_years(date);
        let speed = 4.0 + 0.26 * (1.0 - (-years / 2.0).exp()) + 0.03 * seasonal_wobble(date);
        (speed * 100.0).round() / 100.0
    }

    /// Threshold swim speed (CSS) on `date` (m/s, three decimals): ~1:45/100 m
    /// improving towards ~1:38/100 m.
    pub fn swim_threshold_speed_on(&self, date: NaiveDate) -> f64 {
        let years = training_years(date);
        let speed = 0.952 + 0.07 * (1.0 - (-years / 2.0).exp());
        (speed * 1000.0).round() / 1000.0
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        date.years_since(self.birthday).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftp_rises_over_the_years_and_steps_monthly() {
        let p = Profile::default();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let start = p.ftp_on(d(2022, 1, 3));
        let later = p.ftp_on(d(2026, 11, 24));
        assert!((230..=240).contains(&start), "start FTP {start}");
        assert!((270..=292).contains(&later), "later FTP {later}");
        assert_eq!(p.ftp_on(d(2024, 5, 2)), p.ftp_on(d(2024, 5, 30)));
        assert!(p.run_threshold_speed_on(d(2026, 11, 1)) > p.run_threshold_speed_on(d(2022, 1, 3)));
    }
}
