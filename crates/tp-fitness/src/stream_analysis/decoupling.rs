//! Part 3: aerobic decoupling (Friel; TrainingPeaks' Pw:HR and Pa:HR).

use super::grid::{mean_of, normalized, normalized_of, present};
use crate::num::{per_positive, positive};
use crate::workout::EfBasis;
use serde::Serialize;
use std::ops::Range;

/// How decoupling is computed and when it means something.
pub const DECOUPLING_METHOD: &str = "Friel (TrainingPeaks Pw:HR, Pa:HR): the recorded seconds \
     split into two equal halves; EF per half = NP / average HR (power) or NGS in m/min / average \
     HR (runs); decoupling % = (EF₁ − EF₂) / EF₁ × 100; < 5 % coupled, 5–10 % some decoupling, \
     > 10 % decoupled. Meaningful only for at least 20 min recorded, heart rate and power (or \
     speed) missing for at most 10 % of it, and a steady workout: VI ≤ 1.15, and sustained \
     efforts (the efforts rule: 30-s average ≥ 88 % of FTP or threshold speed, from 2 min) \
     covering at most 10 % or at least 80 % of the recorded time — in between, hard efforts \
     alternate with easier riding (intervals, a hard block) and the halves are not comparable";

/// Shortest recording whose decoupling means something, seconds.
pub const MIN_DECOUPLING_S: usize = 20 * 60;
/// Largest share of the recorded time a channel may miss.
pub const MAX_MISSING_SHARE: f64 = 0.10;
/// Steadiest variability index that is still too unsteady.
pub const MAX_STEADY_VI: f64 = 1.15;
/// Share of the recorded time in sustained efforts up to which a workout
/// is steady (an effort or two in an easy ride).
pub const MAX_STEADY_EFFORT_SHARE: f64 = 0.10;
/// Share from which the efforts are the workout (a time trial, a race).
pub const MIN_WHOLE_EFFORT_SHARE: f64 = 0.80;

/// Friel's reading of a decoupling percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecouplingLabel {
    /// Below 5 %: aerobic endurance for this effort.
    Coupled,
    /// 5 to 10 %.
    SomeDecoupling,
    /// Above 10 %.
    Decoupled,
}

impl DecouplingLabel {
    pub fn from_percent(pct: f64) -> DecouplingLabel {
        if pct < 5.0 {
            DecouplingLabel::Coupled
        } else if pct <= 10.0 {
            DecouplingLabel::SomeDecoupling
        } else {
            DecouplingLabel::Decoupled
        }
    }
}

/// Part 3.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DecouplingAnalysis {
    pub method: &'static str,
    /// What the EF divides by heart rate.
    pub basis: Option<EfBasis>,
    /// "W/bpm" or "m/min per bpm".
    pub efficiency_factor_unit: Option<&'static str>,
    pub first_half_efficiency_factor: Option<f64>,
    pub second_half_efficiency_factor: Option<f64>,
    /// (EF₁ − EF₂) / EF₁ × 100; given even when not meaningful.
    pub percent: Option<f64>,
    /// Only when `meaningful`.
    pub label: Option<DecouplingLabel>,
    /// Whether every condition of the method holds.
    pub meaningful: bool,
    /// Why it is missing or means nothing.
    pub reasons: Vec<String>,
    pub recorded_s: u32,
    pub heart_rate_missing_percent: Option<f64>,
    /// Share of recorded seconds without power (or speed).
    pub basis_missing_percent: Option<f64>,
    /// Normalized / average of the basis (NP / average power for rides).
    pub variability_index: Option<f64>,
    /// Share of the recorded time in sustained efforts, %.
    pub effort_share_percent: Option<f64>,
}

/// EF of the first and second half of `range` and the decoupling %:
/// normalized basis × `scale` / average HR per half.
pub(crate) fn halves(
    basis: &[Option<f64>],
    hr: &[Option<f64>],
    range: Range<usize>,
    scale: f64,
) -> Option<(f64, f64, f64)> {
    let mid = range.start + range.len() / 2;
    let ef = |r: Range<usize>| {
        per_positive(
            normalized_of(&basis[r.clone()])? * scale,
            positive(mean_of(&hr[r]))?,
        )
    };
    let (e1, e2) = (ef(range.start..mid)?, ef(mid..range.end)?);
    let pct = crate::workout::aerobic_decoupling(e1, e2)?;
    Some((e1, e2, pct))
}

