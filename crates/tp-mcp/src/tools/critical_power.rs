//! `tp_critical_power`: critical power, W′ and Pmax fitted to a period's
//! power curve, an estimated FTP, and how they moved block by block.

use super::TpTool;
use super::power_curve::CurveCoverage;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::critical_power::{
    self as cp, BlockCriticalPower, DurationWindow, EstimatedFtp, ThreeParameterFit,
    TwoParameterFit,
};
use tp_fitness::range_curve;
use tp_model::{ChannelKind, Sport};

pub struct CriticalPower;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriticalPowerArgs {
    /// Bike (default; includes mountain-bike rides) or Run (with a running power meter).
    pub sport: Option<String>,
    /// First day, YYYY-MM-DD (default: `days` before end_date).
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    pub end_date: Option<String>,
    /// Days back from end_date when start_date is not given (default 90; any length).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
}

/// A point of a fitted model, for drawing it over the curve.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelPoint {
    pub duration_s: u32,
    pub watts: f64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CriticalPowerOutput {
    pub sport: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub coverage: CurveCoverage,
    /// The 2-parameter model P = CP + W′/t over efforts of 2–20 min, or why not.
    pub two_parameter: Option<TwoParameterFit>,
    pub two_parameter_note: Option<String>,
    /// Morton's 3-parameter model P = CP + W′/(t + W′/(Pmax − CP)) over 10 s – 20 min, or why not.
    pub three_parameter: Option<ThreeParameterFit>,
    pub three_parameter_note: Option<String>,
    /// The estimated FTP and the rule used.
    pub estimated_ftp: Option<EstimatedFtp>,
    pub estimated_ftp_note: Option<String>,
    /// FTP in the athlete's TrainingPeaks settings, W (for comparison).
    pub settings_ftp_w: Option<f64>,
    /// CP, W′ and eFTP per 6-week block ending on end_date (periods of at least six weeks).
    pub blocks: Vec<BlockCriticalPower>,
    /// The model (3-parameter, else 2-parameter) at the standard durations
    /// from the shortest it was fitted to, for charts.
    pub model_curve: Vec<ModelPoint>,
    pub method: String,
}

/// Every duration the fits may use (the curve is evaluated at each).
const FIT_DURATIONS: std::ops::RangeInclusive<u32> = 1..=1200;

impl TpTool for CriticalPower {
    const NAME: &'static str = "tp_critical_power";
    const TITLE: &'static str = "Critical power, W′ and estimated FTP";
    const DESCRIPTION: &'static str = "Fits power-duration models to the athlete's power curve over a period \
(default 90 days, from the device files): critical power (CP, W) and W′ (J) of the 2-parameter model from \
maximal efforts of 2–20 min, and CP, W′ and Pmax of Morton's 3-parameter model from 10 s to 20 min, each with \
its fit error and the efforts used; an estimated FTP with the rule named (95 % of the best 20 min); and CP/eFTP \
per 6-week block over the period to show the trend. Compares with the FTP in TrainingPeaks' settings.";
    type Args = CriticalPowerArgs;
    type Output = CriticalPowerOutput;

