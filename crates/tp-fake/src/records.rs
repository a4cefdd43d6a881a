//! Personal records, consistent with the workouts they come from.
//!
//! Each completed ride or run with a device file gets *peaks* (best 5 s …
//! 90 min power, best heart rate over the same spans, best speed over
//! 400 m … 50 km): the real best efforts of its second-by-second recording
//! ([`crate::recorder`]), computed exactly ([`peaks_of`]). Then the workouts are walked in date order
//! and a workout earns a record for a peak and time frame ("All-Time", or
//! "This Year" = its calendar year) when the peak ranks in the top 3 of that
//! sport's peaks so far (ties go to the earlier workout). The per-sport
//! endpoint ranks the same peaks within a date range, so both endpoints and
//! `personalRecordCount` always agree.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::dates::tp_day;
use crate::profile::Profile;
use crate::recorder;
use crate::recording::{Recording, Sample};
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

/// A completed ride's or run's peaks: the real best efforts of its device
/// recording (`None` for workouts without a records sport or without a
/// device file).
pub fn peaks_for(seed: u64, profile: &Profile, w: &FakeWorkout) -> Option<Peaks> {
    let sport = Sport::of(w)?;
    if !w.is_completed() {
        return None;
    }
    let recording = recorder::record(seed, w, profile)?;
    Some(peaks_of(sport, &recording))
}

/// The best efforts of a recording, as TrainingPeaks ranks them:
/// - power and heart rate over a span of `s` seconds: the highest mean of
///   `s` consecutive one-second samples (exact, a fraction of a watt);
/// - speed over a distance `d`: `d` divided by the shortest time between two
///   samples whose distances differ by at least `d`.
///
/// A window never spans a pause (a jump of more than a second between
/// samples). Spans longer than every stretch have no peak.
pub fn peaks_of(sport: Sport, recording: &Recording) -> Peaks {
    let samples = &recording.samples;
    let stretches = stretches(samples);
    let mut values = Vec::new();
    let channel =
        |get: fn(&Sample) -> Option<i64>| -> Option<Vec<i64>> { samples.iter().map(get).collect() };
    if sport == Sport::Bike
        && let Some(power) = channel(|s| s.power_w.map(i64::from))
    {
        for (i, kind) in PR_KINDS[POWER..HEART_RATE].iter().enumerate() {
            if let Some(best) = best_mean(&power, &stretches, kind.span as usize) {
                values.push((POWER + i, best));
            }
        }
    }
    if let Some(hr) = channel(|s| s.heart_rate_bpm.map(i64::from)) {
        for (i, kind) in PR_KINDS[HEART_RATE..SPEED].iter().enumerate() {
            if let Some(best) = best_mean(&hr, &stretches, kind.span as usize) {
                values.push((HEART_RATE + i, best));
            }
        }
    }
    if sport == Sport::Run
        && let Some(distance) = channel(|s| s.distance_cm.map(i64::from))
    {
        let times: Vec<i64> = samples.iter().map(|s| i64::from(s.t)).collect();
        for (i, kind) in PR_KINDS[SPEED..].iter().enumerate() {
            if let Some(best) = best_speed(&distance, &times, &stretches, kind.span) {
                values.push((SPEED + i, best));
            }
        }
    }
    Peaks { sport, values }
}

/// Peaks already derived in this process, by seed, workout id and a
/// fingerprint of the workout's JSON: every fake a test process starts
/// (and every admin edit) re-derives only what changed.
type PeakMemo = HashMap<(u64, i64, u64), Option<Peaks>>;
static PEAK_MEMO: std::sync::OnceLock<std::sync::Mutex<PeakMemo>> = std::sync::OnceLock::new();

fn fingerprint(w: &FakeWorkout) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    w.to_json().to_string().hash(&mut h);
    h.finish()
}

