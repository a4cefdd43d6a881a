//! `tp_list_athletes`: whom this login can ask about — its own athlete and,
//! for a coach, every athlete it coaches.

use super::{NoArgs, TpTool};
use crate::answer::ToolError;
use crate::athletes::{self, VisibleAthlete};
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::Serialize;

pub struct ListAthletes;

#[derive(Debug, Serialize, JsonSchema)]
pub struct AthletesOutput {
    /// The signed-in account.
    pub account: String,
    /// True when the login sees athletes other than its own.
    pub coach: bool,
    /// The account's own athlete id, when it has one.
    pub own_athlete_id: Option<i64>,
    pub athletes: Vec<VisibleAthlete>,
}

impl TpTool for ListAthletes {
    const NAME: &'static str = "tp_list_athletes";
    const TITLE: &'static str = "Athletes this login can ask about";
    const DESCRIPTION: &'static str = "List the athletes this TrainingPeaks login can ask about: the account's own \
athlete and, for a coach account, every coached athlete (id and name). Every other tool takes an optional `athlete` \
(an id, or a name matched case-insensitively) to answer about one of them; without it, the account's own athlete.";
    const READS_HISTORY: bool = false;
    type Args = NoArgs;
    type Output = AthletesOutput;

    async fn run(
        ctx: &ServerContext,
        _args: NoArgs,
    ) -> Result<(AthletesOutput, String), ToolError> {
        let user = ctx.profile().await?;
        let list = athletes::visible(&user);
        let out = AthletesOutput {
            account: user.display_name(),
            coach: user.is_coach(),
            own_athlete_id: user.athlete_id(),
            athletes: list,
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn render(out: &AthletesOutput) -> String {
    let mut s = format!(
        "{} — {}\n\n",
        out.account,
        if out.coach {
            format!(
                "a coach account with {} athlete(s)",
                out.athletes.iter().filter(|a| !a.own).count()
            )
        } else {
            "an athlete account".to_string()
        }
    );
    let mut table = format::Table::new(["Athlete", "Id", "E-mail", ""]);
    for a in &out.athletes {
        table.row([
            a.name.clone(),
            a.athlete_id.to_string(),
            a.email.clone().unwrap_or_else(|| "-".into()),
            if a.own {
                "own (default)".to_string()
            } else {
                String::new()
            },
        ]);
    }
    s.push_str(&table.render());
    if out.own_athlete_id.is_none() {
        s.push_str("\nThis login has no athlete of its own: pass `athlete` (a name or an id) to every other tool.\n");
    } else if out.coach {
        s.push_str("\nPass `athlete` (a name or an id) to any other tool to ask about a coached athlete.\n");
    }
    s
}
