//! Property tests: the PMC recurrence against its closed forms, projection
//! against the plan, look-ups by date, and "never NaN or infinite" for any
//! input.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tp_fitness::form::FormStatus;
use tp_fitness::projection::{ProjectionSource, project};
use tp_fitness::{
    Convention, FitnessSeries, LoadSeries, PmcParams, fitness_trend, performance_summary,
    training_load_summary,
};
use tp_model::Workout;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
}

fn convention() -> impl Strategy<Value = Convention> {
    prop_oneof![
        Just(Convention::TrainingPeaks),
        Just(Convention::Exponential)
    ]
}

/// k for a convention, written out independently of the crate.
fn k(convention: Convention, t: f64) -> f64 {
    match convention {
        Convention::TrainingPeaks => 1.0 / t,
        Convention::Exponential => 1.0 - (-1.0 / t).exp(),
    }
}

fn params(convention: Convention, ctl_days: f64, atl_days: f64) -> PmcParams {
    PmcParams {
        ctl_days,
        atl_days,
        convention,
        ..PmcParams::default()
    }
}

/// Any f64 at all, with the awkward ones made likely.
fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(1e12),
        Just(-1e12),
        Just(0.0),
        Just(f64::MIN_POSITIVE),
        -2000.0..2000.0f64,
        any::<f64>(),
    ]
}

