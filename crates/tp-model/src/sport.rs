//! Workout types (`workoutTypeValueId`) and the sport names users type.
//!
//! The ids follow the actively maintained reference (see
//! `shared/reference/tp-api.md`); the older Python reference's table is wrong
//! past id 4. Unknown ids are kept, not guessed: they show as "Other (id N)".

use serde::{Deserialize, Serialize};
use std::fmt;

/// A TrainingPeaks workout type.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Sport {
    Swim,
    Bike,
    Run,
    Brick,
    Crosstrain,
    Race,
    DayOff,
    MountainBike,
    Strength,
    Custom,
    XcSki,
    Rowing,
    Walk,
    Other,
    /// An id TrainingPeaks sent that this table does not know.
    Unknown(i64),
}

/// Every named sport, in id order (for help texts and schemas).
pub const NAMED_SPORTS: [Sport; 14] = [
    Sport::Swim,
    Sport::Bike,
    Sport::Run,
    Sport::Brick,
    Sport::Crosstrain,
    Sport::Race,
    Sport::DayOff,
    Sport::MountainBike,
    Sport::Strength,
    Sport::Custom,
    Sport::XcSki,
    Sport::Rowing,
    Sport::Walk,
    Sport::Other,
];

impl Sport {
    /// The sport for a `workoutTypeValueId`.
    pub fn from_id(id: i64) -> Sport {
        match id {
            1 => Sport::Swim,
            2 => Sport::Bike,
            3 => Sport::Run,
            4 => Sport::Brick,
            5 => Sport::Crosstrain,
            6 => Sport::Race,
            7 => Sport::DayOff,
            8 => Sport::MountainBike,
            9 => Sport::Strength,
            10 => Sport::Custom,
            11 => Sport::XcSki,
            12 => Sport::Rowing,
            13 => Sport::Walk,
            100 => Sport::Other,
            other => Sport::Unknown(other),
        }
    }

    /// The `workoutTypeValueId` of this sport.
    pub fn id(self) -> i64 {
        match self {
            Sport::Swim => 1,
            Sport::Bike => 2,
            Sport::Run => 3,
            Sport::Brick => 4,
            Sport::Crosstrain => 5,
            Sport::Race => 6,
            Sport::DayOff => 7,
            Sport::MountainBike => 8,
            Sport::Strength => 9,
            Sport::Custom => 10,
            Sport::XcSki => 11,
            Sport::Rowing => 12,
            Sport::Walk => 13,
            Sport::Other => 100,
            Sport::Unknown(id) => id,
        }
    }

    /// The display name ("Bike", "XC Ski", ...).
    pub fn name(self) -> &'static str {
        match self {
            Sport::Swim => "Swim",
            Sport::Bike => "Bike",
            Sport::Run => "Run",
            Sport::Brick => "Brick",
            Sport::Crosstrain => "Crosstrain",
            Sport::Race => "Race",
            Sport::DayOff => "Day Off",
            Sport::MountainBike => "Mountain Bike",
            Sport::Strength => "Strength",
            Sport::Custom => "Custom",
            Sport::XcSki => "XC Ski",
            Sport::Rowing => "Rowing",
            Sport::Walk => "Walk",
            Sport::Other | Sport::Unknown(_) => "Other",
        }
    }

    /// Parses what a user or a model types: names are case-insensitive and a
    /// few common synonyms are understood ("cycling", "ride", "running",
    /// "swimming", "mtb", "gym", "hike", ...). `None` when nothing matches.
    pub fn parse(input: &str) -> Option<Sport> {
        let key: String = input
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let sport = match key.as_str() {
            "swim" | "swimming" | "openwater" => Sport::Swim,
            "bike" | "cycling" | "cycle" | "ride" | "road" | "roadbike" | "biking" => Sport::Bike,
            "run" | "running" | "jog" | "trailrun" => Sport::Run,
            "brick" => Sport::Brick,
            "crosstrain" | "crosstraining" | "cross" => Sport::Crosstrain,
            "race" => Sport::Race,
            "dayoff" | "rest" | "restday" | "off" => Sport::DayOff,
            "mountainbike" | "mtb" | "mountainbiking" => Sport::MountainBike,
            "strength" | "gym" | "weights" | "weighttraining" => Sport::Strength,
            "custom" => Sport::Custom,
            "xcski" | "crosscountryski" | "crosscountryskiing" | "ski" | "nordicski" => {
                Sport::XcSki
            }
            "rowing" | "row" => Sport::Rowing,
            "walk" | "walking" | "hike" | "hiking" => Sport::Walk,
            "other" => Sport::Other,
            _ => return None,
        };
        Some(sport)
    }

    /// True for sports whose load is usually power-based on a bike.
    pub fn is_cycling(self) -> bool {
        matches!(self, Sport::Bike | Sport::MountainBike)
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sport::Unknown(id) => write!(f, "Other (id {id})"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for sport in NAMED_SPORTS {
            assert_eq!(Sport::from_id(sport.id()), sport);
        }
        assert_eq!(Sport::from_id(77), Sport::Unknown(77));
        assert_eq!(Sport::Unknown(77).to_string(), "Other (id 77)");
    }

    #[test]
    fn parses_names_and_synonyms() {
        assert_eq!(Sport::parse("Bike"), Some(Sport::Bike));
        assert_eq!(Sport::parse("cycling"), Some(Sport::Bike));
        assert_eq!(Sport::parse(" RUN "), Some(Sport::Run));
        assert_eq!(Sport::parse("xc-ski"), Some(Sport::XcSki));
        assert_eq!(Sport::parse("Mountain Bike"), Some(Sport::MountainBike));
        assert_eq!(Sport::parse("quidditch"), None);
        for sport in NAMED_SPORTS {
            assert_eq!(Sport::parse(sport.name()), Some(sport), "{sport}");
        }
    }
}
