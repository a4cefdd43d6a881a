//! `stream_analysis` over the fake athlete's whole history: the fake
//! calibrates every recording to its workout's summary, so what the
//! streams give must agree with what the summary says.

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tp_fake::{DEMO_SEED, DemoAthlete, Recording};
use tp_fitness::stream_analysis::{AnalysisInputs, StreamAnalysis, analyze_streams};
use tp_model::{ChannelKind, Sport, Streams, Zone};

fn athlete() -> DemoAthlete {
    DemoAthlete::new(DEMO_SEED, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())
}

/// A recording as decoded streams (the integers a FIT file holds).
fn streams(rec: &Recording) -> Streams {
    let s = &rec.samples;
    let mut c = BTreeMap::new();
    c.insert(
        ChannelKind::Power,
        s.iter().map(|x| x.power_w.map(i32::from)).collect(),
    );
    c.insert(
        ChannelKind::HeartRate,
        s.iter().map(|x| x.heart_rate_bpm.map(i32::from)).collect(),
    );
    c.insert(
        ChannelKind::Cadence,
        s.iter().map(|x| x.cadence_rpm.map(i32::from)).collect(),
    );
    c.insert(
        ChannelKind::Speed,
        s.iter().map(|x| x.speed_mm_s.map(i32::from)).collect(),
    );
    c.insert(
        ChannelKind::Distance,
        s.iter()
            .map(|x| x.distance_cm.and_then(|d| i32::try_from(d).ok()))
            .collect(),
    );
    c.insert(
        ChannelKind::Altitude,
        s.iter().map(|x| x.altitude_cm).collect(),
    );
    c.insert(
        ChannelKind::Temperature,
        s.iter().map(|x| x.temperature_c.map(i32::from)).collect(),
    );
    Streams::from_parts(s.iter().map(|x| x.t).collect(), c).unwrap()
}

fn hr_zones() -> Vec<Zone> {
    [
        (0.0, 129.0),
        (130.0, 146.0),
        (147.0, 160.0),
        (161.0, 170.0),
        (171.0, 220.0),
    ]
    .iter()
    .enumerate()
    .map(|(i, (lo, hi))| Zone {
        label: Some(format!("Z{}", i + 1)),
        minimum: Some(*lo),
        maximum: Some(*hi),
    })
    .collect()
}

/// Checks every analysis must pass, whatever the workout.
fn check_invariants(a: &StreamAnalysis, streams: &Streams) {
    let debug = format!("{a:?}");
    assert!(!debug.contains("NaN") && !debug.contains("inf,") && !debug.contains("inf)"));
    serde_json::to_string(a).expect("serializes");
    assert_eq!(a.recorded_s, streams.recorded_s(5));
    for z in [
        &a.time_in_zones.power,
        &a.time_in_zones.heart_rate,
        &a.time_in_zones.speed,
    ]
    .into_iter()
    .flatten()
    {
        let sum: u32 = z.zones.iter().map(|z| z.seconds).sum();
        assert_eq!(sum, z.seconds_with_value);
    }
    if let Some(b) = &a.w_prime_balance.balance {
        assert!(b.series.iter().all(|p| p.minimum_j <= b.w_prime_j + 1e-9));
        assert!(b.minimum_j >= b.w_prime_j - b.work_above_cp_j - 1e-6);
    }
}

// Proves, over every ride of the demo history with power, that Normalized
// Power from the streams is within 1 % of the summary's and IF and TSS
// within 2 % — the fake calibrates each recording to its summary — and
// that every analysis is well-formed.
#[test]
fn every_ride_agrees_with_its_summary() {
    let a = athlete();
    let zones = hr_zones();
    let (mut rides, mut worst_np, mut worst_if, mut worst_tss) = (0, 0.0f64, 0.0f64, 0.0f64);
    let mut spent = Duration::ZERO;
    for w in a.workouts() {
        let sport = Sport::from_id(i64::from(w.workout_type_value_id));
        if !sport.is_cycling() {
            continue;
        }
        let Some(rec) = a.recording(w.workout_id) else {
            continue;
        };
        let s = streams(&rec);
        let ftp = f64::from(a.ftp_on(w.workout_day));
        let started = Instant::now();
        let an = analyze_streams(&AnalysisInputs {
            ftp_w: Some(ftp),
            lthr_bpm: Some(165.0),
            hr_zones: Some(&zones),
            ..AnalysisInputs::new(&s, sport)
        });
        spent += started.elapsed();
        check_invariants(&an, &s);
        let id = w.workout_id;
        let Some(summary_np) = w.normalized_power_actual else {
            // a ride without a power meter: no power, so no IF, said why
            assert!(an.load.power.is_none(), "{id}");
            assert_eq!(an.load.intensity_factor, None);
            assert!(an.load.reason.is_some());
            continue;
        };
        let p = an.load.power.as_ref().expect("a ride with NP has power");
        let np = p.normalized_power_w.unwrap();
        let err = |x: f64, y: f64| (x / y - 1.0).abs();
        let e_np = err(np, summary_np);
        let e_if = err(an.load.intensity_factor.unwrap(), w.if_actual.unwrap());
        let e_tss = err(an.load.tss.unwrap(), w.tss_actual.unwrap());
        assert!(e_np < 0.01, "{id}: NP {np} vs {summary_np}");
        assert!(
            e_if < 0.02,
            "{id}: IF {:?} vs {:?}",
            an.load.intensity_factor,
            w.if_actual
        );
        assert!(
            e_tss < 0.02,
            "{id}: TSS {:?} vs {:?}",
            an.load.tss,
            w.tss_actual
        );
        // the average is exact (the fake repairs rounding to the watt)
        assert!((p.average_power_w - f64::from(w.power_average.unwrap())).abs() < 1e-6);
        assert_eq!(an.recorded_s as usize, rec.samples.len());
        (worst_np, worst_if, worst_tss) =
            (worst_np.max(e_np), worst_if.max(e_if), worst_tss.max(e_tss));
        rides += 1;
    }
    eprintln!(
        "{rides} rides analysed in {spent:?}; worst NP {:.3} %, IF {:.3} %, TSS {:.3} %",
        worst_np * 100.0,
        worst_if * 100.0,
        worst_tss * 100.0
    );
    // most of the demo's ~700 rides have a power meter
    assert!(rides > 400, "{rides}");
}

