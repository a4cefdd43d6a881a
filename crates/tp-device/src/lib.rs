//! Device files decoded: FIT, TCX and GPX → [`tp_model::Activity`].
//!
//! The athlete's watch or bike computer writes a file; [`decode`] turns its
//! bytes into second-by-second [`Streams`](tp_model::Streams) in native
//! integer units (W, bpm, rpm, mm/s, cm, cm, °C), the device's laps and
//! its own session totals. What could not be read is said in words in
//! [`Activity::problems`]: a file cut off after two hours still gives
//! those two hours.
//!
//! # Modules
//!
//! - `fit` — FIT files through fitparser's stream parser, with
//!   `fit/messages.rs` (the fields we read, by number, with their scales)
//!   and `fit/guard.rs` (checks that keep hostile bytes away from the
//!   arithmetic in fitparser that would panic).
//! - `tcx`, `gpx` — Garmin Training Center XML and GPS Exchange Format,
//!   read with quick-xml's streaming reader (no serde, no DOM), sharing
//!   `xml` (element names without namespace prefixes, times, numbers).
//! - `samples` — what all formats share: one time base, the
//!   [`MAX_SAMPLES`] bound, native units, the wording of problems.
//! - [`error`] — [`DecodeError`], for files that yield nothing.
//! - `fuzzing` (hidden) — the invariants the fuzzer and the proptests check.
//!
//! # What this crate does not do
//!
//! No IO (bytes in, values out), no decompression (the HTTP client
//! unpacks `.gz` first; a gzip file here is reported as such), no
//! analytics (power curves, TSS and the like are `tp-fitness`'s job: the
//! session totals are the device's own numbers, kept for comparison), no
//! position data (latitude and longitude are not read).
//!
//! # Time base
//!
//! `time_s` is seconds since the first sample. Samples in the same second
//! merge; samples going back in time are dropped and counted in a problem
//! note; pauses are jumps in `time_s`, never filled in. Sub-second times
//! (TCX, GPX) are rounded to the second. Times with an offset are UTC.
//!
//! # Bounds
//!
//! Any byte string gives `Ok` or `Err`, never a panic. At most
//! [`MAX_SAMPLES`] samples and [`MAX_LAPS`] laps are kept, with a problem
//! note beyond, so a hostile file cannot exhaust memory; XML may nest 64
//! elements deep. Every parsing step consumes input, so none loops
//! forever, and the work is linear in the input (fitparser's checksum
//! errors, which copy the rest of the input, are taken once).
//!
//! # Why fitparser, and which of its layers
//!
//! [fitparser](https://docs.rs/fitparser) is maintained, the most used
//! Rust FIT reader, and handles what makes FIT fiddly: definition
//! messages, either byte order, compressed timestamp headers, developer
//! fields, chained files, checksums. Its `FitStreamProcessor` hands out one
//! message at a time, so a damaged file keeps everything before the
//! damage.
//!
//! It offers two layers. We measured both on a 4-hour, 1 Hz ride (14 400
//! records with power, heart rate, cadence, speed, distance, altitude and
//! temperature, 365 KB; `tests/speed.rs`, best of 20 on a 2-core AMD EPYC
//! machine), next to fitparser's parser alone, which both layers pay:
//!
//! | build | profile layer: `decode_message` | raw layer: `FitDataMessage::fields()` | parser alone |
//! |---|---|---|---|
//! | debug, nothing optimized | 222 ms | **149 ms** | 125 ms |
//! | debug, as the workspace builds it (fitparser, nom, tp-device at `opt-level = 3`) | 42 ms | **26 ms** | 13 ms |
//! | release, as the workspace builds it (`opt-level = "z"`) | 51 ms | **25 ms** | 21 ms |
//! | release, fitparser and tp-device at `opt-level = "s"` | 39 ms | **17 ms** | 13 ms |
//! | release, fitparser and tp-device at `opt-level = 3` | 32 ms | **14.5 ms** | 12 ms |
//!
//! We use the raw layer: half the time of the profile layer, which builds
//! a named, converted field (two `String`s each) for every field of every
//! message, the dozens we never read included. It also keeps hostile input
//! away from the profile layer's arithmetic (accumulated fields and
//! timestamps can overflow there). The price is a small table of field
//! numbers and scales (`fit/messages.rs`, checked against fitparser's
//! generated profile) and resolving compressed timestamps ourselves (a
//! dozen lines). The profile layer still reads developer field
//! descriptions, which the parser needs to size developer fields.
//!
//! Most of the time is fitparser's parser itself (a `HashMap` and a `Vec`
//! per message and field); the 20 ms target needs fitparser compiled for
//! speed, which costs binary size (a probe binary that only decodes: 1.23
//! MB at `"z"`, 1.71 MB at `"s"`, 2.08 MB at `3`), since fitparser's whole
//! generated profile is linked in either way.

