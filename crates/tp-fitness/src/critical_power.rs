//! Power-duration models fitted to a mean-maximal power curve: critical
//! power (CP), W′, Pmax and an estimated FTP, for a range and per 6-week
//! block.
//!
//! **Input.** A curve as `(duration_s, best average W)` pairs — the range's
//! best power at whole-second durations, in any order, sparse (a few
//! standard durations) or every second `1..=N` ([`curve_points`] turns a
//! [`MeanMaxCurve`] into that). Only the points inside the model's
//! [`DurationWindow`] are used. A point with duration 0 or a power that is
//! not finite, not above 0 or above [`MAX_POWER_W`] is left out; a duration
//! given twice keeps its higher power (the curve is a best). Every point
//! weighs the same, so a dense curve weighs each part of the window by how
//! many seconds it spans.
//!
//! **The models.**
//! - 2-parameter (Monod & Scherrer 1965; reviewed by Jones et al. 2010):
//!   `P(t) = CP + W′/t`, fitted by ordinary least squares on
//!   `P = CP + W′·(1/t)` (a straight line in `1/t`, closed form) over
//!   2–20 min by default ([`DurationWindow::TWO_PARAMETER`]): shorter
//!   efforts are limited by neuromuscular power, longer ones by fuel and
//!   temperature, and neither follows the model ([`fit_two_parameter`]).
//! - 3-parameter (Morton 1996, "A 3-parameter critical power model",
//!   Ergonomics 39:611): `P(t) = CP + W′/(t + W′/(Pmax − CP))`, which is
//!   finite at `t = 0` (`P(0) = Pmax`), fitted by nonlinear least squares
//!   on `P` over 10 s – 20 min by default
//!   ([`DurationWindow::THREE_PARAMETER`]) with a Levenberg–Marquardt
//!   solver written here ([`fit_three_parameter`]).
//! - Estimated FTP ([`estimate_ftp`]): 95 % of the best 20-minute power
//!   (Allen & Coggan) when the curve has 1200 s, else the 2-parameter CP;
//!   both are returned and the rule used is named.
//!
//! **Why the solver is written here.** The `levenberg-marquardt` crate (a
//! MINPACK port) is maintained and good, but it is built on `nalgebra` — a
//! large dependency (and compile time) for a problem with 3 parameters,
//! whose normal equations are a 3×3 system solved in a few lines. The
//! Jacobian is analytic, the steps are Marquardt-scaled (each parameter in
//! its own unit: W, J, W), and the result is checked against scipy's
//! MINPACK (`tests/data/cp_fits.py`).
//!
//! **Refusals** ([`CpError`], in words): fewer points than the model needs
//! (3 for the 2-parameter model; 4 for the 3-parameter one, so that an
//! error can be estimated at all), durations spanning less than
//! [`MIN_SPAN_S`], or a fit that is not physical (CP ≤ 0, W′ ≤ 0,
//! Pmax ≤ CP): the efforts in the window then do not follow a
//! power-duration curve, typically because none of them was maximal. A
//! fitted Pmax beyond [`MAX_POWER_W`] is refused too: the short efforts
//! do not bend the curve toward a maximum, and Morton's model has run off
//! to its 2-parameter limit (`Pmax → ∞`).
//!
//! Every number in a result is finite; what cannot be estimated (an error
//! without degrees of freedom, R² of a flat curve) is `None`.

use crate::num::finite;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::fmt;
use tp_model::MeanMaxCurve;

/// The shortest span of durations (longest − shortest used) a fit accepts, s.
pub const MIN_SPAN_S: u32 = 180;

/// Powers above this are not a human's (W): such points are left out of a
/// fit, and a fitted Pmax beyond it is refused (the 3-parameter model has
/// then run off to its 2-parameter limit).
pub const MAX_POWER_W: f64 = 100_000.0;

/// Points the 2-parameter model needs.
pub const TWO_PARAMETER_MIN_POINTS: usize = 3;

/// Points the 3-parameter model needs (one more than its parameters, so
/// that its error can be estimated).
pub const THREE_PARAMETER_MIN_POINTS: usize = 4;

/// The duration whose best power estimates FTP (20 minutes), s.
pub const FTP_TEST_S: u32 = 1200;

/// FTP as a fraction of the best 20-minute power (Allen & Coggan).
pub const FTP_FRACTION_OF_20_MIN: f64 = 0.95;

/// Days in one block of [`six_week_blocks`].
pub const BLOCK_DAYS: u64 = 42;

/// The most Levenberg–Marquardt iterations (accepted steps) tried.
pub const MAX_ITERATIONS: u32 = 200;

/// The fit has converged when the Gauss–Newton step is below this
/// fraction of every parameter.
const STEP_TOLERANCE: f64 = 1e-10;

/// When no step lowers the error any more (floating-point floor), the fit
/// counts as converged if the Gauss–Newton step is below this fraction.
const STALL_TOLERANCE: f64 = 1e-8;

/// The damping beyond which no step is tried any more.
const MAX_DAMPING: f64 = 1e16;

/// The durations a model is fitted over (both ends included), s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DurationWindow {
    pub min_s: u32,
    pub max_s: u32,
}

impl DurationWindow {
    /// 2 to 20 minutes: the 2-parameter model's default (Jones et al. 2010).
    pub const TWO_PARAMETER: DurationWindow = DurationWindow {
        min_s: 120,
        max_s: 1200,
    };

    /// 10 s to 20 minutes: the 3-parameter model's default.
    pub const THREE_PARAMETER: DurationWindow = DurationWindow {
        min_s: 10,
        max_s: 1200,
    };

    /// A window from `min_s` to `max_s` (inclusive); `min_s` ≥ 1 and below
    /// `max_s`.
    pub fn new(min_s: u32, max_s: u32) -> Result<DurationWindow, CpError> {
        let window = DurationWindow { min_s, max_s };
        window.check()?;
        Ok(window)
    }

    /// Whether a duration lies in the window.
    pub fn contains(self, duration_s: u32) -> bool {
        (self.min_s..=self.max_s).contains(&duration_s)
    }

    fn check(self) -> Result<(), CpError> {
        if self.min_s == 0 || self.max_s <= self.min_s {
            return Err(CpError::Window {
                min_s: self.min_s,
                max_s: self.max_s,
            });
        }
        Ok(())
    }
}

/// One point of the curve a model was fitted to, with the model's value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FittedPoint {
    pub duration_s: u32,
    /// The curve's best average power for the duration (W).
    pub power_w: f64,
    /// The fitted model's power for the duration (W).
    pub model_power_w: f64,
    /// `power_w − model_power_w` (W).
    pub residual_w: f64,
}

