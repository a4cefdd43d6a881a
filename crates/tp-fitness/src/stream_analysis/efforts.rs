//! Part 6: sustained efforts and sprints found in the streams.

use super::decoupling::halves;
use super::grid::{Grid, mean_of, normalized_of};
use crate::num::per_positive;
use serde::Serialize;
use std::ops::Range;
use tp_model::ChannelKind;

/// The rule.
pub const EFFORTS_METHOD: &str = "sustained efforts: maximal stretches of recorded seconds where \
     the centred 30-s average (15 s before to 14 s after, never across a pause) of power is at \
     least 88 % of FTP (runs: graded speed, 88 % of threshold speed), each stretch's ends then \
     put on the seconds themselves (extended over adjacent seconds at or above 88 %, trimmed \
     past seconds below), stretches less than 30 s apart merged, kept from 120 s; \
     sprints: seconds at or above 150 % of FTP (threshold speed), runs less than 3 s apart \
     merged, kept from 5 s; an effort never spans a pause. Per effort: decoupling of its halves \
     from 8 min; heart-rate recovery = HR at the effort's last second − HR 60 s later, when \
     those 60 s are all recorded with HR";

/// Share of the threshold a sustained effort's 30-s average reaches (sweet spot).
pub const EFFORT_SHARE: f64 = 0.88;
/// Shortest sustained effort, seconds.
pub const EFFORT_MIN_S: usize = 120;
/// Stretches closer than this are one effort, seconds.
pub const EFFORT_MERGE_S: usize = 30;
/// Share of the threshold a sprint's seconds reach.
pub const SPRINT_SHARE: f64 = 1.5;
/// Shortest sprint, seconds.
pub const SPRINT_MIN_S: usize = 5;
/// Sprint seconds closer than this are one sprint, seconds.
pub const SPRINT_MERGE_S: usize = 3;
/// Shortest effort whose decoupling is given, seconds.
pub const EFFORT_DECOUPLING_MIN_S: usize = 8 * 60;
/// Heart-rate recovery is measured this long after an effort, seconds.
pub const HR_RECOVERY_S: usize = 60;

/// What efforts are found on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EffortBasis {
    /// Power against FTP.
    Power,
    /// Graded speed against threshold speed (runs and walks).
    GradedSpeed,
}

/// One effort or sprint.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Effort {
    /// Seconds from the first sample to the effort's first second.
    pub start_s: u32,
    /// Recorded seconds.
    pub duration_s: u32,
    pub average_power_w: Option<f64>,
    /// From 30 s.
    pub normalized_power_w: Option<f64>,
    pub max_power_w: Option<f64>,
    /// Average power / FTP × 100 (power basis).
    pub percent_of_ftp: Option<f64>,
    pub average_graded_speed_m_s: Option<f64>,
    /// Average graded speed / threshold speed × 100 (graded-speed basis).
    pub percent_of_threshold_speed: Option<f64>,
    pub average_heart_rate_bpm: Option<f64>,
    pub max_heart_rate_bpm: Option<f64>,
    /// Average HR / LTHR × 100, when LTHR is given.
    pub heart_rate_percent_of_lthr: Option<f64>,
    pub average_cadence_rpm: Option<f64>,
    pub average_speed_m_s: Option<f64>,
    /// Decoupling of the effort's halves (from 8 min).
    pub decoupling_percent: Option<f64>,
    /// HR at the last second − HR 60 s later, bpm.
    pub heart_rate_recovery_bpm: Option<f64>,
}

/// Part 6.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EffortAnalysis {
    pub method: &'static str,
    pub basis: Option<EffortBasis>,
    /// FTP (W) or threshold speed (m/s) the rule used.
    pub threshold: Option<f64>,
    pub efforts: Vec<Effort>,
    pub sprints: Vec<Effort>,
    pub reason: Option<String>,
}

