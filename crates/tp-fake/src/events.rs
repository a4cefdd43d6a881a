//! The demo athlete's events (races): every race of the history, and three
//! ahead of `today` — a C race about 2 weeks out, a B race about 5 weeks
//! out and the A race (the focus event) about 10 weeks out, each on a
//! Sunday. A pure function of `(seed, today)`, like the workouts.

use crate::HISTORY_START;
use crate::dates::tp_day;
use crate::generate::{Kind, race_on};
use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::{Value, json};

/// Ids of events: this base plus days since 2000-01-01.
const EVENT_ID_BASE: i64 = 700_000_000;

/// One event of the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeEvent {
    pub id: i64,
    pub name: String,
    pub date: NaiveDate,
    pub event_type: &'static str,
    /// 'A', 'B' or 'C'.
    pub priority: char,
    pub ctl_target: Option<f64>,
    pub distance_km: Option<f64>,
    pub description: String,
}

impl FakeEvent {
    /// The wire form, as `…/events/…` sends it.
    pub fn json(&self, athlete_id: i64) -> Value {
        json!({
            "id": self.id,
            "athleteId": athlete_id,
            "name": self.name,
            "eventDate": tp_day(self.date),
            "eventType": self.event_type,
            "atpPriority": self.priority.to_string(),
            "ctlTarget": self.ctl_target,
            "distance": self.distance_km,
            "distanceUnits": self.distance_km.map(|_| "Kilometers"),
            "description": self.description,
        })
    }
}

fn event_id(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
    EVENT_ID_BASE + (date - epoch).num_days()
}

/// The first Sunday on or after `today + days`.
fn sunday_after(today: NaiveDate, days: u64) -> NaiveDate {
    let from = today + chrono::Days::new(days);
    let ahead =
        u64::from(Weekday::Sun.num_days_from_monday() - from.weekday().num_days_from_monday());
    from + chrono::Days::new(ahead)
}

/// The events from the first day of history to ~10 weeks after `today`, by date.
pub fn events(seed: u64, today: NaiveDate) -> Vec<FakeEvent> {
    let mut out: Vec<FakeEvent> = HISTORY_START
        .iter_days()
        .take_while(|d| *d <= today)
        .filter_map(|date| {
            let kind = race_on(seed, date)?;
            let (name, event_type, priority, km) = match kind {
                Kind::Race10k => ("City 10K", "RunningRoad", 'C', 10.0),
                Kind::RaceHalf => ("Lakeside Half Marathon", "RunningRoad", 'B', 21.0975),
                Kind::RaceFondo => ("Hill Country Gran Fondo", "CyclingRoad", 'B', 120.0),
                _ => ("Club 40 km Time Trial", "CyclingTimeTrial", 'C', 40.0),
            };
            Some(FakeEvent {
                id: event_id(date),
                name: format!("{name} {}", date.year()),
                date,
                event_type,
                priority,
                ctl_target: None,
                distance_km: Some(km),
                description: String::new(),
            })
        })
        .collect();
    let ahead = [
        (
            14,
            "Winter Duathlon",
            "MultisportDuathlon",
            'C',
            35.0,
            None,
            "Run 5 km, ride 25 km, run 5 km: a hard training day.",
        ),
        (
            35,
            "Frostbite Half Marathon",
            "RunningRoad",
            'B',
            21.0975,
            None,
            "A run test on the way to the spring.",
        ),
        (
            70,
            "Spring Classic Gran Fondo",
            "CyclingRoad",
            'A',
            160.0,
            Some(85.0),
            "The season's goal: arrive fresh and fit.",
        ),
    ];
    for (days, name, event_type, priority, km, ctl_target, description) in ahead {
        let date = sunday_after(today, days);
        out.push(FakeEvent {
            id: event_id(date),
            name: format!("{name} {}", date.year()),
            date,
            event_type,
            priority,
            ctl_target,
            distance_km: Some(km),
            description: description.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_races_ahead_on_sundays_the_a_race_about_ten_weeks_out() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let all = events(42, today);
        let ahead: Vec<&FakeEvent> = all.iter().filter(|e| e.date > today).collect();
        assert_eq!(ahead.iter().map(|e| e.priority).collect::<String>(), "CBA");
        assert!(ahead.iter().all(|e| e.date.weekday() == Weekday::Sun));
        let a = ahead[2];
        assert!((70..77).contains(&(a.date - today).num_days()));
        assert!(
            all.iter().filter(|e| e.date <= today).count() > 3,
            "past races are events too"
        );
        assert!(all.windows(2).all(|w| w[0].date < w[1].date));
    }
}