proptest! {
    /// Constant daily TSS c: both averages converge to c. After n days the
    /// remaining gap is (1 − k)^n · c; 3000 days leave (41/42)^3000 ≈ e^−72.
    #[test]
    fn constant_load_converges_to_itself(c in 0.0..2000.0f64, conv in convention(), ctl_days in 20.0..60.0f64, atl_days in 3.0..15.0f64) {
        let s = FitnessSeries::compute(&LoadSeries::from_daily(day0(), vec![c; 3000]), &params(conv, ctl_days, atl_days));
        let last = s.last().unwrap();
        prop_assert!((last.ctl - c).abs() <= 1e-9 * c.max(1.0), "ctl {} vs {}", last.ctl, c);
        prop_assert!((last.atl - c).abs() <= 1e-9 * c.max(1.0));
        prop_assert!(last.tsb.abs() <= 1e-9 * c.max(1.0));
    }

    /// With no load, a start value decays exactly as (1 − k)^n.
    #[test]
    fn rest_decays_geometrically(start_ctl in 0.0..200.0f64, start_atl in 0.0..300.0f64, n in 1usize..400, conv in convention()) {
        let p = PmcParams { convention: conv, ctl_start: start_ctl, atl_start: start_atl, ..PmcParams::default() };
        let s = FitnessSeries::compute(&LoadSeries::from_daily(day0(), vec![0.0; n]), &p);
        let (kc, ka) = (k(conv, 42.0), k(conv, 7.0));
        for (i, day) in s.days.iter().enumerate() {
            let m = (i + 1) as i32;
            let ctl = start_ctl * (1.0 - kc).powi(m);
            let atl = start_atl * (1.0 - ka).powi(m);
            prop_assert!((day.ctl - ctl).abs() <= 1e-11 * start_ctl.max(1.0), "day {} ctl {} vs {}", i, day.ctl, ctl);
            prop_assert!((day.atl - atl).abs() <= 1e-11 * start_atl.max(1.0));
        }
    }

    /// The final CTL equals its closed form
    /// start·(1−k)^n + Σ tss_i·k·(1−k)^(n−1−i), and TSB is always yesterday's CTL − ATL.
    #[test]
    fn recurrence_matches_closed_form(tss in prop::collection::vec(0.0..1500.0f64, 1..250), start in 0.0..150.0f64, conv in convention(), ctl_days in 1.0..90.0f64) {
        let n = tss.len();
        let p = PmcParams { ctl_days, convention: conv, ctl_start: start, ..PmcParams::default() };
        let s = FitnessSeries::compute(&LoadSeries::from_daily(day0(), tss.clone()), &p);
        let kc = k(conv, ctl_days);
        let closed = start * (1.0 - kc).powi(n as i32)
            + tss.iter().enumerate().map(|(i, t)| t * kc * (1.0 - kc).powi((n - 1 - i) as i32)).sum::<f64>();
        prop_assert!((s.last().unwrap().ctl - closed).abs() <= 1e-9 * closed.abs().max(1.0));
        prop_assert_eq!(s.days[0].tsb, start - 0.0);
        for w in s.days.windows(2) {
            prop_assert_eq!(w[1].tsb, w[0].ctl - w[0].atl);
        }
    }

    /// Swapping days i < j changes the final CTL by exactly (t_j − t_i)(w_i − w_j),
    /// with w_m = k(1−k)^(n−1−m): the later day weighs more.
    #[test]
    fn swapping_two_days_changes_ctl_as_the_weights_say(tss in prop::collection::vec(0.0..1000.0f64, 2..200), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), conv in convention()) {
        let n = tss.len();
        let (i, j) = { let (x, y) = (a.index(n), b.index(n)); (x.min(y), x.max(y)) };
        let p = params(conv, 42.0, 7.0);
        let before = FitnessSeries::compute(&LoadSeries::from_daily(day0(), tss.clone()), &p).last().unwrap().ctl;
        let mut swapped = tss.clone();
        swapped.swap(i, j);
        let after = FitnessSeries::compute(&LoadSeries::from_daily(day0(), swapped), &p).last().unwrap().ctl;
        let kc = k(conv, 42.0);
        let w = |m: usize| kc * (1.0 - kc).powi((n - 1 - m) as i32);
        let expected = (tss[j] - tss[i]) * (w(i) - w(j));
        prop_assert!((after - before - expected).abs() <= 1e-9 * before.abs().max(1.0), "{} vs {}", after - before, expected);
        if tss[j] > tss[i] && i != j {
            prop_assert!(after <= before + 1e-9, "moving the bigger load earlier cannot raise today's CTL");
        }
    }

    /// No result is ever NaN or infinite, whatever the loads and parameters.
    #[test]
    fn never_nan_or_infinite(
        tss in prop::collection::vec(wild_f64(), 0..120),
        ctl_days in wild_f64(), atl_days in wild_f64(), ctl_start in wild_f64(), atl_start in wild_f64(),
        conv in convention(), horizon in 1u32..=30,
        plan in prop::collection::vec((0u64..40, wild_f64()), 0..10),
    ) {
        let p = PmcParams { ctl_days, atl_days, convention: conv, ctl_start, atl_start };
        let loads = LoadSeries::from_daily(day0(), tss.clone());
        let s = FitnessSeries::compute(&loads, &p);
        prop_assert_eq!(s.len(), tss.len());
        for d in &s.days {
            prop_assert!(d.ctl.is_finite() && d.atl.is_finite() && d.tsb.is_finite() && d.tss.is_finite(), "{:?}", d);
        }
        if let Some(last) = s.last() {
            let st = FormStatus::at(&s, last.date).unwrap();
            prop_assert!(st.ramp_rate.is_none_or(f64::is_finite));
            prop_assert!(st.acute_chronic_ratio.is_none_or(f64::is_finite));
            let t = fitness_trend(&s, day0(), last.date).unwrap();
            for v in [t.ctl_change_7d, t.ctl_change_30d, t.atl_change_7d, t.tsb_change_7d].into_iter().flatten() {
                prop_assert!(v.is_finite());
            }
            let plan: Vec<_> = plan.iter().map(|(off, v)| (last.date + Days::new(*off), *v)).collect();
            let proj = project(&s, &plan, horizon).unwrap();
            prop_assert!(proj.fallback_daily_tss.is_finite());
            for d in &proj.days {
                prop_assert!(d.ctl.is_finite() && d.atl.is_finite() && d.tsb.is_finite() && d.tss.is_finite());
            }
        }
        // the same wild numbers as workouts
        let workouts: Vec<Workout> = tss.iter().enumerate().map(|(i, v)| Workout {
            workout_id: i as i64,
            workout_type_value_id: Some(2),
            workout_day: Some(day0() + Days::new(i as u64 / 2)),
            completed: Some(true),
            tss_actual: Some(*v),
            total_time: Some(v.abs()),
            distance: Some(*v),
            normalized_power_actual: Some(*v),
            power_average: Some(v * 0.5),
            heart_rate_average: Some(*v),
            intensity_factor: Some(*v),
            velocity_average: Some(*v),
            ..Workout::default()
        }).collect();
        let end = day0() + Days::new(70);
        let ls = training_load_summary(&workouts, day0(), end);
        let mut nums = vec![ls.total_tss, ls.total_hours];
        nums.extend([ls.avg_daily_tss, ls.avg_weekly_tss, ls.avg_weekly_tss_full_weeks, ls.tss_per_hour].into_iter().flatten());
        if let Some(m) = &ls.monotony {
            nums.extend([m.weekly_tss, m.mean_daily_tss, m.sd_daily_tss]);
            nums.extend([m.monotony, m.strain].into_iter().flatten());
        }
        let ps = performance_summary(&workouts, &[], day0(), end, Some(250.0));
        nums.extend([ps.total_hours, ps.total_distance_m, ps.total_tss, ps.if_distribution.total_hours, ps.if_distribution.total_tss]);
        for stats in [ps.intensity_factor, ps.normalized_power, ps.average_power, ps.average_heart_rate, ps.average_speed].into_iter().flatten() {
            nums.extend([stats.mean, stats.min, stats.max]);
        }
        for w in &workouts {
            let m = tp_fitness::analyze_workout(w, Some(250.0));
            nums.extend([m.tss_per_hour, m.efficiency_factor.map(|e| e.value), m.variability_index.map(|v| v.value), m.speed.map(|s| s.km_per_h), m.speed.and_then(|s| s.pace_min_per_km)].into_iter().flatten());
        }
        for v in nums {
            prop_assert!(v.is_finite(), "{}", v);
        }
    }

    /// Planned days take the plan's TSS, the others the 28-day average; every
    /// projected day follows the recurrence from the last day of history.
    #[test]
    fn projection_follows_the_plan(history in prop::collection::vec(0.0..300.0f64, 1..60), plan in prop::collection::btree_map(1u64..=21, 0.0..400.0f64, 0..21), horizon in 1u32..=21, conv in convention()) {
        let s = FitnessSeries::compute(&LoadSeries::from_daily(day0(), history.clone()), &params(conv, 42.0, 7.0));
        let last = *s.last().unwrap();
        let recent = &history[history.len().saturating_sub(28)..];
        let fallback = recent.iter().sum::<f64>() / recent.len() as f64;
        let plan_dated: BTreeMap<NaiveDate, f64> = plan.iter().map(|(off, t)| (last.date + Days::new(*off), *t)).collect();
        let plan_list: Vec<_> = plan_dated.iter().map(|(d, t)| (*d, *t)).collect();
        let p = project(&s, &plan_list, horizon).unwrap();
        prop_assert_eq!(p.days.len(), horizon as usize);
        prop_assert!((p.fallback_daily_tss - fallback).abs() <= 1e-9 * fallback.max(1.0));
        let (kc, ka) = (k(conv, 42.0), k(conv, 7.0));
        let (mut ctl, mut atl) = (last.ctl, last.atl);
        for (i, day) in p.days.iter().enumerate() {
            prop_assert_eq!(day.date, last.date + Days::new(i as u64 + 1));
            match plan_dated.get(&day.date) {
                Some(t) => { prop_assert_eq!(day.source, ProjectionSource::Planned); prop_assert_eq!(day.tss, *t); }
                None => { prop_assert_eq!(day.source, ProjectionSource::Fallback); prop_assert_eq!(day.tss, p.fallback_daily_tss); }
            }
            prop_assert!((day.tsb - (ctl - atl)).abs() <= 1e-9);
            ctl += (day.tss - ctl) * kc;
            atl += (day.tss - atl) * ka;
            prop_assert!((day.ctl - ctl).abs() <= 1e-9 && (day.atl - atl).abs() <= 1e-9);
        }
        let planned = p.days.iter().filter(|d| d.source == ProjectionSource::Planned).count() as u32;
        prop_assert_eq!((p.planned_days, p.fallback_days), (planned, horizon - planned));
    }

    /// Ramp rate is CTL(d) − CTL(d − 7) by calendar date, even when the
    /// workouts come sparse and unordered (gaps are rest days, not skipped rows).
    #[test]
    fn ramp_rate_is_by_date(entries in prop::collection::vec((0u64..120, 1.0..250.0f64), 0..60), probe in 0u64..120) {
        let workouts: Vec<Workout> = entries.iter().map(|(off, t)| Workout {
            workout_day: Some(day0() + Days::new(*off)),
            completed: Some(true),
            tss_actual: Some(*t),
            ..Workout::default()
        }).collect();
        let end = day0() + Days::new(119);
        let s = FitnessSeries::compute(&LoadSeries::from_workouts(&workouts, day0(), end), &PmcParams::default());
        // naive reference: a map of date → TSS, walked day by day
        let mut by_day: BTreeMap<u64, f64> = BTreeMap::new();
        for (off, t) in &entries { *by_day.entry(*off).or_insert(0.0) += t; }
        let mut ctl = vec![0.0f64; 121]; // ctl[i + 1] = CTL at the end of day i; ctl[0] = start
        for i in 0..120u64 {
            let t = by_day.get(&i).copied().unwrap_or(0.0);
            ctl[i as usize + 1] = ctl[i as usize] + (t - ctl[i as usize]) / 42.0;
        }
        let date = day0() + Days::new(probe);
        let ramp = s.ramp_rate(date);
        if probe >= 6 {
            let expected = ctl[probe as usize + 1] - ctl[probe as usize + 1 - 7];
            prop_assert!((ramp.unwrap() - expected).abs() < 1e-9);
        } else {
            prop_assert_eq!(ramp, None);
        }
    }
}

/// Results serialize with snake_case field names and enum values, so
/// `tp-mcp` can hand them out as structured content unchanged.
#[test]
fn results_serialize_in_snake_case() {
    let loads = LoadSeries::from_daily(day0(), vec![50.0; 40]);
    let s = FitnessSeries::compute(&loads, &PmcParams::default());
    let t = fitness_trend(&s, day0(), day0() + Days::new(39)).unwrap();
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["as_of"], "2020-02-09");
    assert_eq!(v["direction"], "building");
    assert!(v["ctl_change_7d"].as_f64().unwrap() > 1.0);
    assert_eq!(v["peak_fitness"]["date"], "2020-02-09");
    let p = serde_json::to_value(s.params).unwrap();
    assert_eq!(p["convention"], "training_peaks");
    assert_eq!(p["ctl_days"], 42.0);
    let proj = serde_json::to_value(project(&s, &[], 1).unwrap()).unwrap();
    assert_eq!(proj["days"][0]["source"], "fallback");
    assert_eq!(proj["days"][0]["tss"], 50.0);
}
