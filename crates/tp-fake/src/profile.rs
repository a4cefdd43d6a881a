//! An athlete's physiology: who they are and how fit, on any date — Alex
//! Rivera (the demo athlete, [`Profile::default`]) or one of the coach's
//! athletes ([`crate::coach`]).
//!
//! Everything here is a pure function of the date (no seed), so the same
//! thresholds apply whichever synthetic history is generated. Thresholds move
//! in monthly steps, the way an athlete updates FTP after a test, not every
//! day. Other athletes share the curves' shape, scaled (`ftp_scale`,
//! `speed_scale`).

use chrono::{Datelike, NaiveDate};

use crate::HISTORY_START;

/// An athlete's fixed facts and threshold curves.
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
    /// Morning HRV (rMSSD, ms) on a rested, ordinary day.
    pub hrv_baseline_ms: f64,
    /// FTP relative to the demo athlete's curve (1.0 for the demo athlete).
    pub ftp_scale: f64,
    /// Threshold run and swim speeds relative to the demo athlete's.
    pub speed_scale: f64,
    /// Keeps ids apart between athletes: workout ids are offset by
    /// `id_block × 10 000 000`, event ids by `id_block × 1 000 000` (0 for
    /// the demo athlete, whose ids are [`crate::workout_id`]'s).
    pub id_block: i64,
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
            hrv_baseline_ms: 70.0,
            ftp_scale: 1.0,
            speed_scale: 1.0,
            id_block: 0,
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
    /// What is added to the demo calendar's workout ids for this athlete.
    pub fn workout_id_offset(&self) -> i64 {
        self.id_block * 10_000_000
    }

    /// What is added to the demo calendar's event ids for this athlete.
    pub fn event_id_offset(&self) -> i64 {
        self.id_block * 1_000_000
    }

    /// Functional threshold power in force on `date` (W): rises from about
    /// 235 W in early 2022 towards ~288 W, with a ±5 W seasonal wobble.
    pub fn ftp_on(&self, date: NaiveDate) -> u32 {
        let years = training_years(date);
        let base = 240.0 + 48.0 * (1.0 - (-years / 2.0).exp());
        ((base + 5.0 * seasonal_wobble(date)) * self.ftp_scale).round() as u32
    }

    /// Threshold running speed on `date` (m/s, two decimals): ~4:10/km at the
    /// start of the history improving towards ~3:55/km.
    pub fn run_threshold_speed_on(&self, date: NaiveDate) -> f64 {
        let years = training_years(date);
        let speed = 4.0 + 0.26 * (1.0 - (-years / 2.0).exp()) + 0.03 * seasonal_wobble(date);
        (speed * self.speed_scale * 100.0).round() / 100.0
    }

    /// Threshold swim speed (CSS) on `date` (m/s, three decimals): ~1:45/100 m
    /// improving towards ~1:38/100 m.
    pub fn swim_threshold_speed_on(&self, date: NaiveDate) -> f64 {
        let years = training_years(date);
        let speed = 0.952 + 0.07 * (1.0 - (-years / 2.0).exp());
        (speed * self.speed_scale * 1000.0).round() / 1000.0
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
