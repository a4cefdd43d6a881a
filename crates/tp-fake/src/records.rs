//! Personal records, consistent with the workouts they come from.
//!
//! Each completed ride or run gets *peaks* (best 5 s … 90 min power, best
//! heart rate over the same spans, best speed over 400 m … 50 km) derived
//! deterministically from its own numbers (NP, average and maximum power, HR,
//! speeds, length) and the thresholds in force that day, never above
//! physiologically plausible caps. Then the workouts are walked in date order
//! and a workout earns a record for a peak and time frame ("All-Time", or
//! "This Year" = its calendar year) when the peak ranks in the top 3 of that
//! sport's peaks so far (ties go to the earlier workout). The per-sport
//! endpoint ranks the same peaks within a date range, so both endpoints and
//! `personalRecordCount` always agree.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::dates::tp_day;
use crate::profile::Profile;
use crate::workout::{FakeWorkout, TYPE_BIKE, TYPE_MTB, TYPE_RUN};

/// The sport a ranking is kept for (path segment of the sport endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sport {
    Bike,
    Run,
}

impl Sport {
    /// `Bike`/`Run`, case-insensitive, as in the sport-records path.
    pub fn parse(text: &str) -> Option<Sport> {
        match text.to_ascii_lowercase().as_str() {
            "bike" => Some(Sport::Bike),
            "run" => Some(Sport::Run),
            _ => None,
        }
    }

    /// The sport whose records a workout counts towards (rides incl. MTB,
    /// runs); `None` for swims, strength, walks.
    pub fn of(workout: &FakeWorkout) -> Option<Sport> {
        match workout.workout_type_value_id {
            TYPE_BIKE | TYPE_MTB => Some(Sport::Bike),
            TYPE_RUN => Some(Sport::Run),
            _ => None,
        }
    }
}

/// What a record measures (JSON `class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrClass {
    Power,
    HeartRate,
    Speed,
}

impl PrClass {
    pub fn as_str(self) -> &'static str {
        match self {
            PrClass::Power => "Power",
            PrClass::HeartRate => "HeartRate",
            PrClass::Speed => "Speed",
        }
    }

    fn applies_to(self, sport: Sport) -> bool {
        match self {
            PrClass::Power => sport == Sport::Bike,
            PrClass::HeartRate => true,
            PrClass::Speed => sport == Sport::Run,
        }
    }
}

/// One kind of peak: its class, its `prType` query name, its record `type`
/// name and its span (seconds for power/HR, metres for speed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrKind {
    pub class: PrClass,
    pub query: &'static str,
    pub record_type: &'static str,
    pub span: f64,
}

const fn kind(class: PrClass, query: &'static str, record_type: &'static str, span: f64) -> PrKind {
    PrKind {
        class,
        query,
        record_type,
        span,
    }
}

const DURATIONS: [(&str, &str, &str, f64); 7] = [
    ("power5sec", "hR5sec", "Pr5Seconds", 5.0),
    ("power1min", "hR1min", "Pr1Minute", 60.0),
    ("power5min", "hR5min", "Pr5Minutes", 300.0),
    ("power10min", "hR10min", "Pr10Minutes", 600.0),
    ("power20min", "hR20min", "Pr20Minutes", 1200.0),
    ("power60min", "hR60min", "Pr60Minutes", 3600.0),
    ("power90min", "hR90min", "Pr90Minutes", 5400.0),
];

/// Every peak kind, power first, then heart rate, then run speed.
pub const PR_KINDS: [PrKind; 25] = [
    kind(
        PrClass::Power,
        DURATIONS[0].0,
        DURATIONS[0].2,
        DURATIONS[0].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[1].0,
        DURATIONS[1].2,
        DURATIONS[1].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[2].0,
        DURATIONS[2].2,
        DURATIONS[2].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[3].0,
        DURATIONS[3].2,
        DURATIONS[3].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[4].0,
        DURATIONS[4].2,
        DURATIONS[4].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[5].0,
        DURATIONS[5].2,
        DURATIONS[5].3,
    ),
    kind(
        PrClass::Power,
        DURATIONS[6].0,
        DURATIONS[6].2,
        DURATIONS[6].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[0].1,
        DURATIONS[0].2,
        DURATIONS[0].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[1].1,
        DURATIONS[1].2,
        DURATIONS[1].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[2].1,
        DURATIONS[2].2,
        DURATIONS[2].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[3].1,
        DURATIONS[3].2,
        DURATIONS[3].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[4].1,
        DURATIONS[4].2,
        DURATIONS[4].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[5].1,
        DURATIONS[5].2,
        DURATIONS[5].3,
    ),
    kind(
        PrClass::HeartRate,
        DURATIONS[6].1,
        DURATIONS[6].2,
        DURATIONS[6].3,
    ),
    kind(PrClass::Speed, "speed400Meter", "Pr400Meter", 400.0),
    kind(PrClass::Speed, "speed800Meter", "Pr800Meter", 800.0),
    kind(PrClass::Speed, "speed1K", "Pr1Kilometer", 1000.0),
    kind(PrClass::Speed, "speed1Mi", "Pr1Mile", 1609.344),
    kind(PrClass::Speed, "speed5K", "Pr5Kilometer", 5000.0),
    kind(PrClass::Speed, "speed5Mi", "Pr5Mile", 8046.72),
    kind(PrClass::Speed, "speed10K", "Pr10Kilometer", 10000.0),
    kind(PrClass::Speed, "speed10Mi", "Pr10Mile", 16093.44),
    kind(
        PrClass::Speed,
        "speedHalfMarathon",
        "PrHalfMarathon",
        21097.5,
    ),
    kind(PrClass::Speed, "speedMarathon", "PrMarathon", 42195.0),
    kind(PrClass::Speed, "speed50K", "Pr50Kilometer", 50000.0),
];

