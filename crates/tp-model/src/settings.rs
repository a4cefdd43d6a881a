//! Athlete settings and training zones (`/fitness/v1/athletes/{id}/settings`).

use crate::lenient::de;
use serde::{Deserialize, Serialize};

/// The athlete's thresholds and zones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AthleteSettings {
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub power_zones: Vec<ZoneGroup>,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub heart_rate_zones: Vec<ZoneGroup>,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub speed_zones: Vec<ZoneGroup>,
}

/// The zones of one kind for one workout type (0 = the default for all types).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneGroup {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub workout_type_id: Option<i64>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub calculation_method: Option<i64>,
    /// FTP (W), LTHR (bpm) or threshold speed (m/s).
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub threshold: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub maximum_heart_rate: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub resting_heart_rate: Option<f64>,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub zones: Vec<Zone>,
}

/// One zone's bounds, in the group's unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    #[serde(default, deserialize_with = "de::string_opt")]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub minimum: Option<f64>,
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub maximum: Option<f64>,
}

impl AthleteSettings {
    /// The threshold of the group for `workout_type_id`, else the default group (0).
    fn threshold(groups: &[ZoneGroup], workout_type_id: i64) -> Option<f64> {
        let of = |id: i64| {
            groups
                .iter()
                .find(|g| g.workout_type_id == Some(id))
                .and_then(|g| g.threshold)
        };
        of(workout_type_id)
            .or_else(|| of(0))
            .or_else(|| groups.iter().find_map(|g| g.threshold))
    }

    /// Functional threshold power for cycling, watts.
    /// The zones of the group for `workout_type_id`, else the default
    /// group's (0), else the first group with zones.
    fn zones_of(groups: &[ZoneGroup], workout_type_id: i64) -> Option<&[Zone]> {
        let of = |id: i64| {
            groups
                .iter()
                .find(|g| g.workout_type_id == Some(id) && !g.zones.is_empty())
                .map(|g| g.zones.as_slice())
        };
        of(workout_type_id).or_else(|| of(0)).or_else(|| {
            groups
                .iter()
                .find(|g| !g.zones.is_empty())
                .map(|g| g.zones.as_slice())
        })
    }

    /// Power zones (W) for a workout type.
    pub fn power_zones_for(&self, workout_type_id: i64) -> Option<&[Zone]> {
        Self::zones_of(&self.power_zones, workout_type_id)
    }

    /// Heart-rate zones (bpm) for a workout type.
    pub fn hr_zones_for(&self, workout_type_id: i64) -> Option<&[Zone]> {
        Self::zones_of(&self.heart_rate_zones, workout_type_id)
    }

    /// Speed zones (m/s) for a workout type.
    pub fn speed_zones_for(&self, workout_type_id: i64) -> Option<&[Zone]> {
        Self::zones_of(&self.speed_zones, workout_type_id)
    }

    pub fn ftp(&self) -> Option<f64> {
        Self::threshold(&self.power_zones, 2).filter(|w| *w > 0.0)
    }

    /// Lactate threshold heart rate for a workout type, bpm.
    pub fn lthr(&self, workout_type_id: i64) -> Option<f64> {
        Self::threshold(&self.heart_rate_zones, workout_type_id).filter(|w| *w > 0.0)
    }

    /// Threshold speed for a workout type, m/s.
    pub fn threshold_speed(&self, workout_type_id: i64) -> Option<f64> {
        Self::threshold(&self.speed_zones, workout_type_id).filter(|w| *w > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thresholds_prefer_the_sport_group_then_the_default() {
        let s: AthleteSettings = serde_json::from_value(json!({
            "powerZones": [{"workoutTypeId": 0, "threshold": 250, "zones": []},
                           {"workoutTypeId": 2, "threshold": 262, "zones": [{"label": "Z1", "minimum": 0, "maximum": 144}]}],
            "heartRateZones": [{"workoutTypeId": 0, "threshold": 168}, {"workoutTypeId": 3, "threshold": 174}],
            "speedZones": "nonsense"
        }))
        .unwrap();
        assert_eq!(s.ftp(), Some(262.0));
        assert_eq!(s.lthr(3), Some(174.0));
        assert_eq!(s.lthr(2), Some(168.0));
        assert_eq!(s.threshold_speed(3), None);
        assert_eq!(s.power_zones[1].zones[0].maximum, Some(144.0));
    }
}
