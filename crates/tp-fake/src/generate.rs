//! The demo athlete's calendar, one day at a time.
//!
//! Each calendar date's workouts are a pure function of `(seed, date)`: two
//! ChaCha8 streams are keyed by the seed and the date's day number, one for
//! the *plan* (which sessions, how long, how hard, which get skipped) and one
//! for the *execution* (what the athlete actually did). A date's workouts are
//! therefore identical whatever `today` is and whatever other dates hold;
//! `today` only decides whether a date is history (completed) or future
//! (planned).
//!
//! The plan follows a weekly template (Mon rest or easy swim, Tue bike
//! intervals and sometimes an evening run, Wed run and swim, Thu bike tempo,
//! Fri swim and/or strength, Sat long ride, Sun long run), periodised in
//! 3-week builds and a recovery week, with more volume in spring/summer,
//! slowly growing over the years, and a race on some recovery-week Sundays
//! between April and September.

use std::f64::consts::TAU;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::HISTORY_START;
use crate::profile::Profile;
use crate::prose;
use crate::workout::{
    FakeWorkout, TYPE_BIKE, TYPE_MTB, TYPE_OTHER, TYPE_RUN, TYPE_STRENGTH, TYPE_SWIM, TYPE_WALK,
};

/// Workout ids are `WORKOUT_ID_BASE + days_since_1970 × 10 + slot` (plus
/// [`Profile::workout_id_offset`] for athletes other than the demo one).
pub const WORKOUT_ID_BASE: i64 = 3_000_000_000;

/// Planned workouts exist for `today + 1 ..= today + PLAN_HORIZON_DAYS`.
pub const PLAN_HORIZON_DAYS: i64 = 21;

/// From this Monday on the athlete trains with a coach: completed workouts
/// carry the planned values, description and (some) coach comments they were
/// paired with, and skipped sessions stay on the calendar as uncompleted
/// planned workouts. Before it, workouts are unplanned.
pub const COACH_START: NaiveDate = ymd(2025, 11, 3);

/// `NaiveDate` in a `const`.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("invalid date"),
    }
}

/// The days of the deliberate workouts without TSS (`tssActual` and `if`
/// null): a yoga class (type Other, only a duration) on 2023-03-15 and a
/// family hike (type Walk, no HR) on 2024-08-21, both in slot 9 of their day
/// (workout ids [`workout_id`]`(day, 9)`).
pub const NO_TSS_DAYS: [NaiveDate; 2] = [ymd(2023, 3, 15), ymd(2024, 8, 21)];

/// Which no-TSS session a day holds, if any.
fn no_tss_session(date: NaiveDate) -> Option<Kind> {
    match NO_TSS_DAYS.iter().position(|d| *d == date)? {
        0 => Some(Kind::Yoga),
        _ => Some(Kind::Hike),
    }
}

/// What a session is, which decides its sport, numbers and words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SwimEasy,
    SwimCss,
    BikeVo2,
    BikeThreshold,
    BikeSweetSpot,
    BikeTempo,
    BikeEndurance,
    BikeLong,
    BikeOpeners,
    Mtb,
    RunEasy,
    RunTempo,
    RunIntervals,
    RunLong,
    Strength,
    Walk,
    Race10k,
    RaceHalf,
    RaceFondo,
    RaceTt,
    Yoga,
    Hike,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Swim,
    Bike,
    Run,
    Strength,
    Walk,
    Other,
}

impl Kind {
    fn family(self) -> Family {
        use Kind::*;
        match self {
            SwimEasy | SwimCss => Family::Swim,
            BikeVo2 | BikeThreshold | BikeSweetSpot | BikeTempo | BikeEndurance | BikeLong
            | BikeOpeners | Mtb | RaceFondo | RaceTt => Family::Bike,
            RunEasy | RunTempo | RunIntervals | RunLong | Race10k | RaceHalf => Family::Run,
            Strength => Family::Strength,
            Walk | Hike => Family::Walk,
            Yoga => Family::Other,
        }
    }

