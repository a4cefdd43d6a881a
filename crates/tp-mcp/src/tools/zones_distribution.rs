//! `tp_training_zones_distribution`: how the training time splits by intensity.

use super::TpTool;
use crate::answer::ToolError;
use crate::args;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::zones::IfDistribution;

pub struct TrainingZonesDistribution;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZonesArgs {
    /// First day, YYYY-MM-DD (default: `days` before end_date).
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (default today).
    pub end_date: Option<String>,
    /// Days to look back when start_date is not given (default 30).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ZonesOutput {
    pub start_date: String,
    pub end_date: String,
    pub distribution: IfDistribution,
    /// FTP used to classify rides without an IF, W.
    pub ftp_w: Option<f64>,
    /// Coggan power zones for that FTP (for reference).
    pub power_zones: Vec<tp_fitness::ZoneBound>,
    /// How the workouts were classified, in words.
    pub method_note: String,
}

const METHOD_NOTE: &str = "Each completed workout is classified as a whole by its intensity factor \
(IF < 0.55 recovery, 0.55–0.75 endurance, 0.75–0.90 tempo, 0.90–1.05 threshold, ≥ 1.05 VO2max+), as the \
reference server does. A long endurance ride with short hard intervals therefore lands in one bucket; \
TrainingPeaks' per-second time-in-zone data is not available through this API.";

impl TpTool for TrainingZonesDistribution {
    const NAME: &'static str = "tp_training_zones_distribution";
    const TITLE: &'static str = "Training intensity distribution";
    const DESCRIPTION: &'static str = "How the athlete's training splits by intensity over a period (default last \
30 days): time (h), TSS and sessions per intensity bucket by workout IF (recovery, endurance, tempo, threshold, \
VO2max+), the share of low/moderate/high intensity, and whether the pattern is polarized, pyramidal, threshold \
or base. Says which classification method was used.";
    type Args = ZonesArgs;
    type Output = ZonesOutput;

    async fn run(ctx: &ServerContext, a: ZonesArgs) -> Result<(ZonesOutput, String), ToolError> {
        let days = args::days("days", a.days.unwrap_or(30), args::MAX_RANGE_DAYS)?;
        let (start, end) = args::range(
            a.start_date.as_deref(),
            a.end_date.as_deref(),
            ctx.today(),
            days,
        )?;
        let workouts = ctx.workouts(start, end).await?;
        let ftp = ctx.ftp_if_needed(&workouts).await;
        let distribution = tp_fitness::if_distribution(workouts.iter(), ftp);
        let out = ZonesOutput {
            start_date: start.to_string(),
            end_date: end.to_string(),
            power_zones: ftp.map(tp_fitness::coggan_power_zones).unwrap_or_default(),
            distribution,
            ftp_w: ftp,
            method_note: METHOD_NOTE.to_string(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn render(out: &ZonesOutput) -> String {
    let d = &out.distribution;
    let mut t = format!(
        "Intensity distribution {} to {}\n\n",
        out.start_date, out.end_date
    );
    if d.classified_sessions == 0 {
        t.push_str("No completed workouts with an intensity factor in this period.\n");
        return t;
    }
    let mut table =
        format::Table::new(["Bucket (IF)", "Sessions", "Time", "Time %", "TSS", "TSS %"]);
    for b in &d.buckets {
        table.row([
            b.label.to_string(),
            b.sessions.to_string(),
            format::duration(b.hours),
            format::percent(b.time_share),
            format!("{:.0}", b.tss),
            format::percent(b.tss_share),
        ]);
    }
    t.push_str(&table.render());
    if let Some(z) = &d.three_zone {
        t.push_str(&format!(
            "\nLow / moderate / high intensity by time: {} / {} / {}\n",
            format::percent(Some(z.low)),
            format::percent(Some(z.moderate)),
            format::percent(Some(z.high))
        ));
    }
    if let Some(p) = d.pattern {
        t.push_str(&format!("Pattern: {}", p.label()));
        if let Some(pi) = d.polarization_index {
            t.push_str(&format!(" (polarization index {pi:.2})"));
        }
        t.push('\n');
    }
    if d.unclassified_sessions > 0 {
        t.push_str(&format!(
            "{} workouts had no IF and were not classified.\n",
            d.unclassified_sessions
        ));
    }
    t.push_str(&format!(
        "\nMethod: {}\nPattern rule: {}\n",
        out.method_note, d.pattern_rule
    ));
    t
}
