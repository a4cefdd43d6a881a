//! [`DemoAthlete`]: the data the fake serves for one athlete — the demo
//! athlete, generated once per server start, or one of the coach's athletes,
//! generated on first request ([`crate::coach`]).
//!
//! It holds every workout from [`HISTORY_START`] to `today + 21` (sorted),
//! an id index, the personal records derived from them and which health
//! metrics the athlete's devices upload ([`Health`]). Data-changing
//! calls (edit, delete, add — used by cache-sync tests) re-sort, re-index and
//! re-derive the records so `personalRecordCount` and the record endpoints
//! stay consistent with the workouts.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use crate::HISTORY_START;
use crate::device::{self, DeviceFileMode, FileBody, FileInfo};
use crate::generate::{self, PLAN_HORIZON_DAYS};
use crate::health::{self, Health, MetricDay};
use crate::performance::{self, PerfRow, PmcConstants};
use crate::profile::Profile;
use crate::recorder;
use crate::recording::Recording;
use crate::records::{Peaks, PersonalRecord, Records};
use crate::workout::FakeWorkout;

/// A synthetic athlete (Alex Rivera, the demo athlete, unless made with
/// another profile) and their calendar.
#[derive(Debug, Clone)]
pub struct DemoAthlete {
    seed: u64,
    today: NaiveDate,
    profile: Profile,
    health: Health,
    /// Threads that derive the records; `None`: every core (up to 8).
    records_threads: Option<usize>,
    workouts: Vec<FakeWorkout>,
    index: HashMap<i64, usize>,
    /// Derived on first need (the recordings behind them take a moment):
    /// see [`DemoAthlete::records`].
    records: Arc<OnceLock<Records>>,
    /// Device files uploaded again (`POST /_fake/reupload`): how often.
    reuploads: HashMap<i64, u32>,
}

impl DemoAthlete {
    /// Generates the history up to `today` and the plan for the 21 days
    /// after it. Pure function of `(seed, today)`.
    pub fn new(seed: u64, today: NaiveDate) -> DemoAthlete {
        DemoAthlete::with_profile(seed, today, Profile::default(), Health::Full)
    }

    /// A brand-new account: the demo athlete's profile with no workouts,
    /// no plan, no records, no events and no health metrics.
    pub fn new_account(seed: u64, today: NaiveDate) -> DemoAthlete {
        DemoAthlete::new_account_of(seed, today, Profile::default())
    }

