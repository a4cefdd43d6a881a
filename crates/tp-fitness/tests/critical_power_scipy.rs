//! The critical power fits against scipy, and the demo athlete's curve
//! the comparison uses.
//!
//! `tests/data/cp_fits.json` is written by `tests/data/cp_fits.py`
//! (numpy's `lstsq` and scipy's `curve_fit` — MINPACK's
//! Levenberg–Marquardt — on the same points from the same start); this
//! test fits the same curves with `tp_fitness::critical_power` and
//! compares. `tests/data/demo_power_curve_90d.json` is the demo athlete's
//! 90-day power curve, written by the ignored test `write_demo_curve`
//! below and checked against the fake on every run.

use chrono::{Days, NaiveDate};
use serde_json::Value;
use std::path::PathBuf;
use tp_fitness::critical_power::{
    CpError, DurationWindow, NotPhysical, fit_three_parameter, fit_two_parameter,
};
use tp_fitness::mean_max::mean_max_curve;

/// The day the demo curve ends on (the day the other demo numbers are quoted for).
fn demo_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// Days in the demo curve's range (ending on [`demo_day`]).
const DEMO_DAYS: u64 = 90;

/// Durations kept in the data file (the fits use up to 20 min).
const DEMO_MAX_S: usize = 1200;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The demo athlete's best sums (W·s) for 1..=DEMO_MAX_S seconds over the
/// completed workouts of the 90 days ending on the demo day: every
/// workout's exact mean-maximal power curve, best of all per duration.
fn demo_best_sums() -> (Vec<i64>, usize) {
    let athlete = tp_fake::DemoAthlete::new(tp_fake::DEMO_SEED, demo_day());
    let first = demo_day() - Days::new(DEMO_DAYS - 1);
    let mut best = vec![0i64; DEMO_MAX_S];
    let mut workouts = 0;
    for w in athlete.workouts_between(first, demo_day()) {
        if !w.is_completed() {
            continue;
        }
        let Some(recording) = athlete.recording(w.workout_id) else {
            continue;
        };
        let time: Vec<u32> = recording.samples.iter().map(|s| s.t).collect();
        let power: Vec<Option<i32>> = recording
            .samples
            .iter()
            .map(|s| s.power_w.map(i32::from))
            .collect();
        if power.iter().all(Option::is_none) {
            continue;
        }
        workouts += 1;
        let curve = mean_max_curve(&time, &power);
        for (b, s) in best.iter_mut().zip(&curve.best_sums) {
            *b = (*b).max(*s);
        }
    }
    (best, workouts)
}

// Writes the demo curve's data file (run by hand:
// `cargo test -p tp-fitness --test critical_power_scipy -- --ignored write_demo_curve`).
#[test]
#[ignore]
fn write_demo_curve() {
    let (best_sums, workouts) = demo_best_sums();
    let json = serde_json::json!({
        "about": "The demo athlete's (tp_fake::DemoAthlete, DEMO_SEED) best power sums (W·s) for 1..=1200 s over the completed workouts of the 90 days ending on end_date; best average W = best_sums[d - 1] / d. Written by tests/critical_power_scipy.rs (write_demo_curve).",
        "end_date": demo_day().to_string(),
        "days": DEMO_DAYS,
        "workouts_with_power": workouts,
        "best_sums": best_sums,
    });
    std::fs::write(
        data("demo_power_curve_90d.json"),
        serde_json::to_string_pretty(&json).unwrap() + "\n",
    )
    .unwrap();
}

// Proves the data file holds the fake's curve as it is today.
#[test]
fn demo_curve_file_is_the_fakes() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(data("demo_power_curve_90d.json")).unwrap())
            .unwrap();
    let stored: Vec<i64> = file["best_sums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let (best_sums, workouts) = demo_best_sums();
    assert_eq!(stored, best_sums);
    assert_eq!(file["workouts_with_power"], workouts);
}