pub mod error;
mod fit;
#[doc(hidden)]
pub mod fuzzing;
mod gpx;
mod samples;
mod tcx;
mod xml;

pub use error::DecodeError;
use tp_model::{Activity, FileFormat};

/// The most samples one file may give: 8 days at one a second. Samples
/// beyond are left out, with a problem note.
pub const MAX_SAMPLES: usize = 8 * 24 * 3600;

/// The most laps one file may give; more are left out, with a problem note.
pub const MAX_LAPS: usize = 10_000;

/// How far into a text file we look for its root element.
const XML_SNIFF_BYTES: usize = 64 * 1024;

/// Decodes a device file. `file_name` is only a hint (the format is
/// recognised by content); it may end in `.gz` although the bytes are
/// already decompressed.
pub fn decode(bytes: &[u8], file_name: Option<&str>) -> Result<Activity, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    match detect_format(bytes, file_name) {
        Some(FileFormat::Fit) => fit::decode(bytes),
        Some(FileFormat::Tcx) => tcx::decode(bytes),
        Some(FileFormat::Gpx) => gpx::decode(bytes),
        None => Err(DecodeError::UnknownFormat {
            start: error::describe_start(bytes),
            named: name_hint(file_name),
        }),
    }
}

/// The format of a device file, by content: a FIT header (size byte 12 or
/// 14, `.FIT` at bytes 8..12), or an XML document whose root element is
/// `TrainingCenterDatabase` or `gpx`. When the content is XML but its root
/// lies beyond what we look at, a `.tcx`/`.gpx` file name decides.
pub fn detect_format(bytes: &[u8], file_name: Option<&str>) -> Option<FileFormat> {
    if bytes.len() >= 12 && matches!(bytes[0], 12 | 14) && &bytes[8..12] == b".FIT" {
        return Some(FileFormat::Fit);
    }
    let text = xml::skip_bom_and_space(bytes);
    if !text.starts_with(b"<") {
        return None;
    }
    match xml::root_local_name(&text[..text.len().min(XML_SNIFF_BYTES)]) {
        Some(b"TrainingCenterDatabase") => Some(FileFormat::Tcx),
        Some(b"gpx") => Some(FileFormat::Gpx),
        Some(_) => None,
        None => name_hint(file_name).filter(|f| *f != FileFormat::Fit),
    }
}

/// The format a file name suggests (`ride.fit.gz` → FIT).
fn name_hint(file_name: Option<&str>) -> Option<FileFormat> {
    let name = file_name?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let (_, ext) = name.rsplit_once('.')?;
    FileFormat::from_key(ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Content decides the format; the name only breaks a tie for XML whose
    // root we could not see.
    #[test]
    fn formats_are_detected_by_content() {
        let fit = [14, 0x20, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T', 0, 0];
        assert_eq!(detect_format(&fit, Some("x.gpx")), Some(FileFormat::Fit));
        let tcx = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n\
                    <TrainingCenterDatabase xmlns=\"x\">";
        assert_eq!(detect_format(tcx, None), Some(FileFormat::Tcx));
        assert_eq!(
            detect_format(b"  <gpx:gpx version=\"1.1\">", None),
            Some(FileFormat::Gpx)
        );
        assert_eq!(detect_format(b"<kml>", Some("a.gpx")), None);
        assert_eq!(
            detect_format(b"<?xml version='1.0'?>", Some("a.GPX.gz")),
            Some(FileFormat::Gpx)
        );
        assert_eq!(detect_format(b"<?xml version='1.0'?>", Some("a.fit")), None);
        assert_eq!(detect_format(b"hello", Some("a.fit")), None);
    }

    // What a user sees for files that are not device files at all.
    #[test]
    fn unknown_files_are_described() {
        assert!(matches!(decode(b"", None), Err(DecodeError::Empty)));
        let e = decode(b"{\"error\":\"Unauthorized\"}", Some("ride.fit.gz")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a FIT, TCX or GPX file, although its name ends in .fit \
             (it starts with \"{\"error\":\"Unauth…\")"
        );
    }
}