/// The 2-parameter critical power model fitted to a curve.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TwoParameterFit {
    /// Critical power (W): the intercept of `P` against `1/t`.
    pub cp_w: f64,
    /// W′ (J): the work available above CP; the slope of `P` against `1/t`.
    pub w_prime_j: f64,
    pub window: DurationWindow,
    pub points_used: usize,
    /// The points used, shortest first, with their residuals.
    pub points: Vec<FittedPoint>,
    /// Root mean square of the residuals, `√(Σr²/n)` (W).
    pub rmse_w: f64,
    /// Share of the variance of the points' power the model explains;
    /// `None` when every point has the same power.
    pub r_squared: Option<f64>,
    /// Standard error of CP (W), from the residual variance `Σr²/(n − 2)`
    /// and `(XᵀX)⁻¹`.
    pub cp_se_w: Option<f64>,
    /// Standard error of W′ (J), likewise.
    pub w_prime_se_j: Option<f64>,
}

impl TwoParameterFit {
    /// The fitted model, for [`model_power`].
    pub fn model(&self) -> PowerDurationModel {
        PowerDurationModel::TwoParameter {
            cp_w: self.cp_w,
            w_prime_j: self.w_prime_j,
        }
    }
}

/// The 3-parameter (Morton) critical power model fitted to a curve.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThreeParameterFit {
    /// Critical power (W).
    pub cp_w: f64,
    /// W′ (J).
    pub w_prime_j: f64,
    /// The model's power at `t = 0` (W).
    pub pmax_w: f64,
    pub window: DurationWindow,
    pub points_used: usize,
    /// The points used, shortest first, with their residuals.
    pub points: Vec<FittedPoint>,
    /// Root mean square of the residuals, `√(Σr²/n)` (W).
    pub rmse_w: f64,
    /// `None` when every point has the same power.
    pub r_squared: Option<f64>,
    /// Standard errors from the residual variance `Σr²/(n − 3)` and
    /// `(JᵀJ)⁻¹` with the Jacobian at the optimum (W, J, W).
    pub cp_se_w: Option<f64>,
    pub w_prime_se_j: Option<f64>,
    pub pmax_se_w: Option<f64>,
    /// Where the solver started: the 2-parameter least-squares line
    /// through the same points, and 1.05 × the shortest point's power.
    pub start_cp_w: f64,
    pub start_w_prime_j: f64,
    pub start_pmax_w: f64,
    /// Levenberg–Marquardt steps taken.
    pub iterations: u32,
    /// False when the solver stopped at [`MAX_ITERATIONS`] or could not
    /// lower the error any more away from a stationary point: the numbers
    /// are then the best found, not an optimum.
    pub converged: bool,
}

impl ThreeParameterFit {
    /// The fitted model, for [`model_power`].
    pub fn model(&self) -> PowerDurationModel {
        PowerDurationModel::ThreeParameter {
            cp_w: self.cp_w,
            w_prime_j: self.w_prime_j,
            pmax_w: self.pmax_w,
        }
    }
}

/// A power-duration model with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum PowerDurationModel {
    /// `P(t) = CP + W′/t` (Monod & Scherrer 1965).
    TwoParameter { cp_w: f64, w_prime_j: f64 },
    /// `P(t) = CP + W′/(t + W′/(Pmax − CP))` (Morton 1996).
    ThreeParameter {
        cp_w: f64,
        w_prime_j: f64,
        pmax_w: f64,
    },
}

/// The model's power for a duration (W), to draw the fitted curve; `None`
/// where the model is undefined (a duration that is not finite or below 0,
/// `t = 0` for the 2-parameter model, parameters that give no finite value).
pub fn model_power(model: &PowerDurationModel, duration_s: f64) -> Option<f64> {
    if !duration_s.is_finite() || duration_s < 0.0 {
        return None;
    }
    let p = match *model {
        PowerDurationModel::TwoParameter { cp_w, w_prime_j } => {
            if duration_s == 0.0 {
                return None;
            }
            cp_w + w_prime_j / duration_s
        }
        PowerDurationModel::ThreeParameter {
            cp_w,
            w_prime_j,
            pmax_w,
        } => {
            let u = duration_s + w_prime_j / (pmax_w - cp_w);
            if u.is_nan() || u <= 0.0 {
                return None;
            }
            cp_w + w_prime_j / u
        }
    };
    finite(p)
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CpError {
    #[error(
        "the duration window must start at 1 s or later and end after it starts; got {min_s} s to {max_s} s"
    )]
    Window { min_s: u32, max_s: u32 },
    #[error(
        "no maximal efforts between {} and {}: the curve has {found} usable duration(s) there and the fit needs at least {needed}",
        words(.min_s), words(.max_s)
    )]
    TooFewPoints {
        found: usize,
        needed: usize,
        min_s: u32,
        max_s: u32,
    },
    #[error(
        "the efforts between {} and {} span only {} ({first_s} s to {last_s} s); the fit needs durations at least {} apart",
        words(.min_s), words(.max_s), words(&(.last_s - .first_s)), words(&MIN_SPAN_S)
    )]
    SpanTooShort {
        first_s: u32,
        last_s: u32,
        min_s: u32,
        max_s: u32,
    },
    #[error(
        "the efforts between {} and {} do not follow a power-duration curve (e.g. no maximal efforts); {reason}",
        words(.min_s), words(.max_s)
    )]
    NotPhysical {
        reason: NotPhysical,
        min_s: u32,
        max_s: u32,
    },
    #[error("no FTP estimate: the curve has no best 20-minute power, and {0}")]
    NoFtpEstimate(Box<CpError>),
}

/// Which parameter came out impossible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NotPhysical {
    /// W′ ≤ 0 (J).
    WPrime(f64),
    /// CP ≤ 0 (W).
    Cp(f64),
    /// Pmax ≤ CP: (Pmax, CP) in W.
    Pmax(f64, f64),
    /// Pmax above [`MAX_POWER_W`] (W): the model has run off to its
    /// 2-parameter limit (`Pmax → ∞`).
    PmaxUnbounded(f64),
    /// The fit gave a number that is not finite.
    NotFinite,
}

impl fmt::Display for NotPhysical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NotPhysical::WPrime(w) if w < 0.0 => write!(f, "W′ came out negative ({w:.0} J)"),
            NotPhysical::WPrime(_) => write!(f, "W′ came out zero"),
            NotPhysical::Cp(cp) => write!(f, "CP came out at or below zero ({cp:.0} W)"),
            NotPhysical::Pmax(pmax, cp) => {
                write!(f, "Pmax came out at or below CP ({pmax:.0} W ≤ {cp:.0} W)")
            }
            NotPhysical::PmaxUnbounded(pmax) => write!(
                f,
                "Pmax ran off beyond {MAX_POWER_W:.0} W ({pmax:.3e} W): the short efforts do not bend the curve toward a maximum"
            ),
            NotPhysical::NotFinite => write!(f, "the fit gave no finite numbers"),
        }
    }
}

