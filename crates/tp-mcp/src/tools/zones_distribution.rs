//! `tp_training_zones_distribution`: how the training time splits by intensity.

use super::TpTool;
use crate::answer::ToolError;
use crate::args;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::zone_distribution::{self as zd, CombinedDistribution, SportZones, Thresholds};
use tp_fitness::zones::IfDistribution;
use tp_model::Sport;

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
    /// Per sport: seconds in the athlete's own power, heart-rate and speed
    /// zones, counted per second from the device files.
    pub time_in_zones: Vec<SportZones>,
    /// Low / moderate / high time: per second where a workout has a device
    /// file, whole workouts by IF otherwise (how much each covers is in
    /// it); the pattern and polarization index come from this.
    pub intensity: CombinedDistribution,
    /// Completed workouts whose device file is not in the cache yet (their
    /// time counts by IF), and how they get filled.
    pub not_fetched: usize,
    pub how_to_fill: Option<String>,
    /// Whole workouts by IF only (the reference server's method), for
    /// comparison.
    pub distribution: IfDistribution,
    /// FTP used to classify rides without an IF, W.
    pub ftp_w: Option<f64>,
    /// Coggan power zones for that FTP (for reference).
    pub power_zones: Vec<tp_fitness::ZoneBound>,
    /// How the workouts were classified, in words.
    pub method_note: String,
}

