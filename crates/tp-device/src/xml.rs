//! What TCX and GPX share: recognising the root element, a quick-xml
//! reader over the text, element names without their namespace prefix
//! (`gpxtpx:hr`, `ns3:hr` and `hr` are one element), times and numbers.

use crate::error::DecodeError;
use crate::samples::Samples;
use chrono::{DateTime, NaiveDateTime};
use quick_xml::Reader;
use quick_xml::errors::SyntaxError;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use tp_model::FileFormat;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bytes after a UTF-8 byte order mark and leading whitespace.
pub(crate) fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The local name of the first element, skipping the XML declaration,
/// processing instructions, comments and a DOCTYPE. `None` when `bytes`
/// end before it.
pub(crate) fn root_local_name(bytes: &[u8]) -> Option<&[u8]> {
    let mut rest = bytes;
    loop {
        let lt = rest.iter().position(|&b| b == b'<')?;
        rest = &rest[lt + 1..];
        if rest.starts_with(b"?") {
            rest = after(rest, b"?>")?;
        } else if rest.starts_with(b"!--") {
            rest = after(rest, b"-->")?;
        } else if rest.starts_with(b"!") {
            rest = after(rest, b">")?;
        } else {
            let end = rest
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')?;
            let name = &rest[..end];
            let local = match name.iter().rposition(|&b| b == b':') {
                Some(colon) => &name[colon + 1..],
                None => name,
            };
            return Some(local);
        }
    }
}

/// The bytes after the first `needle`.
fn after<'a>(hay: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    let at = hay.windows(needle.len()).position(|w| w == needle)?;
    Some(&hay[at + needle.len()..])
}

/// The file as text: UTF-8 (anything else replaced, which only matters
/// inside names and values we do not read), without a byte order mark.
pub(crate) fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes.strip_prefix(BOM).unwrap_or(bytes))
}

/// What a format does with the elements of a document.
pub(crate) trait Handler {
    /// The elements this format cares about (and one for all others).
    type Tag: Copy;
    fn tag(&self, local_name: &str) -> Self::Tag;
    /// An element opens; `open` holds the elements around it, outermost
    /// first, the new one last.
    fn open(&mut self, element: &BytesStart<'_>, open: &[Self::Tag]);
    /// Text inside the innermost open element (`open.last()`).
    fn text(&mut self, text: &str, open: &[Self::Tag]);
    /// An element closes; `open` still ends with it.
    fn close(&mut self, open: &[Self::Tag]);
}

/// How reading a document ended.
#[derive(Debug, PartialEq)]
pub(crate) enum Ending {
    /// Every element opened was closed.
    Complete,
    /// The text ends inside an element.
    CutOff,
    /// Not well-formed XML at this byte.
    Malformed { at: u64, what: String },
}

/// How deep elements may nest. TCX and GPX need about ten levels; the
/// bound keeps the handlers' look at the open elements cheap.
const MAX_DEPTH: usize = 64;

/// Reads `text` element by element into `handler`, stopping at the first
/// error or at elements nested deeper than [`MAX_DEPTH`].
pub(crate) fn walk<H: Handler>(text: &str, handler: &mut H) -> Ending {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(true);
    config.expand_empty_elements = true;
    let mut open: Vec<H::Tag> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) if open.len() >= MAX_DEPTH => {
                return Ending::Malformed {
                    at: reader.buffer_position(),
                    what: format!("elements nested more than {MAX_DEPTH} deep"),
                };
            }
            Ok(Event::Start(e)) => {
                open.push(handler.tag(local_name(&e)));
                handler.open(&e, &open);
            }
            Ok(Event::End(_)) => {
                if !open.is_empty() {
                    handler.close(&open);
                    open.pop();
                }
            }
            Ok(Event::Text(t)) if !open.is_empty() => handler.text(&t.xml10_content(), &open),
            Ok(Event::CData(t)) if !open.is_empty() => handler.text(&t.into_inner(), &open),
            Ok(Event::Eof) if open.is_empty() => return Ending::Complete,
            Ok(Event::Eof) => return Ending::CutOff,
            Ok(_) => {}
            Err(e) if cut_off_inside_markup(&e, text, reader.error_position()) => {
                return Ending::CutOff;
            }
            Err(e) => {
                return Ending::Malformed {
                    at: reader.error_position(),
                    what: e.to_string(),
                };
            }
        }
    }
}

