//! `tp_get_workout_streams`: a workout's second-by-second data, from the
//! device file TrainingPeaks keeps, averaged per step.

use super::TpTool;
use super::workout::{fetch, required_int};
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use crate::views::WorkoutSummary;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::mean_max::MAX_HOLD_S;
use tp_fitness::resample::{self, ChannelStats, Gap, StreamPoint};
use tp_model::{Lap, SessionTotals};
use tp_store::StreamsOutcome;

pub struct GetWorkoutStreams;

/// The most points one answer carries (an hour at one second).
pub const MAX_POINTS: u32 = 3600;

/// How many rows of points the text shows (the structured output has all).
const TEXT_ROWS: usize = 60;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamsArgs {
    /// The TrainingPeaks workout id (from tp_get_workouts).
    #[serde(deserialize_with = "required_int")]
    #[schemars(with = "i64")]
    pub workout_id: i64,
    /// Seconds per point: each point averages the samples in its step
    /// (default 60; 1 gives every recorded sample). Raised when the window
    /// would need more than 3600 points.
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub resolution_s: Option<i64>,
    /// Start of the window, seconds from the workout's first sample (default 0).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub start_s: Option<i64>,
    /// End of the window (exclusive), seconds from the first sample
    /// (default: the end of the recording).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub end_s: Option<i64>,
}

/// The device file behind the streams.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileView {
    /// fit, tcx or gpx.
    pub format: String,
    pub file_name: Option<String>,
    pub file_id: String,
    pub samples: usize,
    /// Seconds recorded (pauses excluded).
    pub recorded_s: u32,
    /// Seconds from the first to the last sample (pauses included).
    pub elapsed_s: u32,
    /// Pauses and dropouts longer than 5 s: never filled in.
    pub gaps: Vec<Gap>,
    /// Bytes the streams take in the local cache.
    pub stored_bytes: usize,
}

/// A workout's streams, downsampled.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StreamsOutput {
    pub workout_id: i64,
    pub title: String,
    pub date: Option<String>,
    pub sport: String,
    /// TrainingPeaks' summary of the workout (always there, streams or not).
    pub summary: WorkoutSummary,
    /// Whether second-by-second data exists for this workout.
    pub available: bool,
    /// Why there is none, or what part of the file could not be read.
    pub notes: Vec<String>,
    pub file: Option<FileView>,
    pub resolution_s: u32,
    pub start_s: u32,
    pub end_s: u32,
    /// Per channel over the window: samples with a value, average, maximum.
    pub channels: Vec<ChannelStats>,
    /// One point per step of `resolution_s` (steps inside a pause left out).
    pub points: Vec<StreamPoint>,
    /// The laps the device recorded.
    pub laps: Vec<Lap>,
    /// The totals the device itself wrote.
    pub session: Option<SessionTotals>,
    /// How the points were made.
    pub method: String,
}

impl TpTool for GetWorkoutStreams {
    const NAME: &'static str = "tp_get_workout_streams";
    const TITLE: &'static str = "Workout second-by-second data";
    const DESCRIPTION: &'static str = "The second-by-second record of one completed workout, from the device \
file (FIT, TCX or GPX) uploaded to TrainingPeaks: power (W), heart rate (bpm), cadence (rpm), speed (m/s), \
distance and altitude (m), temperature (°C), averaged per step of resolution_s seconds (default 60; 1 = every \
sample), for the whole workout or a window (start_s/end_s, seconds from the start). Also the device's laps, its \
own session totals, and pauses (gaps are never filled in). Says so when the workout was entered by hand or its \
file cannot be read. Costs two requests the first time, none after.";
    type Args = StreamsArgs;
    type Output = StreamsOutput;

