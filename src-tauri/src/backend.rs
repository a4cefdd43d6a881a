//! The tray's side of the data: the same [`ServerContext`] the `tp-mcp`
//! sidecar builds (store first, TrainingPeaks for what is missing), the
//! login check, re-authentication through `tp-auth`, the background sync of
//! the history and fill of workouts' device files (streams) into the cache,
//! and the questions the chart's race plan and the power curve view ask the
//! MCP tools (called in-process). For a coach login, the chart's athlete is
//! the one picked in the window ([`crate::picker`]): read through
//! [`ServerContext::for_athlete`], and named to the tools with `athlete`.

use crate::chart::{ChartData, NotFresh, PLAN_DAYS};
use crate::picker::{self, Shown};
use crate::power_curve::{Periods, PowerCurveView, Range};
use crate::race_plan;
use crate::state::Login;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use tokio::sync::RwLock;
use tp_mcp::ServerContext;
use tp_mcp::cookie::CookieOrigin;
use tp_store::{FillReport, StoreError, StreamCoverage};

/// The data source of the tray: the real account, or the demo athlete.
pub struct Backend {
    ctx: RwLock<ServerContext>,
    demo: bool,
    /// The athlete the chart shows when it is not the login's own (a
    /// coach's, picked in the window or the first listed); `None`: the
    /// login's own.
    athlete: Mutex<Option<i64>>,
}

