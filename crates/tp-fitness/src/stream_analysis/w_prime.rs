//! Part 4: W′ balance, Skiba's differential model.
//!
//! Skiba, Fulford, Clarke & Skiba (2015), "Intramuscular determinants of
//! the ability to recover work capacity above critical power", Eur J Appl
//! Physiol 115:703–713:
//!
//! - above CP, `dW′bal/dt = −(P − CP)`;
//! - at or below CP, `dW′bal/dt = (W′ − W′bal)·(CP − P)/W′`.
//!
//! Integrated exactly second by second with the power of that second held:
//! a linear fall above CP, `W′ − (W′ − W′bal)·e^(−(CP − P)/W′)` at or
//! below. A pause recovers at P = 0 for its length (the rider is not
//! pedalling); a grid second without a power value counts as 0 W too.

use super::grid::Grid;
use crate::num::{finite, per_positive, positive};
use serde::Serialize;
use tp_model::ChannelKind;

/// How the balance is computed.
pub const W_PRIME_METHOD: &str = "Skiba et al. 2015 differential model: above CP W′bal falls by \
     P − CP per second; at or below CP it recovers as dW′bal/dt = (W′ − W′bal)·(CP − P)/W′, \
     integrated exactly per second (power held within the second); pauses and seconds without \
     power recover at 0 W; W′bal starts full";

/// W′ when none is given, joules.
pub const DEFAULT_W_PRIME_J: f64 = 20_000.0;

/// Step of the balance series for charts, seconds.
pub const SERIES_STEP_S: u32 = 60;

/// Where CP came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CpSource {
    Given,
    /// CP taken as FTP.
    Ftp,
}

/// Where W′ came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WPrimeSource {
    Given,
    /// [`DEFAULT_W_PRIME_J`].
    #[serde(rename = "default_20000_j")]
    Default20000J,
}

/// One step of the series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WPrimePoint {
    /// Start of the step, seconds from the first sample (steps of
    /// [`SERIES_STEP_S`] counted from `t = 0`, as `resample::downsample`).
    pub t_s: u32,
    /// The lowest balance in the step (so no dip is hidden), joules.
    pub minimum_j: f64,
}

/// The balance over the workout.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WPrimeBalance {
    pub cp_w: f64,
    pub cp_source: CpSource,
    pub w_prime_j: f64,
    pub w_prime_source: WPrimeSource,
    /// Lowest balance, joules (negative when the model's W′ was exceeded).
    pub minimum_j: f64,
    pub minimum_percent: f64,
    /// When the lowest balance was reached, seconds from the first sample.
    pub minimum_at_s: u32,
    /// Recorded seconds ending below 25 % of W′.
    pub seconds_below_25_percent: u32,
    /// Recorded seconds ending below 0.
    pub seconds_below_zero: u32,
    /// Total work above CP, joules.
    pub work_above_cp_j: f64,
    pub series_step_s: u32,
    pub series: Vec<WPrimePoint>,
}

/// Part 4.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WPrimeAnalysis {
    pub method: &'static str,
    pub balance: Option<WPrimeBalance>,
    /// Why `balance` is missing, or which defaults it used.
    pub notes: Vec<String>,
}

/// The balance after `dt` seconds at `p` watts from `w`.
pub fn step(w: f64, p: f64, dt: f64, cp: f64, w_prime: f64) -> f64 {
    if p > cp {
        w - (p - cp) * dt
    } else {
        w_prime - (w_prime - w) * (-(cp - p) * dt / w_prime).exp()
    }
}

/// The balance at the end of every grid second (starting full).
pub fn balance_series(
    power: &[Option<f64>],
    gaps_before_s: &[u32],
    cp: f64,
    w_prime: f64,
) -> Vec<f64> {
    let mut w = w_prime;
    power
        .iter()
        .zip(gaps_before_s)
        .map(|(p, gap)| {
            if *gap > 0 {
                w = step(w, 0.0, f64::from(*gap), cp, w_prime);
            }
            w = step(w, p.unwrap_or(0.0).max(0.0), 1.0, cp, w_prime);
            w
        })
        .collect()
}