/// Whether `e` means the text ends in the middle of a tag, comment,
/// declaration or CDATA section (quick-xml's "unclosed …" errors; a `<!`
/// that could still become `<!--`, `<![CDATA[` or `<!DOCTYPE`).
fn cut_off_inside_markup(e: &quick_xml::Error, text: &str, at: u64) -> bool {
    match e {
        quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup) => {
            let rest = usize::try_from(at)
                .ok()
                .and_then(|at| text.get(at..))
                .unwrap_or("");
            ["<!--", "<![CDATA[", "<!DOCTYPE"]
                .iter()
                .any(|m| m.starts_with(rest))
        }
        quick_xml::Error::Syntax(_) => true,
        _ => false,
    }
}

/// What went wrong while reading, in words: `Ok(None)` when nothing did,
/// `Ok(Some(note))` for a problem note when samples were read before it,
/// `Err` when nothing was.
pub(crate) fn ending_note(
    ending: &Ending,
    samples: &Samples,
    format: FileFormat,
) -> Result<Option<String>, DecodeError> {
    let at = samples.progress();
    let (note, reason) = match ending {
        Ending::Complete => return Ok(None),
        Ending::CutOff => (
            format!("the file is cut off {at}; the rest could not be read"),
            "it is cut off before its first record".to_string(),
        ),
        Ending::Malformed { at: byte, what } => (
            format!(
                "the file is damaged {at} (malformed XML at byte {byte}: {what}); \
                 the rest could not be read"
            ),
            format!("malformed XML at byte {byte}: {what}"),
        ),
    };
    if samples.is_empty() {
        Err(DecodeError::Unreadable { format, reason })
    } else {
        Ok(Some(note))
    }
}

/// An element's name without its namespace prefix.
pub(crate) fn local_name<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.local_name().into_inner()
}

/// An attribute's raw value, by local name.
pub(crate) fn attribute<'a>(e: &'a BytesStart<'_>, local: &str) -> Option<Cow<'a, str>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == local)
        .map(|a| a.value)
}

/// An XML Schema `dateTime` as UTC seconds and nanoseconds since the Unix
/// epoch: `2024-06-01T07:00:00Z`, `…+02:00`, fractions of a second; no
/// offset means UTC.
pub(crate) fn parse_time(s: &str) -> Option<(i64, u32)> {
    let s = s.trim();
    let utc = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.naive_utc(),
        Err(_) => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()?,
    };
    let t = utc.and_utc();
    Some((t.timestamp(), t.timestamp_subsec_nanos()))
}

/// A time rounded to the nearest second (half a second rounds up).
pub(crate) fn round_to_second((s, nanos): (i64, u32)) -> i64 {
    if nanos >= 500_000_000 {
        s.saturating_add(1)
    } else {
        s
    }
}

/// A time in seconds with its fraction.
pub(crate) fn seconds_f64((s, nanos): (i64, u32)) -> f64 {
    s as f64 + f64::from(nanos) / 1e9
}

/// A decimal number; `None` for anything else, infinities and NaN included.
pub(crate) fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The root element is found behind declarations and comments, with or
    // without a prefix.
    #[test]
    fn root_names_are_found() {
        assert_eq!(
            root_local_name(b"<?xml version=\"1.0\"?><!-- x --><!DOCTYPE gpx><gpx a='1'>"),
            Some(&b"gpx"[..])
        );
        assert_eq!(
            root_local_name(b"<t:TrainingCenterDatabase>"),
            Some(&b"TrainingCenterDatabase"[..])
        );
        assert_eq!(root_local_name(b"<?xml version=\"1.0\"?>"), None);
        assert_eq!(root_local_name(b"<!-- never closed"), None);
    }

    // Offsets are converted to UTC; no offset means UTC; fractions round.
    #[test]
    fn times_become_utc() {
        let z = parse_time("2024-06-01T07:00:00Z").unwrap();
        assert_eq!(z, (1_717_225_200, 0));
        assert_eq!(parse_time("2024-06-01T09:00:00+02:00"), Some(z));
        assert_eq!(parse_time("2024-06-01T07:00:00"), Some(z));
        let half = parse_time("2024-06-01T07:00:00.5Z").unwrap();
        assert_eq!(round_to_second(half), 1_717_225_201);
        assert_eq!(
            round_to_second(parse_time("2024-06-01T07:00:00.499Z").unwrap()),
            1_717_225_200
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(number(" 12.5 "), Some(12.5));
        assert_eq!(number("NaN"), None);
    }
}
