//! `tp_refresh_auth`: drop the access token and exchange the cookie again.

use super::auth_status::{AuthStatusOutput, check, render};
use super::{NoArgs, TpTool};
use crate::answer::ToolError;
use crate::context::ServerContext;

pub struct RefreshAuth;

impl TpTool for RefreshAuth {
    const NAME: &'static str = "tp_refresh_auth";
    const TITLE: &'static str = "Refresh TrainingPeaks authentication";
    const DESCRIPTION: &'static str = "Force a new TrainingPeaks access token from the session cookie \
(the token is otherwise renewed automatically). Use it after the user logged in again or when tools keep \
reporting authentication errors. Reports the same status as tp_auth_status.";
    type Args = NoArgs;
    type Output = AuthStatusOutput;

    async fn run(
        ctx: &ServerContext,
        _args: NoArgs,
    ) -> Result<(AuthStatusOutput, String), ToolError> {
        ctx.client.clear_token().await;
        let out = check(ctx).await;
        let heading = if out.authenticated {
            "Access token refreshed."
        } else {
            "Could not refresh the access token."
        };
        let text = render(&out, heading);
        Ok((out, text))
    }
}