const POWER: usize = 0;
const HEART_RATE: usize = 7;
const SPEED: usize = 14;

/// Index into [`PR_KINDS`] of a `prType` query name (case-insensitive, as
/// ASP.NET binds enum values).
pub fn find_kind(query: &str) -> Option<usize> {
    PR_KINDS
        .iter()
        .position(|k| k.query.eq_ignore_ascii_case(query))
}

/// Whether `prType` kind `kind` is kept for `sport` (power only for Bike,
/// speed only for Run, heart rate for both).
pub fn kind_applies(sport: Sport, kind: usize) -> bool {
    PR_KINDS[kind].class.applies_to(sport)
}

/// A workout's peaks: `(index into PR_KINDS, value)`, W / bpm / m/s.
#[derive(Debug, Clone, PartialEq)]
pub struct Peaks {
    pub sport: Sport,
    pub values: Vec<(usize, f64)>,
}

impl Peaks {
    /// The peak of `kind`, if this workout has one (long enough, measured).
    pub fn get(&self, kind: usize) -> Option<f64> {
        self.values
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| *v)
    }
}

fn peak_rng(seed: u64, workout_id: i64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&workout_id.to_le_bytes());
    key[16..].copy_from_slice(b"tp-fake peaks\0\0\0");
    ChaCha8Rng::from_seed(key)
}

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// Makes `values` (ordered short span → long span) non-increasing, never
/// below `floor`, by lifting shorter spans to at least the next longer one.
fn monotone(values: &mut [f64], floor: f64) {
    let mut next_longer = floor;
    for v in values.iter_mut().rev() {
        *v = v.max(next_longer);
        next_longer = *v;
    }
}

/// How far a span's peak may stand above the workout's average: fully for
/// spans much shorter than the workout, not at all for a span as long as it
/// (the best 60 min of a 61-min ride is about its average).
fn whole_ride_blend(span: f64, workout_secs: f64) -> f64 {
    if workout_secs <= 0.0 {
        return 0.0;
    }
    (1.0 - span / workout_secs).max(0.0).powf(0.3)
}