/// A duration in words: whole minutes as "20 min", else seconds.
fn words(s: &u32) -> String {
    if *s >= 60 && s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

/// Every duration of a mean-maximal curve as `(duration_s, best average W)`,
/// `1..=N`.
pub fn curve_points(curve: &MeanMaxCurve) -> Vec<(u32, f64)> {
    (1..=curve.max_duration_s())
        .filter_map(|d| Some((u32::try_from(d).ok()?, curve.best_average(d)?)))
        .collect()
}

/// The usable points inside the window, shortest first, one per duration
/// (the highest power).
fn usable_points(curve: &[(u32, f64)], window: DurationWindow) -> Vec<(u32, f64)> {
    let mut points: Vec<(u32, f64)> = curve
        .iter()
        .copied()
        .filter(|&(d, p)| window.contains(d) && p.is_finite() && p > 0.0 && p <= MAX_POWER_W)
        .collect();
    points.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    points.dedup_by_key(|p| p.0);
    points
}

/// Refuses too few points or too short a span.
fn check_points(
    points: &[(u32, f64)],
    window: DurationWindow,
    needed: usize,
) -> Result<(), CpError> {
    if points.len() < needed {
        return Err(CpError::TooFewPoints {
            found: points.len(),
            needed,
            min_s: window.min_s,
            max_s: window.max_s,
        });
    }
    let (first_s, last_s) = (points[0].0, points[points.len() - 1].0);
    if last_s - first_s < MIN_SPAN_S {
        return Err(CpError::SpanTooShort {
            first_s,
            last_s,
            min_s: window.min_s,
            max_s: window.max_s,
        });
    }
    Ok(())
}

/// The least-squares line `P = CP + W′·x`, `x = 1/t`, with what its
/// standard errors need.
struct Line {
    cp: f64,
    w_prime: f64,
    /// Mean of `x`.
    mean_x: f64,
    /// `Σ(x − x̄)²`.
    sxx: f64,
}

/// Ordinary least squares on `(1/t, P)`, centred (at least 2 distinct
/// durations).
fn least_squares_line(points: &[(u32, f64)]) -> Line {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| 1.0 / f64::from(p.0)).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for &(t, p) in points {
        let dx = 1.0 / f64::from(t) - mean_x;
        sxx += dx * dx;
        sxy += dx * (p - mean_y);
    }
    let w_prime = sxy / sxx;
    Line {
        cp: mean_y - w_prime * mean_x,
        w_prime,
        mean_x,
        sxx,
    }
}

/// The points with the model's values and residuals, the RMSE, R² and
/// the residual sum of squares.
fn assess(
    points: &[(u32, f64)],
    model: impl Fn(f64) -> f64,
) -> (Vec<FittedPoint>, f64, Option<f64>, f64) {
    let n = points.len() as f64;
    let fitted: Vec<FittedPoint> = points
        .iter()
        .map(|&(d, p)| {
            let m = model(f64::from(d));
            FittedPoint {
                duration_s: d,
                power_w: p,
                model_power_w: m,
                residual_w: p - m,
            }
        })
        .collect();
    let ssr: f64 = fitted.iter().map(|f| f.residual_w * f.residual_w).sum();
    let mean = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sst: f64 = points.iter().map(|p| (p.1 - mean) * (p.1 - mean)).sum();
    let r_squared = if sst > 0.0 {
        finite(1.0 - ssr / sst)
    } else {
        None
    };
    (fitted, (ssr / n).sqrt(), r_squared, ssr)
}

/// The square root of a variance, when it is one.
fn standard_error(variance: f64) -> Option<f64> {
    (variance.is_finite() && variance >= 0.0).then(|| variance.sqrt())
}

/// Fits the 2-parameter model `P(t) = CP + W′/t` by ordinary least squares
/// on `P = CP + W′·(1/t)` over the curve's points inside `window`
/// ([`DurationWindow::TWO_PARAMETER`] is the usual 2–20 min).
pub fn fit_two_parameter(
    curve: &[(u32, f64)],
    window: DurationWindow,
) -> Result<TwoParameterFit, CpError> {
    window.check()?;
    let points = usable_points(curve, window);
    check_points(&points, window, TWO_PARAMETER_MIN_POINTS)?;
    let line = least_squares_line(&points);
    let not_physical = |reason| CpError::NotPhysical {
        reason,
        min_s: window.min_s,
        max_s: window.max_s,
    };
    if !line.cp.is_finite() || !line.w_prime.is_finite() {
        return Err(not_physical(NotPhysical::NotFinite));
    }
    if line.w_prime <= 0.0 {
        return Err(not_physical(NotPhysical::WPrime(line.w_prime)));
    }
    if line.cp <= 0.0 {
        return Err(not_physical(NotPhysical::Cp(line.cp)));
    }
    let (fitted, rmse_w, r_squared, ssr) = assess(&points, |t| line.cp + line.w_prime / t);
    let n = points.len() as f64;
    let s2 = ssr / (n - 2.0);
    let fit = TwoParameterFit {
        cp_w: line.cp,
        w_prime_j: line.w_prime,
        window,
        points_used: points.len(),
        points: fitted,
        rmse_w,
        r_squared,
        cp_se_w: standard_error(s2 * (1.0 / n + line.mean_x * line.mean_x / line.sxx)),
        w_prime_se_j: standard_error(s2 / line.sxx),
    };
    if !rmse_w.is_finite() || fit.points.iter().any(|p| !p.residual_w.is_finite()) {
        return Err(not_physical(NotPhysical::NotFinite));
    }
    Ok(fit)
}

/// Morton's model at `t` for parameters `[CP, W′, Pmax]`.
fn morton(t: f64, x: &[f64; 3]) -> f64 {
    let tau = x[1] / (x[2] - x[0]);
    x[0] + x[1] / (t + tau)
}

/// The model's partial derivatives at `t`: with `τ = W′/(Pmax − CP)`,
/// `u = t + τ`, `q = τ/u`: `∂P/∂CP = 1 − q²`, `∂P/∂W′ = t/u²`,
/// `∂P/∂Pmax = q²`.
fn morton_gradient(t: f64, x: &[f64; 3]) -> [f64; 3] {
    let tau = x[1] / (x[2] - x[0]);
    let u = t + tau;
    let q = tau / u;
    [1.0 - q * q, t / (u * u), q * q]
}

/// Parameters the model is defined for: W′ > 0 and Pmax > CP (then
/// `t + τ > 0` for every `t ≥ 0`).
fn admissible(x: &[f64; 3]) -> bool {
    x.iter().all(|v| v.is_finite()) && x[1] > 0.0 && x[2] > x[0]
}

/// `Σ (P − model)²`; `None` when not finite.
fn sum_of_squares(points: &[(f64, f64)], x: &[f64; 3]) -> Option<f64> {
    finite(
        points
            .iter()
            .map(|&(t, p)| {
                let r = p - morton(t, x);
                r * r
            })
            .sum(),
    )
}

/// `JᵀJ` and `Jᵀr` (J the model's Jacobian, r = P − model).
fn normal_equations(points: &[(f64, f64)], x: &[f64; 3]) -> ([[f64; 3]; 3], [f64; 3]) {
    let mut a = [[0.0; 3]; 3];
    let mut g = [0.0; 3];
    for &(t, p) in points {
        let j = morton_gradient(t, x);
        let r = p - morton(t, x);
        for i in 0..3 {
            g[i] += j[i] * r;
            for k in 0..3 {
                a[i][k] += j[i] * j[k];
            }
        }
    }
    (a, g)
}