    fn type_id(self) -> i32 {
        match (self, self.family()) {
            (Kind::Mtb, _) => TYPE_MTB,
            (_, Family::Swim) => TYPE_SWIM,
            (_, Family::Bike) => TYPE_BIKE,
            (_, Family::Run) => TYPE_RUN,
            (_, Family::Strength) => TYPE_STRENGTH,
            (_, Family::Walk) => TYPE_WALK,
            (_, Family::Other) => TYPE_OTHER,
        }
    }

    fn is_race(self) -> bool {
        matches!(
            self,
            Kind::Race10k | Kind::RaceHalf | Kind::RaceFondo | Kind::RaceTt
        )
    }

    /// Interval sessions: ridden indoors in winter, and spikier power.
    fn is_interval(self) -> bool {
        matches!(
            self,
            Kind::BikeVo2 | Kind::BikeThreshold | Kind::BikeSweetSpot | Kind::BikeOpeners
        )
    }

    /// Variability index range (NP / average power) for bike kinds.
    fn vi_range(self) -> (f64, f64) {
        match self {
            Kind::BikeVo2 => (1.09, 1.15),
            Kind::BikeThreshold => (1.05, 1.10),
            Kind::BikeSweetSpot | Kind::BikeOpeners => (1.03, 1.07),
            Kind::BikeTempo | Kind::RaceTt => (1.02, 1.04),
            Kind::Mtb => (1.10, 1.15),
            Kind::RaceFondo => (1.06, 1.12),
            _ => (1.03, 1.07),
        }
    }

    /// TSS grows with IF² except swims (sTSS uses IF³).
    fn tss(self, hours: f64, intensity: f64) -> f64 {
        let exponent = if self.family() == Family::Swim { 3 } else { 2 };
        hours * intensity.powi(exponent) * 100.0
    }
}

/// One planned session of a day, before anyone does it.
#[derive(Debug, Clone)]
pub struct Session {
    pub slot: i64,
    pub kind: Kind,
    /// Planned duration, seconds.
    pub secs: f64,
    /// Planned intensity factor.
    pub intensity: f64,
    pub start: NaiveTime,
    /// Done without being on the plan (only ever appears as history).
    pub unplanned: bool,
    /// On the plan but not done.
    pub skipped: bool,
    pub title: String,
    pub description: String,
    pub coach_comment: Option<String>,
}

/// `stream` separates independent draws for the same date (0 plan,
/// 1 execution, 7 race choice).
pub fn day_rng(seed: u64, date: NaiveDate, stream: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&days_since_epoch(date).to_le_bytes());
    key[16..24].copy_from_slice(&stream.to_le_bytes());
    key[24..].copy_from_slice(b"tp-fake\0");
    ChaCha8Rng::from_seed(key)
}

fn days_since_epoch(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days()
}

/// The id a session in `slot` of `date` gets (planned or completed alike).
pub fn workout_id(date: NaiveDate, slot: i64) -> i64 {
    WORKOUT_ID_BASE + days_since_epoch(date) * 10 + slot
}

/// The id a session in `slot` of `date` gets in `profile`'s calendar (the
/// demo athlete's ids are [`workout_id`]'s; other athletes' are offset).
fn athlete_workout_id(profile: &Profile, date: NaiveDate, slot: i64) -> i64 {
    workout_id(date, slot) + profile.workout_id_offset()
}

/// The kind of session a workout of `profile`'s calendar is, read back from
/// its id; `None` for a workout an admin edit added under another id.
pub fn kind_of(seed: u64, w: &FakeWorkout, profile: &Profile) -> Option<Kind> {
    let slot = w.workout_id - athlete_workout_id(profile, w.workout_day, 0);
    if !(0..10).contains(&slot) {
        return None;
    }
    plan_day(seed, w.workout_day)
        .into_iter()
        .find(|s| s.slot == slot)
        .map(|s| s.kind)
}

/// Week of the 4-week cycle: 0, 1, 2 build, 3 recovery.
pub fn cycle_week(date: NaiveDate) -> i64 {
    (date - HISTORY_START)
        .num_days()
        .div_euclid(7)
        .rem_euclid(4)
}

