//! `tp_get_profile`: who the athlete is.

use super::{NoArgs, TpTool};
use crate::answer::ToolError;
use crate::context::ServerContext;
use schemars::JsonSchema;
use serde::Serialize;

pub struct GetProfile;

/// The athlete's profile.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileOutput {
    pub athlete_id: Option<i64>,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub user_name: Option<String>,
    pub birthday: Option<String>,
    pub age: Option<i64>,
    /// "m" or "f".
    pub gender: Option<String>,
    pub time_zone: Option<String>,
    pub premium: Option<bool>,
    /// Athletes this account can see (coach accounts list several).
    pub athletes: Vec<AthleteEntry>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AthleteEntry {
    pub athlete_id: Option<i64>,
    pub name: String,
}

impl TpTool for GetProfile {
    const NAME: &'static str = "tp_get_profile";
    const TITLE: &'static str = "Athlete profile";
    const DESCRIPTION: &'static str = "The athlete's TrainingPeaks profile: name, athlete id, email, age, \
gender, time zone, premium status, and the athletes a coach account can see. Other tools do not need \
this to be called first.";
    type Args = NoArgs;
    type Output = ProfileOutput;

    async fn run(ctx: &ServerContext, _args: NoArgs) -> Result<(ProfileOutput, String), ToolError> {
        let user = ctx.profile().await?;
        let out = ProfileOutput {
            athlete_id: user.athlete_id(),
            name: user.display_name(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            user_name: user.user_name.clone(),
            birthday: user.birthday.map(|d| d.to_string()),
            age: user.age,
            gender: user.gender.clone(),
            time_zone: user.time_zone.clone(),
            premium: user.is_premium,
            athletes: user
                .athletes
                .iter()
                .map(|a| AthleteEntry {
                    athlete_id: a.athlete_id,
                    name: [a.first_name.as_deref(), a.last_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                })
                .collect(),
        };
        let mut text = format!("TrainingPeaks profile: {}\n\n", out.name);
        let mut line = |label: &str, value: Option<String>| {
            if let Some(v) = value {
                text.push_str(&format!("  {label:<11} {v}\n"));
            }
        };
        line("Athlete id:", out.athlete_id.map(|v| v.to_string()));
        line("Email:", out.email.clone());
        line("Username:", out.user_name.clone());
        line("Age:", out.age.map(|v| v.to_string()));
        line("Gender:", out.gender.clone());
        line("Time zone:", out.time_zone.clone());
        line(
            "Premium:",
            out.premium
                .map(|p| if p { "yes".into() } else { "no".into() }),
        );
        if out.athletes.len() > 1 {
            text.push_str("\nAthletes on this account:\n");
            for a in &out.athletes {
                text.push_str(&format!(
                    "  {} ({})\n",
                    a.name,
                    a.athlete_id.map_or("?".into(), |i| i.to_string())
                ));
            }
        }
        Ok((out, text))
    }
}
