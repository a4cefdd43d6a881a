//! Second-by-second analytics on the fake athlete's recordings.
//!
//! Target (issue 14): the exact mean-maximal curve of a 6-hour ride, every
//! duration, under 50 ms. Run with
//! `cargo bench -p tp-fitness --bench streams -- --quick`.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tp_fake::{DEMO_SEED, DemoAthlete};

/// The demo athlete's longest ride stretched to six hours (the fake
/// records it to match: power, heart rate, speed… a café stop included).
fn six_hour_ride() -> (Vec<u32>, Vec<Option<i32>>) {
    let mut athlete = DemoAthlete::new(
        DEMO_SEED,
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
    );
    let longest = athlete
        .workouts()
        .iter()
        .filter(|w| {
            w.workout_type_value_id == 2 && w.distance.is_some() && w.power_average.is_some()
        })
        .max_by(|a, b| a.total_time.partial_cmp(&b.total_time).expect("numbers"))
        .expect("a ride")
        .clone();
    let id = longest.workout_id;
    let scale = 6.0 / longest.total_time.expect("a duration");
    athlete.edit_workout(id, |w| {
        w.total_time = Some(6.0);
        w.distance = w.distance.map(|d| d * scale);
    });
    let recording = athlete.recording(id).expect("a recording");
    let time = recording.samples.iter().map(|s| s.t).collect();
    let power = recording
        .samples
        .iter()
        .map(|s| s.power_w.map(i32::from))
        .collect();
    (time, power)
}

fn bench_mean_max(c: &mut Criterion) {
    let (time, power) = six_hour_ride();
    assert_eq!(power.len(), 6 * 3600);
    c.bench_function("mean_max_curve_6h_ride_every_duration", |b| {
        b.iter(|| tp_fitness::mean_max::mean_max_curve(black_box(&time), black_box(&power)))
    });
    // The same six hours as one stretch without the café stop: the
    // hardest case (every duration up to 21 600 s).
    let one_stretch: Vec<i64> = power.iter().map(|p| i64::from(p.unwrap_or(0))).collect();
    c.bench_function("mean_max_sums_6h_one_stretch", |b| {
        b.iter(|| tp_fitness::mean_max::mean_max_sums(black_box(&one_stretch)))
    });
}

criterion_group!(benches, bench_mean_max);
criterion_main!(benches);