/// Seasonal volume multiplier: ~0.85 at the turn of the year, ~1.15 in June.
fn season(date: NaiveDate) -> f64 {
    1.0 + 0.15 * (TAU * (f64::from(date.ordinal()) - 80.0) / 365.25).sin()
}

/// Long-term volume growth as the athlete gets fitter.
fn growth(date: NaiveDate) -> f64 {
    let years = (date - HISTORY_START).num_days().max(0) as f64 / 365.25;
    0.9 + 0.1 * (years / 3.0).min(1.0)
}

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// A value near `center`, within ±`spread`, most often close to the centre.
fn around(rng: &mut ChaCha8Rng, center: f64, spread: f64) -> f64 {
    let sum: f64 = (0..3).map(|_| uniform(rng, -1.0, 1.0)).sum();
    center + spread * sum / 3.0
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time")
}

/// The race held on `date`, if any: some recovery-week Sundays, April to
/// September.
pub fn race_on(seed: u64, date: NaiveDate) -> Option<Kind> {
    if date.weekday() != Weekday::Sun || cycle_week(date) != 3 || !(4..=9).contains(&date.month()) {
        return None;
    }
    let mut rng = day_rng(seed, date, 7);
    if !rng.random_bool(0.45) {
        return None;
    }
    Some([Kind::Race10k, Kind::RaceHalf, Kind::RaceFondo, Kind::RaceTt][rng.random_range(0..4)])
}

/// Expected race duration (s) and intensity, for planning.
fn race_plan(kind: Kind) -> (f64, f64) {
    match kind {
        Kind::Race10k => (41.0 * 60.0, 1.04),
        Kind::RaceHalf => (92.0 * 60.0, 0.95),
        Kind::RaceFondo => (3.4 * 3600.0, 0.82),
        _ => (58.0 * 60.0, 1.0),
    }
}

