//! FIT files, message by message with fitparser's stream parser.
//!
//! We take fitparser's *raw* layer: each data message as field numbers and
//! raw values ([`FitDataMessage::fields`]), read through our own table of
//! the few fields we use ([`messages`]), with compressed timestamp headers
//! resolved here. fitparser's profile layer (`decode_message`) is used only
//! for developer field descriptions, which the parser needs to size
//! developer fields. Why: see the crate documentation (speed, and a smaller
//! surface for hostile input).
//!
//! Reading stops at the first error; everything decoded before it is kept
//! and the error becomes a problem note. A bad checksum alone loses nothing.

mod guard;
mod messages;

use crate::MAX_LAPS;
use crate::error::DecodeError;
use crate::samples::{self, Samples};
use fitparser::de::{DecodeOption, FitDataMessage, FitObject, FitStreamProcessor};
use fitparser::{ErrorKind, Value};
use guard::{Guard, Refusal};
use tp_model::{Activity, FileFormat, Lap, SessionTotals};

/// Decodes a FIT file (possibly several chained ones).
pub(crate) fn decode(bytes: &[u8]) -> Result<Activity, DecodeError> {
    let mut d = FitDecoder::new();
    d.run(bytes);
    d.finish()
}

/// Why reading ended before the end of the bytes.
#[derive(Debug)]
enum Stop {
    /// The bytes end inside a message or header.
    CutOff,
    /// Bytes that do not parse; the words say what.
    Damaged(String),
    /// Bytes after the last file's checksum that are not another file.
    Trailing(usize),
    /// The final checksum is missing.
    NoCrc,
}

struct FitDecoder {
    parser: FitStreamProcessor,
    guard: Guard,
    /// The last full timestamp seen (any message), in FIT seconds: the base
    /// of compressed timestamp headers.
    last_timestamp: Option<u32>,
    samples: Samples,
    records: usize,
    records_without_time: usize,
    /// Laps with their start in Unix seconds.
    laps: Vec<(Option<i64>, Lap)>,
    laps_dropped: usize,
    sessions: Vec<SessionTotals>,
    /// The first file_id's type (4 = activity).
    file_type: Option<i64>,
    stop: Option<Stop>,
    problems: Vec<String>,
}

impl FitDecoder {
    fn new() -> FitDecoder {
        FitDecoder {
            parser: FitStreamProcessor::new(),
            guard: Guard::new(),
            last_timestamp: None,
            samples: Samples::new(),
            records: 0,
            records_without_time: 0,
            laps: Vec::new(),
            laps_dropped: 0,
            sessions: Vec::new(),
            file_type: None,
            stop: None,
            problems: Vec::new(),
        }
    }

    /// Reads object after object (header, definition, data, checksum) until
    /// the bytes end or something cannot be read. Every step consumes at
    /// least one byte, so this ends.
    fn run(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        loop {
            let checked = if rest.is_empty() {
                self.guard.at_end()
            } else {
                self.guard.check(rest)
            };
            if let Err(refusal) = checked {
                self.stop = Some(match refusal {
                    Refusal::CutOff => Stop::CutOff,
                    // Zeros after the end are padding, not a problem.
                    Refusal::NotAHeader if rest.iter().all(|&b| b == 0) => return,
                    Refusal::NotAHeader => Stop::Trailing(rest.len()),
                    Refusal::CrcCutOff => Stop::NoCrc,
                    Refusal::DeveloperFieldSize => Stop::Damaged(
                        "a developer field's size does not match its type".to_string(),
                    ),
                    Refusal::MalformedDefinitions => {
                        Stop::Damaged("many field sizes do not match their types".to_string())
                    }
                });
                return;
            }
            if rest.is_empty() {
                return;
            }
            let (left, object) = match self.parser.deserialize_next(rest) {
                Ok((left, object)) => (left.len(), object),
                Err(e) => match *e {
                    ErrorKind::InvalidCrc((left, object, _, _)) => {
                        // Said once; then checked no more: each of these
                        // errors carries a copy of the rest of the input,
                        // which a chain of many small files with bad
                        // checksums would make quadratic.
                        let (note, option) = match object {
                            FitObject::Header(_) => (
                                "bad checksum in the file header: the file may be damaged",
                                DecodeOption::SkipHeaderCrcValidation,
                            ),
                            _ => (
                                "bad checksum at the end: the data may be damaged",
                                DecodeOption::SkipDataCrcValidation,
                            ),
                        };
                        self.problems.push(note.to_string());
                        self.parser.add_option(option);
                        (left.len(), object)
                    }
                    other => {
                        self.stop = Some(stop_for(&other));
                        return;
                    }
                },
            };
            let consumed = &rest[..rest.len() - left];
            rest = &rest[rest.len() - left..];
            match object {
                FitObject::Header(h) => self.guard.header(consumed, &h),
                FitObject::DefinitionMessage(def) => self.guard.definition(consumed, &def),
                FitObject::DataMessage(msg) => {
                    self.guard.other(consumed);
                    self.message(msg);
                }
                FitObject::Crc(_) => {
                    self.guard.other(consumed);
                    // The next file of a chain starts afresh.
                    self.parser.reset();
                    self.guard.reset();
                    self.last_timestamp = None;
                }
            }
        }
    }