pub(crate) fn w_prime_balance(
    grid: &Grid,
    cp: Option<f64>,
    w_prime: Option<f64>,
    ftp: Option<f64>,
) -> WPrimeAnalysis {
    let mut notes = Vec::new();
    let out = |balance, notes| WPrimeAnalysis {
        method: W_PRIME_METHOD,
        balance,
        notes,
    };
    let Some(power) = grid.channel(ChannelKind::Power) else {
        return out(None, vec!["no power in the recording".into()]);
    };
    let (cp, cp_source) = match (positive(cp), positive(ftp)) {
        (Some(c), _) => (c, CpSource::Given),
        (None, Some(f)) => {
            notes.push("no CP given: CP = FTP".to_string());
            (f, CpSource::Ftp)
        }
        (None, None) => return out(None, vec!["no CP or FTP given".into()]),
    };
    let (w_prime, w_prime_source) = match positive(w_prime) {
        Some(w) => (w, WPrimeSource::Given),
        None => {
            notes.push("no W′ given: W′ = 20 000 J".to_string());
            (DEFAULT_W_PRIME_J, WPrimeSource::Default20000J)
        }
    };
    let series = balance_series(power, &grid.gap_before_s, cp, w_prime);
    let Some((at, minimum)) =
        series
            .iter()
            .copied()
            .enumerate()
            .fold(None, |best: Option<(usize, f64)>, (k, w)| match best {
                Some((_, b)) if b <= w => best,
                _ => Some((k, w)),
            })
    else {
        return out(None, vec!["no recorded seconds".into()]);
    };
    let mut points: Vec<WPrimePoint> = Vec::new();
    for (k, w) in series.iter().enumerate() {
        let t = grid.t_s[k] / SERIES_STEP_S * SERIES_STEP_S;
        match points.last_mut() {
            Some(last) if last.t_s == t => last.minimum_j = last.minimum_j.min(*w),
            _ => points.push(WPrimePoint {
                t_s: t,
                minimum_j: *w,
            }),
        }
    }
    let work_above: f64 = power.iter().flatten().map(|p| (p - cp).max(0.0)).sum();
    let balance = (|| {
        Some(WPrimeBalance {
            cp_w: cp,
            cp_source,
            w_prime_j: w_prime,
            w_prime_source,
            minimum_j: finite(minimum)?,
            minimum_percent: per_positive(minimum * 100.0, w_prime)?,
            minimum_at_s: grid.t_s[at],
            seconds_below_25_percent: series.iter().filter(|w| **w < 0.25 * w_prime).count() as u32,
            seconds_below_zero: series.iter().filter(|w| **w < 0.0).count() as u32,
            work_above_cp_j: finite(work_above)?,
            series_step_s: SERIES_STEP_S,
            series: points,
        })
    })();
    if balance.is_none() {
        notes.push("the balance is not a finite number (power or W′ out of range)".into());
    }
    out(balance, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tp_model::Streams;

    // Proves the model by hand: 60 s at CP + 200 W drains 12 000 J
    // linearly; 60 s at CP − 100 W then recovers
    // 20 000 − 12 000·e^(−100·60/20 000).
    #[test]
    fn drain_and_recover_by_hand() {
        let mut p = vec![Some(450.0); 60];
        p.extend(vec![Some(150.0); 60]);
        let s = balance_series(&p, &[0; 120], 250.0, 20_000.0);
        assert!((s[59] - 8_000.0).abs() < 1e-9);
        assert!((s[0] - 19_800.0).abs() < 1e-9);
        let expected = 20_000.0 - 12_000.0 * (-100.0 * 60.0 / 20_000.0f64).exp();
        assert!((s[119] - expected).abs() < 1e-6, "{} {expected}", s[119]);
    }

    // Proves a pause recovers at 0 W for its length, the summary's numbers
    // and the defaults it says it used.
    #[test]
    fn a_pause_recovers_and_defaults_are_said() {
        let mut c = BTreeMap::new();
        c.insert(
            ChannelKind::Power,
            vec![Some(500); 100]
                .into_iter()
                .chain([Some(100)])
                .collect(),
        );
        let mut t: Vec<u32> = (0..100).collect();
        t.push(400); // 300 s paused (100 … 399)
        let g = Grid::new(&Streams::from_parts(t, c).unwrap());
        let a = w_prime_balance(&g, None, None, Some(300.0));
        assert_eq!(a.notes.len(), 2);
        let b = a.balance.unwrap();
        assert_eq!(
            (b.cp_source, b.w_prime_source),
            (CpSource::Ftp, WPrimeSource::Default20000J)
        );
        assert_eq!(b.minimum_j, 0.0);
        assert_eq!(b.minimum_percent, 0.0);
        assert_eq!(b.minimum_at_s, 99);
        // below 25 % (5000 J) once more than 15 000 J are drained: seconds 75…99
        assert_eq!(b.seconds_below_25_percent, 25);
        assert_eq!(b.seconds_below_zero, 0);
        assert_eq!(b.work_above_cp_j, 20_000.0);
        let after_pause = step(
            step(0.0, 0.0, 300.0, 300.0, 20_000.0),
            100.0,
            1.0,
            300.0,
            20_000.0,
        );
        assert_eq!(b.series.len(), 3);
        assert_eq!(b.series[2].t_s, 360);
        assert!((b.series[2].minimum_j - after_pause).abs() < 1e-9);
        assert_eq!(
            b.series[1],
            WPrimePoint {
                t_s: 60,
                minimum_j: 0.0
            }
        );
        let none = w_prime_balance(&g, None, None, None);
        assert!(none.balance.is_none());
    }
}