/// The sessions planned for `date` (without deciding what was done).
pub fn plan_day(seed: u64, date: NaiveDate) -> Vec<Session> {
    let mut rng = day_rng(seed, date, 0);
    let week = cycle_week(date);
    let recovery = week == 3;
    let vol = season(date) * growth(date) * [0.92, 1.0, 1.08, 0.65][week as usize];
    let indoor_season = matches!(date.month(), 11 | 12 | 1..=3);
    let mut planned: Vec<(Kind, f64, f64, NaiveTime)> = Vec::new();
    let minutes = |m: f64| m * 60.0;

    match date.weekday() {
        Weekday::Mon => {
            // The history opens with a session, so its first day has data.
            if date == HISTORY_START || rng.random_bool(0.4) {
                let m = uniform(&mut rng, 35.0, 45.0);
                let i = uniform(&mut rng, 0.70, 0.76);
                planned.push((Kind::SwimEasy, minutes(m), i, at(12, 15)));
            }
        }
        Weekday::Tue => {
            let (kind, i) = if recovery {
                (Kind::BikeEndurance, uniform(&mut rng, 0.62, 0.68))
            } else {
                match rng.random_range(0..20) {
                    0..6 => (Kind::BikeVo2, uniform(&mut rng, 0.80, 0.86)),
                    6..13 => (Kind::BikeThreshold, uniform(&mut rng, 0.83, 0.90)),
                    _ => (Kind::BikeSweetSpot, uniform(&mut rng, 0.80, 0.86)),
                }
            };
            let m = uniform(&mut rng, 60.0, 90.0) * vol.sqrt();
            let start = if indoor_season { at(6, 15) } else { at(18, 0) };
            planned.push((kind, minutes(m), i, start));
            if !recovery && rng.random_bool(0.4) {
                let m = uniform(&mut rng, 35.0, 50.0);
                let i = uniform(&mut rng, 0.72, 0.78);
                let start = if indoor_season { at(18, 30) } else { at(7, 0) };
                planned.push((Kind::RunEasy, minutes(m), i, start));
            }
        }
        Weekday::Wed => {
            let (kind, i) = if recovery {
                (Kind::RunEasy, uniform(&mut rng, 0.72, 0.78))
            } else {
                match rng.random_range(0..20) {
                    0..7 => (Kind::RunTempo, uniform(&mut rng, 0.85, 0.90)),
                    7..12 => (Kind::RunIntervals, uniform(&mut rng, 0.86, 0.92)),
                    _ => (Kind::RunEasy, uniform(&mut rng, 0.74, 0.80)),
                }
            };
            let m = uniform(&mut rng, 50.0, 70.0) * vol.sqrt();
            planned.push((kind, minutes(m), i, at(7, 0)));
            if rng.random_bool(0.65) {
                let m = uniform(&mut rng, 45.0, 60.0);
                let i = uniform(&mut rng, 0.82, 0.90);
                planned.push((Kind::SwimCss, minutes(m), i, at(19, 0)));
            }
        }
        Weekday::Thu => {
            let (kind, i) = if recovery {
                (Kind::BikeEndurance, uniform(&mut rng, 0.62, 0.70))
            } else if rng.random_bool(0.5) {
                (Kind::BikeTempo, uniform(&mut rng, 0.76, 0.82))
            } else {
                (Kind::BikeSweetSpot, uniform(&mut rng, 0.80, 0.85))
            };
            let m = uniform(&mut rng, 60.0, 100.0) * vol.sqrt();
            let start = if indoor_season { at(6, 15) } else { at(18, 0) };
            planned.push((kind, minutes(m), i, start));
        }
        Weekday::Fri => {
            if rng.random_bool(0.55) {
                let (kind, i) = if rng.random_bool(0.5) {
                    (Kind::SwimEasy, uniform(&mut rng, 0.70, 0.78))
                } else {
                    (Kind::SwimCss, uniform(&mut rng, 0.82, 0.90))
                };
                let m = uniform(&mut rng, 40.0, 55.0);
                planned.push((kind, minutes(m), i, at(7, 0)));
            }
            if rng.random_bool(0.45) {
                let m = uniform(&mut rng, 45.0, 60.0);
                let i = uniform(&mut rng, 0.58, 0.68);
                planned.push((Kind::Strength, minutes(m), i, at(17, 30)));
            }
        }
        Weekday::Sat => {
            if race_on(seed, date.succ_opt().expect("not the end of time")).is_some() {
                let i = uniform(&mut rng, 0.66, 0.72);
                planned.push((Kind::BikeOpeners, minutes(60.0), i, at(9, 0)));
            } else if (4..=10).contains(&date.month()) && rng.random_bool(0.1) {
                let h = uniform(&mut rng, 2.0, 3.0);
                let i = uniform(&mut rng, 0.70, 0.78);
                planned.push((Kind::Mtb, h * 3600.0, i, at(9, 30)));
            } else {
                let h = (uniform(&mut rng, 2.5, 4.5) * vol).clamp(1.5, 4.75);
                let i = if recovery {
                    uniform(&mut rng, 0.64, 0.70)
                } else {
                    uniform(&mut rng, 0.68, 0.78)
                };
                // Keep the planned load at most 240 TSS (≤ ~280 as done).
                let h = h.min(2.4 / (i * i));
                planned.push((Kind::BikeLong, h * 3600.0, i, at(8, 30)));
            }
        }
        Weekday::Sun => {
            if let Some(race) = race_on(seed, date) {
                let (secs, i) = race_plan(race);
                planned.push((race, secs, i, at(10, 0)));
            } else {
                let m = (uniform(&mut rng, 75.0, 120.0) * vol).clamp(60.0, 135.0);
                let i = uniform(&mut rng, 0.74, 0.80);
                planned.push((Kind::RunLong, minutes(m), i, at(9, 0)));
                if rng.random_bool(0.12) {
                    let m = uniform(&mut rng, 40.0, 90.0);
                    planned.push((Kind::Walk, minutes(m), 0.5, at(15, 0)));
                }
            }
        }
    }

    let mut sessions: Vec<Session> = planned
        .into_iter()
        .enumerate()
        .map(|(slot, (kind, secs, intensity, start))| {
            let (title, description) = prose::title_and_description(kind, secs, &mut rng);
            let race = kind.is_race();
            Session {
                slot: slot as i64,
                kind,
                secs: secs.round(),
                intensity: round_to(intensity, 2),
                start: start + chrono::Duration::minutes(rng.random_range(-10..=10)),
                unplanned: !race && kind != Kind::BikeOpeners && rng.random_bool(0.1),
                skipped: !race && rng.random_bool(0.08),
                coach_comment: prose::planned_coach_comment(kind, &mut rng),
                title,
                description,
            }
        })
        .collect();

    if let Some(kind) = no_tss_session(date) {
        let (title, description) = prose::title_and_description(kind, 3600.0, &mut rng);
        sessions.push(Session {
            slot: 9,
            kind,
            secs: 3600.0,
            intensity: 0.5,
            start: at(14, 0),
            unplanned: true,
            skipped: false,
            title,
            description,
            coach_comment: None,
        });
    }
    sessions
}

