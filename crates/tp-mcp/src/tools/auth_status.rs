//! `tp_auth_status`: is there a cookie, does TrainingPeaks accept it, whose account is it.

use super::{NoArgs, TpTool};
use crate::answer::ToolError;
use crate::context::ServerContext;
use crate::cookie::CookieOrigin;
use schemars::JsonSchema;
use serde::Serialize;

pub struct AuthStatus;

/// The authentication state. Never contains the cookie or the token.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthStatusOutput {
    /// A cookie is configured and TrainingPeaks issued a token for it.
    pub authenticated: bool,
    /// Serving the built-in demo athlete instead of a real account.
    pub demo: bool,
    pub cookie_source: CookieOrigin,
    pub cookie_source_description: String,
    pub token_valid: bool,
    /// Seconds until the current bearer token expires (it is renewed automatically).
    pub token_expires_in_s: Option<u64>,
    pub account: Option<Account>,
    /// TrainingPeaks could not be asked (no connection, an outage, rate
    /// limiting): whether the login works is not known, and it may be fine.
    pub could_not_check: bool,
    /// What is wrong, when not authenticated.
    pub problem: Option<String>,
}

/// Whose account the cookie belongs to.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Account {
    pub name: String,
    pub athlete_id: Option<i64>,
    pub email: Option<String>,
}

/// Checks the cookie and identifies the account; shared with `tp_refresh_auth`.
pub(crate) async fn check(ctx: &ServerContext) -> AuthStatusOutput {
    let mut out = AuthStatusOutput {
        authenticated: false,
        demo: ctx.is_demo(),
        cookie_source: ctx.cookie_origin(),
        cookie_source_description: ctx.cookie_origin().describe().to_string(),
        token_valid: false,
        token_expires_in_s: None,
        account: None,
        could_not_check: false,
        problem: None,
    };
    if ctx.cookie_origin() == CookieOrigin::Missing || !ctx.client.has_cookie() {
        out.problem = Some(tp_api::ApiError::NoCookie.to_string());
        return out;
    }
    match ctx.client.validate().await {
        Ok(remaining) => {
            out.authenticated = true;
            out.token_valid = true;
            out.token_expires_in_s = Some(remaining.as_secs());
        }
        Err(e) => {
            out.could_not_check = e.is_outage();
            out.problem = Some(e.to_string());
            return out;
        }
    }
    match ctx.profile().await {
        Ok(user) => {
            out.account = Some(Account {
                name: user.display_name(),
                athlete_id: user.athlete_id(),
                email: user.email.clone(),
            });
        }
        Err(e) => {
            out.problem = Some(format!(
                "The token works but the profile could not be read: {e}"
            ))
        }
    }
    out
}

/// Renders the status for people.
pub(crate) fn render(out: &AuthStatusOutput, heading: &str) -> String {
    let mut text = format!("{heading}\n\n");
    if out.authenticated {
        text.push_str("Authenticated with TrainingPeaks.\n");
    } else if out.could_not_check {
        text.push_str(
            "Could not check the login: TrainingPeaks could not be asked just now (the login itself may be fine). \
             Training already in the local history can still be asked about; such answers say they are not fresh.\n",
        );
    } else {
        text.push_str("Not authenticated.\n");
    }
    if out.demo {
        text.push_str("Mode: DEMO — serving the built-in demo athlete; no TrainingPeaks account or network is used.\n");
    }
    text.push_str(&format!(
        "Cookie source: {}\n",
        out.cookie_source_description
    ));
    if let Some(secs) = out.token_expires_in_s {
        text.push_str(&format!(
            "Access token: valid for {} more minutes (renewed automatically)\n",
            secs / 60
        ));
    }
    if let Some(a) = &out.account {
        text.push_str(&format!(
            "Account: {}{}{}\n",
            a.name,
            a.athlete_id
                .map(|id| format!(" (athlete id {id})"))
                .unwrap_or_default(),
            a.email
                .as_ref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default()
        ));
    }
    if let Some(p) = &out.problem {
        text.push_str(&format!("\nProblem: {p}\n"));
    }
    text
}

impl TpTool for AuthStatus {
    const NAME: &'static str = "tp_auth_status";
    const TITLE: &'static str = "TrainingPeaks authentication status";
    const DESCRIPTION: &'static str = "Check whether tp-mcp can reach the athlete's TrainingPeaks account: \
where the session cookie comes from, whether TrainingPeaks accepts it, how long the access token is valid \
and whose account it is. Use it when other tools report authentication problems. Never shows the cookie or token.";
    const READS_HISTORY: bool = false;
    type Args = NoArgs;
    type Output = AuthStatusOutput;

    async fn run(
        ctx: &ServerContext,
        _args: NoArgs,
    ) -> Result<(AuthStatusOutput, String), ToolError> {
        let out = check(ctx).await;
        let text = render(&out, "TrainingPeaks authentication status");
        Ok((out, text))
    }
}
