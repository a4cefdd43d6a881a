//! The personal-record types TrainingPeaks ranks, in both spellings.
//!
//! The per-sport ranking endpoint takes a `prType` query value
//! (`power5min`), while per-workout records name their `type` (`Pr5Minutes`)
//! and `class` (`Power`). One table maps the two so that records found either
//! way can be merged, and gives each a label people read.

/// What a record measures; also its unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
pub enum PrClass {
    /// Watts.
    Power,
    /// Beats per minute.
    HeartRate,
    /// Metres per second (over a distance).
    Speed,
}

impl PrClass {
    /// TrainingPeaks' spelling of the class.
    pub fn api_name(self) -> &'static str {
        match self {
            PrClass::Power => "Power",
            PrClass::HeartRate => "HeartRate",
            PrClass::Speed => "Speed",
        }
    }

    /// Parses "Power", "heart_rate", "hr", "speed", ... case-insensitively.
    pub fn parse(input: &str) -> Option<PrClass> {
        let key: String = input
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match key.as_str() {
            "power" | "watts" => Some(PrClass::Power),
            "heartrate" | "hr" => Some(PrClass::HeartRate),
            "speed" | "pace" => Some(PrClass::Speed),
            _ => None,
        }
    }
}

/// Which sports have a ranking endpoint (`/personalrecord/v2/athletes/{id}/{Bike|Run}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
pub enum PrSport {
    Bike,
    Run,
}

impl PrSport {
    /// The path segment.
    pub fn api_name(self) -> &'static str {
        match self {
            PrSport::Bike => "Bike",
            PrSport::Run => "Run",
        }
    }
}

/// One rankable record type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrType {
    /// The `prType` query value, e.g. `power20min`.
    pub query: &'static str,
    /// The per-workout record `type`, e.g. `Pr20Minutes`.
    pub record_type: &'static str,
    pub class: PrClass,
    /// Duration in seconds (power/HR) or distance in metres (speed).
    pub span: f64,
    /// e.g. "20 min", "5 km".
    pub label: &'static str,
}

macro_rules! pr {
    ($q:literal, $t:literal, $c:ident, $span:expr, $label:literal) => {
        PrType {
            query: $q,
            record_type: $t,
            class: PrClass::$c,
            span: $span,
            label: $label,
        }
    };
}

const DURATIONS: [(&str, &str, f64, &str); 7] = [
    ("5sec", "Pr5Seconds", 5.0, "5 s"),
    ("1min", "Pr1Minute", 60.0, "1 min"),
    ("5min", "Pr5Minutes", 300.0, "5 min"),
    ("10min", "Pr10Minutes", 600.0, "10 min"),
    ("20min", "Pr20Minutes", 1200.0, "20 min"),
    ("60min", "Pr60Minutes", 3600.0, "60 min"),
    ("90min", "Pr90Minutes", 5400.0, "90 min"),
];

/// Power records (bike only).
pub const POWER_TYPES: [PrType; 7] = [
    pr!("power5sec", "Pr5Seconds", Power, 5.0, "5 s"),
    pr!("power1min", "Pr1Minute", Power, 60.0, "1 min"),
    pr!("power5min", "Pr5Minutes", Power, 300.0, "5 min"),
    pr!("power10min", "Pr10Minutes", Power, 600.0, "10 min"),
    pr!("power20min", "Pr20Minutes", Power, 1200.0, "20 min"),
    pr!("power60min", "Pr60Minutes", Power, 3600.0, "60 min"),
    pr!("power90min", "Pr90Minutes", Power, 5400.0, "90 min"),
];

/// Heart-rate records (bike and run).
pub const HEART_RATE_TYPES: [PrType; 7] = [
    pr!("hR5sec", "Pr5Seconds", HeartRate, 5.0, "5 s"),
    pr!("hR1min", "Pr1Minute", HeartRate, 60.0, "1 min"),
    pr!("hR5min", "Pr5Minutes", HeartRate, 300.0, "5 min"),
    pr!("hR10min", "Pr10Minutes", HeartRate, 600.0, "10 min"),
    pr!("hR20min", "Pr20Minutes", HeartRate, 1200.0, "20 min"),
    pr!("hR60min", "Pr60Minutes", HeartRate, 3600.0, "60 min"),
    pr!("hR90min", "Pr90Minutes", HeartRate, 5400.0, "90 min"),
];