/// Every workout on `date` as seen when the current day is `today`:
/// history (≤ today) is completed (plus, in the coached era, skipped sessions
/// as uncompleted planned workouts); `today+1 ..= today+21` is planned; other
/// dates are empty.
pub fn workouts_on(
    seed: u64,
    date: NaiveDate,
    today: NaiveDate,
    profile: &Profile,
) -> Vec<FakeWorkout> {
    if date < HISTORY_START || (date - today).num_days() > PLAN_HORIZON_DAYS {
        return Vec::new();
    }
    let sessions = plan_day(seed, date);
    if date > today {
        let planned: Vec<FakeWorkout> = sessions
            .iter()
            .filter(|s| !s.unplanned)
            .map(|s| planned_workout(s, date, profile))
            .collect();
        if planned.is_empty() {
            // The coach marks the empty days of the plan as days off.
            return vec![day_off(date, profile)];
        }
        return planned;
    }
    let coached = date >= COACH_START;
    let mut exec = day_rng(seed, date, 1);
    let mut out = Vec::new();
    for s in &sessions {
        if s.skipped {
            if coached && !s.unplanned {
                out.push(planned_workout(s, date, profile));
            }
            continue;
        }
        let mut w = completed_workout(s, date, profile, &mut exec);
        if coached && !s.unplanned {
            let plan = planned_workout(s, date, profile);
            w.tss_planned = plan.tss_planned;
            w.total_time_planned = plan.total_time_planned;
            w.distance_planned = plan.distance_planned;
            w.if_planned = plan.if_planned;
            w.calories_planned = plan.calories_planned;
            w.description = plan.description;
            if let (Some(actual), Some(planned)) = (w.tss_actual, w.tss_planned)
                && exec.random_bool(0.25)
            {
                w.coach_comments = Some(prose::coach_feedback(actual / planned, &mut exec));
            }
        }
        if date >= COACH_START {
            w.tss_calculation_method = w.tss_source.clone();
        }
        out.push(w);
    }
    out
}

/// Average riding speed (m/s) the athlete holds at `power` watts on `kind`.
fn ride_speed(kind: Kind, power: f64) -> f64 {
    match kind {
        Kind::Mtb => 4.6 + (power - 150.0) / 120.0,
        Kind::RaceTt => 10.4 + (power - 250.0) / 60.0,
        _ => 7.2 + (power - 160.0) / 45.0,
    }
}

/// A session as a planned (not completed) workout.
fn planned_workout(s: &Session, date: NaiveDate, profile: &Profile) -> FakeWorkout {
    let hours = s.secs / 3600.0;
    let ftp = f64::from(profile.ftp_on(date));
    let (distance, calories) = match s.kind.family() {
        Family::Bike => {
            let power = s.intensity * ftp / 1.05;
            let distance =
                (!s.kind.is_interval()).then(|| round_to(ride_speed(s.kind, power) * s.secs, -3));
            (distance, Some((power * s.secs / 1000.0).round() as i32))
        }
        Family::Run => {
            let speed = s.intensity * profile.run_threshold_speed_on(date) / 1.02;
            let distance = match s.kind {
                Kind::Race10k => 10_000.0,
                Kind::RaceHalf => 21_097.5,
                _ => round_to(speed * s.secs, -2),
            };
            (Some(distance), None)
        }
        Family::Swim => {
            let speed = s.intensity * profile.swim_threshold_speed_on(date) * 0.92;
            (Some(round_to(speed * s.secs, -2)), None)
        }
        Family::Walk => (Some(round_to(1.45 * s.secs, -2)), None),
        Family::Strength | Family::Other => (None, None),
    };
    FakeWorkout {
        workout_id: athlete_workout_id(profile, date, s.slot),
        athlete_id: profile.athlete_id,
        title: s.title.clone(),
        workout_type_value_id: s.kind.type_id(),
        workout_day: date,
        start_time: None,
        completed: Some(false),
        tss_planned: Some(round_to(s.kind.tss(hours, s.intensity), 1)),
        total_time_planned: Some(round_to(hours, 4)),
        distance_planned: distance,
        if_planned: Some(s.intensity),
        calories_planned: calories,
        description: Some(s.description.clone()),
        coach_comments: s.coach_comment.clone(),
        user_tags: Some(if s.kind.is_race() { "race" } else { "" }.to_string()),
        ..FakeWorkout::default()
    }
}