/// The basis: power (or graded speed), its EF basis and unit, and the
/// scale to the EF's unit (m/s → m/min).
pub(crate) struct Basis<'a> {
    pub values: &'a [Option<f64>],
    pub ef: EfBasis,
    pub unit: &'static str,
    pub scale: f64,
}

fn percent_missing(series: &[Option<f64>]) -> Option<f64> {
    let missing = series.iter().filter(|v| v.is_none()).count();
    per_positive(missing as f64 * 100.0, series.len() as f64)
}

/// `effort_s`: recorded seconds in sustained efforts, or why they are
/// unknown.
pub(crate) fn decoupling(
    basis: Result<Basis, String>,
    hr: Option<&[Option<f64>]>,
    recorded: usize,
    effort_s: Result<usize, String>,
) -> DecouplingAnalysis {
    let mut out = DecouplingAnalysis {
        method: DECOUPLING_METHOD,
        basis: None,
        efficiency_factor_unit: None,
        first_half_efficiency_factor: None,
        second_half_efficiency_factor: None,
        percent: None,
        label: None,
        meaningful: false,
        reasons: Vec::new(),
        recorded_s: recorded as u32,
        heart_rate_missing_percent: None,
        basis_missing_percent: None,
        variability_index: None,
        effort_share_percent: None,
    };
    let basis = match basis {
        Ok(b) => b,
        Err(reason) => {
            out.reasons.push(reason);
            return out;
        }
    };
    out.basis = Some(basis.ef);
    out.efficiency_factor_unit = Some(basis.unit);
    out.basis_missing_percent = percent_missing(basis.values);
    let Some(hr) = hr else {
        out.reasons.push("no heart rate in the recording".into());
        return out;
    };
    out.heart_rate_missing_percent = percent_missing(hr);
    let values = present(basis.values);
    out.variability_index = normalized(&values)
        .and_then(|n| per_positive(n, values.iter().sum::<f64>() / values.len() as f64));
    let effort_share = effort_s.map(|s| per_positive(s as f64, recorded as f64).unwrap_or(0.0));
    out.effort_share_percent = effort_share.as_ref().ok().map(|s| s * 100.0);
    match halves(basis.values, hr, 0..recorded, basis.scale) {
        Some((e1, e2, pct)) => {
            out.first_half_efficiency_factor = Some(e1);
            out.second_half_efficiency_factor = Some(e2);
            out.percent = Some(pct);
        }
        None => out
            .reasons
            .push("each half needs 30 s of data with heart rate above 0".into()),
    }
    if recorded < MIN_DECOUPLING_S {
        out.reasons
            .push("shorter than 20 min of recorded data".into());
    }
    if out
        .heart_rate_missing_percent
        .is_some_and(|p| p > MAX_MISSING_SHARE * 100.0)
    {
        out.reasons
            .push("heart rate missing for more than 10 % of the recorded time".into());
    }
    if out
        .basis_missing_percent
        .is_some_and(|p| p > MAX_MISSING_SHARE * 100.0)
    {
        out.reasons.push(format!(
            "{} missing for more than 10 % of the recorded time",
            if basis.ef == EfBasis::NormalizedPower {
                "power"
            } else {
                "speed"
            }
        ));
    }
    if out.variability_index.is_some_and(|vi| vi > MAX_STEADY_VI) {
        out.reasons
            .push("too unsteady: variability index above 1.15".into());
    }
    match effort_share {
        Ok(share) if share > MAX_STEADY_EFFORT_SHARE && share < MIN_WHOLE_EFFORT_SHARE => {
            out.reasons.push(
                "too unsteady (intervals): sustained efforts cover between 10 % and 80 % of the \
                 recorded time"
                    .into(),
            )
        }
        Ok(_) => {}
        Err(why) => out
            .reasons
            .push(format!("intervals cannot be ruled out: {why}")),
    }
    out.meaningful = out.percent.is_some() && out.reasons.is_empty();
    out.label = out
        .percent
        .filter(|_| out.meaningful)
        .map(DecouplingLabel::from_percent);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn power_basis(values: &[Option<f64>]) -> Result<Basis<'_>, String> {
        Ok(Basis {
            values,
            ef: EfBasis::NormalizedPower,
            unit: "W/bpm",
            scale: 1.0,
        })
    }

    // Proves the percentage by hand: an hour at 200 W, HR 130 in the first
    // half and 140 in the second → EF 1.538 then 1.429, 7.14 % "some".
    #[test]
    fn drift_by_hand() {
        let p = vec![Some(200.0); 3600];
        let mut hr = vec![Some(130.0); 1800];
        hr.extend(vec![Some(140.0); 1800]);
        let d = decoupling(power_basis(&p), Some(&hr), 3600, Ok(0));
        let (e1, e2) = (200.0 / 130.0, 200.0 / 140.0);
        assert!((d.first_half_efficiency_factor.unwrap() - e1).abs() < 1e-12);
        assert!((d.second_half_efficiency_factor.unwrap() - e2).abs() < 1e-12);
        assert!((d.percent.unwrap() - (e1 - e2) / e1 * 100.0).abs() < 1e-9);
        assert!(d.meaningful, "{:?}", d.reasons);
        assert_eq!(d.label, Some(DecouplingLabel::SomeDecoupling));
        assert_eq!(d.variability_index, Some(1.0));
        assert_eq!(d.effort_share_percent, Some(0.0));
        // a time trial: one effort over 90 % of the time is steady too
        assert!(decoupling(power_basis(&p), Some(&hr), 3600, Ok(3300)).meaningful);
    }

    // Proves each reason: too short, HR missing, too variable, intervals.
    #[test]
    fn when_it_means_nothing() {
        let p = vec![Some(200.0); 600];
        let hr = vec![Some(130.0); 600];
        let d = decoupling(power_basis(&p), Some(&hr), 600, Ok(0));
        assert_eq!(d.percent, Some(0.0));
        assert!(!d.meaningful);
        assert_eq!(d.label, None);
        assert!(d.reasons[0].contains("20 min"));

        let p = vec![Some(200.0); 3000];
        let mut hr = vec![Some(130.0); 3000];
        hr[..400].iter_mut().for_each(|h| *h = None);
        let d = decoupling(power_basis(&p), Some(&hr), 3000, Ok(0));
        assert!(d.reasons.iter().any(|r| r.contains("heart rate missing")));
        assert!((d.heart_rate_missing_percent.unwrap() - 400.0 / 30.0).abs() < 1e-9);

        // 4 min at 400 W, 4 min at 100 W: VI trips, and so do the efforts
        // (half of the time).
        let p: Vec<Option<f64>> = (0..3600)
            .map(|k| Some(if (k / 240) % 2 == 0 { 400.0 } else { 100.0 }))
            .collect();
        let hr = vec![Some(140.0); 3600];
        let d = decoupling(power_basis(&p), Some(&hr), 3600, Ok(1800));
        assert!(d.reasons.iter().any(|r| r.contains("1.15")));
        assert!(d.reasons.iter().any(|r| r.contains("intervals")));
        assert_eq!(d.effort_share_percent, Some(50.0));

        // 12 min at 280 W, 5 min at 150 W: VI below 1.15, the efforts trip.
        let p: Vec<Option<f64>> = (0..4080)
            .map(|k| Some(if k % 1020 < 720 { 280.0 } else { 150.0 }))
            .collect();
        let hr = vec![Some(140.0); 4080];
        let d = decoupling(power_basis(&p), Some(&hr), 4080, Ok(2880));
        assert!(d.variability_index.unwrap() <= 1.15);
        assert_eq!(d.reasons.len(), 1, "{:?}", d.reasons);
        let d = decoupling(power_basis(&p), Some(&hr), 4080, Err("no FTP given".into()));
        assert_eq!(
            d.reasons,
            vec!["intervals cannot be ruled out: no FTP given"]
        );
        assert!(!d.meaningful && d.percent.is_some());

        let d = decoupling(Err("no power".into()), Some(&hr), 4080, Ok(0));
        assert_eq!((d.percent, d.reasons.len()), (None, 1));
        let d = decoupling(power_basis(&p), None, 4080, Ok(0));
        assert!(d.reasons[0].contains("heart rate"));
    }

    #[test]
    fn labels() {
        assert_eq!(
            DecouplingLabel::from_percent(-3.0),
            DecouplingLabel::Coupled
        );
        assert_eq!(
            DecouplingLabel::from_percent(4.99),
            DecouplingLabel::Coupled
        );
        assert_eq!(
            DecouplingLabel::from_percent(5.0),
            DecouplingLabel::SomeDecoupling
        );
        assert_eq!(
            DecouplingLabel::from_percent(10.0),
            DecouplingLabel::SomeDecoupling
        );
        assert_eq!(
            DecouplingLabel::from_percent(10.01),
            DecouplingLabel::Decoupled
        );
    }
}
