//! PMC over ten years (3653 days) of daily load, both conventions.
//!
//! Target: well under 1 ms per computation (the recurrence is one tight loop
//! with one allocation, the output). Run with
//! `cargo bench -p tp-fitness --bench pmc -- --quick`.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tp_fitness::{Convention, FitnessSeries, LoadSeries, PmcParams};

/// A plausible decade: a weekly pattern with a long ride, rest days and a
/// slow seasonal swing (deterministic, no RNG).
fn ten_years() -> LoadSeries {
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("valid date");
    let tss = (0..3653)
        .map(|i| {
            let weekly = [0.0, 60.0, 85.0, 45.0, 0.0, 180.0, 110.0][i % 7];
            let season = 0.75 + 0.25 * ((i as f64) * std::f64::consts::TAU / 365.25).sin();
            weekly * season
        })
        .collect();
    LoadSeries::from_daily(start, tss)
}

fn bench_pmc(c: &mut Criterion) {
    let loads = ten_years();
    assert_eq!(loads.len(), 3653);
    for (name, convention) in [
        ("pmc_10y_trainingpeaks", Convention::TrainingPeaks),
        ("pmc_10y_exponential", Convention::Exponential),
    ] {
        let params = PmcParams {
            convention,
            ..PmcParams::default()
        };
        c.bench_function(name, |b| {
            b.iter(|| FitnessSeries::compute(black_box(&loads), black_box(&params)))
        });
    }
}

criterion_group!(benches, bench_pmc);
criterion_main!(benches);