    async fn run(
        ctx: &ServerContext,
        a: StreamsArgs,
    ) -> Result<(StreamsOutput, String), ToolError> {
        if a.workout_id <= 0 {
            return Err(ArgError::new(
                "workout_id",
                format!("expected a positive workout id, got {}", a.workout_id),
            )
            .into());
        }
        let resolution = bounded("resolution_s", a.resolution_s.unwrap_or(60), 1, 86_400)?;
        let start = bounded("start_s", a.start_s.unwrap_or(0), 0, i64::from(u32::MAX))?;
        let end = match a.end_s {
            Some(e) => Some(bounded("end_s", e, 1, i64::from(u32::MAX))?),
            None => None,
        };
        if let Some(end) = end
            && end <= start
        {
            return Err(ArgError::new(
                "end_s",
                format!("must be after start_s ({start}), got {end}"),
            )
            .into());
        }
        let w = fetch(ctx, a.workout_id).await?;
        let mut out = StreamsOutput {
            workout_id: w.workout_id,
            title: w.display_title(),
            date: w.workout_day.map(|d| d.to_string()),
            sport: w.sport().to_string(),
            summary: WorkoutSummary::from(&w),
            available: false,
            notes: Vec::new(),
            file: None,
            resolution_s: resolution,
            start_s: start,
            end_s: end.unwrap_or(start),
            channels: Vec::new(),
            points: Vec::new(),
            laps: Vec::new(),
            session: None,
            method: format!(
                "The mean of each channel's recorded values per {resolution}-s step from the first sample; \
steps without a sample (pauses) are left out; distance is the last value of each step."
            ),
        };
        if !w.is_completed() {
            out.notes
                .push("This workout is planned, not completed: there is no device file.".into());
            let text = render(&out);
            return Ok((out, text));
        }
        let outcome = match ctx.workout_streams(&w).await {
            Ok(outcome) => outcome,
            // TrainingPeaks failed: say so, with the summary-level answer.
            Err(tp_store::StoreError::Api(e)) => {
                out.notes.push(format!(
                    "The device file could not be fetched from TrainingPeaks: {e} The summary below is \
TrainingPeaks' own; ask again later for the second-by-second data."
                ));
                let text = render(&out);
                return Ok((out, text));
            }
            Err(e) => return Err(e.into()),
        };
        match outcome {
            StreamsOutcome::NoFile => out.notes.push(
                "TrainingPeaks has no device file for this workout (it was entered by hand), so there is \
no second-by-second data; TrainingPeaks' summary is below."
                    .into(),
            ),
            StreamsOutcome::Unreadable(why) => out.notes.push(format!(
                "This workout's device file could not be read: {why} TrainingPeaks' summary is below."
            )),
            StreamsOutcome::Stored(stored) => {
                let streams = &stored.activity.streams;
                let end = end.unwrap_or(streams.elapsed_s()).max(start + 1);
                let span = end - start;
                if span.div_ceil(resolution) > MAX_POINTS {
                    let raised = span.div_ceil(MAX_POINTS);
                    out.notes.push(format!(
                        "resolution_s raised from {resolution} to {raised} s to keep the answer under {MAX_POINTS} \
points; ask for a window (start_s/end_s) for full detail."
                    ));
                    out.resolution_s = raised;
                    out.method = out.method.replace(&format!("per {resolution}-s"), &format!("per {raised}-s"));
                }
                out.available = true;
                out.end_s = end;
                out.points = resample::downsample(streams, out.resolution_s, start, end);
                out.channels = resample::channel_stats(streams, start, end);
                out.file = Some(FileView {
                    format: stored.activity.format.key().to_string(),
                    file_name: stored.file_name.clone(),
                    file_id: stored.file_id.clone(),
                    samples: streams.len(),
                    recorded_s: streams.recorded_s(MAX_HOLD_S),
                    elapsed_s: streams.elapsed_s(),
                    gaps: resample::gaps(streams, MAX_HOLD_S),
                    stored_bytes: stored.stored_bytes,
                });
                out.notes.extend(stored.activity.problems.iter().map(|p| format!("Not read: {p}")));
                out.laps = stored.activity.laps.clone();
                out.session = stored.activity.session.clone();
                if start >= streams.elapsed_s() {
                    out.notes.push(format!(
                        "start_s {start} is after the recording ends ({} s): no points.",
                        streams.elapsed_s()
                    ));
                }
            }
        }
        let text = render(&out);
        Ok((out, text))
    }
}

