//! The tray's side of the data: the same [`ServerContext`] the `tp-mcp`
//! sidecar builds (store first, TrainingPeaks for what is missing), the
//! login check, re-authentication through `tp-auth`, the background fill
//! of workouts' device files (streams) into the cache, and the questions
//! the chart's race plan and the power curve view ask the MCP tools (called
//! in-process).

use crate::chart::{ChartData, NotFresh, PLAN_DAYS};
use crate::power_curve::{Periods, PowerCurveView, Range};
use crate::race_plan;
use crate::state::Login;
use std::sync::atomic::AtomicBool;
use tokio::sync::RwLock;
use tp_mcp::ServerContext;
use tp_mcp::cookie::CookieOrigin;
use tp_store::{FillReport, StoreError, StreamCoverage};

/// The data source of the tray: the real account, or the demo athlete.
pub struct Backend {
    ctx: RwLock<ServerContext>,
    demo: bool,
}

impl Backend {
    /// `demo`: the built-in demo athlete (an in-process fake TrainingPeaks,
    /// as `tp-mcp --demo`); else the account whose cookie `tp-auth` finds.
    pub async fn start(demo: bool) -> Result<Backend, tp_mcp::context::SetupError> {
        let ctx = if demo {
            ServerContext::demo().await?
        } else {
            ServerContext::from_env()?
        };
        Ok(Backend {
            ctx: RwLock::new(ctx),
            demo,
        })
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// Asks TrainingPeaks whether the login still works (a token exchange).
    pub async fn check(&self) -> Login {
        let ctx = self.ctx.read().await.clone();
        if ctx.cookie_origin() == CookieOrigin::Missing || !ctx.client.has_cookie() {
            return Login::Missing;
        }
        // A cached token would answer without asking: drop it first.
        ctx.client.clear_token().await;
        match ctx.client.validate().await {
            Ok(_) => Login::Valid,
            Err(e) if e.needs_reauth() => Login::Expired,
            Err(e) => Login::Unreachable(e.to_string()),
        }
    }

    /// The chart's data: the whole history through the data path, the PMC
    /// and projection from `tp-fitness`. When TrainingPeaks cannot be asked,
    /// days the cache holds answer instead and the chart says it is not
    /// fresh ([`NotFresh`]), as the tools do. Then the race plan: the
    /// `tp_plan_race` tool's answer for the focus event (else the next A/B
    /// race) laid over it; with no race ahead (the tool answers with an
    /// error) the chart has no race marks.
    pub async fn chart_data(&self) -> Result<ChartData, String> {
        let ctx = self.ctx.read().await.clone();
        let (loaded, stale_reads) = tp_store::fallback::collecting(async {
            let profile = ctx.profile().await?;
            let history = ctx
                .fitness_history(&tp_fitness::PmcParams::default(), PLAN_DAYS)
                .await?;
            Ok::<_, tp_store::StoreError>((profile, history))
        })
        .await;
        let (profile, history) = loaded.map_err(|e| e.to_string())?;
        let mut data = ChartData::build(profile.display_name(), self.demo, &history);
        data.not_fresh = NotFresh::from_reads(&stale_reads);
        match call_tool(&ctx, race_plan::TOOL, serde_json::Map::new()).await {
            Ok(answer) => match data.add_race_plan(&answer) {
                Ok(()) => {
                    if let Some(race) = &data.race {
                        tracing::info!("race plan on the chart: {} on {}", race.label, race.date);
                    }
                }
                Err(e) => tracing::warn!("no race plan on the chart: {e}"),
            },
            Err(e) => tracing::info!("no race on the chart: {e}"),
        }
        Ok(data)
    }

    /// The power curve view: `tp_power_curve` for both periods of `range`,
    /// then `tp_critical_power` for the first — the tools Claude calls, in
    /// this process, on the same context. The first answer may fetch
    /// device files (within the tool's time budget); the second then finds
    /// them in the cache. `refresh` re-fetches recent days first.
    pub async fn power_curve(&self, range: Range, refresh: bool) -> Result<PowerCurveView, String> {
        let ctx = self.ctx.read().await.clone();
        let periods = Periods::of(range, ctx.today());
        let curve = call_tool(&ctx, "tp_power_curve", periods.curve_args(refresh)).await?;
        let cp = call_tool(&ctx, "tp_critical_power", periods.cp_args()).await?;
        PowerCurveView::from_answers(&periods, &curve, &cp).map_err(|e| e.to_string())
    }

    /// Fetches every completed workout's device file the cache lacks,
    /// newest first, until done or `cancel` (after the workout in hand);
    /// `None` when the cache is off. See `ServerContext::backfill_streams`.
    pub async fn backfill_streams(
        &self,
        cancel: &AtomicBool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<Option<(FillReport, StreamCoverage)>, StoreError> {
        let ctx = self.ctx.read().await.clone();
        ctx.backfill_streams(cancel, progress).await
    }

    /// How many cached completed workouts have their device file stored (no
    /// request); `None` when the cache is off.
    pub async fn stream_completeness(&self) -> Result<Option<StreamCoverage>, StoreError> {
        let ctx = self.ctx.read().await.clone();
        ctx.stream_completeness().await
    }

    /// "Re-authenticate from browser": imports the login, then reloads the
    /// context so the new cookie is used. `Ok` names the browser.
    pub async fn reauthenticate(&self) -> Result<String, String> {
        if self.demo {
            return Err(
                "This is the demo athlete: there is no TrainingPeaks login to renew. Start tp-tray without --demo to use your account."
                    .into(),
            );
        }
        let browser = crate::auth::import_login_from_browser().await?;
        let fresh = ServerContext::from_env().map_err(|e| e.to_string())?;
        *self.ctx.write().await = fresh;
        Ok(browser)
    }
}

/// One MCP tool's structured answer, or its error message.
async fn call_tool(
    ctx: &ServerContext,
    name: &str,
    args: serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Value, String> {
    match tp_mcp::tools::call(ctx, name, Some(args)).await {
        Some(Ok(answer)) => Ok(answer.structured),
        Some(Err(e)) => Err(e.message()),
        None => Err(format!("this tp-mcp has no tool {name}")),
    }
}