/// Solves `(D⁻¹AD⁻¹ + λI)·z = D⁻¹b`, returns `D⁻¹z` — Marquardt's scaling
/// (`D = √diag(A)`), so each parameter moves in its own unit. `None` when
/// the system is singular.
fn solve_scaled(a: &[[f64; 3]; 3], b: &[f64; 3], lambda: f64) -> Option<[f64; 3]> {
    let d: [f64; 3] = std::array::from_fn(|i| {
        let s = a[i][i].sqrt();
        if s > 0.0 && s.is_finite() { s } else { 1.0 }
    });
    let mut m = [[0.0; 4]; 3];
    for i in 0..3 {
        for k in 0..3 {
            m[i][k] = a[i][k] / (d[i] * d[k]);
        }
        m[i][i] += lambda;
        m[i][3] = b[i] / d[i];
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..3 {
        let pivot = (col..3).max_by(|&r, &s| m[r][col].abs().total_cmp(&m[s][col].abs()))?;
        let size = m[pivot][col].abs();
        if size.is_nan() || size <= 1e-14 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for row in m.iter_mut().skip(col + 1) {
            let f = row[col] / pivot_row[col];
            for (target, source) in row.iter_mut().zip(pivot_row).skip(col) {
                *target -= f * source;
            }
        }
    }
    let mut z = [0.0; 3];
    for i in (0..3).rev() {
        let tail: f64 = (i + 1..3).map(|k| m[i][k] * z[k]).sum();
        z[i] = (m[i][3] - tail) / m[i][i];
    }
    let x: [f64; 3] = std::array::from_fn(|i| z[i] / d[i]);
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// `(JᵀJ)⁻¹` (through the scaled solve), when it exists.
fn inverse(a: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let mut inv = [[0.0; 3]; 3];
    for k in 0..3 {
        let mut e = [0.0; 3];
        e[k] = 1.0;
        let col = solve_scaled(a, &e, 0.0)?;
        for i in 0..3 {
            inv[i][k] = col[i];
        }
    }
    Some(inv)
}

/// Whether every component of `step` is within `tolerance` of its parameter.
fn small_step(step: &[f64; 3], x: &[f64; 3], tolerance: f64) -> bool {
    step.iter()
        .zip(x)
        .all(|(s, v)| s.abs() <= tolerance * v.abs().max(1e-300))
}

/// What the solver ended with.
struct Solution {
    x: [f64; 3],
    iterations: u32,
    converged: bool,
}

/// Levenberg–Marquardt on Morton's model from `start` (admissible).
///
/// Each iteration solves the damped, scaled normal equations; a step is
/// taken only when it keeps the parameters admissible and lowers the sum of
/// squares (then the damping falls tenfold), otherwise the damping rises
/// tenfold and a shorter step is tried. Converged: the undamped
/// Gauss–Newton step is below [`STEP_TOLERANCE`] of every parameter (a
/// stationary point), or no step lowers the error any more while it is
/// below [`STALL_TOLERANCE`] (the floating-point floor). An exact fit
/// (zero error) has converged too.
/// First-order optimality: each parameter's share of the gradient,
/// relative to the error, is at rounding level (`g` is Jᵀr).
fn stationary(g: &[f64; 3], x: &[f64; 3], cost: f64) -> bool {
    cost > 0.0
        && g.iter()
            .zip(x)
            .all(|(gi, xi)| (gi * xi.abs().max(1.0)).abs() <= 1e-7 * cost)
}

fn levenberg_marquardt(points: &[(f64, f64)], start: [f64; 3]) -> Solution {
    let mut x = start;
    let Some(mut cost) = sum_of_squares(points, &x) else {
        return Solution {
            x,
            iterations: 0,
            converged: false,
        };
    };
    let mut lambda = 1e-3;
    let mut iterations = 0;
    loop {
        if cost == 0.0 {
            return Solution {
                x,
                iterations,
                converged: true,
            };
        }
        let (a, g) = normal_equations(points, &x);
        let gauss_newton = solve_scaled(&a, &g, 0.0);
        if gauss_newton.is_some_and(|s| small_step(&s, &x, STEP_TOLERANCE)) {
            return Solution {
                x,
                iterations,
                converged: true,
            };
        }
        if iterations >= MAX_ITERATIONS {
            return Solution {
                x,
                iterations,
                converged: false,
            };
        }
        loop {
            let trial = solve_scaled(&a, &g, lambda).map(|s| std::array::from_fn(|i| x[i] + s[i]));
            let better = trial
                .filter(admissible)
                .and_then(|t| Some((t, sum_of_squares(points, &t)?)))
                .filter(|&(_, c)| c < cost);
            if let Some((t, c)) = better {
                x = t;
                cost = c;
                lambda = (lambda / 10.0).max(1e-12);
                iterations += 1;
                break;
            }
            lambda *= 10.0;
            if lambda > MAX_DAMPING {
                // No step lowers the error: an optimum if the step Gauss–
                // Newton wants is tiny, or (on ill-conditioned curves, where
                // it is not) if the gradient vanishes to rounding.
                return Solution {
                    x,
                    iterations,
                    converged: gauss_newton.is_some_and(|s| small_step(&s, &x, STALL_TOLERANCE))
                        || stationary(&g, &x, cost),
                };
            }
        }
    }
}

/// Fits Morton's 3-parameter model `P(t) = CP + W′/(t + W′/(Pmax − CP))`
/// by nonlinear least squares on `P` over the curve's points inside
/// `window` ([`DurationWindow::THREE_PARAMETER`] is the usual 10 s – 20 min).
///
/// The solver starts from the 2-parameter least-squares line through the
/// same points (CP, W′) and Pmax = 1.05 × the shortest point's power.
pub fn fit_three_parameter(
    curve: &[(u32, f64)],
    window: DurationWindow,
) -> Result<ThreeParameterFit, CpError> {
    window.check()?;
    let points = usable_points(curve, window);
    check_points(&points, window, THREE_PARAMETER_MIN_POINTS)?;
    let not_physical = |reason| CpError::NotPhysical {
        reason,
        min_s: window.min_s,
        max_s: window.max_s,
    };
    let line = least_squares_line(&points);
    let start = [line.cp, line.w_prime, 1.05 * points[0].1];
    if !start.iter().all(|v| v.is_finite()) {
        return Err(not_physical(NotPhysical::NotFinite));
    }
    if start[1] <= 0.0 {
        return Err(not_physical(NotPhysical::WPrime(start[1])));
    }
    if start[2] <= start[0] {
        return Err(not_physical(NotPhysical::Pmax(start[2], start[0])));
    }
    let data: Vec<(f64, f64)> = points.iter().map(|&(t, p)| (f64::from(t), p)).collect();
    let solution = levenberg_marquardt(&data, start);
    let x = solution.x;
    if x[0] <= 0.0 {
        return Err(not_physical(NotPhysical::Cp(x[0])));
    }
    if x[2] > MAX_POWER_W {
        return Err(not_physical(NotPhysical::PmaxUnbounded(x[2])));
    }
    let (fitted, rmse_w, r_squared, ssr) = assess(&points, |t| morton(t, &x));
    let n = points.len() as f64;
    let s2 = ssr / (n - 3.0);
    let (a, _) = normal_equations(&data, &x);
    let covariance = inverse(&a);
    let se = |i: usize| covariance.and_then(|c| standard_error(s2 * c[i][i]));
    let fit = ThreeParameterFit {
        cp_w: x[0],
        w_prime_j: x[1],
        pmax_w: x[2],
        window,
        points_used: points.len(),
        points: fitted,
        rmse_w,
        r_squared,
        cp_se_w: se(0),
        w_prime_se_j: se(1),
        pmax_se_w: se(2),
        start_cp_w: start[0],
        start_w_prime_j: start[1],
        start_pmax_w: start[2],
        iterations: solution.iterations,
        converged: solution.converged,
    };
    if !rmse_w.is_finite() || fit.points.iter().any(|p| !p.model_power_w.is_finite()) {
        return Err(not_physical(NotPhysical::NotFinite));
    }
    Ok(fit)
}

/// Which rule gave an estimated FTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FtpBasis {
    /// 95 % of the best 20-minute power.
    TwentyMinutePower,
    /// CP of the 2-parameter model.
    CriticalPower,
}

impl FtpBasis {
    /// The rule, named with its source.
    pub fn rule(self) -> &'static str {
        match self {
            FtpBasis::TwentyMinutePower => "95 % of the best 20-minute power (Allen & Coggan)",
            FtpBasis::CriticalPower => {
                "critical power of the 2-parameter model, 2–20 min (Monod & Scherrer)"
            }
        }
    }
}