    fn message(&mut self, msg: FitDataMessage) {
        if msg.global_message_number() == messages::RECORD {
            let (timestamp, values) = messages::record(msg.fields());
            let timestamp = self.timestamp(timestamp, msg.time_offset());
            self.records += 1;
            match timestamp {
                Some(t) => self.samples.push(messages::unix_s(t), &values),
                None => self.records_without_time += 1,
            }
            return;
        }
        let timestamp = msg
            .fields()
            .get(&messages::TIMESTAMP)
            .and_then(messages::int);
        self.timestamp(timestamp, msg.time_offset());
        match msg.global_message_number() {
            messages::LAP if self.laps.len() < MAX_LAPS => {
                self.laps.push(messages::lap(msg.fields()));
            }
            messages::LAP => self.laps_dropped += 1,
            // The first is the activity's session; the others only get a
            // mention (bounded like laps).
            messages::SESSION if self.sessions.len() < MAX_LAPS => {
                self.sessions.push(messages::session(msg.fields()));
            }
            messages::FILE_ID if self.file_type.is_none() => {
                self.file_type = msg
                    .fields()
                    .get(&messages::FILE_ID_TYPE)
                    .and_then(messages::int);
            }
            messages::FIELD_DESCRIPTION => self.describe(msg),
            _ => {}
        }
    }

    /// A message's time in FIT seconds: its timestamp field, or else the
    /// compressed timestamp header's 5-bit offset from the last full
    /// timestamp of any message (FIT protocol: an offset smaller than the
    /// base's low 5 bits has rolled over).
    fn timestamp(&mut self, field: Option<i64>, offset: Option<u8>) -> Option<u32> {
        if let Some(t) = field.and_then(|t| u32::try_from(t).ok()) {
            self.last_timestamp = Some(t);
            return Some(t);
        }
        let offset = u32::from(offset?);
        let base = self.last_timestamp?;
        let mut t = u64::from(base & !0x1F) + u64::from(offset);
        if offset < base & 0x1F {
            t += 0x20;
        }
        let t = u32::try_from(t).ok()?;
        self.last_timestamp = Some(t);
        Some(t)
    }

    /// A developer field description: fitparser must learn it (it sizes the
    /// developer fields of later messages by it), and so must the guard.
    fn describe(&mut self, mut msg: FitDataMessage) {
        // Nothing but the description itself goes to the profile layer: a
        // timestamp there could overflow chrono in fitparser's timestamp
        // arithmetic, and developer fields inside a description are not
        // something we need.
        msg.fields_mut().remove(&messages::TIMESTAMP);
        msg.developer_fields.clear();
        let Ok(record) = self.parser.decode_message(msg) else {
            return; // not registered by fitparser either
        };
        let (mut index, mut number, mut base) = (None, None, None);
        for field in record.fields() {
            match (field.name(), field.value()) {
                ("developer_data_index", Value::UInt8(v)) => index = Some(*v),
                ("field_definition_number", Value::UInt8(v)) => number = Some(*v),
                ("fit_base_type_id", Value::String(v)) => base = Some(v.as_str()),
                _ => {}
            }
        }
        if let (Some(index), Some(number), Some(base)) = (index, number, base) {
            self.guard.described(index, number, base);
        }
    }