    /// Like [`new`](Self::new) for another athlete: their profile and the
    /// health metrics their devices upload.
    pub fn with_profile(
        seed: u64,
        today: NaiveDate,
        profile: Profile,
        health: Health,
    ) -> DemoAthlete {
        let last = today + chrono::Duration::days(PLAN_HORIZON_DAYS);
        let workouts = HISTORY_START
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| generate::workouts_on(seed, d, today, &profile))
            .collect();
        DemoAthlete::assemble(seed, today, profile, health, workouts)
    }

    /// Like [`new_account`](Self::new_account) for another athlete.
    pub fn new_account_of(seed: u64, today: NaiveDate, profile: Profile) -> DemoAthlete {
        DemoAthlete::assemble(seed, today, profile, Health::None, Vec::new())
    }

    fn assemble(
        seed: u64,
        today: NaiveDate,
        profile: Profile,
        health: Health,
        workouts: Vec<FakeWorkout>,
    ) -> DemoAthlete {
        let mut athlete = DemoAthlete {
            seed,
            today,
            profile,
            health,
            records_threads: None,
            workouts,
            index: HashMap::new(),
            records: Arc::default(),
            reuploads: HashMap::new(),
        };
        athlete.reindex();
        athlete
    }

    /// Derive the records on at most `threads` threads from now on.
    pub(crate) fn set_records_threads(&mut self, threads: usize) {
        self.records_threads = Some(threads);
    }

    /// Which health metrics the athlete's devices upload.
    pub fn health(&self) -> Health {
        self.health
    }

    /// The health metrics of the days in `start ..= end` that have any.
    pub fn health_metrics(&self, start: NaiveDate, end: NaiveDate) -> Vec<MetricDay> {
        health::metric_days(self, self.health, start, end)
    }

    /// Restores the invariants after any change to `workouts`: sorted,
    /// indexed, records to be derived again.
    fn reindex(&mut self) {
        self.workouts.sort_by_key(FakeWorkout::sort_key);
        self.records = Arc::default();
        self.index.clear();
        for (i, w) in self.workouts.iter().enumerate() {
            self.index.insert(w.workout_id, i);
        }
    }

    /// A workout's JSON as the API serves it, `personalRecordCount` in step
    /// with the records.
    pub fn workout_json(&self, w: &FakeWorkout) -> serde_json::Value {
        let mut json = w.to_json();
        json["personalRecordCount"] = self.personal_records(w.workout_id).len().into();
        json
    }

    /// The workout's device file, if it has one.
    pub fn device_file(&self, workout_id: i64, mode: DeviceFileMode) -> Option<FileInfo> {
        let w = self.workout(workout_id)?;
        let version = 1 + self.reuploads.get(&workout_id).copied().unwrap_or(0);
        device::file_info(self.seed, w, version, mode)
    }

    /// The bytes of the workout's device file `file_id`; `None` when the
    /// workout has no file by that id.
    pub fn device_file_body(
        &self,
        workout_id: i64,
        file_id: &str,
        mode: DeviceFileMode,
    ) -> Option<FileBody> {
        let info = self.device_file(workout_id, mode)?;
        if info.file_id != file_id {
            return None;
        }
        device::file_body(
            self.seed,
            &self.profile,
            self.workout(workout_id)?,
            &info,
            mode,
        )
    }

    /// The workout's recording as its device wrote it (tests).
    pub fn recording(&self, workout_id: i64) -> Option<Recording> {
        recorder::record(self.seed, self.workout(workout_id)?, &self.profile)
    }

    /// Uploads a workout's device file again (a new file id); `false` when
    /// the workout has none.
    pub fn reupload(&mut self, workout_id: i64) -> bool {
        if self
            .device_file(workout_id, DeviceFileMode::Normal)
            .is_none()
        {
            return false;
        }
        *self.reuploads.entry(workout_id).or_default() += 1;
        true
    }

    /// How many personal records a workout earned.
    pub fn personal_record_count(&self, workout_id: i64) -> usize {
        self.personal_records(workout_id).len()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The calendar's events (none for a brand-new account), by date.
    pub fn events(&self) -> Vec<crate::events::FakeEvent> {
        if self.workouts.is_empty() {
            return Vec::new();
        }
        let offset = self.profile.event_id_offset();
        let mut events = crate::events::events(self.seed, self.today);
        for e in &mut events {
            e.id += offset;
        }
        events
    }

    /// The day the history ends; later days hold planned workouts.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// FTP in force on `date` (W).
    pub fn ftp_on(&self, date: NaiveDate) -> u32 {
        self.profile.ftp_on(date)
    }

    /// Every workout, sorted by day, then start time (none last), then id.
    pub fn workouts(&self) -> &[FakeWorkout] {
        &self.workouts
    }

    pub fn workout(&self, workout_id: i64) -> Option<&FakeWorkout> {
        self.index.get(&workout_id).map(|&i| &self.workouts[i])
    }

    /// The workouts whose `workoutDay` is in `start ..= end`, in order.
    pub fn workouts_between(&self, start: NaiveDate, end: NaiveDate) -> &[FakeWorkout] {
        let from = self.workouts.partition_point(|w| w.workout_day < start);
        let to = self.workouts.partition_point(|w| w.workout_day <= end);
        &self.workouts[from..to.max(from)]
    }

    /// Sum of completed `tssActual` on `date` (null TSS counts 0).
    pub fn daily_tss(&self, date: NaiveDate) -> f64 {
        self.workouts_between(date, date)
            .iter()
            .filter(|w| w.is_completed())
            .filter_map(|w| w.tss_actual)
            .sum()
    }

    /// Sum of `tssPlanned` on `date` over planned and completed workouts.
    pub fn daily_planned_tss(&self, date: NaiveDate) -> f64 {
        self.workouts_between(date, date)
            .iter()
            .filter_map(|w| w.tss_planned)
            .sum()
    }

    /// CTL, ATL and TSB on `date` computed TrainingPeaks' way (1/T, T = 42
    /// and 7, from 0 on [`HISTORY_START`]): the numbers the web app shows.
    pub fn fitness_on(&self, date: NaiveDate) -> (f64, f64, f64) {
        let rows = self.performance(HISTORY_START, date, Some(PmcConstants::default()), &[]);
        rows.last().map_or((0.0, 0.0, 0.0), |r| {
            (
                r.ctl.unwrap_or(0.0),
                r.atl.unwrap_or(0.0),
                r.tsb.unwrap_or(0.0),
            )
        })
    }

    /// The performance-data rows for `start ..= end`, as the route serves
    /// them: `constants` `None` gives "NaN" fitness values; days after
    /// `today` load the planned TSS; an empty `workout_types` means all.
    pub fn performance(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        constants: Option<PmcConstants>,
        workout_types: &[i32],
    ) -> Vec<PerfRow> {
        performance::performance_data(self, start, end, constants, workout_types)
    }

    /// Peaks and records, derived from the device recordings on first use
    /// (a server starts deriving them in the background at once).
    pub fn records(&self) -> &Records {
        self.records.get_or_init(|| match self.records_threads {
            Some(threads) => Records::compute_on(self.seed, &self.profile, &self.workouts, threads),
            None => Records::compute(self.seed, &self.profile, &self.workouts),
        })
    }

    /// Whether the records are derived already (asking for them won't wait).
    pub fn records_ready(&self) -> bool {
        self.records.get().is_some()
    }

    /// The personal records a workout earned.
    pub fn personal_records(&self, workout_id: i64) -> &[PersonalRecord] {
        self.records().for_workout(workout_id)
    }

    /// A completed ride's or run's peaks (what the records rank).
    pub fn peaks(&self, workout_id: i64) -> Option<&Peaks> {
        self.records().peaks(workout_id)
    }

    /// Applies `edit` to a workout; `false` if there is no such workout.
    pub fn edit_workout(&mut self, workout_id: i64, edit: impl FnOnce(&mut FakeWorkout)) -> bool {
        let Some(&i) = self.index.get(&workout_id) else {
            return false;
        };
        edit(&mut self.workouts[i]);
        self.reindex();
        true
    }

    /// Removes a workout; `false` if there is no such workout.
    pub fn delete_workout(&mut self, workout_id: i64) -> bool {
        let Some(&i) = self.index.get(&workout_id) else {
            return false;
        };
        self.workouts.remove(i);
        self.reindex();
        true
    }

    /// Adds a workout, replacing one with the same id.
    pub fn add_workout(&mut self, workout: FakeWorkout) {
        if let Some(&i) = self.index.get(&workout.workout_id) {
            self.workouts.remove(i);
        }
        self.workouts.push(workout);
        self.reindex();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Instant;

    use chrono::Datelike;

    use super::*;
    use crate::generate::{COACH_START, NO_TSS_DAYS};
    use crate::records::{PR_KINDS, PrClass, Sport, TimeFrame};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 24);

    fn demo() -> DemoAthlete {
        DemoAthlete::new(crate::DEMO_SEED, day(TODAY.0, TODAY.1, TODAY.2))
    }

    // Proves the history is long, starts on HISTORY_START, ends at today,
    // and that generation is quick enough to redo on every server start.
    #[test]
    fn history_spans_years_and_generates_quickly() {
        let started = Instant::now();
        let a = demo();
        let elapsed = started.elapsed();
        eprintln!("generated {} workouts in {elapsed:?}", a.workouts().len());
        assert!(elapsed.as_millis() < 2000, "generation took {elapsed:?}");
        let completed: Vec<_> = a.workouts().iter().filter(|w| w.is_completed()).collect();
        assert_eq!(completed.first().unwrap().workout_day, HISTORY_START);
        assert!(completed.last().unwrap().workout_day <= a.today());
        assert!((a.today() - HISTORY_START).num_days() >= 3 * 365);
        assert!(
            completed.len() > 3 * 52 * 5,
            "{} completed",
            completed.len()
        );
        let sorted = a
            .workouts()
            .windows(2)
            .all(|p| p[0].sort_key() <= p[1].sort_key());
        assert!(sorted);
    }

    // Proves a date's workouts depend on (seed, date) only: a later `today`
    // leaves the earlier history byte-identical; another seed changes it.
    #[test]
    fn each_date_is_a_pure_function_of_seed_and_date() {
        let a = DemoAthlete::new(7, day(2024, 6, 1));
        let b = DemoAthlete::new(7, day(2025, 3, 1));
        let c = DemoAthlete::new(8, day(2024, 6, 1));
        let upto = |x: &DemoAthlete| -> Vec<serde_json::Value> {
            x.workouts_between(HISTORY_START, day(2024, 6, 1))
                .iter()
                .map(FakeWorkout::to_json)
                .collect()
        };
        assert_eq!(upto(&a), upto(&b));
        assert_ne!(upto(&a), upto(&c));
        assert_eq!(upto(&a), upto(&DemoAthlete::new(7, day(2024, 6, 1))));
    }

    // Proves the next 21 days hold planned workouts with instructions and no
    // actuals, and nothing lies beyond.
    #[test]
    fn the_next_three_weeks_are_planned() {
        let a = demo();
        let today = a.today();
        let future = a.workouts_between(today.succ_opt().unwrap(), NaiveDate::MAX);
        assert!(future.len() >= 12, "{} planned", future.len());
        assert!(
            future
                .iter()
                .all(|w| (w.workout_day - today).num_days() <= 21)
        );
        let last_week = today + chrono::Duration::days(15);
        assert!(future.iter().any(|w| w.workout_day >= last_week));
        for w in future {
            assert_eq!(w.completed, Some(false));
            assert!(w.tss_actual.is_none() && w.total_time.is_none());
            if w.workout_type_value_id == 7 {
                // A day off: nothing planned, and nothing else that day.
                assert!(w.tss_planned.is_none() && w.total_time_planned.is_none());
                assert_eq!(
                    future
                        .iter()
                        .filter(|o| o.workout_day == w.workout_day)
                        .count(),
                    1
                );
                continue;
            }
            assert!(w.tss_planned.unwrap() > 0.0 && w.total_time_planned.unwrap() > 0.0);
            assert!(w.description.as_deref().is_some_and(|d| d.len() > 10));
        }
        assert!(future.iter().any(|w| w.coach_comments.is_some()));
        assert!(
            future.iter().any(|w| w.workout_type_value_id == 7),
            "the plan has days off"
        );
    }

    // Proves the headline magnitudes are an endurance athlete's.
    #[test]
    fn load_is_realistic() {
        let a = demo();
        let (ctl, atl, _) = a.fitness_on(a.today());
        assert!((55.0..=95.0).contains(&ctl), "CTL {ctl}");
        assert!((30.0..=130.0).contains(&atl), "ATL {atl}");
        let max_day = HISTORY_START
            .iter_days()
            .take_while(|d| *d <= a.today())
            .map(|d| a.daily_tss(d))
            .fold(0.0, f64::max);
        assert!(
            (200.0..=300.0).contains(&max_day),
            "max daily TSS {max_day}"
        );
        let settings_ftp = a.ftp_on(a.today());
        assert!((270..=295).contains(&settings_ftp));
    }

    // Proves TSS follows hours × IF² × 100 (IF³ for swims) and NP = IF × FTP.
    #[test]
    fn workout_numbers_are_consistent() {
        let a = demo();
        for w in a.workouts().iter().filter(|w| w.is_completed()) {
            let (Some(tss), Some(i), Some(h)) = (w.tss_actual, w.if_actual, w.total_time) else {
                continue;
            };
            let exponent = if w.workout_type_value_id == 1 { 3 } else { 2 };
            let expected = (h * i.powi(exponent) * 1000.0).round() / 10.0;
            assert!(
                (tss - expected).abs() <= 0.11,
                "{} {tss} vs {expected}",
                w.workout_id
            );
            if let Some(np) = w.normalized_power_actual {
                let ftp = f64::from(a.ftp_on(w.workout_day));
                assert!((np / ftp - i).abs() < 0.001);
                let vi = np / f64::from(w.power_average.unwrap());
                assert!((1.0..=1.16).contains(&vi), "VI {vi}");
            }
        }
    }

    // Proves the two documented no-TSS workouts exist and are the only ones.
    #[test]
    fn exactly_the_documented_workouts_lack_tss() {
        let a = demo();
        let no_tss: Vec<_> = a
            .workouts()
            .iter()
            .filter(|w| w.is_completed() && w.tss_actual.is_none())
            .map(|w| w.workout_day)
            .collect();
        assert_eq!(no_tss, NO_TSS_DAYS.to_vec());
    }

    // Proves coached workouts carry their plan with 70–115 % compliance and
    // skipped sessions stay as uncompleted planned workouts.
    #[test]
    fn coached_history_carries_the_plan() {
        let a = demo();
        let coached: Vec<_> = a
            .workouts_between(COACH_START, a.today())
            .iter()
            .filter(|w| w.is_completed() && w.tss_actual.is_some())
            .collect();
        let paired: Vec<_> = coached.iter().filter(|w| w.tss_planned.is_some()).collect();
        assert!(
            paired.len() * 10 >= coached.len() * 8,
            "{} of {}",
            paired.len(),
            coached.len()
        );
        for w in &paired {
            let ratio = w.tss_actual.unwrap() / w.tss_planned.unwrap();
            assert!(
                (0.68..=1.17).contains(&ratio),
                "{} compliance {ratio}",
                w.workout_id
            );
        }
        let skipped = a
            .workouts_between(COACH_START, a.today())
            .iter()
            .filter(|w| w.completed == Some(false))
            .count();
        assert!(skipped > 0);
        let before = a.workouts_between(HISTORY_START, COACH_START.pred_opt().unwrap());
        assert!(
            before
                .iter()
                .all(|w| w.is_completed() && w.tss_planned.is_none())
        );
    }

    // Proves the records are consistent with the peaks: every All-Time rank-1
    // record equals the best peak so far, every This-Year rank-1 the best of
    // its year so far, and personalRecordCount counts the records.
    #[test]
    fn personal_records_match_the_peaks() {
        let a = demo();
        let mut best: HashMap<(Sport, usize), f64> = HashMap::new();
        let mut best_year: HashMap<(Sport, usize, i32), f64> = HashMap::new();
        let mut rank_one = 0;
        for w in a.workouts() {
            assert_eq!(
                a.personal_record_count(w.workout_id),
                a.personal_records(w.workout_id).len()
            );
            let Some(peaks) = a.peaks(w.workout_id) else {
                assert_eq!(a.personal_record_count(w.workout_id), 0);
                continue;
            };
            for &(kind, value) in &peaks.values {
                let b = best.entry((peaks.sport, kind)).or_insert(value);
                *b = b.max(value);
                let y = best_year
                    .entry((peaks.sport, kind, w.workout_day.year()))
                    .or_insert(value);
                *y = y.max(value);
            }
            for r in a.personal_records(w.workout_id) {
                assert!((1..=3).contains(&r.rank));
                assert_eq!(peaks.get(r.kind), Some(r.value));
                if r.rank == 1 {
                    rank_one += 1;
                    let expected = match r.time_frame {
                        TimeFrame::AllTime => best[&(peaks.sport, r.kind)],
                        TimeFrame::ThisYear => {
                            best_year[&(peaks.sport, r.kind, w.workout_day.year())]
                        }
                    };
                    assert_eq!(
                        r.value, expected,
                        "{} {}",
                        w.workout_id, PR_KINDS[r.kind].query
                    );
                }
            }
        }
        assert!(rank_one > 100);
    }

    // Proves peaks are ordered as best efforts must be: a span that is a
    // whole multiple of another is split into windows of the shorter one,
    // one of which is at least as good (for distances, within the one
    // second of sampling per piece). (Exact best efforts over spans that
    // are not multiples can increase: [10, 0, 10] has a best 3 s of 6.7 but
    // a best 2 s of 5.)
    #[test]
    fn peaks_do_not_increase_with_span() {
        let a = demo();
        for w in a.workouts() {
            let Some(peaks) = a.peaks(w.workout_id) else {
                continue;
            };
            for &(k1, v1) in &peaks.values {
                for &(k2, v2) in &peaks.values {
                    let (c1, c2) = (&PR_KINDS[k1], &PR_KINDS[k2]);
                    let ratio = c2.span / c1.span;
                    if c1.class != c2.class || ratio <= 1.0 || (ratio - ratio.round()).abs() > 1e-9
                    {
                        continue;
                    }
                    if c1.class == PrClass::Speed {
                        let (time, share_of_longer) = (c1.span / v1, c2.span / v2 / ratio);
                        assert!(
                            time <= share_of_longer + 1.0 + 1e-9,
                            "{}: {} {v1} vs {} {v2}",
                            w.workout_id,
                            c1.query,
                            c2.query
                        );
                    } else {
                        assert!(
                            v1 >= v2,
                            "{}: {} {v1} < {} {v2}",
                            w.workout_id,
                            c1.query,
                            c2.query
                        );
                    }
                }
            }
            if let Some(p5) = peaks.get(0) {
                assert!(p5 <= f64::from(w.power_maximum.unwrap()));
                assert!(p5 <= 4.2 * f64::from(a.ftp_on(w.workout_day)));
            }
        }
    }

    // Proves data changes keep the derived records in step.
    #[test]
    fn edits_rederive_records() {
        let mut a = DemoAthlete::new(3, day(2023, 6, 30));
        let ride = a
            .workouts()
            .iter()
            .find(|w| w.normalized_power_actual.is_some() && w.workout_day > day(2023, 3, 1))
            .unwrap()
            .workout_id;
        assert!(a.edit_workout(ride, |w| {
            w.normalized_power_actual = Some(400.0);
            w.power_average = Some(380);
            w.power_maximum = Some(1400);
            w.total_time = Some(2.0);
        }));
        let records = a.personal_records(ride);
        assert_eq!(a.personal_record_count(ride), records.len());
        assert!(
            records
                .iter()
                .any(|r| r.rank == 1 && r.time_frame == TimeFrame::AllTime)
        );
        assert!(a.delete_workout(ride));
        assert!(a.workout(ride).is_none() && a.personal_records(ride).is_empty());
        assert!(!a.delete_workout(ride));
        let mut extra = a.workouts()[0].clone();
        extra.workout_id = 42;
        extra.workout_day = day(2023, 6, 30);
        a.add_workout(extra);
        assert_eq!(a.workout(42).unwrap().workout_day, day(2023, 6, 30));
        assert!(a.workouts().last().unwrap().workout_day <= day(2023, 7, 21));
    }
}