    async fn run(
        ctx: &ServerContext,
        a: CriticalPowerArgs,
    ) -> Result<(CriticalPowerOutput, String), ToolError> {
        let sport = args::sport("sport", a.sport.as_deref().unwrap_or("Bike"))?;
        let members = match sport {
            Sport::Bike | Sport::MountainBike => vec![Sport::Bike, Sport::MountainBike],
            Sport::Run => vec![Sport::Run],
            other => {
                return Err(ArgError::new(
                    "sport",
                    format!("critical power needs a power meter: Bike or Run, not {other}"),
                )
                .into());
            }
        };
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let (start, end) = args::range(
            a.start_date.as_deref(),
            a.end_date.as_deref(),
            ctx.today(),
            days,
        )?;
        let workouts: Vec<_> = ctx
            .workouts(start, end)
            .await?
            .into_iter()
            .filter(|w| w.is_completed() && members.contains(&w.sport()))
            .collect();
        let fetched = ctx.fetch_streams(&workouts).await?;
        let with_power = fetched.with_curve(ChannelKind::Power)?;
        let coverage = super::power_curve::coverage_of(&workouts, &fetched, &with_power);
        let durations: Vec<u32> = FIT_DURATIONS.collect();
        // The whole period and each 6-week block, from one read.
        let block_spans = cp::six_week_blocks(start, end);
        let mut periods = vec![(start, end)];
        periods.extend(block_spans.iter().map(|b| (b.start, b.end)));
        let mut curves = ctx
            .period_curves(&fetched, ChannelKind::Power, &members, &periods, &durations)?
            .into_iter()
            .map(|found| {
                found
                    .into_iter()
                    .flatten()
                    .map(|p| (p.duration_s, p.value))
                    .collect::<Vec<_>>()
            });
        let curve = curves.next().unwrap_or_default();
        let two = cp::fit_two_parameter(&curve, DurationWindow::TWO_PARAMETER);
        let three = cp::fit_three_parameter(&curve, DurationWindow::THREE_PARAMETER);
        let ftp = cp::estimate_ftp(&curve, DurationWindow::TWO_PARAMETER);
        let blocks: Vec<_> = block_spans.into_iter().zip(curves).collect();
        // The chart's model: the 3-parameter fit when there is one, else
        // the 2-parameter one, from the shortest duration it was fitted to
        // (a 2-parameter model's W′/t is meaningless at a few seconds).
        let model = three
            .as_ref()
            .ok()
            .map(|f| (ThreeParameterFit::model(f), DurationWindow::THREE_PARAMETER))
            .or_else(|| {
                two.as_ref()
                    .ok()
                    .map(|f| (TwoParameterFit::model(f), DurationWindow::TWO_PARAMETER))
            });
        let model_curve = model
            .map(|(m, window)| {
                range_curve::STANDARD_DURATIONS
                    .iter()
                    .filter(|d| **d >= window.min_s)
                    .filter_map(|d| {
                        Some(ModelPoint {
                            duration_s: *d,
                            watts: cp::model_power(&m, f64::from(*d))?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let settings_ftp_w = ctx.settings().await.ok().and_then(|s| s.ftp());
        let out = CriticalPowerOutput {
            sport: sport.to_string(),
            start_date: start,
            end_date: end,
            coverage,
            two_parameter_note: two.as_ref().err().map(ToString::to_string),
            two_parameter: two.ok(),
            three_parameter_note: three.as_ref().err().map(ToString::to_string),
            three_parameter: three.ok(),
            estimated_ftp_note: ftp.as_ref().err().map(ToString::to_string),
            estimated_ftp: ftp.ok(),
            settings_ftp_w,
            blocks: cp::critical_power_by_block(&blocks, DurationWindow::TWO_PARAMETER),
            model_curve,
            method: "Fitted to the period's power curve (the best average held for at least each duration, \
exact, from the device files) by least squares on power: the 2-parameter model in closed form over 2–20 min \
(Monod & Scherrer), Morton's 3-parameter model by Levenberg–Marquardt over 10 s – 20 min. eFTP: 95 % of the \
best 20-minute power (Allen & Coggan), else CP."
                .into(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn render(o: &CriticalPowerOutput) -> String {
    let mut t = format!(
        "Critical power — {}, {} to {}\n\n",
        o.sport, o.start_date, o.end_date
    );
    t.push_str(&format!(
        "Data: {} of {} workouts have second-by-second data ({} with power).\n",
        o.coverage.with_streams, o.coverage.workouts, o.coverage.with_metric
    ));
    if let Some(how) = &o.coverage.how_to_fill {
        t.push_str(how);
        t.push('\n');
    }
    t.push('\n');
    match (&o.two_parameter, &o.two_parameter_note) {
        (Some(f), _) => t.push_str(&format!(
            "2-parameter model (2–20 min, {} durations): CP {:.0} W (± {}), W′ {:.1} kJ (± {}), fit error {:.1} W RMSE{}\n",
            f.points_used,
            f.cp_w,
            format::num(f.cp_se_w, 1),
            f.w_prime_j / 1000.0,
            f.w_prime_se_j.map(|s| format!("{:.1} kJ", s / 1000.0)).unwrap_or_else(|| "-".into()),
            f.rmse_w,
            f.r_squared.map(|r| format!(", R² {r:.3}")).unwrap_or_default()
        )),
        (None, Some(why)) => t.push_str(&format!("2-parameter model: not fitted — {why}\n")),
        _ => {}
    }
    match (&o.three_parameter, &o.three_parameter_note) {
        (Some(f), _) => t.push_str(&format!(
            "3-parameter model (Morton, 10 s – 20 min, {} durations): CP {:.0} W, W′ {:.1} kJ, Pmax {:.0} W, fit error {:.1} W RMSE{}\n",
            f.points_used,
            f.cp_w,
            f.w_prime_j / 1000.0,
            f.pmax_w,
            f.rmse_w,
            if f.converged { "" } else { " (not converged)" }
        )),
        (None, Some(why)) => t.push_str(&format!("3-parameter model: not fitted — {why}\n")),
        _ => {}
    }
    match (&o.estimated_ftp, &o.estimated_ftp_note) {
        (Some(f), _) => t.push_str(&format!(
            "Estimated FTP: {:.0} W — {}\n",
            f.eftp_w, f.method
        )),
        (None, Some(why)) => t.push_str(&format!("Estimated FTP: none — {why}\n")),
        _ => {}
    }
    if let Some(ftp) = o.settings_ftp_w {
        t.push_str(&format!("FTP in TrainingPeaks' settings: {ftp:.0} W\n"));
    }
    if !o.blocks.is_empty() {
        t.push_str("\nBy 6-week block:\n");
        let mut table = format::Table::new(["block", "CP", "W′", "eFTP", "note"]);
        for b in &o.blocks {
            table.row([
                format!("{} – {}", b.block_start, b.block_end),
                format::with_unit(b.cp_w, 0, "W"),
                b.w_prime_j
                    .map(|w| format!("{:.1} kJ", w / 1000.0))
                    .unwrap_or_else(|| "-".into()),
                format::with_unit(b.eftp_w, 0, "W"),
                b.note.clone().unwrap_or_default(),
            ]);
        }
        t.push_str(&table.render());
    }
    t.push_str(&format!("\nMethod: {}\n", o.method));
    t
}
