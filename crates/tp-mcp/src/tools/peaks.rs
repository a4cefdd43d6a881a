//! `tp_get_peaks`: the best power, heart-rate and speed values in a period.

use super::TpTool;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_api::PeakSource;
use tp_model::{PrClass, PrSport, Sport, pr_types};

pub struct GetPeaks;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeaksArgs {
    /// Bike or Run (TrainingPeaks ranks records for these two). Default Bike.
    pub sport: Option<String>,
    /// How many days back from today to search (default 90; up to 10950).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    /// Power (bike), HeartRate, or Speed (run); omit or "all" for every class.
    pub pr_class: Option<String>,
}

/// The best value of each record type in the period.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PeaksOutput {
    pub sport: String,
    pub start_date: String,
    pub end_date: String,
    pub pr_class: Option<String>,
    /// Where the ranking came from: TrainingPeaks' ranking endpoint, or a scan of workout records when that endpoint failed.
    pub source: String,
    pub peaks: Vec<PeakEntry>,
    /// Power durations where the device files in the local cache hold a
    /// better effort than TrainingPeaks' ranking shows (an effort longer
    /// than the duration that averaged more, or files TrainingPeaks ranks
    /// differently). tp_power_curve gives any duration.
    pub better_in_files: Vec<BetterInFiles>,
}

/// A better effort the device files know of.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BetterInFiles {
    pub pr_type: String,
    pub label: String,
    /// TrainingPeaks' best, W.
    pub trainingpeaks_w: f64,
    /// The files' best average held for at least this long, W.
    pub files_w: f64,
    /// How long it was held, s.
    pub held_s: u32,
    pub date: String,
    pub workout_id: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PeakEntry {
    pub class: String,
    /// TrainingPeaks' prType, e.g. power20min.
    pub pr_type: String,
    pub label: String,
    /// W, bpm or m/s.
    pub value: f64,
    pub unit: String,
    pub display: String,
    pub workout_id: Option<i64>,
    pub workout_title: Option<String>,
    pub date: Option<String>,
}

impl TpTool for GetPeaks {
    const NAME: &'static str = "tp_get_peaks";
    const TITLE: &'static str = "Best efforts (peaks) in a period";
    const DESCRIPTION: &'static str = "The athlete's best efforts in the last N days for Bike or Run: peak power \
for 5 s … 90 min (W), peak heart rate over the same durations (bpm), and for runs the fastest 400 m … 50 km \
(time and pace). Each with the workout it came from. Default: Bike, 90 days, all classes.";
    type Args = PeaksArgs;
    type Output = PeaksOutput;

