//! Part 5: time in zones, per second, with the athlete's own zones.

use super::grid::Grid;
use crate::num::per_positive;
use serde::Serialize;
use tp_model::{ChannelKind, Zone};

/// How seconds are put in zones.
pub const ZONES_METHOD: &str = "per second on the 1 Hz grid (values held up to 5 s, pauses \
     excluded); zones in order of their maximum (a missing maximum is open-ended); a second \
     counts in the first zone whose maximum it does not exceed, so bounds are inclusive, a value \
     on a bound two zones share counts in the lower one and a value between one zone's maximum \
     and the next one's minimum in the upper one; above the top zone's maximum counts in the \
     top zone, below the first zone's minimum in the first zone (both also reported apart); \
     power in W, heart rate in bpm, speed in m/s (recorded in mm/s, divided by 1000); power \
     zones are the athlete's, else Coggan's seven from FTP";

/// Where a channel's zones came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// The athlete's zones as given.
    Athlete,
    /// Coggan's seven power zones from FTP ([`crate::zones::coggan_power_zones`]).
    CogganFromFtp,
}

/// Seconds in one zone.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ZoneSeconds {
    /// 1-based, in order of the zones' maxima.
    pub zone: u8,
    pub label: Option<String>,
    /// Bounds as given, in `unit`.
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub seconds: u32,
    /// Share of `seconds_with_value` (0…1).
    pub share: Option<f64>,
}

/// One channel's time in zones.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChannelZones {
    /// "power", "heart_rate" or "speed".
    pub channel: &'static str,
    /// "W", "bpm" or "m/s".
    pub unit: &'static str,
    pub source: ZoneSource,
    pub zones: Vec<ZoneSeconds>,
    /// Grid seconds with a value: the zones' seconds add up to this.
    pub seconds_with_value: u32,
    /// Seconds above the top zone's maximum (counted in the top zone).
    pub above_top_zone_s: u32,
    /// Seconds below the first zone's minimum (counted in the first zone).
    pub below_first_zone_s: u32,
}

/// Part 5.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ZoneAnalysis {
    pub method: &'static str,
    pub power: Option<ChannelZones>,
    pub heart_rate: Option<ChannelZones>,
    pub speed: Option<ChannelZones>,
    /// Why a channel has no zones.
    pub reasons: Vec<String>,
}

/// Seconds per zone of the values present in `series`. `None` without
/// zones.
pub fn time_in_zones(
    series: &[Option<f64>],
    zones: &[Zone],
    channel: &'static str,
    unit: &'static str,
    source: ZoneSource,
) -> Option<ChannelZones> {
    time_in_zones_weighted(
        series.iter().flatten().map(|v| (*v, 1)),
        zones,
        channel,
        unit,
        source,
    )
}

/// The same over `(value, seconds)` pairs — a histogram's bins, or a
/// range's histograms merged ([`crate::zone_distribution`]).
pub fn time_in_zones_weighted(
    values: impl IntoIterator<Item = (f64, u32)>,
    zones: &[Zone],
    channel: &'static str,
    unit: &'static str,
    source: ZoneSource,
) -> Option<ChannelZones> {
    let mut sorted: Vec<&Zone> = zones
        .iter()
        .filter(|z| z.maximum.is_none_or(|m| !m.is_nan()))
        .collect();
    if sorted.is_empty() {
        return None;
    }
    let upper = |z: &Zone| z.maximum.unwrap_or(f64::INFINITY);
    sorted.sort_by(|a, b| upper(a).total_cmp(&upper(b)));
    let maxima: Vec<f64> = sorted.iter().map(|z| upper(z)).collect();
    let top = sorted.len() - 1;
    let floor = sorted[0].minimum.filter(|m| m.is_finite());
    let mut seconds = vec![0u32; sorted.len()];
    let (mut above, mut below, mut total) = (0u32, 0u32, 0u32);
    for (v, n) in values {
        let i = maxima.partition_point(|m| *m < v);
        if i > top {
            above += n;
        }
        if floor.is_some_and(|f| v < f) {
            below += n;
        }
        seconds[i.min(top)] += n;
        total += n;
    }
    Some(ChannelZones {
        channel,
        unit,
        source,
        zones: sorted
            .iter()
            .zip(&seconds)
            .enumerate()
            .map(|(i, (z, s))| ZoneSeconds {
                zone: (i + 1).min(usize::from(u8::MAX)) as u8,
                label: z.label.clone(),
                minimum: z.minimum.filter(|m| m.is_finite()),
                maximum: z.maximum.filter(|m| m.is_finite()),
                seconds: *s,
                share: per_positive(f64::from(*s), f64::from(total)),
            })
            .collect(),
        seconds_with_value: total,
        above_top_zone_s: above,
        below_first_zone_s: below,
    })
}

/// Coggan's seven zones from FTP as [`Zone`]s.
pub fn coggan_zones(ftp: f64) -> Vec<Zone> {
    crate::zones::coggan_power_zones(ftp)
        .into_iter()
        .map(|z| Zone {
            label: Some(format!("Z{} {}", z.zone, z.name)),
            minimum: Some(z.min_watts),
            maximum: z.max_watts,
        })
        .collect()
}