/// The slot of a planned "Day Off" entry (after any session's).
const DAY_OFF_SLOT: i64 = 9;

/// A "Day Off" on the plan: TrainingPeaks' workout type 7, nothing planned.
fn day_off(date: NaiveDate, profile: &Profile) -> FakeWorkout {
    FakeWorkout {
        workout_id: athlete_workout_id(profile, date, DAY_OFF_SLOT),
        athlete_id: profile.athlete_id,
        title: "Day Off".to_string(),
        workout_type_value_id: 7,
        workout_day: date,
        completed: Some(false),
        description: Some("Rest: nothing planned today.".to_string()),
        ..FakeWorkout::default()
    }
}

/// Heart-rate numbers (avg, max, min) for an effort at `intensity` against `lthr`.
fn heart_rate(rng: &mut ChaCha8Rng, lthr: u32, intensity: f64, max_hr: u32) -> (i32, i32, i32) {
    let lthr = f64::from(lthr);
    let avg = (lthr * (0.58 + 0.33 * intensity) + uniform(rng, -3.0, 3.0)).round();
    let max = (avg + uniform(rng, 14.0, 30.0)).min(f64::from(max_hr));
    let min = uniform(rng, 82.0, 100.0).min(avg - 10.0);
    (avg as i32, max.round() as i32, min.round() as i32)
}

/// Average temperature (°C) outdoors on `date`, by season.
fn outdoor_temp(rng: &mut ChaCha8Rng, date: NaiveDate) -> f64 {
    let seasonal = (TAU * (f64::from(date.ordinal()) - 110.0) / 365.25).sin();
    round_to(13.0 + 9.0 * seasonal + uniform(rng, -3.0, 3.0), 1)
}

