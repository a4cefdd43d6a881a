//! Events: races and other dated goals on the athlete's calendar
//! (`/fitness/v6/athletes/{id}/events/…`).

use crate::lenient::de;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One event as TrainingPeaks describes it. Every field is optional, read
/// leniently; the id may come as `id` or `eventId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// TrainingPeaks' id; 0 when missing (see [`Event::id`]).
    #[serde(default, deserialize_with = "de::i64_or_zero")]
    pub id: i64,
    /// The same id under its other spelling, when sent that way.
    #[serde(default, deserialize_with = "de::i64_or_zero", skip_serializing)]
    pub event_id: i64,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub name: Option<String>,
    /// The day of the event.
    #[serde(default, deserialize_with = "de::date_opt")]
    pub event_date: Option<NaiveDate>,
    /// e.g. `RunningRoad`, `CyclingRoad`, `MultisportTriathlon`.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub event_type: Option<String>,
    /// The annual plan's priority: `A`, `B` or `C`.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub atp_priority: Option<String>,
    /// The CTL the athlete (or coach) aims to bring to it.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub ctl_target: Option<f64>,
    /// In `distance_units`.
    #[serde(default, deserialize_with = "de::f64_opt")]
    pub distance: Option<f64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub distance_units: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub description: Option<String>,
}

impl Event {
    /// The event's id, under either spelling (`id`, `eventId`); 0 when none.
    pub fn id(&self) -> i64 {
        if self.id != 0 { self.id } else { self.event_id }
    }

    /// The priority letter, upper case, when it is A, B or C.
    pub fn priority(&self) -> Option<char> {
        let p = self.atp_priority.as_deref()?.trim().to_ascii_uppercase();
        matches!(p.as_str(), "A" | "B" | "C").then(|| p.chars().next().unwrap_or('C'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_id_spellings_and_tolerates_junk() {
        let e: Event = serde_json::from_value(serde_json::json!({
            "eventId": "42", "name": "Spring Fondo", "eventDate": "2027-02-07T00:00:00",
            "eventType": "CyclingRoad", "atpPriority": "a", "ctlTarget": "85.5",
            "distance": null, "surprise": [1]
        }))
        .unwrap();
        assert_eq!(e.id(), 42);
        assert_eq!(e.event_date, NaiveDate::from_ymd_opt(2027, 2, 7));
        assert_eq!(e.priority(), Some('A'));
        assert_eq!(e.ctl_target, Some(85.5));
        assert_eq!(e.distance, None);
        let bare: Event =
            serde_json::from_value(serde_json::json!({"id": 7, "atpPriority": "X"})).unwrap();
        assert_eq!((bare.id(), bare.priority()), (7, None));
        let both: Event =
            serde_json::from_value(serde_json::json!({"id": 7, "eventId": 7})).unwrap();
        assert_eq!(both.id(), 7);
    }
}
