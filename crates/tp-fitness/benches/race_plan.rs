//! The race planner's linear program on the demo athlete's real history.
//!
//! Targets (issue 15): a 120-day plan under 20 ms, a 365-day plan under
//! 100 ms — the solve, the TSB shadow price (a second solve) and the PMC
//! re-run, with the history already loaded. Run with
//! `cargo bench -p tp-fitness --bench race_plan -- --quick`.

use chrono::{Datelike, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use tp_fake::{DEMO_SEED, DemoAthlete, HISTORY_START};
use tp_fitness::race_plan::{self, FixedDay, FixedReason, RaceGoal};
use tp_fitness::{FitnessSeries, LoadSeries, PmcParams};

fn bench_race_plan(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let athlete = DemoAthlete::new(DEMO_SEED, today);
    let loads: Vec<f64> = HISTORY_START
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| athlete.daily_tss(d))
        .collect();
    let series = FitnessSeries::compute(
        &LoadSeries::from_daily(HISTORY_START, loads),
        &PmcParams::default(),
    );
    let cap = race_plan::default_daily_cap(&series, today).expect("a training history");
    for (name, days, tsb_min, tsb_max) in [
        ("race_plan_120_days", 121u64, 15.0, Some(25.0)),
        ("race_plan_365_days", 366u64, -10.0, None),
    ] {
        let goal = RaceGoal {
            race_date: today + chrono::Days::new(days),
            tsb_min,
            tsb_max,
            max_ramp: race_plan::DEFAULT_MAX_RAMP,
            max_daily_tss: cap.max_daily_tss,
        };
        // Mondays off, as many athletes plan.
        let fixed: BTreeMap<NaiveDate, FixedDay> = today
            .iter_days()
            .skip(1)
            .take(days as usize - 1)
            .filter(|d| d.weekday() == chrono::Weekday::Mon)
            .map(|d| {
                (
                    d,
                    FixedDay {
                        tss: 0.0,
                        reason: FixedReason::RestWeekday,
                    },
                )
            })
            .collect();
        let plan = race_plan::plan_race(&series, today, &goal, &fixed).expect("a plan");
        assert_eq!(plan.days.len() as u64, days - 1);
        c.bench_function(name, |b| {
            b.iter(|| race_plan::plan_race(black_box(&series), today, black_box(&goal), &fixed))
        });
    }
}

criterion_group!(benches, bench_race_plan);
criterion_main!(benches);