/// `a` within `rel` of `b`, or within `abs` (for values that are rounding
/// noise: the standard errors and RMSE of an exact fit).
fn assert_close(what: &str, a: f64, b: f64, rel: f64, abs: f64) {
    let diff = (a - b).abs();
    assert!(
        diff <= rel * b.abs() || diff <= abs,
        "{what}: ours {a:e}, scipy {b:e}, relative difference {:e}",
        diff / b.abs()
    );
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

/// The refusal the script names.
fn assert_refusal(case: &str, expected: &str, got: &CpError) {
    let matches = match expected {
        "too_few_points" => matches!(got, CpError::TooFewPoints { .. }),
        "span_too_short" => matches!(got, CpError::SpanTooShort { .. }),
        "not_physical" => matches!(got, CpError::NotPhysical { .. }),
        other => panic!("{case}: unknown refusal {other}"),
    };
    assert!(matches, "{case}: scipy says {expected}, we say {got}");
}

// Proves the 2-parameter fit equals numpy's lstsq within 1e-9 relative
// (scipy's curve_fit, which iterates to its own tolerance, within 1e-7) and Morton's fit equals scipy's curve_fit optimum
// within 1e-6 relative, on the same points, with the same refusals.
#[test]
fn fits_agree_with_scipy() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(data("cp_fits.json")).unwrap()).unwrap();
    let window = |key: &str| {
        let w = file[key].as_array().unwrap();
        DurationWindow::new(w[0].as_u64().unwrap() as u32, w[1].as_u64().unwrap() as u32).unwrap()
    };
    let (w2, w3) = (
        window("two_parameter_window_s"),
        window("three_parameter_window_s"),
    );
    assert_eq!(w2, DurationWindow::TWO_PARAMETER);
    assert_eq!(w3, DurationWindow::THREE_PARAMETER);
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 7);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let points: Vec<(u32, f64)> = case["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_u64().unwrap() as u32, p[1].as_f64().unwrap()))
            .collect();

        let expected = &case["two_parameter"];
        let got = fit_two_parameter(&points, w2);
        if let Some(refusal) = expected["error"].as_str() {
            assert_refusal(name, refusal, &got.unwrap_err());
            eprintln!("{name}: 2-p refused by both ({refusal})");
        } else {
            let fit = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            let cp = number(expected, "cp_w");
            let wp = number(expected, "w_prime_j");
            assert_eq!(
                fit.points_used as u64,
                expected["points_used"].as_u64().unwrap()
            );
            let tag = |what: &str| format!("{name} 2-p {what}");
            assert_close(&tag("CP"), fit.cp_w, cp, 1e-9, 0.0);
            assert_close(&tag("W′"), fit.w_prime_j, wp, 1e-9, 0.0);
            // curve_fit iterates (finite differences) to its own
            // tolerance: agreement to 1e-7, the exact lstsq to 1e-9 above.
            let cf = &expected["curve_fit"];
            assert_close(
                &tag("CP vs curve_fit"),
                fit.cp_w,
                number(cf, "cp_w"),
                1e-7,
                0.0,
            );
            assert_close(
                &tag("W′ vs curve_fit"),
                fit.w_prime_j,
                number(cf, "w_prime_j"),
                1e-7,
                0.0,
            );
            assert_close(
                &tag("RMSE"),
                fit.rmse_w,
                number(expected, "rmse_w"),
                1e-9,
                1e-12 * cp,
            );
            assert_close(
                &tag("R²"),
                fit.r_squared.unwrap(),
                number(expected, "r_squared"),
                1e-9,
                0.0,
            );
            assert_close(
                &tag("SE(CP)"),
                fit.cp_se_w.unwrap(),
                number(expected, "cp_se_w"),
                1e-9,
                1e-12 * cp,
            );
            assert_close(
                &tag("SE(W′)"),
                fit.w_prime_se_j.unwrap(),
                number(expected, "w_prime_se_j"),
                1e-9,
                1e-12 * wp,
            );
            // the residuals are the points' minus the model's power
            for p in &fit.points {
                let model = cp + wp / f64::from(p.duration_s);
                assert!((p.residual_w - (p.power_w - model)).abs() < 1e-9 * cp);
            }
            eprintln!(
                "{name}: 2-p CP {:.9} W (rel. diff {:.1e}), W′ {:.6} J ({:.1e}), SE {:.4}/{:.3}, RMSE {:.4} W, n {}",
                fit.cp_w,
                (fit.cp_w - cp).abs() / cp,
                fit.w_prime_j,
                (fit.w_prime_j - wp).abs() / wp,
                fit.cp_se_w.unwrap(),
                fit.w_prime_se_j.unwrap(),
                fit.rmse_w,
                fit.points_used
            );
        }

        let expected = &case["three_parameter"];
        if expected.is_null() {
            continue;
        }
        let got = fit_three_parameter(&points, w3);
        if let Some(refusal) = expected["error"].as_str() {
            let e = got.unwrap_err();
            assert_refusal(name, refusal, &e);
            if expected
                .get("pmax_w")
                .is_some_and(|p| p.as_f64().unwrap() > 1e5)
            {
                assert!(
                    matches!(
                        e,
                        CpError::NotPhysical {
                            reason: NotPhysical::PmaxUnbounded(_),
                            ..
                        }
                    ),
                    "{name}: {e}"
                );
            }
            eprintln!("{name}: Morton refused by both ({refusal}): {e}");
            continue;
        }
        let fit = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            fit.converged,
            "{name}: not converged after {} steps",
            fit.iterations
        );
        assert_eq!(
            fit.points_used as u64,
            expected["points_used"].as_u64().unwrap()
        );
        let start = expected["start"].as_array().unwrap();
        let tag = |what: &str| format!("{name} Morton {what}");
        assert_close(
            &tag("start CP"),
            fit.start_cp_w,
            start[0].as_f64().unwrap(),
            1e-9,
            0.0,
        );
        assert_close(
            &tag("start W′"),
            fit.start_w_prime_j,
            start[1].as_f64().unwrap(),
            1e-9,
            0.0,
        );
        assert_close(
            &tag("start Pmax"),
            fit.start_pmax_w,
            start[2].as_f64().unwrap(),
            1e-12,
            0.0,
        );
        let (cp, wp, pmax) = (
            number(expected, "cp_w"),
            number(expected, "w_prime_j"),
            number(expected, "pmax_w"),
        );
        assert_close(&tag("CP"), fit.cp_w, cp, 1e-6, 0.0);
        assert_close(&tag("W′"), fit.w_prime_j, wp, 1e-6, 0.0);
        assert_close(&tag("Pmax"), fit.pmax_w, pmax, 1e-6, 0.0);
        assert_close(
            &tag("RMSE"),
            fit.rmse_w,
            number(expected, "rmse_w"),
            1e-6,
            1e-9 * cp,
        );
        assert_close(
            &tag("R²"),
            fit.r_squared.unwrap(),
            number(expected, "r_squared"),
            1e-6,
            0.0,
        );
        assert_close(
            &tag("SE(CP)"),
            fit.cp_se_w.unwrap(),
            number(expected, "cp_se_w"),
            1e-5,
            1e-9 * cp,
        );
        assert_close(
            &tag("SE(W′)"),
            fit.w_prime_se_j.unwrap(),
            number(expected, "w_prime_se_j"),
            1e-5,
            1e-9 * wp,
        );
        assert_close(
            &tag("SE(Pmax)"),
            fit.pmax_se_w.unwrap(),
            number(expected, "pmax_se_w"),
            1e-5,
            1e-9 * pmax,
        );
        eprintln!(
            "{name}: Morton CP {:.9} W ({:.1e}), W′ {:.6} J ({:.1e}), Pmax {:.6} W ({:.1e}), SE {:.4}/{:.3}/{:.3}, RMSE {:.4} W, n {}, {} steps (scipy {} evaluations)",
            fit.cp_w,
            (fit.cp_w - cp).abs() / cp,
            fit.w_prime_j,
            (fit.w_prime_j - wp).abs() / wp,
            fit.pmax_w,
            (fit.pmax_w - pmax).abs() / pmax,
            fit.cp_se_w.unwrap(),
            fit.w_prime_se_j.unwrap(),
            fit.pmax_se_w.unwrap(),
            fit.rmse_w,
            fit.points_used,
            fit.iterations,
            expected["function_evaluations"]
        );
    }
}