pub(crate) fn zone_analysis(
    grid: &Grid,
    ftp: Option<f64>,
    power_zones: Option<&[Zone]>,
    hr_zones: Option<&[Zone]>,
    speed_zones: Option<&[Zone]>,
    speed: Option<&[Option<f64>]>,
) -> ZoneAnalysis {
    let mut reasons = Vec::new();
    let mut one = |name: &'static str,
                   unit: &'static str,
                   series: Option<&[Option<f64>]>,
                   zones: Option<(&[Zone], ZoneSource)>| {
        let Some(series) = series else {
            reasons.push(format!("{name}: not in the recording"));
            return None;
        };
        let Some((zones, source)) = zones else {
            reasons.push(format!("{name}: no zones given"));
            return None;
        };
        let out = time_in_zones(series, zones, name, unit, source);
        if out.is_none() {
            reasons.push(format!("{name}: no usable zones"));
        }
        out
    };
    let coggan = ftp.map(coggan_zones).unwrap_or_default();
    let power_zones = match power_zones.filter(|z| !z.is_empty()) {
        Some(z) => Some((z, ZoneSource::Athlete)),
        None if !coggan.is_empty() => Some((coggan.as_slice(), ZoneSource::CogganFromFtp)),
        None => None,
    };
    fn athlete(z: Option<&[Zone]>) -> Option<(&[Zone], ZoneSource)> {
        z.filter(|z| !z.is_empty())
            .map(|z| (z, ZoneSource::Athlete))
    }
    let power = one("power", "W", grid.channel(ChannelKind::Power), power_zones);
    let heart_rate = one(
        "heart_rate",
        "bpm",
        grid.channel(ChannelKind::HeartRate),
        athlete(hr_zones),
    );
    let speed = one("speed", "m/s", speed, athlete(speed_zones));
    ZoneAnalysis {
        method: ZONES_METHOD,
        power,
        heart_rate,
        speed,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(label: &str, min: f64, max: Option<f64>) -> Zone {
        Zone {
            label: Some(label.into()),
            minimum: Some(min),
            maximum: max,
        }
    }

    // Proves the boundary rule by hand: integer HR zones 0–129, 130–146,
    // 147–160; a shared bound; the gap between zones; above and below.
    #[test]
    fn boundaries_by_hand() {
        let zones = [
            zone("Z2", 130.0, Some(146.0)),
            zone("Z1", 90.0, Some(129.0)),
            zone("Z3", 147.0, Some(160.0)),
        ];
        let hr: Vec<Option<f64>> = [80.0, 129.0, 129.5, 130.0, 146.0, 147.0, 160.0, 175.0]
            .into_iter()
            .map(Some)
            .chain([None])
            .collect();
        let z = time_in_zones(&hr, &zones, "heart_rate", "bpm", ZoneSource::Athlete).unwrap();
        let secs: Vec<u32> = z.zones.iter().map(|z| z.seconds).collect();
        // Z1: 80 (below), 129; Z2: 129.5, 130, 146; Z3: 147, 160, 175 (above)
        assert_eq!(secs, vec![2, 3, 3]);
        assert_eq!(z.zones[0].label.as_deref(), Some("Z1"));
        assert_eq!((z.above_top_zone_s, z.below_first_zone_s), (1, 1));
        assert_eq!(z.seconds_with_value, 8);
        assert_eq!(z.zones[1].share, Some(3.0 / 8.0));
        // shared bounds (m/s): 2.68 counts in the lower zone
        let speed = [zone("easy", 0.0, Some(2.68)), zone("hard", 2.68, None)];
        let v = [Some(2680.0 / 1000.0), Some(2.681)];
        let z = time_in_zones(&v, &speed, "speed", "m/s", ZoneSource::Athlete).unwrap();
        assert_eq!((z.zones[0].seconds, z.zones[1].seconds), (1, 1));
        assert_eq!(z.above_top_zone_s, 0);
        assert!(time_in_zones(&v, &[], "speed", "m/s", ZoneSource::Athlete).is_none());
    }

    // Proves Coggan's zones stand in for missing power zones and agree
    // with `coggan_zone_of` second by second.
    #[test]
    fn coggan_from_ftp() {
        let p: Vec<Option<f64>> = (0..700).map(|w| Some(w as f64)).collect();
        let mut c = std::collections::BTreeMap::new();
        c.insert(ChannelKind::Power, (0..700).map(Some).collect());
        let g = Grid::new(&tp_model::Streams::from_parts((0..700).collect(), c).unwrap());
        let a = zone_analysis(&g, Some(250.0), None, None, None, None);
        let z = a.power.unwrap();
        assert_eq!(z.source, ZoneSource::CogganFromFtp);
        let mut expected = [0u32; 7];
        for w in p.iter().flatten() {
            expected[usize::from(crate::zones::coggan_zone_of(*w, 250.0).unwrap()) - 1] += 1;
        }
        let got: Vec<u32> = z.zones.iter().map(|z| z.seconds).collect();
        assert_eq!(got, expected);
        assert_eq!(a.reasons.len(), 2);
    }
}