/// Derives a completed ride's or run's peaks from its own numbers. `None`
/// for workouts without a records sport or not completed.
pub fn peaks_for(seed: u64, profile: &Profile, w: &FakeWorkout) -> Option<Peaks> {
    let sport = Sport::of(w)?;
    if !w.is_completed() {
        return None;
    }
    let secs = w.total_time.unwrap_or(0.0) * 3600.0;
    let mut rng = peak_rng(seed, w.workout_id);
    let mut values = Vec::new();

    if let (Sport::Bike, Some(np), Some(avg)) = (sport, w.normalized_power_actual, w.power_average)
    {
        let ftp = f64::from(profile.ftp_on(w.workout_day));
        let avg = f64::from(avg);
        let max = w.power_maximum.map_or(np * 3.0, f64::from);
        let k = np / ftp;
        let vi = if avg > 0.0 { np / avg } else { 1.0 };
        let p20 = ftp * (k + 0.08 + 0.5 * (vi - 1.04)) * uniform(&mut rng, 0.98, 1.02);
        let p5 =
            ftp * (0.92 + 0.35 * (k - 0.6) + 1.5 * (vi - 1.04)) * uniform(&mut rng, 0.97, 1.03);
        let mut raw = [
            max * uniform(&mut rng, 0.88, 0.95),
            ftp * (1.25 + 0.6 * (k - 0.6) + (vi - 1.04)) * uniform(&mut rng, 0.96, 1.04),
            p5,
            p20 + (p5 - p20) * 0.45,
            p20.max(np),
            np * uniform(&mut rng, 0.97, 1.01),
            np * uniform(&mut rng, 0.95, 0.99),
        ];
        let caps = [4.2, 1.9, 1.3, 1.2, 1.08, 1.02, 0.97];
        for ((v, cap), span) in raw.iter_mut().zip(caps).zip(DURATIONS.map(|d| d.3)) {
            *v = avg + (v.min(cap * ftp) - avg).max(0.0) * whole_ride_blend(span, secs);
        }
        monotone(&mut raw, avg);
        for (i, v) in raw.iter().enumerate() {
            if PR_KINDS[POWER + i].span <= secs {
                values.push((POWER + i, v.min(max).round()));
            }
        }
    }

    if let (Some(avg), Some(max)) = (w.heart_rate_average, w.heart_rate_maximum) {
        let (avg, max) = (f64::from(avg), f64::from(max));
        let spread = (max - avg).max(0.0);
        let mut raw = [
            max - uniform(&mut rng, 0.0, 1.0),
            max - uniform(&mut rng, 1.0, 3.0),
            max - uniform(&mut rng, 3.0, 7.0),
            max - uniform(&mut rng, 5.0, 10.0),
            avg + spread * uniform(&mut rng, 0.45, 0.6),
            avg + spread * uniform(&mut rng, 0.15, 0.3),
            avg + spread * uniform(&mut rng, 0.05, 0.15),
        ];
        for (v, span) in raw.iter_mut().zip(DURATIONS.map(|d| d.3)) {
            *v = avg + (v.clamp(avg, max) - avg) * whole_ride_blend(span, secs);
        }
        monotone(&mut raw, avg);
        for (i, v) in raw.iter().enumerate() {
            if PR_KINDS[HEART_RATE + i].span <= secs {
                values.push((HEART_RATE + i, v.round()));
            }
        }
    }

    if let (Sport::Run, Some(distance), Some(avg)) = (sport, w.distance, w.velocity_average) {
        let threshold = profile.run_threshold_speed_on(w.workout_day);
        let max = w.velocity_maximum.unwrap_or(avg * 1.4);
        let k = w.normalized_speed_actual.unwrap_or(avg) / threshold;
        let effort = (k + 0.12).min(1.0) * uniform(&mut rng, 0.98, 1.01);
        let mut raw: Vec<f64> = PR_KINDS[SPEED..]
            .iter()
            .map(|kind| {
                let riegel = (12_000.0 / kind.span).powf(0.06);
                let top = (threshold * riegel * effort).min(max * 0.97);
                let share = (1.0 - kind.span / distance).max(0.0).powf(0.7);
                avg + (top - avg).max(0.0) * share
            })
            .collect();
        monotone(&mut raw, avg);
        for (i, v) in raw.iter().enumerate() {
            if PR_KINDS[SPEED + i].span <= distance {
                values.push((SPEED + i, (v * 1000.0).round() / 1000.0));
            }
        }
    }

    Some(Peaks { sport, values })
}

/// The period a record is ranked within (JSON `timeFrame.name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeFrame {
    AllTime,
    ThisYear,
}

impl TimeFrame {
    pub fn name(self) -> &'static str {
        match self {
            TimeFrame::AllTime => "All-Time",
            TimeFrame::ThisYear => "This Year",
        }
    }
}

/// One personal record a workout earned.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonalRecord {
    pub id: i64,
    pub athlete_id: i64,
    pub workout_id: i64,
    pub workout_date: NaiveDate,
    pub workout_title: String,
    /// Index into [`PR_KINDS`].
    pub kind: usize,
    pub time_frame: TimeFrame,
    pub value: f64,
    /// 1..=3 at the time the workout was done.
    pub rank: u32,
}

impl PersonalRecord {
    pub fn class(&self) -> PrClass {
        PR_KINDS[self.kind].class
    }

    pub fn record_type(&self) -> &'static str {
        PR_KINDS[self.kind].record_type
    }

    /// The record as the per-workout endpoint lists it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "athleteId": self.athlete_id,
            "workoutId": self.workout_id,
            "workoutDate": tp_day(self.workout_date),
            "workoutTitle": self.workout_title,
            "class": self.class().as_str(),
            "type": self.record_type(),
            "timeFrame": {"name": self.time_frame.name()},
            "value": self.value,
            "rank": self.rank,
            "invalid": false,
        })
    }
}

/// One row of the per-sport ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedPeak {
    pub rank: u32,
    pub value: f64,
    pub workout_id: i64,
    pub workout_title: String,
    pub workout_date: NaiveDate,
}

impl RankedPeak {
    pub fn to_json(&self) -> Value {
        json!({
            "rank": self.rank,
            "value": self.value,
            "workoutId": self.workout_id,
            "workoutTitle": self.workout_title,
            "workoutDate": tp_day(self.workout_date),
        })
    }
}

/// Peaks and records of every workout, derived together.
#[derive(Debug, Clone, Default)]
pub struct Records {
    peaks: HashMap<i64, Peaks>,
    by_workout: HashMap<i64, Vec<PersonalRecord>>,
}