    fn finish(mut self) -> Result<Activity, DecodeError> {
        if self.samples.is_empty() {
            return Err(self.why_empty());
        }
        let mut problems = Vec::new();
        if let Some(stop) = &self.stop {
            problems.push(self.stop_note(stop));
        }
        problems.append(&mut self.problems);
        if self.records_without_time > 0 {
            problems.push(samples::left_out(
                self.records_without_time,
                "record",
                "without a time",
            ));
        }
        problems.extend(samples::laps_dropped(self.laps_dropped));
        let first = self.samples.first_unix_s().unwrap_or(0) as f64;
        let laps = self
            .laps
            .into_iter()
            .map(|(start, mut lap)| {
                lap.start_s = start.map_or(0.0, |s| s as f64 - first);
                lap
            })
            .collect();
        let mut sessions = self.sessions.into_iter();
        let session = sessions.next();
        let others: Vec<SessionTotals> = sessions.collect();
        if let (Some(first), false) = (&session, others.is_empty()) {
            const LISTED: usize = 5;
            let mut listed: Vec<String> = others.iter().take(LISTED).map(session_words).collect();
            if others.len() > LISTED {
                listed.push(format!("{} more", others.len() - LISTED));
            }
            problems.push(format!(
                "the file holds {} sessions (a multisport activity); the totals are the first's \
                 ({}); the others: {}",
                others.len() + 1,
                session_words(first),
                listed.join("; ")
            ));
        }
        let start_utc = self.samples.start_utc();
        let streams = self.samples.finish(&mut problems);
        Ok(Activity {
            format: FileFormat::Fit,
            start_utc,
            streams,
            laps,
            session,
            problems,
        })
    }

    /// The error for a file that yielded no sample.
    fn why_empty(&self) -> DecodeError {
        let format = FileFormat::Fit;
        match &self.stop {
            Some(Stop::CutOff) if self.records == 0 => {
                return DecodeError::Unreadable {
                    format,
                    reason: "it is cut off before its first record".to_string(),
                };
            }
            Some(Stop::Damaged(what)) if self.records == 0 => {
                return DecodeError::Unreadable {
                    format,
                    reason: format!("it is damaged before its first record ({what})"),
                };
            }
            Some(Stop::Trailing(_)) if self.records == 0 => {
                return DecodeError::Unreadable {
                    format,
                    reason: "the data length in its header does not match the file".to_string(),
                };
            }
            _ => {}
        }
        let why = match self.records_without_time {
            0 => self
                .file_type
                .filter(|&t| t != messages::FILE_TYPE_ACTIVITY)
                .map(|t| {
                    format!(
                        "it is a {} file, not an activity",
                        messages::file_type_word(t)
                    )
                }),
            1 => Some("its one record does not say when it was recorded".to_string()),
            n => Some(format!(
                "its {n} records do not say when they were recorded"
            )),
        };
        DecodeError::NoRecords { format, why }
    }

    fn stop_note(&self, stop: &Stop) -> String {
        let at = self.samples.progress();
        match stop {
            Stop::CutOff => format!("the file is cut off {at}; the rest could not be read"),
            Stop::Damaged(what) => {
                format!("the file is damaged {at} ({what}); the rest could not be read")
            }
            Stop::Trailing(n) => {
                format!("{n} bytes after the end of the FIT data could not be read")
            }
            Stop::NoCrc => "the file ends without its final checksum".to_string(),
        }
    }
}

/// A stop in words, from fitparser's error.
fn stop_for(e: &ErrorKind) -> Stop {
    match e {
        ErrorKind::UnexpectedEof(_) => Stop::CutOff,
        ErrorKind::MissingDefinitionMessage(local, at) => Stop::Damaged(format!(
            "a message at byte {at} uses local message type {local}, which was never defined"
        )),
        ErrorKind::ParseError(at, _) => Stop::Damaged(format!("unreadable data at byte {at}")),
        other => Stop::Damaged(other.to_string()),
    }
}

/// "cycling, 1 h 2 min" for the multisport note.
fn session_words(s: &SessionTotals) -> String {
    let sport = s.sport.as_deref().unwrap_or("unknown sport");
    match s.timer_s.or(s.elapsed_s) {
        Some(t) if t.is_finite() && t >= 0.0 => {
            format!(
                "{sport}, {}",
                samples::human_duration(t.min(f64::from(u32::MAX)) as u32)
            )
        }
        _ => sport.to_string(),
    }
}