/// Speed records over distances (run only).
pub const SPEED_TYPES: [PrType; 11] = [
    pr!("speed400Meter", "Pr400Meter", Speed, 400.0, "400 m"),
    pr!("speed800Meter", "Pr800Meter", Speed, 800.0, "800 m"),
    pr!("speed1K", "Pr1Kilometer", Speed, 1000.0, "1 km"),
    pr!("speed1Mi", "Pr1Mile", Speed, 1609.344, "1 mile"),
    pr!("speed5K", "Pr5Kilometer", Speed, 5000.0, "5 km"),
    pr!("speed5Mi", "Pr5Mile", Speed, 8046.72, "5 miles"),
    pr!("speed10K", "Pr10Kilometer", Speed, 10000.0, "10 km"),
    pr!("speed10Mi", "Pr10Mile", Speed, 16093.44, "10 miles"),
    pr!(
        "speedHalfMarathon",
        "PrHalfMarathon",
        Speed,
        21097.5,
        "half marathon"
    ),
    pr!("speedMarathon", "PrMarathon", Speed, 42195.0, "marathon"),
    pr!("speed50K", "Pr50Kilometer", Speed, 50000.0, "50 km"),
];

/// The types the ranking endpoint accepts for a sport, in display order.
pub fn pr_types_for(sport: PrSport) -> Vec<PrType> {
    match sport {
        PrSport::Bike => POWER_TYPES
            .iter()
            .chain(&HEART_RATE_TYPES)
            .copied()
            .collect(),
        PrSport::Run => HEART_RATE_TYPES
            .iter()
            .chain(&SPEED_TYPES)
            .copied()
            .collect(),
    }
}

/// Looks a type up by its `prType` query value (case-insensitive).
pub fn pr_type_by_query(query: &str) -> Option<PrType> {
    POWER_TYPES
        .iter()
        .chain(&HEART_RATE_TYPES)
        .chain(&SPEED_TYPES)
        .find(|t| t.query.eq_ignore_ascii_case(query))
        .copied()
}

/// Looks a type up by a per-workout record's class and `type`.
pub fn pr_type_by_record(class: PrClass, record_type: &str) -> Option<PrType> {
    POWER_TYPES
        .iter()
        .chain(&HEART_RATE_TYPES)
        .chain(&SPEED_TYPES)
        .find(|t| t.class == class && t.record_type.eq_ignore_ascii_case(record_type))
        .copied()
}

/// The durations shared by power and heart-rate records (suffix, record type, seconds, label).
pub fn duration_types() -> &'static [(&'static str, &'static str, f64, &'static str)] {
    &DURATIONS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_map_to_the_same_type() {
        let t = pr_type_by_query("POWER20MIN").unwrap();
        assert_eq!(t.record_type, "Pr20Minutes");
        assert_eq!(pr_type_by_record(PrClass::Power, "Pr20Minutes"), Some(t));
        assert_eq!(
            pr_type_by_record(PrClass::HeartRate, "Pr20Minutes")
                .unwrap()
                .query,
            "hR20min"
        );
        assert_eq!(pr_type_by_query("speedMarathon").unwrap().span, 42195.0);
        assert_eq!(pr_type_by_query("power7min"), None);
    }

    #[test]
    fn sports_get_their_documented_types() {
        let bike: Vec<_> = pr_types_for(PrSport::Bike)
            .iter()
            .map(|t| t.query)
            .collect();
        assert_eq!(bike.len(), 14);
        assert!(bike.contains(&"power90min") && bike.contains(&"hR5sec"));
        let run: Vec<_> = pr_types_for(PrSport::Run).iter().map(|t| t.query).collect();
        assert_eq!(run.len(), 18);
        assert!(!run.iter().any(|q| q.starts_with("power")));
        // every duration type has both a power and a heart-rate spelling
        for (suffix, record_type, ..) in duration_types() {
            assert_eq!(
                pr_type_by_query(&format!("power{suffix}"))
                    .unwrap()
                    .record_type,
                *record_type
            );
            assert_eq!(
                pr_type_by_query(&format!("hR{suffix}"))
                    .unwrap()
                    .record_type,
                *record_type
            );
        }
    }
}