/// The series efforts are found on.
pub(crate) struct EffortInputs<'a> {
    pub basis: EffortBasis,
    pub values: &'a [Option<f64>],
    pub threshold: f64,
    /// m/s → m/min for the graded-speed EF.
    pub ef_scale: f64,
    pub speed: Option<&'a [Option<f64>]>,
    pub lthr: Option<f64>,
}

/// Centred 30-s averages inside one segment (values present only).
fn centred_means(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let n = values.len();
    let mut sum = vec![0.0; n + 1];
    let mut count = vec![0u32; n + 1];
    for (i, v) in values.iter().enumerate() {
        sum[i + 1] = sum[i] + v.unwrap_or(0.0);
        count[i + 1] = count[i] + u32::from(v.is_some());
    }
    (0..n)
        .map(|k| {
            let (a, b) = (k.saturating_sub(15), (k + 15).min(n));
            let c = count[b] - count[a];
            (c > 0).then(|| (sum[b] - sum[a]) / f64::from(c))
        })
        .collect()
}

/// Maximal runs of `true`, merged when less than `merge` apart.
fn runs(flags: impl Iterator<Item = bool>, merge: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = None;
    let push = |r: Range<usize>, out: &mut Vec<Range<usize>>| match out.last_mut() {
        Some(last) if r.start - last.end < merge => last.end = r.end,
        _ => out.push(r),
    };
    let mut n = 0;
    for (k, f) in flags.enumerate() {
        match (f, start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                push(s..k, &mut out);
                start = None;
            }
            _ => {}
        }
        n = k + 1;
    }
    if let Some(s) = start {
        push(s..n, &mut out);
    }
    out
}

/// The stretches of efforts and sprints (grid index ranges).
pub(crate) fn find(
    grid: &Grid,
    values: &[Option<f64>],
    threshold: f64,
) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let effort_level = EFFORT_SHARE * threshold;
    let sprint_level = SPRINT_SHARE * threshold;
    let (mut efforts, mut sprints) = (Vec::new(), Vec::new());
    for seg in grid.segments() {
        let v = &values[seg.clone()];
        let at_least = |k: usize, level: f64| v[k].is_some_and(|x| x >= level);
        let means = centred_means(v);
        // Each stretch's ends on the seconds themselves: extended over
        // adjacent seconds at or above the level, trimmed past those below.
        let adjusted = runs(
            means.iter().map(|m| m.is_some_and(|m| m >= effort_level)),
            1,
        )
        .into_iter()
        .filter_map(|r| {
            let (mut s, mut e) = (r.start, r.end);
            while s > 0 && at_least(s - 1, effort_level) {
                s -= 1;
            }
            while e < v.len() && at_least(e, effort_level) {
                e += 1;
            }
            while s < e && !at_least(s, effort_level) {
                s += 1;
            }
            while e > s && !at_least(e - 1, effort_level) {
                e -= 1;
            }
            (s < e).then_some(s..e)
        });
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in adjusted {
            match merged.last_mut() {
                Some(last) if r.start < last.end + EFFORT_MERGE_S => {
                    last.start = last.start.min(r.start);
                    last.end = last.end.max(r.end);
                }
                _ => merged.push(r),
            }
        }
        efforts.extend(
            merged
                .into_iter()
                .filter(|r| r.len() >= EFFORT_MIN_S)
                .map(|r| seg.start + r.start..seg.start + r.end),
        );
        for r in runs(
            (0..v.len()).map(|k| at_least(k, sprint_level)),
            SPRINT_MERGE_S,
        ) {
            if r.len() >= SPRINT_MIN_S {
                sprints.push(seg.start + r.start..seg.start + r.end);
            }
        }
    }
    (efforts, sprints)
}

fn max_of(series: &[Option<f64>]) -> Option<f64> {
    series.iter().flatten().copied().reduce(f64::max)
}