/// An estimated FTP, both candidates and the one chosen.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EstimatedFtp {
    /// The estimate (W): from the 20-minute power when the curve has it,
    /// else the 2-parameter CP.
    pub eftp_w: f64,
    pub basis: FtpBasis,
    /// The rule used, in words (e.g. "95 % of the best 20-minute power
    /// (Allen & Coggan)").
    pub method: String,
    /// The curve's best 20-minute power (W).
    pub best_20min_w: Option<f64>,
    /// 95 % of it (W).
    pub ftp_from_20min_w: Option<f64>,
    /// CP of the 2-parameter model (W).
    pub cp_w: Option<f64>,
    /// W′ of the 2-parameter model (J).
    pub w_prime_j: Option<f64>,
    /// Why the 2-parameter model could not be fitted, when it could not.
    pub cp_unavailable: Option<String>,
}

/// Estimates FTP from a curve: 95 % of the best 20-minute power (Allen &
/// Coggan) when the curve has 1200 s, else the 2-parameter CP fitted over
/// `window`. Both are returned when available.
pub fn estimate_ftp(curve: &[(u32, f64)], window: DurationWindow) -> Result<EstimatedFtp, CpError> {
    ftp_with(curve, &fit_two_parameter(curve, window))
}

/// [`estimate_ftp`] with the 2-parameter fit already done.
fn ftp_with(
    curve: &[(u32, f64)],
    cp: &Result<TwoParameterFit, CpError>,
) -> Result<EstimatedFtp, CpError> {
    let best_20min_w = curve
        .iter()
        .filter(|&&(d, p)| d == FTP_TEST_S && p.is_finite() && p > 0.0 && p <= MAX_POWER_W)
        .map(|&(_, p)| p)
        .max_by(f64::total_cmp);
    let ftp_from_20min_w = best_20min_w.map(|p| FTP_FRACTION_OF_20_MIN * p);
    let (eftp_w, basis) = match (ftp_from_20min_w, cp) {
        (Some(ftp), _) => (ftp, FtpBasis::TwentyMinutePower),
        (None, Ok(fit)) => (fit.cp_w, FtpBasis::CriticalPower),
        (None, Err(e)) => return Err(CpError::NoFtpEstimate(Box::new(e.clone()))),
    };
    let fit = cp.as_ref().ok();
    Ok(EstimatedFtp {
        eftp_w,
        basis,
        method: basis.rule().to_string(),
        best_20min_w,
        ftp_from_20min_w,
        cp_w: fit.map(|f| f.cp_w),
        w_prime_j: fit.map(|f| f.w_prime_j),
        cp_unavailable: cp.as_ref().err().map(ToString::to_string),
    })
}

/// A span of days (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct Block {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Block {
    /// The [`BLOCK_DAYS`] days ending on `end`.
    pub fn six_weeks_ending(end: NaiveDate) -> Block {
        Block {
            start: end
                .checked_sub_days(Days::new(BLOCK_DAYS - 1))
                .unwrap_or(NaiveDate::MIN),
            end,
        }
    }
}

/// Consecutive 6-week blocks ending on `last`, oldest first: only whole
/// blocks that start on or after `first` (a partial block would compare
/// fewer days of training with whole ones).
pub fn six_week_blocks(first: NaiveDate, last: NaiveDate) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut block = Block::six_weeks_ending(last);
    while block.start >= first && (block.end - block.start).num_days() == BLOCK_DAYS as i64 - 1 {
        blocks.push(block);
        let Some(end) = block.start.pred_opt() else {
            break;
        };
        block = Block::six_weeks_ending(end);
    }
    blocks.reverse();
    blocks
}

/// CP, W′ and estimated FTP of one block.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BlockCriticalPower {
    pub block_start: NaiveDate,
    pub block_end: NaiveDate,
    /// CP of the 2-parameter model (W); `None` when it could not be fitted.
    pub cp_w: Option<f64>,
    /// W′ of the 2-parameter model (J).
    pub w_prime_j: Option<f64>,
    /// The estimated FTP (W): 95 % of the block's best 20-minute power,
    /// else its CP.
    pub eftp_w: Option<f64>,
    pub eftp_basis: Option<FtpBasis>,
    /// The block's usable points inside the window (fitted or not).
    pub points_used: usize,
    /// Root mean square of the 2-parameter fit's residuals (W).
    pub rmse_w: Option<f64>,
    /// Why CP (and perhaps FTP) is missing, in words ("the curve" is the
    /// block's).
    pub note: Option<String>,
}