// Proves runs' normalized graded speed (grade from altitude quantised to
// 0.2 m, smoothed over a centred 40 m window) gives the summary's IF —
// which the fake computes with the per-second grade — within 0.5 %, and
// that ignoring the grade would not (so the grade matters). Swims and
// the rest are checked for well-formedness; the swims' offset is printed.
#[test]
fn runs_and_the_rest_agree_with_their_summaries() {
    let a = athlete();
    let mut run_errors = Vec::new();
    let mut flat_errors = Vec::new();
    let mut swim_ratios = Vec::new();
    for w in a.workouts() {
        let Some(rec) = a.recording(w.workout_id) else {
            continue;
        };
        let sport = Sport::from_id(i64::from(w.workout_type_value_id));
        let s = streams(&rec);
        let threshold = match sport {
            Sport::Swim => a.profile().swim_threshold_speed_on(w.workout_day),
            _ => a.profile().run_threshold_speed_on(w.workout_day),
        };
        let inputs = AnalysisInputs {
            threshold_speed_m_s: Some(threshold),
            ftp_w: Some(f64::from(a.ftp_on(w.workout_day))),
            ..AnalysisInputs::new(&s, sport)
        };
        let an = analyze_streams(&inputs);
        check_invariants(&an, &s);
        match sport {
            Sport::Run => {
                let summary = w.if_actual.unwrap();
                let intensity = an.load.intensity_factor.unwrap();
                run_errors.push(intensity / summary - 1.0);
                let g = an.load.graded_speed.as_ref().unwrap();
                assert!(g.normalized_graded_speed_m_s.unwrap() > g.average_speed_m_s * 0.9);
                // without altitude the same run is flat
                let mut c: BTreeMap<_, _> = s.channels().map(|(k, v)| (k, v.to_vec())).collect();
                c.remove(&ChannelKind::Altitude);
                let no_alt = Streams::from_parts(s.time_s().to_vec(), c).unwrap();
                let flat_an = analyze_streams(&AnalysisInputs {
                    streams: &no_alt,
                    ..inputs
                });
                flat_errors.push(flat_an.load.intensity_factor.unwrap() / summary - 1.0);
            }
            Sport::Swim => {
                if let (Some(i), Some(summary)) = (an.load.intensity_factor, w.if_actual) {
                    swim_ratios.push(i / summary);
                }
            }
            _ => {}
        }
    }
    let stats = |e: &[f64]| {
        let mean = e.iter().sum::<f64>() / e.len() as f64;
        let mae = e.iter().map(|x| x.abs()).sum::<f64>() / e.len() as f64;
        let worst = e.iter().map(|x| x.abs()).fold(0.0, f64::max);
        (mean * 100.0, mae * 100.0, worst * 100.0)
    };
    let (mean, mae, worst) = stats(&run_errors);
    let (flat_mean, _, flat_worst) = stats(&flat_errors);
    eprintln!(
        "{} runs: IF from NGS vs summary: mean {mean:+.3} %, mean |error| {mae:.3} %, worst \
         {worst:.3} %; without the grade: mean {flat_mean:+.2} %, worst {flat_worst:.2} %",
        run_errors.len()
    );
    let swim_mean = swim_ratios.iter().sum::<f64>() / swim_ratios.len() as f64;
    eprintln!(
        "{} swims: IF (distance / recorded time / CSS) ÷ summary IF = {swim_mean:.4} on average",
        swim_ratios.len()
    );
    assert!(run_errors.len() > 400);
    assert!(worst < 0.5, "worst run IF error {worst} %");
    assert!(flat_worst > 2.0, "the grade should matter: {flat_worst} %");
}

// Proves a 6-hour ride (the demo's longest, stretched; a café stop
// included) is analysed in linear time: prints the time, and fails only
// far above what a linear pass takes (an O(n²) step would take seconds).
#[test]
fn a_six_hour_ride_is_quick() {
    let mut a = athlete();
    let longest = a
        .workouts()
        .iter()
        .filter(|w| {
            w.workout_type_value_id == 2 && w.distance.is_some() && w.power_average.is_some()
        })
        .max_by(|x, y| x.total_time.partial_cmp(&y.total_time).unwrap())
        .unwrap()
        .clone();
    let scale = 6.0 / longest.total_time.unwrap();
    a.edit_workout(longest.workout_id, |w| {
        w.total_time = Some(6.0);
        w.distance = w.distance.map(|d| d * scale);
    });
    let rec = a.recording(longest.workout_id).unwrap();
    let s = streams(&rec);
    assert_eq!(s.len(), 6 * 3600);
    let zones = hr_zones();
    let inputs = AnalysisInputs {
        ftp_w: Some(f64::from(a.ftp_on(longest.workout_day))),
        hr_zones: Some(&zones),
        speed_zones: Some(&zones),
        ..AnalysisInputs::new(&s, Sport::Bike)
    };
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let an = analyze_streams(&inputs);
        best = best.min(started.elapsed());
        assert_eq!(an.recorded_s, 6 * 3600);
    }
    eprintln!("6-hour ride analysed in {best:?} (best of 5)");
    assert!(best < Duration::from_millis(500), "{best:?}");
}