/// HR at the last second of `r` − HR 60 s later, when all of those 60
/// seconds are recorded (no pause) with HR.
pub(crate) fn hr_recovery(grid: &Grid, hr: &[Option<f64>], r: &Range<usize>) -> Option<f64> {
    let last = r.end.checked_sub(1)?;
    let after = last + HR_RECOVERY_S;
    if after >= grid.len() || grid.gap_before_s[r.end..=after].iter().any(|g| *g > 0) {
        return None;
    }
    if hr[last..=after].iter().any(Option::is_none) {
        return None;
    }
    Some(hr[last]? - hr[after]?)
}

fn describe(grid: &Grid, inputs: &EffortInputs, r: Range<usize>) -> Effort {
    let power = grid.channel(ChannelKind::Power).map(|p| &p[r.clone()]);
    let hr = grid.channel(ChannelKind::HeartRate);
    let avg_power = power.and_then(mean_of);
    let graded = (inputs.basis == EffortBasis::GradedSpeed).then(|| &inputs.values[r.clone()]);
    let avg_graded = graded.and_then(mean_of);
    let avg_hr = hr.and_then(|h| mean_of(&h[r.clone()]));
    let decoupling = (r.len() >= EFFORT_DECOUPLING_MIN_S)
        .then(|| halves(inputs.values, hr?, r.clone(), inputs.ef_scale))
        .flatten()
        .map(|h| h.2);
    Effort {
        start_s: grid.t_s[r.start],
        duration_s: r.len() as u32,
        average_power_w: avg_power,
        normalized_power_w: power.and_then(normalized_of),
        max_power_w: power.and_then(max_of),
        percent_of_ftp: (inputs.basis == EffortBasis::Power)
            .then(|| per_positive(avg_power? * 100.0, inputs.threshold))
            .flatten(),
        average_graded_speed_m_s: avg_graded,
        percent_of_threshold_speed: avg_graded
            .and_then(|g| per_positive(g * 100.0, inputs.threshold)),
        average_heart_rate_bpm: avg_hr,
        max_heart_rate_bpm: hr.and_then(|h| max_of(&h[r.clone()])),
        heart_rate_percent_of_lthr: avg_hr.and_then(|h| per_positive(h * 100.0, inputs.lthr?)),
        average_cadence_rpm: grid
            .channel(ChannelKind::Cadence)
            .and_then(|c| mean_of(&c[r.clone()])),
        average_speed_m_s: inputs.speed.and_then(|s| mean_of(&s[r.clone()])),
        decoupling_percent: decoupling,
        heart_rate_recovery_bpm: hr.and_then(|h| hr_recovery(grid, h, &r)),
    }
}