const METHOD_NOTE: &str = "Per second from each workout's device file: time in the athlete's own zones \
per sport (a value on a bound two zones share counts in the lower one; above the top zone in the top zone), \
and low (< 75 % of threshold) / moderate (75–90 %) / high (≥ 90 %) per second of the workout's intensity \
channel (power vs FTP, else speed vs threshold speed, else heart rate vs LTHR). Workouts without a device \
file count whole by their intensity factor (IF < 0.75 low, 0.75–0.90 moderate, ≥ 0.90 high). The \
IF-bucket table is the reference server's whole-workout method, for comparison.";

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
        let completed: Vec<_> = workouts
            .iter()
            .filter(|w| w.is_completed())
            .cloned()
            .collect();
        let settings = ctx.settings().await.unwrap_or_default();
        let ftp = settings.ftp().or(ctx.ftp_if_needed(&workouts).await);
        let distribution = tp_fitness::if_distribution(workouts.iter(), ftp);
        let fetched = ctx.fetch_streams(&completed).await?;
        let stored = fetched.summaries(&["hist:"])?;
        // Per sport group: the athlete's zones and thresholds for it.
        let groups: [(&str, &[Sport], i64); 4] = [
            ("Bike", &[Sport::Bike, Sport::MountainBike], 2),
            ("Run", &[Sport::Run], 3),
            ("Swim", &[Sport::Swim], 1),
            ("Other", &[], 0),
        ];
        let named: Vec<Sport> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
        let mut time_in_zones = Vec::new();
        let mut per_workout = Vec::new();
        for (name, members, type_id) in groups {
            let mine: Vec<&tp_model::Workout> = completed
                .iter()
                .filter(|w| {
                    if members.is_empty() {
                        !named.contains(&w.sport())
                    } else {
                        members.contains(&w.sport())
                    }
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let type_id = if members.is_empty() { 0 } else { type_id };
            let thresholds = Thresholds {
                ftp_w: (type_id == 2).then_some(ftp).flatten(),
                threshold_speed_m_s: settings
                    .threshold_speed(type_id)
                    .filter(|_| type_id == 1 || type_id == 3),
                lthr_bpm: settings.lthr(type_id),
                power_zones: (type_id == 2)
                    .then(|| settings.power_zones_for(type_id))
                    .flatten(),
                hr_zones: settings.hr_zones_for(type_id),
                speed_zones: (type_id == 1 || type_id == 3)
                    .then(|| settings.speed_zones_for(type_id))
                    .flatten(),
            };
            let summaries: Vec<&tp_model::StreamSummary> = mine
                .iter()
                .filter_map(|w| stored.get(&w.workout_id))
                .collect();
            if !summaries.is_empty() {
                time_in_zones.push(zd::sport_zones(name, mine.len(), &summaries, &thresholds));
            }
            for w in mine {
                let seconds = stored
                    .get(&w.workout_id)
                    .and_then(|s| zd::three_zones_of_workout(s, &thresholds))
                    .map(|(t, _)| t);
                per_workout.push((w, seconds));
            }
        }
        let intensity = zd::combine(&per_workout, ftp);
        let not_fetched = fetched
            .states
            .values()
            .filter(|s| **s == tp_store::StreamState::Missing)
            .count();
        let how_to_fill = (not_fetched > 0).then(|| {
            format!(
                "{not_fetched} workouts' device files are not in the local cache yet, so they count whole by IF. \
Each question fetches more; `tp-mcp sync --streams` fetches them all, and the tray app fills them while the \
computer is idle."
            )
        });
        let out = ZonesOutput {
            time_in_zones,
            intensity,
            not_fetched,
            how_to_fill,
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
    let mut t = format!(
        "Intensity distribution {} to {}\n\n",
        out.start_date, out.end_date
    );
    let c = &out.intensity;
    if c.total.total_h() > 0.0 {
        t.push_str(&format!(
            "Counted per second from device files: {} workouts ({} of the time); whole workouts by IF: {} workouts{}.\n",
            c.per_second_workouts,
            format::percent(c.per_second_share),
            c.by_workout_if_workouts,
            if c.not_counted_workouts > 0 {
                format!("; {} without IF or data not counted", c.not_counted_workouts)
            } else {
                String::new()
            }
        ));
        if let Some(how) = &out.how_to_fill {
            t.push_str(how);
            t.push('\n');
        }
        if let Some(sh) = &c.shares {
            t.push_str(&format!(
                "Low / moderate / high: {} / {} / {} ({:.1} h / {:.1} h / {:.1} h)",
                format::percent(Some(sh.low)),
                format::percent(Some(sh.moderate)),
                format::percent(Some(sh.high)),
                c.total.low_h,
                c.total.moderate_h,
                c.total.high_h,
            ));
            if let Some(p) = c.pattern {
                t.push_str(&format!(" — {}", p.label()));
            }
            if let Some(pi) = c.polarization_index {
                t.push_str(&format!(", polarization index {pi:.2}"));
            }
            t.push('\n');
        }
    }
    for sport in &out.time_in_zones {
        t.push_str(&format!(
            "\n{} — time in your zones, per second ({} of {} workouts):\n",
            sport.sport, sport.with_streams, sport.workouts
        ));
        for z in [&sport.power, &sport.heart_rate, &sport.speed]
            .into_iter()
            .flatten()
        {
            let mut table = format::Table::new([
                z.channel.replace('_', " "),
                "range".into(),
                "time".into(),
                "share".into(),
            ]);
            for zone in &z.zones {
                let pace = |v: f64| {
                    if sport.sport == "Swim" {
                        format::pace_per_100m(v)
                    } else {
                        format::pace_per_km(v)
                    }
                };
                let range = if z.channel == "speed" {
                    match (zone.minimum.filter(|m| *m > 0.0), zone.maximum) {
                        (Some(lo), Some(hi)) => format!("{}–{}", pace(hi), pace(lo)),
                        (None, Some(hi)) => format!("slower than {}", pace(hi)),
                        (Some(lo), None) => format!("faster than {}", pace(lo)),
                        (None, None) => "-".into(),
                    }
                } else {
                    match (zone.minimum, zone.maximum) {
                        (Some(lo), Some(hi)) => {
                            format!("{lo:.2}–{hi:.2} {}", z.unit).replace(".00", "")
                        }
                        (Some(lo), None) => format!("≥ {lo:.2} {}", z.unit).replace(".00", ""),
                        (None, Some(hi)) => format!("≤ {hi:.2} {}", z.unit).replace(".00", ""),
                        (None, None) => "-".into(),
                    }
                };
                table.row([
                    zone.label
                        .clone()
                        .unwrap_or_else(|| format!("Z{}", zone.zone)),
                    range,
                    format::duration(f64::from(zone.seconds) / 3600.0),
                    format::percent(zone.share),
                ]);
            }
            t.push_str(&table.render());
        }
    }
    let d = &out.distribution;
    t.push_str("\nWhole workouts by IF (the reference server's method, for comparison):\n");
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