/// Fits the 2-parameter model and estimates FTP for each block, from each
/// block's curve (the best of the block's workouts' curves, computed by
/// the caller). A block that cannot be fitted gets a note instead of
/// numbers. Rows come in the order given.
pub fn critical_power_by_block(
    blocks: &[(Block, Vec<(u32, f64)>)],
    window: DurationWindow,
) -> Vec<BlockCriticalPower> {
    blocks
        .iter()
        .map(|(block, curve)| {
            let fit = fit_two_parameter(curve, window);
            let ftp = ftp_with(curve, &fit);
            let ok = fit.as_ref().ok();
            BlockCriticalPower {
                block_start: block.start,
                block_end: block.end,
                cp_w: ok.map(|f| f.cp_w),
                w_prime_j: ok.map(|f| f.w_prime_j),
                eftp_w: ftp.as_ref().ok().map(|f| f.eftp_w),
                eftp_basis: ftp.as_ref().ok().map(|f| f.basis),
                points_used: if window.check().is_ok() {
                    usable_points(curve, window).len()
                } else {
                    0
                },
                rmse_w: ok.map(|f| f.rmse_w),
                note: fit.err().map(|e| e.to_string()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CP: f64 = 280.0;
    const W_PRIME: f64 = 20_000.0;
    const PMAX: f64 = 1100.0;

    fn two_p(t: u32) -> f64 {
        CP + W_PRIME / f64::from(t)
    }

    fn three_p(t: u32) -> f64 {
        CP + W_PRIME / (f64::from(t) + W_PRIME / (PMAX - CP))
    }

    /// A deterministic noise in [−a, a] (a small LCG).
    fn noise(seed: &mut u64, a: f64) -> f64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * a
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1.0)
    }

    const STANDARD: [u32; 21] = [
        1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200,
    ];

    // Proves exact 2-parameter data gives back CP and W′, zero residuals,
    // R² = 1, and only the points inside 2–20 min are used.
    #[test]
    fn two_parameter_exact_recovery() {
        let curve: Vec<(u32, f64)> = STANDARD.iter().map(|&t| (t, two_p(t))).collect();
        let fit = fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER).unwrap();
        assert!(close(fit.cp_w, CP, 1e-9), "{}", fit.cp_w);
        assert!(close(fit.w_prime_j, W_PRIME, 1e-9), "{}", fit.w_prime_j);
        assert_eq!(fit.points_used, 10);
        assert_eq!(fit.points[0].duration_s, 120);
        assert_eq!(fit.points[9].duration_s, 1200);
        assert!(fit.rmse_w < 1e-9);
        assert!(close(fit.r_squared.unwrap(), 1.0, 1e-12));
        assert!(fit.cp_se_w.unwrap() < 1e-6 && fit.w_prime_se_j.unwrap() < 1e-3);
        assert!(fit.points.iter().all(|p| p.residual_w.abs() < 1e-9));
        assert!(close(
            model_power(&fit.model(), 300.0).unwrap(),
            two_p(300),
            1e-9
        ));
    }

    // Proves the closed form against a hand-solved case: 3 points, the
    // regression line, residuals, RMSE, R² and standard errors by hand.
    #[test]
    fn two_parameter_by_hand() {
        // x = 1/t: 1/120, 1/240, 1/480; P chosen off a line.
        let curve = [(120, 460.0), (240, 370.0), (480, 330.0)];
        let fit = fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER).unwrap();
        // In units of x' = 480·x: (4, 460), (2, 370), (1, 330).
        // x̄' = 7/3, ȳ = 1160/3; Sx'x' = 14/3, Sx'y = 610/3 → slope' = 305/7.
        let slope_per_x = 305.0 / 7.0;
        assert!(close(fit.w_prime_j, slope_per_x * 480.0, 1e-12));
        let cp = 1160.0 / 3.0 - slope_per_x * 7.0 / 3.0;
        assert!(close(fit.cp_w, cp, 1e-12));
        let residuals: Vec<f64> = fit.points.iter().map(|p| p.residual_w).collect();
        let expected = [
            460.0 - (cp + 4.0 * slope_per_x),
            370.0 - (cp + 2.0 * slope_per_x),
            330.0 - (cp + slope_per_x),
        ];
        for (r, e) in residuals.iter().zip(expected) {
            assert!((r - e).abs() < 1e-9);
        }
        let ssr: f64 = expected.iter().map(|r| r * r).sum();
        assert!(close(fit.rmse_w, (ssr / 3.0).sqrt(), 1e-12));
        let sst = [460.0, 370.0, 330.0]
            .iter()
            .map(|p: &f64| (p - 1160.0 / 3.0).powi(2))
            .sum::<f64>();
        assert!(close(fit.r_squared.unwrap(), 1.0 - ssr / sst, 1e-12));
        // s² = SSR/(n−2); Var(slope') = s²/Sx'x', Var(CP) = s²(1/n + x̄'²/Sx'x').
        let s2 = ssr;
        assert!(close(
            fit.w_prime_se_j.unwrap(),
            (s2 / (14.0 / 3.0)).sqrt() * 480.0,
            1e-12
        ));
        assert!(close(
            fit.cp_se_w.unwrap(),
            (s2 * (1.0 / 3.0 + (49.0 / 9.0) / (14.0 / 3.0))).sqrt(),
            1e-12
        ));
    }

    // Proves noisy 2-parameter data (±5 W) lands close to the truth, and
    // that every duration 1..=1800 can be passed as it is.
    #[test]
    fn two_parameter_noisy_and_dense() {
        let mut seed = 7;
        let curve: Vec<(u32, f64)> = (1..=1800)
            .map(|t| (t, two_p(t) + noise(&mut seed, 5.0)))
            .collect();
        let fit = fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER).unwrap();
        assert_eq!(fit.points_used, 1081);
        assert!((fit.cp_w - CP).abs() < 2.0, "{}", fit.cp_w);
        assert!((fit.w_prime_j - W_PRIME).abs() < 500.0, "{}", fit.w_prime_j);
        assert!(fit.rmse_w > 2.0 && fit.rmse_w < 3.5, "{}", fit.rmse_w);
        // the truth lies within a few standard errors
        assert!((fit.cp_w - CP).abs() < 4.0 * fit.cp_se_w.unwrap());
        assert!((fit.w_prime_j - W_PRIME).abs() < 4.0 * fit.w_prime_se_j.unwrap());
    }

    // Proves exact Morton data gives back CP, W′ and Pmax within 1e-6,
    // sparse or dense, from the documented start.
    #[test]
    fn three_parameter_exact_recovery() {
        let sparse: Vec<(u32, f64)> = STANDARD.iter().map(|&t| (t, three_p(t))).collect();
        let dense: Vec<(u32, f64)> = (1..=1200).map(|t| (t, three_p(t))).collect();
        for curve in [sparse, dense] {
            let fit = fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER).unwrap();
            assert!(fit.converged);
            assert!(close(fit.cp_w, CP, 1e-6), "{}", fit.cp_w);
            assert!(close(fit.w_prime_j, W_PRIME, 1e-6), "{}", fit.w_prime_j);
            assert!(close(fit.pmax_w, PMAX, 1e-6), "{}", fit.pmax_w);
            assert!(fit.rmse_w < 1e-6);
            assert!(close(fit.start_pmax_w, 1.05 * three_p(10), 1e-12));
            let line = fit_two_parameter(&curve, DurationWindow::THREE_PARAMETER).unwrap();
            assert_eq!(
                (fit.start_cp_w, fit.start_w_prime_j),
                (line.cp_w, line.w_prime_j)
            );
            assert!(fit.iterations > 0 && fit.iterations < 100);
            let m = fit.model();
            assert!(close(model_power(&m, 0.0).unwrap(), PMAX, 1e-6));
            assert!(close(model_power(&m, 600.0).unwrap(), three_p(600), 1e-6));
        }
        // the whole window from 1 s
        let all: Vec<(u32, f64)> = (1..=1200).map(|t| (t, three_p(t))).collect();
        let fit = fit_three_parameter(&all, DurationWindow::new(1, 1200).unwrap()).unwrap();
        assert!(close(fit.pmax_w, PMAX, 1e-6));
    }

    // Proves noisy Morton data (±5 W) lands close to the truth.
    #[test]
    fn three_parameter_noisy() {
        let mut seed = 3;
        let curve: Vec<(u32, f64)> = (1..=1200)
            .map(|t| (t, three_p(t) + noise(&mut seed, 5.0)))
            .collect();
        let fit = fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER).unwrap();
        assert!(fit.converged);
        assert!((fit.cp_w - CP).abs() < 3.0, "{}", fit.cp_w);
        assert!((fit.w_prime_j - W_PRIME).abs() < 600.0, "{}", fit.w_prime_j);
        assert!((fit.pmax_w - PMAX).abs() < 60.0, "{}", fit.pmax_w);
        assert!((fit.cp_w - CP).abs() < 4.0 * fit.cp_se_w.unwrap());
        assert!((fit.pmax_w - PMAX).abs() < 4.0 * fit.pmax_se_w.unwrap());
    }

    // Proves the refusals, in words.
    #[test]
    fn refusals() {
        let w = DurationWindow::TWO_PARAMETER;
        let two = [(180, 400.0), (600, 320.0)];
        let e = fit_two_parameter(&two, w).unwrap_err();
        assert!(matches!(
            e,
            CpError::TooFewPoints {
                found: 2,
                needed: 3,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "no maximal efforts between 2 min and 20 min: the curve has 2 usable duration(s) there and the fit needs at least 3"
        );
        let short = [(120, 400.0), (180, 380.0), (240, 370.0)];
        let e = fit_two_parameter(&short, w).unwrap_err();
        assert!(matches!(e, CpError::SpanTooShort { .. }), "{e}");
        assert!(e.to_string().contains("span only 2 min"), "{e}");
        // power rising with duration: W′ negative
        let rising = [(120, 250.0), (300, 260.0), (600, 270.0), (1200, 280.0)];
        let e = fit_two_parameter(&rising, w).unwrap_err();
        assert!(
            matches!(
                e,
                CpError::NotPhysical {
                    reason: NotPhysical::WPrime(_),
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().starts_with(
            "the efforts between 2 min and 20 min do not follow a power-duration curve (e.g. no maximal efforts); W′ came out negative"
        ), "{e}");
        assert!(fit_three_parameter(&rising, DurationWindow::THREE_PARAMETER).is_err());
        // a steep curve whose line crosses zero: CP negative
        let steep = [(120, 300.0), (300, 100.0), (1200, 20.0)];
        assert!(matches!(
            fit_two_parameter(&steep, w),
            Err(CpError::NotPhysical {
                reason: NotPhysical::Cp(_),
                ..
            })
        ));
        // Morton needs 4 points
        let three: Vec<(u32, f64)> = [10, 300, 1200].iter().map(|&t| (t, three_p(t))).collect();
        assert!(matches!(
            fit_three_parameter(&three, DurationWindow::THREE_PARAMETER),
            Err(CpError::TooFewPoints { needed: 4, .. })
        ));
        // windows
        assert!(matches!(
            DurationWindow::new(0, 100),
            Err(CpError::Window { .. })
        ));
        assert!(DurationWindow::new(300, 300).is_err());
        let bad = DurationWindow {
            min_s: 600,
            max_s: 120,
        };
        assert!(matches!(
            fit_two_parameter(&rising, bad),
            Err(CpError::Window { .. })
        ));
    }

    // Proves unusable points are left out and a repeated duration keeps
    // its best power.
    #[test]
    fn points_are_cleaned() {
        let mut curve: Vec<(u32, f64)> = [120, 300, 600, 1200]
            .iter()
            .map(|&t| (t, two_p(t)))
            .collect();
        curve.push((300, 100.0)); // lower duplicate: ignored
        curve.push((0, 500.0));
        curve.push((200, f64::NAN));
        curve.push((400, f64::INFINITY));
        curve.push((500, -3.0));
        curve.push((700, 1e9));
        curve.reverse();
        let fit = fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER).unwrap();
        assert_eq!(fit.points_used, 4);
        assert!(close(fit.cp_w, CP, 1e-9));
        let durations: Vec<u32> = fit.points.iter().map(|p| p.duration_s).collect();
        assert_eq!(durations, vec![120, 300, 600, 1200]);
    }

    // Proves the estimated FTP prefers 95 % of the 20-minute power, falls
    // back to CP, and says which.
    #[test]
    fn estimated_ftp() {
        let w = DurationWindow::TWO_PARAMETER;
        let curve: Vec<(u32, f64)> = STANDARD.iter().map(|&t| (t, two_p(t))).collect();
        let e = estimate_ftp(&curve, w).unwrap();
        assert_eq!(e.basis, FtpBasis::TwentyMinutePower);
        assert_eq!(
            e.method,
            "95 % of the best 20-minute power (Allen & Coggan)"
        );
        assert!(close(e.eftp_w, 0.95 * two_p(1200), 1e-12));
        assert_eq!(e.best_20min_w, Some(two_p(1200)));
        assert!(close(e.cp_w.unwrap(), CP, 1e-9));
        assert_eq!(e.cp_unavailable, None);
        let no_20: Vec<(u32, f64)> = curve.iter().copied().filter(|p| p.0 < 1200).collect();
        let e = estimate_ftp(&no_20, w).unwrap();
        assert_eq!(e.basis, FtpBasis::CriticalPower);
        assert!(close(e.eftp_w, CP, 1e-9));
        assert_eq!(e.best_20min_w, None);
        // 20 minutes but nothing else in the window: FTP, and why no CP
        let only_20 = [(5, 900.0), (1200, 300.0)];
        let e = estimate_ftp(&only_20, w).unwrap();
        assert_eq!(e.eftp_w, 285.0);
        assert!(e.cp_unavailable.unwrap().starts_with("no maximal efforts"));
        // neither
        let e = estimate_ftp(&[(5, 900.0)], w).unwrap_err();
        assert!(e.to_string().starts_with(
            "no FTP estimate: the curve has no best 20-minute power, and no maximal efforts between 2 min and 20 min"
        ), "{e}");
    }

    // Proves the blocks: whole 6-week blocks ending on the last day, and
    // a row per block with a note where it cannot be fitted.
    #[test]
    fn six_week_blocks_and_rows() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let blocks = six_week_blocks(d(1, 1), d(6, 30));
        // 1 Jan … 30 Jun is 181 days: 4 whole blocks (168 days)
        assert_eq!(blocks.len(), 4);
        assert_eq!(
            blocks[3],
            Block {
                start: d(5, 20),
                end: d(6, 30)
            }
        );
        assert_eq!(blocks[2].end, d(5, 19));
        assert_eq!(blocks[0].start, d(1, 14));
        assert!(blocks.iter().all(|b| (b.end - b.start).num_days() == 41));
        assert!(six_week_blocks(d(6, 1), d(6, 30)).is_empty());
        assert_eq!(six_week_blocks(d(5, 20), d(6, 30)).len(), 1);

        let good: Vec<(u32, f64)> = STANDARD.iter().map(|&t| (t, two_p(t))).collect();
        let sprints_only = vec![(5, 900.0), (30, 600.0), (60, 450.0)];
        let rows = critical_power_by_block(
            &[(blocks[2], good), (blocks[3], sprints_only)],
            DurationWindow::TWO_PARAMETER,
        );
        assert_eq!(rows[0].block_start, blocks[2].start);
        assert!(close(rows[0].cp_w.unwrap(), CP, 1e-9));
        assert!(close(rows[0].eftp_w.unwrap(), 0.95 * two_p(1200), 1e-12));
        assert_eq!(rows[0].eftp_basis, Some(FtpBasis::TwentyMinutePower));
        assert_eq!(rows[0].points_used, 10);
        assert_eq!(rows[0].note, None);
        assert_eq!(rows[1].cp_w, None);
        assert_eq!(rows[1].eftp_w, None);
        assert_eq!(rows[1].points_used, 0);
        assert_eq!(
            rows[1].note.as_deref(),
            Some(
                "no maximal efforts between 2 min and 20 min: the curve has 0 usable duration(s) there and the fit needs at least 3"
            )
        );
    }

    // Proves model_power's edges: undefined at 0 s for the 2-parameter
    // model and for negative or non-finite durations.
    #[test]
    fn model_power_edges() {
        let two = PowerDurationModel::TwoParameter {
            cp_w: CP,
            w_prime_j: W_PRIME,
        };
        let three = PowerDurationModel::ThreeParameter {
            cp_w: CP,
            w_prime_j: W_PRIME,
            pmax_w: PMAX,
        };
        assert_eq!(model_power(&two, 0.0), None);
        assert_eq!(model_power(&two, 100.0), Some(480.0));
        assert_eq!(model_power(&three, 0.0), Some(PMAX));
        assert_eq!(model_power(&three, -1.0), None);
        assert_eq!(model_power(&three, f64::NAN), None);
        assert_eq!(model_power(&two, f64::INFINITY), None);
        let serialized = serde_json::to_value(three).unwrap();
        assert_eq!(serialized["model"], "three_parameter");
        assert_eq!(serialized["pmax_w"], PMAX);
    }

    // Proves the results have JSON schemas and serialize with snake_case
    // fields named with their units.
    #[test]
    fn results_have_schemas() {
        for schema in [
            schemars::schema_for!(TwoParameterFit),
            schemars::schema_for!(ThreeParameterFit),
            schemars::schema_for!(EstimatedFtp),
            schemars::schema_for!(BlockCriticalPower),
            schemars::schema_for!(PowerDurationModel),
        ] {
            assert!(serde_json::to_string(&schema).unwrap().len() > 100);
        }
        let curve: Vec<(u32, f64)> = STANDARD.iter().map(|&t| (t, three_p(t))).collect();
        let fit = fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER).unwrap();
        let json = serde_json::to_value(&fit).unwrap();
        for key in [
            "cp_w",
            "w_prime_j",
            "pmax_w",
            "rmse_w",
            "pmax_se_w",
            "converged",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["window"]["min_s"], 10);
        assert_eq!(json["points"][0]["duration_s"], 10);
        let ftp =
            serde_json::to_value(estimate_ftp(&curve, DurationWindow::TWO_PARAMETER).unwrap())
                .unwrap();
        assert_eq!(ftp["basis"], "twenty_minute_power");
    }

    // Proves curve_points reads every duration of a stored curve.
    #[test]
    fn points_of_a_stored_curve() {
        let curve = MeanMaxCurve {
            best_sums: vec![500, 900, 1200],
        };
        assert_eq!(
            curve_points(&curve),
            vec![(1, 500.0), (2, 450.0), (3, 400.0)]
        );
    }

    fn all_finite(values: &[f64]) -> bool {
        values.iter().all(|v| v.is_finite())
    }

    fn power() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            8 => 0.0..2000.0f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => -100.0..0.0f64,
            1 => 1e5..1e300f64,
        ]
    }

    proptest::proptest! {
        // Proves any curve, however odd, gives finite numbers or a
        // refusal — never NaN, infinity or a panic.
        #[test]
        fn never_nan(curve in proptest::collection::vec((0u32..2000, power()), 0..60)) {
            if let Ok(f) = fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER) {
                proptest::prop_assert!(f.cp_w > 0.0 && f.w_prime_j > 0.0);
                proptest::prop_assert!(all_finite(&[f.cp_w, f.w_prime_j, f.rmse_w]));
                proptest::prop_assert!(all_finite(&[f.r_squared.unwrap_or(0.0), f.cp_se_w.unwrap_or(0.0), f.w_prime_se_j.unwrap_or(0.0)]));
                proptest::prop_assert!(f.points.iter().all(|p| all_finite(&[p.power_w, p.model_power_w, p.residual_w])));
            }
            if let Ok(f) = fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER) {
                proptest::prop_assert!(f.cp_w > 0.0 && f.w_prime_j > 0.0 && f.pmax_w > f.cp_w && f.pmax_w <= MAX_POWER_W);
                proptest::prop_assert!(all_finite(&[f.cp_w, f.w_prime_j, f.pmax_w, f.rmse_w, f.start_cp_w, f.start_w_prime_j, f.start_pmax_w]));
                proptest::prop_assert!(all_finite(&[f.r_squared.unwrap_or(0.0), f.cp_se_w.unwrap_or(0.0), f.w_prime_se_j.unwrap_or(0.0), f.pmax_se_w.unwrap_or(0.0)]));
                proptest::prop_assert!(f.points.iter().all(|p| all_finite(&[p.power_w, p.model_power_w, p.residual_w])));
                proptest::prop_assert!(f.iterations <= MAX_ITERATIONS);
            }
            if let Ok(e) = estimate_ftp(&curve, DurationWindow::TWO_PARAMETER) {
                proptest::prop_assert!(e.eftp_w.is_finite() && e.eftp_w > 0.0);
            }
        }

        // Proves a Morton curve with noise is fitted from the documented
        // start for any plausible athlete, and lands near the truth.
        #[test]
        fn morton_recovers_plausible_athletes(
            cp in 150.0..400.0f64,
            w_prime in 8_000.0..35_000.0f64,
            pmax_over_cp in 500.0..1500.0f64,
            seed in 0u64..1000,
        ) {
            let mut seed = seed;
            let pmax = cp + pmax_over_cp;
            let model = PowerDurationModel::ThreeParameter { cp_w: cp, w_prime_j: w_prime, pmax_w: pmax };
            let curve: Vec<(u32, f64)> = STANDARD
                .iter()
                .map(|&t| (t, model_power(&model, f64::from(t)).unwrap() + noise(&mut seed, 2.0)))
                .collect();
            let f = fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER).unwrap();
            proptest::prop_assert!(f.converged);
            proptest::prop_assert!((f.cp_w - cp).abs() < 5.0, "{} vs {}", f.cp_w, cp);
            proptest::prop_assert!((f.w_prime_j - w_prime).abs() < 0.1 * w_prime, "{} vs {}", f.w_prime_j, w_prime);
        }
    }
}