pub(crate) fn effort_analysis(grid: &Grid, inputs: Result<EffortInputs, String>) -> EffortAnalysis {
    let inputs = match inputs {
        Ok(i) => i,
        Err(reason) => {
            return EffortAnalysis {
                method: EFFORTS_METHOD,
                basis: None,
                threshold: None,
                efforts: Vec::new(),
                sprints: Vec::new(),
                reason: Some(reason),
            };
        }
    };
    let (efforts, sprints) = find(grid, inputs.values, inputs.threshold);
    EffortAnalysis {
        method: EFFORTS_METHOD,
        basis: Some(inputs.basis),
        threshold: Some(inputs.threshold),
        efforts: efforts
            .into_iter()
            .map(|r| describe(grid, &inputs, r))
            .collect(),
        sprints: sprints
            .into_iter()
            .map(|r| describe(grid, &inputs, r))
            .collect(),
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tp_model::Streams;

    fn ride(power: &[i32], hr: &[i32], time: Option<Vec<u32>>) -> Grid {
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, power.iter().map(|p| Some(*p)).collect());
        c.insert(
            ChannelKind::HeartRate,
            hr.iter().map(|p| Some(*p)).collect(),
        );
        let t = time.unwrap_or_else(|| (0..power.len() as u32).collect());
        Grid::new(&Streams::from_parts(t, c).unwrap())
    }

    fn inputs<'a>(g: &'a Grid, ftp: f64) -> EffortInputs<'a> {
        EffortInputs {
            basis: EffortBasis::Power,
            values: g.channel(ChannelKind::Power).unwrap(),
            threshold: ftp,
            ef_scale: 1.0,
            speed: None,
            lthr: Some(170.0),
        }
    }

    // Proves the rule by hand: 600 s at 150 W, 300 s at 250 W (100 % of
    // FTP 250), a 20-s dip to 100 W, 200 s at 240 W, 600 s at 150 W with a
    // 6-s sprint at 400 W; HR 120 easy, 160 hard, falling 1 bpm/s after.
    #[test]
    fn efforts_and_sprints_by_hand() {
        let mut p = vec![150; 600];
        p.extend([250; 300]);
        p.extend([100; 20]);
        p.extend([240; 200]);
        p.extend([150; 600]);
        p[1500..1506].fill(400);
        let mut hr = vec![120; 600];
        hr.extend([160; 520]);
        hr.extend((0..600).map(|k| (160 - k).max(120)));
        let g = ride(&p, &hr, None);
        let a = effort_analysis(&g, Ok(inputs(&g, 250.0)));
        assert_eq!(a.efforts.len(), 1, "{:#?}", a.efforts);
        let e = &a.efforts[0];
        // merged across the 20-s dip, trimmed to the hard seconds
        assert_eq!((e.start_s, e.duration_s), (600, 520));
        let avg = (300.0 * 250.0 + 20.0 * 100.0 + 200.0 * 240.0) / 520.0;
        assert!((e.average_power_w.unwrap() - avg).abs() < 1e-9);
        assert!((e.percent_of_ftp.unwrap() - avg / 2.5).abs() < 1e-9);
        assert_eq!(e.max_power_w, Some(250.0));
        assert_eq!(e.average_heart_rate_bpm, Some(160.0));
        assert!((e.heart_rate_percent_of_lthr.unwrap() - 16000.0 / 170.0).abs() < 1e-9);
        // HR at 1119 is 160; 60 s later it has fallen to its floor, 120
        assert_eq!(e.heart_rate_recovery_bpm, Some(40.0));
        // the dip is in the second half at the same HR: EF₂ < EF₁
        assert!(e.decoupling_percent.unwrap() > 0.0);
        assert_eq!(a.sprints.len(), 1);
        assert_eq!((a.sprints[0].start_s, a.sprints[0].duration_s), (1500, 6));
        assert_eq!(a.sprints[0].normalized_power_w, None);
    }

    // Proves efforts never span a pause, short ones are dropped, and HR
    // recovery needs the next 60 s recorded.
    #[test]
    fn pauses_and_short_efforts() {
        let p = vec![300; 400];
        let hr = vec![150; 400];
        let mut t: Vec<u32> = (0..200).collect();
        t.extend(1000..1200);
        let g = ride(&p, &hr, Some(t));
        let a = effort_analysis(&g, Ok(inputs(&g, 250.0)));
        let got: Vec<(u32, u32)> = a
            .efforts
            .iter()
            .map(|e| (e.start_s, e.duration_s))
            .collect();
        assert_eq!(got, vec![(0, 200), (1000, 200)]);
        assert!(
            a.efforts
                .iter()
                .all(|e| e.heart_rate_recovery_bpm.is_none())
        );
        let short = ride(&[300; 100], &[150; 100], None);
        assert!(
            effort_analysis(&short, Ok(inputs(&short, 250.0)))
                .efforts
                .is_empty()
        );
        let none = effort_analysis(&short, Err("no FTP given".into()));
        assert_eq!(none.reason.as_deref(), Some("no FTP given"));
    }

    #[test]
    fn runs_merge() {
        let f = [true, true, false, true, false, false, false, true];
        assert_eq!(runs(f.into_iter(), 2), vec![0..4, 7..8]);
        assert_eq!(runs(f.into_iter(), 1), vec![0..2, 3..4, 7..8]);
        assert!(runs(std::iter::empty(), 3).is_empty());
    }
}
