//! Which athlete a question is about: the account's own, or — for a coach
//! login — one of the athletes it coaches, named by the tools' `athlete`
//! argument (an id, or a name matched case-insensitively).
//!
//! The list comes from the signed-in user (`/users/v3/user`, cached), so an
//! athlete this login cannot see is refused before any request is sent.

use crate::answer::ToolError;
use crate::args::ArgError;
use crate::context::ServerContext;
use serde::Serialize;
use serde_json::Value;
use tp_model::UserProfile;

/// The argument every athlete-reading tool accepts.
pub const ATHLETE_ARG: &str = "athlete";

/// An athlete this login can ask about.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct VisibleAthlete {
    pub athlete_id: i64,
    pub name: String,
    pub email: Option<String>,
    /// The account's own athlete (the default when `athlete` is not given).
    pub own: bool,
}

/// Every athlete the login can see, its own first.
pub fn visible(user: &UserProfile) -> Vec<VisibleAthlete> {
    let own = user.athlete_id();
    let mut out: Vec<VisibleAthlete> = user
        .athletes
        .iter()
        .filter_map(|a| {
            Some(VisibleAthlete {
                athlete_id: a.athlete_id?,
                name: a.display_name(),
                email: a.email.clone(),
                own: a.athlete_id == own,
            })
        })
        .collect();
    if let Some(own) = own
        && !out.iter().any(|a| a.athlete_id == own)
    {
        out.push(VisibleAthlete {
            athlete_id: own,
            name: user.display_name(),
            email: user.email.clone(),
            own: true,
        });
    }
    out.sort_by_key(|a| (!a.own, a.name.to_lowercase()));
    out.dedup_by_key(|a| a.athlete_id);
    out
}

fn listing(athletes: &[VisibleAthlete]) -> String {
    athletes
        .iter()
        .map(|a| format!("{} (id {})", a.name, a.athlete_id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The athlete `query` names among `athletes`: an id (number or numeric
/// text), or a name — exact (case-insensitive) first, else the one whose
/// name contains it. Unknown or ambiguous is an error that lists them.
pub fn resolve(query: &Value, athletes: &[VisibleAthlete]) -> Result<i64, ArgError> {
    let id = match query {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => {
            return Err(ArgError::new(
                ATHLETE_ARG,
                format!(
                    "expected an athlete id or name, got {query}; this login can ask about: {}",
                    listing(athletes)
                ),
            ));
        }
    };
    if let Some(id) = id {
        return athletes
            .iter()
            .find(|a| a.athlete_id == id)
            .map(|a| a.athlete_id)
            .ok_or_else(|| {
                ArgError::new(
                    ATHLETE_ARG,
                    format!("athlete id {id} is not one this login coaches or owns; it can ask about: {}", listing(athletes)),
                )
            });
    }
    let name = normalize(query.as_str().unwrap_or_default());
    if name.is_empty() {
        return Err(ArgError::new(
            ATHLETE_ARG,
            format!(
                "expected an athlete id or name; this login can ask about: {}",
                listing(athletes)
            ),
        ));
    }
    let exact: Vec<&VisibleAthlete> = athletes
        .iter()
        .filter(|a| normalize(&a.name) == name)
        .collect();
    let matches: Vec<&VisibleAthlete> = if exact.is_empty() {
        athletes
            .iter()
            .filter(|a| normalize(&a.name).contains(&name))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one.athlete_id),
        [] => Err(ArgError::new(
            ATHLETE_ARG,
            format!(
                "no athlete named {:?}; this login can ask about: {}",
                query.as_str().unwrap_or_default(),
                listing(athletes)
            ),
        )),
        several => Err(ArgError::new(
            ATHLETE_ARG,
            format!(
                "{:?} matches {} athletes: {}; give the full name or the id",
                query.as_str().unwrap_or_default(),
                several.len(),
                several
                    .iter()
                    .map(|a| format!("{} (id {})", a.name, a.athlete_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The context for a question: with `athlete` given, that athlete's (after
/// checking this login may ask); without, the account's own — and for a
/// coach with none, an error naming whom it can ask about.
pub async fn choose(
    ctx: &ServerContext,
    athlete: Option<Value>,
) -> Result<ServerContext, ToolError> {
    let athlete =
        athlete.filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()));
    match athlete {
        None => match ctx.client.athlete_id().await {
            Err(tp_api::ApiError::NoOwnAthlete) => {
                let user = ctx.profile().await?;
                Err(ArgError::new(
                    ATHLETE_ARG,
                    format!(
                        "this login is a coach account with no athlete of its own: say which athlete; it can ask about: {}",
                        listing(&visible(&user))
                    ),
                )
                .into())
            }
            // Own athlete known — or TrainingPeaks cannot say now, and the
            // data path decides whether the cache may answer instead.
            _ => Ok(ctx.clone()),
        },
        Some(query) => {
            let user = ctx.profile().await?;
            let id = resolve(&query, &visible(&user))?;
            Ok(ctx.for_athlete(id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coach() -> Vec<VisibleAthlete> {
        let user: UserProfile =
            serde_json::from_value(json!({"userId": 1, "firstName": "Casey", "athletes": [
            {"athleteId": 10, "firstName": "Sam", "lastName": "Taylor"},
            {"athleteId": 11, "firstName": "Sam", "lastName": "Ortiz"},
            {"athleteId": 12, "firstName": "Jordan", "lastName": "Lee"}]}))
            .unwrap();
        visible(&user)
    }

    #[test]
    fn ids_and_names_resolve_and_ambiguity_lists_the_candidates() {
        let a = coach();
        assert_eq!(resolve(&json!(12), &a), Ok(12));
        assert_eq!(resolve(&json!("11"), &a), Ok(11));
        assert_eq!(resolve(&json!("jordan"), &a), Ok(12));
        assert_eq!(resolve(&json!("  SAM   taylor "), &a), Ok(10));
        let e = resolve(&json!("sam"), &a).unwrap_err();
        assert_eq!(e.argument, "athlete");
        assert!(
            e.message.contains("Sam Taylor (id 10)") && e.message.contains("Sam Ortiz (id 11)"),
            "{}",
            e.message
        );
        let e = resolve(&json!(999), &a).unwrap_err();
        assert!(e.message.contains("999") && e.message.contains("Jordan Lee (id 12)"));
        assert!(resolve(&json!("Nobody"), &a).is_err());
        assert!(resolve(&json!([1]), &a).is_err());
    }

    #[test]
    fn the_own_athlete_comes_first() {
        let user: UserProfile =
            serde_json::from_value(json!({"userId": 5, "firstName": "Ana", "athletes": [
            {"athleteId": 9, "firstName": "Bo"}, {"athleteId": 5, "firstName": "Ana"}]}))
            .unwrap();
        let v = visible(&user);
        assert_eq!((v[0].athlete_id, v[0].own), (5, true));
        assert_eq!((v[1].athlete_id, v[1].own), (9, false));
    }
}