    async fn run(ctx: &ServerContext, a: PeaksArgs) -> Result<(PeaksOutput, String), ToolError> {
        let sport = args::sport("sport", a.sport.as_deref().unwrap_or("Bike"))?;
        let pr_sport = match sport {
            Sport::Bike | Sport::MountainBike => PrSport::Bike,
            Sport::Run => PrSport::Run,
            other => {
                return Err(ArgError::new(
                    "sport",
                    format!(
                        "TrainingPeaks ranks personal records for Bike and Run only, not {other}"
                    ),
                )
                .into());
            }
        };
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let class = match a.pr_class.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) if s.eq_ignore_ascii_case("all") => None,
            Some(s) => Some(PrClass::parse(s).ok_or_else(|| {
                ArgError::new(
                    "pr_class",
                    format!("expected Power, HeartRate, Speed or all, got {s:?}"),
                )
            })?),
        };
        let types: Vec<_> = pr_types::pr_types_for(pr_sport)
            .into_iter()
            .filter(|t| class.is_none_or(|c| t.class == c))
            .collect();
        if types.is_empty() {
            return Err(ArgError::new(
                "pr_class",
                format!(
                    "{} has no {} records",
                    pr_sport.api_name(),
                    class.map(|c| c.api_name()).unwrap_or("such")
                ),
            )
            .into());
        }
        let end = ctx.today();
        let start = args::first_of_last_days(end, days);
        let mut peaks = Vec::new();
        let mut source = PeakSource::RankingEndpoint;
        for t in &types {
            let (ranked, from) = ctx.sport_peaks(pr_sport, t, start, end).await?;
            if from == PeakSource::WorkoutScan {
                source = from;
            }
            let best = ranked
                .into_iter()
                .filter(|p| p.value.is_some())
                .max_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
            if let Some(p) = best {
                let value = p.value.unwrap_or(0.0);
                peaks.push(PeakEntry {
                    class: t.class.api_name().into(),
                    pr_type: t.query.into(),
                    label: t.label.into(),
                    value,
                    unit: match t.class {
                        PrClass::Power => "W",
                        PrClass::HeartRate => "bpm",
                        PrClass::Speed => "m/s",
                    }
                    .into(),
                    display: format::record_value(
                        t.class,
                        value,
                        (t.class == PrClass::Speed).then_some(t.span),
                    ),
                    workout_id: p.workout_id,
                    workout_title: p.workout_title,
                    date: p.workout_date.map(|d| d.to_string()),
                });
            }
        }
        let better_in_files = if pr_sport == PrSport::Bike {
            better_in_files(ctx, &peaks, start, end).await
        } else {
            Vec::new()
        };
        let out = PeaksOutput {
            better_in_files,
            sport: pr_sport.api_name().into(),
            start_date: start.to_string(),
            end_date: end.to_string(),
            pr_class: class.map(|c| c.api_name().to_string()),
            source: match source {
                PeakSource::RankingEndpoint => "ranking_endpoint",
                PeakSource::WorkoutScan => "workout_scan",
            }
            .into(),
            peaks,
        };
        let mut text = format!(
            "Best {} efforts {} to {} ({} days)\n",
            out.sport, out.start_date, out.end_date, days
        );
        if source == PeakSource::WorkoutScan {
            text.push_str("(TrainingPeaks' ranking failed; aggregated from the records of individual workouts.)\n");
        }
        if out.peaks.is_empty() {
            text.push_str("\nNo efforts recorded in this period.\n");
        } else {
            let mut table =
                format::Table::new(["Class", "Duration/distance", "Best", "Date", "Workout"]);
            for p in &out.peaks {
                table.row([
                    p.class.clone(),
                    p.label.clone(),
                    p.display.clone(),
                    p.date.clone().unwrap_or_else(|| "-".into()),
                    format!(
                        "{} ({})",
                        p.workout_title.clone().unwrap_or_default(),
                        p.workout_id.map_or("-".into(), |i| i.to_string())
                    ),
                ]);
            }
            text.push('\n');
            text.push_str(&table.render());
        }
        if !out.better_in_files.is_empty() {
            text.push_str(
                "\nYour device files know better efforts than these fixed durations show:\n",
            );
            for b in &out.better_in_files {
                text.push_str(&format!(
                    "  {}: {:.0} W held for {} s on {} (workout {}), vs {:.0} W ranked by TrainingPeaks\n",
                    b.label, b.files_w, b.held_s, b.date, b.workout_id, b.trainingpeaks_w
                ));
            }
        }
        text.push_str("\nFor any other duration (e.g. your best 8 minutes), tp_power_curve computes it exactly from your device files.\n");
        Ok((out, text))
    }
}

/// The power durations where the cached curves beat TrainingPeaks' ranking
/// (no request: only what the cache already holds).
async fn better_in_files(
    ctx: &ServerContext,
    peaks: &[PeakEntry],
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Vec<BetterInFiles> {
    let power: Vec<(&PeakEntry, u32)> = peaks
        .iter()
        .filter(|p| p.class == PrClass::Power.api_name())
        .filter_map(|p| {
            let t = pr_types::pr_types_for(PrSport::Bike)
                .into_iter()
                .find(|t| t.query == p.pr_type)?;
            Some((p, t.span as u32))
        })
        .collect();
    if power.is_empty() {
        return Vec::new();
    }
    let curves = ctx
        .cached_curves_between(
            start,
            end,
            &[Sport::Bike, Sport::MountainBike],
            tp_model::ChannelKind::Power,
        )
        .await;
    let view: Vec<tp_fitness::range_curve::WorkoutCurve> = curves
        .iter()
        .map(|(id, day, c)| tp_fitness::range_curve::WorkoutCurve {
            workout_id: *id,
            date: *day,
            curve: c,
        })
        .collect();
    let durations: Vec<u32> = power.iter().map(|(_, d)| *d).collect();
    let best = tp_fitness::range_curve::range_curve(&view, &durations);
    power
        .iter()
        .zip(best)
        .filter_map(|((p, _), b)| {
            let b = b?;
            (b.value > p.value + 0.5).then(|| BetterInFiles {
                pr_type: p.pr_type.clone(),
                label: p.label.clone(),
                trainingpeaks_w: p.value,
                files_w: b.value,
                held_s: b.window_s,
                date: b.date.to_string(),
                workout_id: b.workout_id,
            })
        })
        .collect()
}
