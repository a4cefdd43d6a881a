//! `tp_refresh_auth`: drop the access token and exchange the cookie again;
//! when TrainingPeaks refuses the cookie (or there is none), import a new one
//! from the user's browsers (`tp-auth`), use it at once and store it in the
//! keychain for the next start.

use super::auth_status::{AuthStatusOutput, check, render};
use super::{NoArgs, TpTool};
use crate::answer::ToolError;
use crate::context::ServerContext;
use crate::cookie::CookieOrigin;
use tp_auth::{BrowserSource, Keychain};

pub struct RefreshAuth;

impl TpTool for RefreshAuth {
    const NAME: &'static str = "tp_refresh_auth";
    const TITLE: &'static str = "Refresh TrainingPeaks authentication";
    const DESCRIPTION: &'static str = "Force a new TrainingPeaks access token from the session cookie \
(the token is otherwise renewed automatically). When TrainingPeaks refuses the cookie (expired or signed out) \
or there is none, imports the user's current TrainingPeaks login from their web browsers, checks it and uses it \
at once, saying which browser it came from (or what each browser had). Use it after the user logged in again \
in their browser or when tools keep reporting authentication errors. Reports the same status as tp_auth_status.";
    const READS_HISTORY: bool = false;
    type Args = NoArgs;
    type Output = AuthStatusOutput;

    async fn run(
        ctx: &ServerContext,
        _args: NoArgs,
    ) -> Result<(AuthStatusOutput, String), ToolError> {
        refresh(ctx, ctx.browser_sources(), &Keychain::shared()).await
    }
}

/// The tool, with the browsers and the keychain entry given.
pub(crate) async fn refresh(
    ctx: &ServerContext,
    sources: Vec<BrowserSource>,
    keychain: &Keychain,
) -> Result<(AuthStatusOutput, String), ToolError> {
    ctx.client.clear_token().await;
    let needs_new_cookie = !ctx.is_demo()
        && (!ctx.client.has_cookie()
            || matches!(ctx.client.validate().await, Err(e) if e.needs_reauth()));
    if !needs_new_cookie {
        let out = check(ctx).await;
        let heading = if out.authenticated {
            "Access token refreshed."
        } else {
            "Could not refresh the access token."
        };
        let text = render(&out, heading);
        return Ok((out, text));
    }

    let had_cookie = ctx.client.has_cookie();
    let was_environment = ctx.cookie_origin() == CookieOrigin::Environment;
    match tp_auth::find_valid_cookie(&sources, ctx.client.config()).await {
        Ok(found) => {
            ctx.client.set_cookie(Some(found.secret.clone())).await;
            let stored = {
                let keychain = keychain.clone();
                let secret = found.secret;
                match tokio::task::spawn_blocking(move || keychain.store(&secret)).await {
                    Ok(result) => result.map_err(|e| e.to_string()),
                    Err(e) => Err(format!("the keychain call failed ({e})")),
                }
            };
            // The cookie in use is now the imported one, for this and later answers.
            ctx.set_cookie_origin(CookieOrigin::Keychain);
            let mut out = check(ctx).await;
            out.cookie_source_description = format!(
                "{}, imported just now from {}",
                CookieOrigin::Keychain.describe(),
                found.browser
            );
            let why = if had_cookie {
                "TrainingPeaks refused the cookie in use (expired or signed out)"
            } else {
                "No cookie was configured"
            };
            let mut heading = format!(
                "{why}, so your current TrainingPeaks login was imported from {} and checked with TrainingPeaks; it is in use now.",
                found.browser
            );
            match stored {
                Ok(()) => heading.push_str(" It is stored in the keychain for the next start."),
                Err(e) => heading.push_str(&format!(
                    " It could not be stored for the next start, though: {e}"
                )),
            }
            if was_environment {
                heading.push_str(
                    " Note: TP_AUTH_COOKIE in the server's configuration still holds the old cookie and wins at the next start; remove it from the configuration.",
                );
            }
            let text = render(&out, &heading);
            Ok((out, text))
        }
        Err(e) => {
            let mut out = check(ctx).await;
            let import = format!("Importing a new cookie from your browsers did not work: {e}");
            out.problem = Some(match out.problem.take() {
                Some(problem) => format!("{problem}\n\n{import}"),
                None => import,
            });
            let text = render(&out, "Could not refresh the access token.");
            Ok((out, text))
        }
    }
}
