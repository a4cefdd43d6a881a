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

impl UserProfile {
    /// The athlete whose data the tools read: the first athlete listed, else
    /// the user's own id, else the person id (see tp-api.md).
    pub fn athlete_id(&self) -> Option<i64> {
        self.athletes
            .iter()
            .find_map(|a| a.athlete_id)
            .or(self.user_id)
            .or(self.person_id)
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
}
