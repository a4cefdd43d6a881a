//! The signed-in user (`/users/v3/user`).

use crate::lenient::{self, de};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The account behind the cookie, and the athletes it can see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub person_id: Option<i64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "de::date_opt")]
    pub birthday: Option<NaiveDate>,
    /// "m" or "f".
    #[serde(default, deserialize_with = "de::string_opt")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub age: Option<i64>,
    /// `settings.account.isPremium`.
    #[serde(default, rename = "settings", deserialize_with = "premium_flag")]
    pub is_premium: Option<bool>,
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub athletes: Vec<AthleteRef>,
}

fn premium_flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(value
        .pointer("/account/isPremium")
        .and_then(lenient::boolean))
}

/// An athlete the account can see (coach accounts see several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AthleteRef {
    #[serde(default, deserialize_with = "de::i64_opt")]
    pub athlete_id: Option<i64>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "de::string_opt")]
    pub email: Option<String>,
}

/// The response wrapper `{"user": {...}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserEnvelope {
    #[serde(default)]
    pub user: Option<UserProfile>,
}

impl AthleteRef {
    /// "First Last", else the e-mail, else "Athlete <id>".
    pub fn display_name(&self) -> String {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !full.is_empty() {
            return full;
        }
        self.email
            .clone()
            .unwrap_or_else(|| format!("Athlete {}", self.athlete_id.unwrap_or(0)))
    }
}

impl UserProfile {
    /// The account's own athlete — whose data the tools read by default:
    /// the listed athlete whose id is the user's id; else the only athlete
    /// listed; with none listed, the user's own id, else the person id
    /// (tp-api.md). `None` for a coach account listing several athletes,
    /// none of them its own: a question must then say which athlete.
    pub fn athlete_id(&self) -> Option<i64> {
        let ids: Vec<i64> = self.athletes.iter().filter_map(|a| a.athlete_id).collect();
        if let Some(own) = self.user_id.filter(|u| ids.contains(u)) {
            return Some(own);
        }
        match ids.as_slice() {
            [] => self.user_id.or(self.person_id),
            [only] => Some(*only),
            _ => None,
        }
    }

    /// True when the account lists athletes other than its own (a coach).
    pub fn is_coach(&self) -> bool {
        self.athletes
            .iter()
            .filter_map(|a| a.athlete_id)
            .any(|id| Some(id) != self.athlete_id())
    }

    /// "First Last", or the user name, or "Unknown athlete".
    pub fn display_name(&self) -> String {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !full.is_empty() {
            full
        } else {
            self.user_name
                .clone()
                .unwrap_or_else(|| "Unknown athlete".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn athlete_id_prefers_the_athletes_list() {
        let env: UserEnvelope = serde_json::from_value(json!({"user": {
            "userId": 5, "personId": 6, "firstName": "Ana", "lastName": "Lee",
            "settings": {"account": {"isPremium": true}},
            "athletes": [{"athleteId": 99, "firstName": "Ana"}]
        }}))
        .unwrap();
        let user = env.user.unwrap();
        assert_eq!(user.athlete_id(), Some(99));
        assert_eq!(user.is_premium, Some(true));
        assert_eq!(user.display_name(), "Ana Lee");
    }

    #[test]
    fn athlete_id_falls_back_to_user_then_person() {
        let user: UserProfile =
            serde_json::from_value(json!({"userId": 5, "athletes": []})).unwrap();
        assert_eq!(user.athlete_id(), Some(5));
        let user: UserProfile = serde_json::from_value(json!({"personId": 6})).unwrap();
        assert_eq!(user.athlete_id(), Some(6));
        assert_eq!(user.display_name(), "Unknown athlete");
    }

    #[test]
    fn a_coach_without_an_own_athlete_has_none_and_one_who_trains_has_theirs() {
        let coach: UserProfile = serde_json::from_value(json!({"userId": 1, "athletes": [
            {"athleteId": 10, "firstName": "Sam"}, {"athleteId": 11, "firstName": "Jo"}]}))
        .unwrap();
        assert_eq!(coach.athlete_id(), None);
        assert!(coach.is_coach());
        let both: UserProfile = serde_json::from_value(json!({"userId": 11, "athletes": [
            {"athleteId": 10}, {"athleteId": 11}]}))
        .unwrap();
        assert_eq!(both.athlete_id(), Some(11));
        assert!(both.is_coach());
        let athlete: UserProfile =
            serde_json::from_value(json!({"userId": 5, "athletes": [{"athleteId": 5}]})).unwrap();
        assert!(!athlete.is_coach());
        assert_eq!(coach.athletes[0].display_name(), "Sam");
    }
}
