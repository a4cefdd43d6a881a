//! The chart window's athlete picker: whom the chart shows — pure, so it is
//! tested without a GUI.
//!
//! A coach login sees other athletes (`tp_mcp::athletes::visible`, the list
//! `tp_list_athletes` gives Claude, its own athlete first, then by name).
//! The chart then gets a picker, and shows the athlete picked there; before
//! anything is picked, the login's own athlete, or — for a coach with none —
//! the first listed. An athlete login gets no picker. `backend` reads the
//! chosen athlete through `ServerContext::for_athlete` and passes
//! `athlete` to the tools, as Claude would.

use serde::Serialize;
use tp_mcp::athletes::VisibleAthlete;

/// One entry of the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AthleteOption {
    pub id: i64,
    pub name: String,
    /// The login's own athlete.
    pub own: bool,
}

/// What the chart window's picker shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picker {
    /// In the order `tp_list_athletes` lists them.
    pub athletes: Vec<AthleteOption>,
    /// The athlete the chart shows.
    pub selected: i64,
}

/// Whom the chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// The login's own athlete (the tools' default: no `athlete` argument).
    Own,
    /// Another athlete (a coach's): `ServerContext::for_athlete(id)`, and
    /// `athlete: id` for the tools.
    Athlete { id: i64, name: String },
}

impl Shown {
    /// The athlete to ask about, when not the login's own.
    pub fn athlete(&self) -> Option<i64> {
        match self {
            Shown::Own => None,
            Shown::Athlete { id, .. } => Some(*id),
        }
    }
}

/// Whom to show, and the picker (`None`: not a coach login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub shown: Shown,
    pub picker: Option<Picker>,
}

/// Whom the chart shows: `wanted` when it is among `athletes`, else the
/// login's own athlete, else (a coach with none) the first listed. `coach`:
/// the login sees athletes other than its own (`UserProfile::is_coach`).
pub fn choose(coach: bool, athletes: &[VisibleAthlete], wanted: Option<i64>) -> Choice {
    let own = Choice {
        shown: Shown::Own,
        picker: None,
    };
    if !coach {
        return own;
    }
    let pick = wanted
        .and_then(|id| athletes.iter().find(|a| a.athlete_id == id))
        .or_else(|| athletes.iter().find(|a| a.own))
        .or_else(|| athletes.first());
    let Some(pick) = pick else {
        return own;
    };
    let picker = Picker {
        athletes: athletes
            .iter()
            .map(|a| AthleteOption {
                id: a.athlete_id,
                name: a.name.clone(),
                own: a.own,
            })
            .collect(),
        selected: pick.athlete_id,
    };
    let shown = if pick.own {
        Shown::Own
    } else {
        Shown::Athlete {
            id: pick.athlete_id,
            name: pick.name.clone(),
        }
    };
    Choice {
        shown,
        picker: Some(picker),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn athlete(id: i64, name: &str, own: bool) -> VisibleAthlete {
        VisibleAthlete {
            athlete_id: id,
            name: name.into(),
            email: None,
            own,
        }
    }

    /// The fake's coach login (tp-fake `coach`), as `visible` lists it.
    fn coach_without_own() -> Vec<VisibleAthlete> {
        vec![
            athlete(2000101, "Jordan Lee", false),
            athlete(2000103, "Sam Ortiz", false),
            athlete(2000102, "Sam Taylor", false),
        ]
    }

    #[test]
    fn an_athlete_login_has_no_picker() {
        let me = [athlete(1234567, "Alex Rivera", true)];
        for wanted in [None, Some(1234567), Some(42)] {
            assert_eq!(
                choose(false, &me, wanted),
                Choice {
                    shown: Shown::Own,
                    picker: None
                }
            );
        }
    }

    #[test]
    fn a_coach_without_an_athlete_starts_on_the_first_listed_and_switches() {
        let list = coach_without_own();
        let first = choose(true, &list, None);
        assert_eq!(
            first.shown,
            Shown::Athlete {
                id: 2000101,
                name: "Jordan Lee".into()
            }
        );
        let picker = first.picker.unwrap();
        assert_eq!(picker.selected, 2000101);
        assert_eq!(
            picker
                .athletes
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            ["Jordan Lee", "Sam Ortiz", "Sam Taylor"]
        );
        let taylor = choose(true, &list, Some(2000102));
        assert_eq!(taylor.shown.athlete(), Some(2000102));
        assert_eq!(taylor.picker.unwrap().selected, 2000102);
        // An athlete the login no longer sees: back to the first.
        assert_eq!(choose(true, &list, Some(42)).shown.athlete(), Some(2000101));
    }

    #[test]
    fn a_coach_with_an_athlete_of_its_own_starts_on_it() {
        let list = vec![
            athlete(5, "Casey Coach", true),
            athlete(9, "Bo Berg", false),
        ];
        let c = choose(true, &list, None);
        assert_eq!(c.shown, Shown::Own);
        assert_eq!(c.picker.as_ref().unwrap().selected, 5);
        assert!(c.picker.unwrap().athletes[0].own);
        assert_eq!(choose(true, &list, Some(9)).shown.athlete(), Some(9));
        // Picking the own athlete asks as the login itself.
        assert_eq!(choose(true, &list, Some(5)).shown, Shown::Own);
    }
}