/// What the athlete actually did of session `s` on `date`.
fn completed_workout(
    s: &Session,
    date: NaiveDate,
    profile: &Profile,
    rng: &mut ChaCha8Rng,
) -> FakeWorkout {
    let kind = s.kind;
    // Compliance: mostly close to plan, sometimes cut short or overdone.
    let mut time_factor = around(rng, 0.98, 0.14).clamp(0.78, 1.1);
    let intensity_factor = around(rng, 1.0, 0.05);
    let load = time_factor * intensity_factor * intensity_factor;
    if !(0.70..=1.15).contains(&load) {
        time_factor *= load.clamp(0.70, 1.15) / load;
    }
    let mut secs = (s.secs * time_factor).round();
    let intensity = s.intensity * intensity_factor;
    let start = date.and_time(s.start) + chrono::Duration::seconds(rng.random_range(0..60));

    let mut w = FakeWorkout {
        workout_id: athlete_workout_id(profile, date, s.slot),
        athlete_id: profile.athlete_id,
        title: s.title.clone(),
        workout_type_value_id: kind.type_id(),
        workout_day: date,
        start_time: Some(start),
        completed: Some(true),
        user_tags: Some(if kind.is_race() { "race" } else { "" }.to_string()),
        ..FakeWorkout::default()
    };

    let outdoors = !(kind.is_interval() && matches!(date.month(), 11 | 12 | 1..=3));
    match kind.family() {
        Family::Bike => {
            let ftp = f64::from(profile.ftp_on(date));
            let np = (intensity * ftp).round();
            let (vi_lo, vi_hi) = kind.vi_range();
            let avg = (np / uniform(rng, vi_lo, vi_hi)).round();
            if kind == Kind::RaceFondo {
                let distance = uniform(rng, 110_000.0, 125_000.0).round();
                secs = (distance / ride_speed(kind, avg)).round();
            } else if kind == Kind::RaceTt {
                secs = (40_000.0 / ride_speed(kind, avg)).round();
            }
            let if_actual = round_to(np / ftp, 3);
            let hours = secs / 3600.0;
            w.if_actual = Some(if_actual);
            w.tss_actual = Some(round_to(kind.tss(hours, if_actual), 1));
            w.tss_source = Some("Power".into());
            w.normalized_power_actual = Some(np);
            w.power_average = Some(avg as i32);
            let sprint = if kind.is_interval() {
                (3.0, 3.9)
            } else {
                (2.6, 3.5)
            };
            w.power_maximum = Some((ftp * uniform(rng, sprint.0, sprint.1)).round() as i32);
            let (hr_avg, hr_max, hr_min) =
                heart_rate(rng, profile.lthr_bike, if_actual, profile.max_hr);
            w.heart_rate_average = Some(hr_avg);
            w.heart_rate_maximum = Some(hr_max);
            w.heart_rate_minimum = Some(hr_min);
            w.calories = Some((avg * secs / 1000.0).round() as i32);
            w.cadence_average = Some(rng.random_range(82..=92));
            w.cadence_maximum = Some(rng.random_range(110..=128));
            if outdoors {
                let speed = round_to(ride_speed(kind, avg) * uniform(rng, 0.95, 1.05), 3);
                let distance = match kind {
                    Kind::RaceTt => 40_000.0 + uniform(rng, 0.0, 150.0).round(),
                    _ => round_to(speed * secs, 1),
                };
                let climbing = if kind == Kind::Mtb {
                    (15.0, 25.0)
                } else {
                    (4.0, 12.0)
                };
                let gain = round_to(distance / 1000.0 * uniform(rng, climbing.0, climbing.1), 1);
                w.distance = Some(distance);
                w.velocity_average = Some(round_to(distance / secs, 3));
                w.velocity_maximum = Some(round_to(speed * uniform(rng, 1.6, 2.0), 3));
                w.elevation_gain = Some(gain);
                w.elevation_loss = Some(round_to(gain * uniform(rng, 0.97, 1.03), 1));
                let low = uniform(rng, -2.0, 40.0).round();
                w.elevation_minimum = Some(low);
                w.elevation_maximum = Some(low + (gain / 6.0).round());
                w.elevation_average = Some(low + (gain / 15.0).round());
                w.temp_avg = rng.random_bool(0.8).then(|| outdoor_temp(rng, date));
            }
        }
        Family::Run => {
            let threshold = profile.run_threshold_speed_on(date);
            let ngs = round_to(intensity * threshold, 3);
            let avg_speed = ngs / uniform(rng, 1.0, 1.03);
            let distance = match kind {
                Kind::Race10k => 10_000.0 + uniform(rng, 0.0, 80.0).round(),
                Kind::RaceHalf => 21_097.5 + uniform(rng, 0.0, 150.0).round(),
                _ => round_to(avg_speed * secs, 1),
            };
            if kind.is_race() {
                secs = (distance / avg_speed).round();
            }
            let if_actual = round_to(ngs / threshold, 3);
            let hours = secs / 3600.0;
            w.if_actual = Some(if_actual);
            w.tss_actual = Some(round_to(kind.tss(hours, if_actual), 1));
            w.tss_source = Some("Pace".into());
            w.normalized_speed_actual = Some(ngs);
            w.distance = Some(distance);
            w.velocity_average = Some(round_to(distance / secs, 3));
            w.velocity_maximum = Some(round_to((avg_speed * uniform(rng, 1.3, 1.6)).min(7.5), 3));
            let (hr_avg, hr_max, hr_min) =
                heart_rate(rng, profile.lthr, if_actual + 0.04, profile.max_hr);
            w.heart_rate_average = Some(hr_avg);
            w.heart_rate_maximum = Some(hr_max);
            w.heart_rate_minimum = Some(hr_min);
            w.calories = Some((profile.weight_kg * distance / 1000.0).round() as i32);
            w.cadence_average = Some(rng.random_range(84..=92));
            let gain = round_to(distance / 1000.0 * uniform(rng, 3.0, 15.0), 1);
            w.elevation_gain = Some(gain);
            w.elevation_loss = Some(round_to(gain * uniform(rng, 0.96, 1.04), 1));
            w.temp_avg = rng.random_bool(0.8).then(|| outdoor_temp(rng, date));
        }
        Family::Swim => {
            let threshold = profile.swim_threshold_speed_on(date);
            let moving_speed = intensity * threshold;
            let distance = ((moving_speed * secs * 0.92) / 25.0).round() * 25.0;
            let if_actual = round_to(distance / secs / 0.92 / threshold, 3);
            let hours = secs / 3600.0;
            w.if_actual = Some(if_actual);
            w.tss_actual = Some(round_to(kind.tss(hours, if_actual), 1));
            w.tss_source = Some("Pace".into());
            w.distance = Some(distance);
            w.velocity_average = Some(round_to(distance / secs, 3));
            w.velocity_maximum = Some(round_to(moving_speed * uniform(rng, 1.15, 1.3), 3));
            w.calories = Some((secs / 60.0 * uniform(rng, 8.0, 9.5)).round() as i32);
            // Wrist HR under water is unreliable; most swims have none.
            if rng.random_bool(0.3) {
                let (hr_avg, hr_max, hr_min) =
                    heart_rate(rng, profile.lthr, if_actual - 0.05, profile.max_hr);
                w.heart_rate_average = Some(hr_avg);
                w.heart_rate_maximum = Some(hr_max);
                w.heart_rate_minimum = Some(hr_min);
            }
        }
        Family::Strength | Family::Walk => {
            let if_actual = round_to(intensity, 3);
            let hours = secs / 3600.0;
            let (hr_avg, hr_max, hr_min) =
                heart_rate(rng, profile.lthr, if_actual - 0.35, profile.max_hr);
            w.if_actual = Some(if_actual);
            w.tss_actual = Some(round_to(kind.tss(hours, if_actual), 1));
            w.tss_source = Some("HeartRate".into());
            w.heart_rate_average = Some(hr_avg);
            w.heart_rate_maximum = Some(hr_max);
            w.heart_rate_minimum = Some(hr_min);
            w.calories = Some((secs / 60.0 * uniform(rng, 4.5, 6.0)).round() as i32);
            if kind.family() == Family::Walk {
                let distance = round_to(uniform(rng, 1.35, 1.55) * secs, 1);
                w.distance = Some(distance);
                w.velocity_average = Some(round_to(distance / secs, 3));
                w.velocity_maximum = Some(round_to(distance / secs * 1.3, 3));
            }
            if kind == Kind::Hike {
                // No HR strap on the hike: TrainingPeaks has nothing to score.
                w.if_actual = None;
                w.tss_actual = None;
                w.tss_source = None;
                w.heart_rate_average = None;
                w.heart_rate_maximum = None;
                w.heart_rate_minimum = None;
                w.distance = Some(12_400.0);
                w.velocity_average = Some(round_to(12_400.0 / (4.5 * 3600.0), 3));
                w.calories = Some(1150);
                w.velocity_maximum = Some(1.7);
                w.elevation_gain = Some(420.0);
                w.elevation_loss = Some(415.0);
                secs = 4.5 * 3600.0;
            }
        }
        Family::Other => {
            // Yoga: only the time was recorded.
            secs = 3600.0;
        }
    }
    w.total_time = Some(secs / 3600.0);

    if rng.random_bool(0.65) && w.if_actual.is_some() {
        let effort = w.if_actual.unwrap_or(0.6);
        w.rpe = Some((2.0 + 8.0 * (effort - 0.5) / 0.55).round().clamp(1.0, 10.0) as i32);
        w.feeling = Some(rng.random_range(4..=9));
    }
    w
}