fn bounded(argument: &str, value: i64, min: i64, max: i64) -> Result<u32, ArgError> {
    if !(min..=max).contains(&value) {
        return Err(ArgError::new(
            argument,
            format!("expected whole seconds from {min} to {max}, got {value}"),
        ));
    }
    Ok(value as u32)
}

/// `h:mm:ss` of a number of seconds.
fn clock(seconds: u32) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn render(out: &StreamsOutput) -> String {
    let mut t = format!(
        "Second-by-second data of workout {} — {} ({}, {})\n\n",
        out.workout_id,
        out.title,
        out.sport,
        out.date.as_deref().unwrap_or("no date")
    );
    for note in &out.notes {
        t.push_str(&format!("{note}\n"));
    }
    let Some(file) = &out.file else {
        let s = &out.summary;
        t.push_str(&format!(
            "\nSummary: {} · {} · TSS {} · IF {} · avg power {} · NP {} · avg HR {}\n",
            format::opt_duration(s.duration_h),
            format::opt_distance(s.distance_m),
            format::num(s.tss, 0),
            format::num(s.intensity_factor, 2),
            format::with_unit(s.average_power_w, 0, "W"),
            format::with_unit(s.normalized_power_w, 0, "W"),
            format::with_unit(s.average_hr_bpm, 0, "bpm"),
        ));
        return t;
    };
    t.push_str(&format!(
        "Device file: {} ({}), {} samples, recorded {} of {} elapsed",
        file.file_name.as_deref().unwrap_or("unnamed"),
        file.format.to_uppercase(),
        file.samples,
        clock(file.recorded_s),
        clock(file.elapsed_s)
    ));
    for g in &file.gaps {
        t.push_str(&format!(
            "; pause of {} after {}",
            clock(g.duration_s),
            clock(g.after_s)
        ));
    }
    t.push_str(".\n");
    let shown: Vec<String> = out
        .channels
        .iter()
        .filter(|c| c.channel != "distance")
        .map(|c| {
            format!(
                "{} avg {} max {} {}",
                c.channel.replace('_', " "),
                format::num(c.average, 1),
                format::num(c.maximum, 1),
                c.unit
            )
        })
        .collect();
    t.push_str(&format!(
        "Channels ({}–{}): {}.\n",
        clock(out.start_s),
        clock(out.end_s),
        shown.join("; ")
    ));
    let every = out.points.len().div_ceil(TEXT_ROWS).max(1);
    t.push_str(&format!(
        "\nEvery {} s ({} points{}):\n",
        out.resolution_s,
        out.points.len(),
        if every > 1 {
            format!("; every {every}th shown here, all in structuredContent.points")
        } else {
            String::new()
        }
    ));
    let mut table = format::Table::new([
        "time",
        "power W",
        "HR bpm",
        "cadence",
        "speed km/h",
        "altitude m",
    ]);
    for p in out.points.iter().step_by(every) {
        table.row([
            clock(p.t_s),
            format::num(p.power_w, 0),
            format::num(p.heart_rate_bpm, 0),
            format::num(p.cadence_rpm, 0),
            format::num(p.speed_m_s.map(|v| v * 3.6), 1),
            format::num(p.altitude_m, 1),
        ]);
    }
    t.push_str(&table.render());
    if !out.laps.is_empty() {
        t.push_str(&format!("\nDevice laps ({}):\n", out.laps.len()));
        let mut laps = format::Table::new(["#", "start", "time", "distance", "avg W", "avg HR"]);
        for (i, l) in out.laps.iter().enumerate() {
            laps.row([
                (i + 1).to_string(),
                clock(l.start_s.max(0.0) as u32),
                l.timer_s
                    .map(|s| clock(s.max(0.0) as u32))
                    .unwrap_or_else(|| "-".into()),
                format::opt_distance(l.distance_m),
                format::num(l.avg_power_w, 0),
                format::num(l.avg_heart_rate_bpm, 0),
            ]);
        }
        t.push_str(&laps.render());
    }
    t
}