/// The peaks of every workout that has some, derived on `threads` threads (the
/// recordings are the expensive part) and remembered in [`PEAK_MEMO`].
fn peaks_of_all(
    seed: u64,
    profile: &Profile,
    workouts: &[FakeWorkout],
    threads: usize,
) -> HashMap<i64, Peaks> {
    let memo = PEAK_MEMO.get_or_init(Default::default);
    let keys: Vec<(u64, i64, u64)> = workouts
        .iter()
        .map(|w| {
            let fp = if Sport::of(w).is_some() && w.is_completed() {
                fingerprint(w)
            } else {
                0
            };
            (seed, w.workout_id, fp)
        })
        .collect();
    let missing: Vec<(usize, &FakeWorkout)> = {
        let known = memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        workouts
            .iter()
            .enumerate()
            .filter(|(i, w)| keys[*i].2 != 0 && !known.contains_key(&keys[*i]) && w.is_completed())
            .collect()
    };
    let chunk = missing.len().div_ceil(threads).max(1);
    let derived: Vec<((u64, i64, u64), Option<Peaks>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = missing
            .chunks(chunk)
            .map(|part| {
                let keys = &keys;
                scope.spawn(move || {
                    part.iter()
                        .map(|(i, w)| (keys[*i], peaks_for(seed, profile, w)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut known = memo
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    known.extend(derived);
    workouts
        .iter()
        .zip(&keys)
        .filter_map(|(w, key)| Some((w.workout_id, known.get(key)?.clone()?)))
        .collect()
}

/// Index ranges of samples one second apart (no pause inside).
fn stretches(samples: &[Sample]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=samples.len() {
        if i == samples.len() || samples[i].t != samples[i - 1].t + 1 {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// The highest mean of `span` consecutive values inside one stretch.
fn best_mean(values: &[i64], stretches: &[std::ops::Range<usize>], span: usize) -> Option<f64> {
    let mut best: Option<i64> = None;
    for r in stretches.iter().filter(|r| r.len() >= span) {
        let v = &values[r.clone()];
        let mut sum: i64 = v[..span].iter().sum();
        let mut top = sum;
        for i in span..v.len() {
            sum += v[i] - v[i - span];
            top = top.max(sum);
        }
        best = Some(best.map_or(top, |b: i64| b.max(top)));
    }
    best.map(|b| b as f64 / span as f64)
}

/// `meters` over the shortest time that covers them (m/s), inside one stretch.
fn best_speed(
    distance_cm: &[i64],
    time_s: &[i64],
    stretches: &[std::ops::Range<usize>],
    meters: f64,
) -> Option<f64> {
    let need = (meters * 100.0).ceil() as i64;
    let mut best_time: Option<i64> = None;
    for r in stretches {
        let (d, t) = (&distance_cm[r.clone()], &time_s[r.clone()]);
        let mut start = 0;
        for end in 0..d.len() {
            if d[end] - d[start] < need {
                continue;
            }
            // The latest start that still covers the distance.
            while start < end && d[end] - d[start + 1] >= need {
                start += 1;
            }
            let took = t[end] - t[start];
            if took > 0 {
                best_time = Some(best_time.map_or(took, |b| b.min(took)));
            }
        }
    }
    best_time.map(|took| meters / took as f64)
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
    /// Derives peaks and walks `workouts` (sorted by date) to award records,
    /// recording on every core (up to 8).
    pub fn compute(seed: u64, profile: &Profile, workouts: &[FakeWorkout]) -> Records {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        Records::compute_on(seed, profile, workouts, threads)
    }

    /// Like [`compute`](Self::compute) on at most `threads` threads (at
    /// least one): a coached athlete's records are derived on one, leaving
    /// the other cores to the demo athlete's answers.
    pub fn compute_on(
        seed: u64,
        profile: &Profile,
        workouts: &[FakeWorkout],
        threads: usize,
    ) -> Records {
        let threads = threads.max(1);
        let mut records = Records::default();
        let mut all_time: HashMap<(Sport, usize), Vec<f64>> = HashMap::new();
        let mut yearly: HashMap<(Sport, usize, i32), Vec<f64>> = HashMap::new();
        let mut all_peaks = peaks_of_all(seed, profile, workouts, threads);
        for w in workouts {
            let Some(peaks) = all_peaks.remove(&w.workout_id) else {
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