// Proves the per-block table on the demo athlete's last year: 8 whole
// 6-week blocks, each with CP and eFTP or a note, the eFTP near the FTP
// the fake rides to.
#[test]
fn demo_year_in_six_week_blocks() {
    use tp_fitness::critical_power::{critical_power_by_block, curve_points, six_week_blocks};
    let today = demo_day();
    let athlete = tp_fake::DemoAthlete::new(tp_fake::DEMO_SEED, today);
    let blocks = six_week_blocks(today - Days::new(364), today);
    assert_eq!(blocks.len(), 8);
    let curves: Vec<_> = blocks
        .iter()
        .map(|b| {
            let mut best: Vec<i64> = Vec::new();
            for w in athlete.workouts_between(b.start, b.end) {
                let Some(rec) = athlete.recording(w.workout_id).filter(|_| w.is_completed()) else {
                    continue;
                };
                let time: Vec<u32> = rec.samples.iter().map(|s| s.t).collect();
                let power: Vec<Option<i32>> = rec
                    .samples
                    .iter()
                    .map(|s| s.power_w.map(i32::from))
                    .collect();
                let curve = mean_max_curve(&time, &power);
                if best.len() < curve.best_sums.len() {
                    best.resize(curve.best_sums.len(), 0);
                }
                for (b, s) in best.iter_mut().zip(&curve.best_sums) {
                    *b = (*b).max(*s);
                }
            }
            let curve = tp_model::MeanMaxCurve { best_sums: best };
            (*b, curve_points(&curve))
        })
        .collect();
    let rows = critical_power_by_block(&curves, DurationWindow::TWO_PARAMETER);
    assert_eq!(rows.len(), 8);
    for row in &rows {
        let ftp = f64::from(athlete.ftp_on(row.block_end));
        eprintln!(
            "{} – {}: CP {:?} W, W′ {:?} J, eFTP {:?} W ({:?}), n {}, RMSE {:?}, the fake's FTP {ftp} W, note {:?}",
            row.block_start,
            row.block_end,
            row.cp_w.map(|v| v.round()),
            row.w_prime_j.map(|v| v.round()),
            row.eftp_w.map(|v| v.round()),
            row.eftp_basis,
            row.points_used,
            row.rmse_w.map(|v| (v * 100.0).round() / 100.0),
            row.note
        );
        match (row.cp_w, &row.note) {
            (Some(cp), None) => {
                assert!(cp > 0.5 * ftp && cp < 1.5 * ftp, "{row:?}");
                assert!(row.w_prime_j.unwrap() > 0.0);
            }
            (None, Some(_)) => {}
            _ => panic!("a row has numbers or a note: {row:?}"),
        }
        if let Some(eftp) = row.eftp_w {
            assert!((eftp - ftp).abs() < 0.2 * ftp, "{row:?}");
        }
    }
}