/// What a history sync did (see [`Backend::sync_history`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySync {
    /// Athletes synced (a coach's every athlete).
    pub athletes: usize,
    /// Workout windows fetched from TrainingPeaks.
    pub windows: usize,
    /// Workouts stored or updated.
    pub workouts: usize,
    /// The cache is off: nothing to keep warm.
    pub no_cache: bool,
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
            athlete: Mutex::new(None),
        })
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The athlete the chart shows when not the login's own.
    pub fn athlete(&self) -> Option<i64> {
        *self.athlete.lock().unwrap()
    }

    /// Shows `athlete` (picked in the chart window) from now on; the next
    /// chart load checks the login may see it (else the default is shown).
    pub fn select_athlete(&self, athlete: i64) {
        *self.athlete.lock().unwrap() = Some(athlete);
    }

    /// The context the chart's athlete is read through, and the `athlete`
    /// argument for the tools (`None`: the login's own, no argument).
    async fn chart_context(&self) -> (ServerContext, Option<i64>) {
        let ctx = self.ctx.read().await.clone();
        match self.athlete() {
            Some(id) => (ctx.for_athlete(id), Some(id)),
            None => (ctx, None),
        }
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
    /// error) the chart has no race marks. For a coach login, the athlete
    /// picked (else the login's own, else the first listed) and the picker.
    pub async fn chart_data(&self) -> Result<ChartData, String> {
        let base = self.ctx.read().await.clone();
        let wanted = self.athlete();
        let (loaded, stale_reads) = tp_store::fallback::collecting(async {
            let profile = base.profile().await?;
            let choice = picker::choose(
                profile.is_coach(),
                &tp_mcp::athletes::visible(&profile),
                wanted,
            );
            let (ctx, name) = match &choice.shown {
                Shown::Own => (base.clone(), profile.display_name()),
                Shown::Athlete { id, name } => (base.for_athlete(*id), name.clone()),
            };
            let history = ctx
                .fitness_history(&tp_fitness::PmcParams::default(), PLAN_DAYS)
                .await?;
            Ok::<_, tp_store::StoreError>((choice, ctx, name, history))
        })
        .await;
        let (choice, ctx, name, history) = loaded.map_err(|e| e.to_string())?;
        let athlete = choice.shown.athlete();
        {
            // The default resolved (a coach's first athlete), unless another
            // was picked meanwhile.
            let mut chosen = self.athlete.lock().unwrap();
            if *chosen == wanted {
                *chosen = athlete;
            }
        }
        let mut data = ChartData::build(name, self.demo, &history);
        data.for_athlete = athlete;
        data.picker = choice.picker;
        data.not_fresh = NotFresh::from_reads(&stale_reads);
        match call_tool(&ctx, race_plan::TOOL, athlete_args(athlete)).await {
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
    /// For a coach login, of the chart's athlete (`athlete` to both tools).
    pub async fn power_curve(&self, range: Range, refresh: bool) -> Result<PowerCurveView, String> {
        let (ctx, athlete) = self.chart_context().await;
        let periods = Periods::of(range, ctx.today());
        let with_athlete = |mut args: serde_json::Map<String, serde_json::Value>| {
            args.extend(athlete_args(athlete));
            args
        };
        let curve = call_tool(
            &ctx,
            "tp_power_curve",
            with_athlete(periods.curve_args(refresh)),
        )
        .await?;
        let cp = call_tool(&ctx, "tp_critical_power", with_athlete(periods.cp_args())).await?;
        PowerCurveView::from_answers(&periods, &curve, &cp).map_err(|e| e.to_string())
    }

    /// Syncs the history the sidecar reads into the cache, so Claude's next
    /// questions need no request ([`crate::history_sync`] says when): the
    /// whole workout history and daily load (`tp-mcp sync`'s backfill), the
    /// PMC history through the planned calendar (`tp_get_fitness`, the
    /// chart), the 60 days of health metrics readiness reads
    /// (`tp_get_fitness`), the coming year's events and the focus event
    /// (`tp_plan_race`, `tp_get_events`), the settings and the profile. For
    /// a coach login, every athlete it can see. Stops at the first failure
    /// (an outage, a refused login).
    pub async fn sync_history(&self) -> Result<HistorySync, String> {
        let base = self.ctx.read().await.clone();
        let profile = base.profile().await.map_err(|e| e.to_string())?;
        let targets: Vec<(String, ServerContext)> = if profile.is_coach() {
            tp_mcp::athletes::visible(&profile)
                .into_iter()
                .map(|a| {
                    let ctx = if a.own {
                        base.clone()
                    } else {
                        base.for_athlete(a.athlete_id)
                    };
                    (a.name, ctx)
                })
                .collect()
        } else {
            vec![(profile.display_name(), base)]
        };
        let mut done = HistorySync::default();
        for (name, ctx) in &targets {
            let warmed = warm(ctx).await.map_err(|e| {
                if targets.len() > 1 {
                    format!("{name}: {e}")
                } else {
                    e.to_string()
                }
            })?;
            let Some(report) = warmed else {
                done.no_cache = true;
                return Ok(done);
            };
            done.athletes += 1;
            done.windows += report.windows;
            done.workouts += report.upserted;
        }
        Ok(done)
    }

    /// Fetches every completed workout's device file the cache lacks,
    /// newest first, until done or `cancel` (after the workout in hand);
    /// `None` when the cache is off. See `ServerContext::backfill_streams`.
    /// Of the chart's athlete (a coach login has no workouts of its own).
    pub async fn backfill_streams(
        &self,
        cancel: &AtomicBool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<Option<(FillReport, StreamCoverage)>, StoreError> {
        let (ctx, _) = self.chart_context().await;
        ctx.backfill_streams(cancel, progress).await
    }

    /// How many cached completed workouts have their device file stored (no
    /// request); `None` when the cache is off. Both of the chart's athlete.
    pub async fn stream_completeness(&self) -> Result<Option<StreamCoverage>, StoreError> {
        let (ctx, _) = self.chart_context().await;
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
        // Perhaps another account: its own athlete (or first listed) again.
        *self.athlete.lock().unwrap() = None;
        Ok(browser)
    }
}

/// One athlete's part of [`Backend::sync_history`]; `None` when the cache
/// is off.
async fn warm(ctx: &ServerContext) -> Result<Option<tp_store::SyncReport>, StoreError> {
    let Some(report) = ctx.backfill().await? else {
        return Ok(None);
    };
    ctx.fitness_history(&tp_fitness::PmcParams::default(), PLAN_DAYS)
        .await?;
    ctx.readiness().await?;
    ctx.upcoming_events().await?;
    ctx.settings().await?;
    Ok(Some(report))
}

/// The tools' `athlete` argument, when the chart shows another athlete
/// than the login's own.
fn athlete_args(athlete: Option<i64>) -> serde_json::Map<String, serde_json::Value> {
    let mut args = serde_json::Map::new();
    if let Some(id) = athlete {
        args.insert(tp_mcp::athletes::ATHLETE_ARG.into(), id.into());
    }
    args
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