/// How many places a time frame's leaderboard keeps.
const PODIUM: usize = 3;

/// Inserts `value` into a descending leaderboard; returns its rank if it
/// made the podium (equal earlier values stay ahead).
fn place(board: &mut Vec<f64>, value: f64) -> Option<u32> {
    let position = board.iter().take_while(|v| **v >= value).count();
    if position >= PODIUM {
        return None;
    }
    board.insert(position, value);
    board.truncate(PODIUM);
    Some(position as u32 + 1)
}

impl Records {
    /// Derives peaks and walks `workouts` (sorted by date) to award records.
    pub fn compute(seed: u64, profile: &Profile, workouts: &[FakeWorkout]) -> Records {
        let mut records = Records::default();
        let mut all_time: HashMap<(Sport, usize), Vec<f64>> = HashMap::new();
        let mut yearly: HashMap<(Sport, usize, i32), Vec<f64>> = HashMap::new();
        for w in workouts {
            let Some(peaks) = peaks_for(seed, profile, w) else {
                continue;
            };
            let mut earned = Vec::new();
            for &(kind, value) in &peaks.values {
                let frames = [
                    (
                        TimeFrame::AllTime,
                        place(all_time.entry((peaks.sport, kind)).or_default(), value),
                    ),
                    (
                        TimeFrame::ThisYear,
                        place(
                            yearly
                                .entry((peaks.sport, kind, w.workout_day.year()))
                                .or_default(),
                            value,
                        ),
                    ),
                ];
                for (time_frame, rank) in frames {
                    if let Some(rank) = rank {
                        earned.push(PersonalRecord {
                            id: w.workout_id * 100 + earned.len() as i64,
                            athlete_id: w.athlete_id,
                            workout_id: w.workout_id,
                            workout_date: w.workout_day,
                            workout_title: w.title.clone(),
                            kind,
                            time_frame,
                            value,
                            rank,
                        });
                    }
                }
            }
            if !earned.is_empty() {
                records.by_workout.insert(w.workout_id, earned);
            }
            records.peaks.insert(w.workout_id, peaks);
        }
        records
    }

    /// The peaks of a completed ride or run.
    pub fn peaks(&self, workout_id: i64) -> Option<&Peaks> {
        self.peaks.get(&workout_id)
    }

    /// The records a workout earned (empty for planned workouts and for
    /// workouts that set none).
    pub fn for_workout(&self, workout_id: i64) -> &[PersonalRecord] {
        self.by_workout.get(&workout_id).map_or(&[], Vec::as_slice)
    }

    /// The best `limit` peaks of `kind` among `sport` workouts done in
    /// `start ..= end`, best first (ties: earlier first).
    pub fn ranking(
        &self,
        workouts: &[FakeWorkout],
        sport: Sport,
        kind: usize,
        start: NaiveDate,
        end: NaiveDate,
        limit: usize,
    ) -> Vec<RankedPeak> {
        let mut rows: Vec<(&FakeWorkout, f64)> = workouts
            .iter()
            .filter(|w| (start..=end).contains(&w.workout_day))
            .filter_map(|w| {
                let peaks = self.peaks.get(&w.workout_id)?;
                (peaks.sport == sport).then_some((w, peaks.get(kind)?))
            })
            .collect();
        rows.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| a.0.sort_key().cmp(&b.0.sort_key()))
        });
        rows.into_iter()
            .take(limit)
            .enumerate()
            .map(|(i, (w, value))| RankedPeak {
                rank: i as u32 + 1,
                value,
                workout_id: w.workout_id,
                workout_title: w.title.clone(),
                workout_date: w.workout_day,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_name_is_unique_and_findable() {
        for (i, k) in PR_KINDS.iter().enumerate() {
            assert_eq!(find_kind(k.query), Some(i));
        }
        assert_eq!(find_kind("power20min"), Some(4));
        assert_eq!(find_kind("Power20MIN"), Some(4));
        assert_eq!(find_kind("power21min"), None);
        assert!(kind_applies(Sport::Run, find_kind("hR5min").unwrap()));
        assert!(!kind_applies(Sport::Run, find_kind("power5min").unwrap()));
        assert!(!kind_applies(Sport::Bike, find_kind("speed5K").unwrap()));
    }

    #[test]
    fn leaderboard_keeps_three_and_earlier_ties_win() {
        let mut board = Vec::new();
        assert_eq!(place(&mut board, 10.0), Some(1));
        assert_eq!(place(&mut board, 12.0), Some(1));
        assert_eq!(place(&mut board, 10.0), Some(3));
        assert_eq!(place(&mut board, 9.0), None);
        assert_eq!(place(&mut board, 11.0), Some(2));
        assert_eq!(board, vec![12.0, 11.0, 10.0]);
    }
}
