//! Why a file could not be decoded at all, in words the user can act on.
//!
//! A file that decodes in part is not an error: it is an [`Activity`] with
//! [`Activity::problems`] saying what was lost. These errors are for files
//! that yield nothing.
//!
//! [`Activity`]: tp_model::Activity
//! [`Activity::problems`]: tp_model::Activity::problems

use tp_model::FileFormat;

/// A device file that yields no activity.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,

    /// Neither a FIT header nor a TCX/GPX root element.
    #[error(
        "not a FIT, TCX or GPX file{} (it starts with {start})",
        named_as(*.named)
    )]
    UnknownFormat {
        /// The first bytes, shown as text or hex (see [`describe_start`]).
        start: String,
        /// What the file's name suggested, if anything.
        named: Option<FileFormat>,
    },

    /// The file was recognised but nothing in it could be read, e.g. it is
    /// cut off inside its header or damaged before the first record.
    #[error("the {} file could not be read: {reason}", .format.name())]
    Unreadable { format: FileFormat, reason: String },

    /// The file reads fine but holds no sample with a time: a workout or
    /// settings file, a track without timestamps, an empty activity.
    #[error("the {} file holds no records{}", .format.name(), because(.why))]
    NoRecords {
        format: FileFormat,
        /// Why, when we can tell ("it is a workout file, not an activity").
        why: Option<String>,
    },
}

fn named_as(named: Option<FileFormat>) -> String {
    match named {
        Some(f) => format!(", although its name ends in .{}", f.key()),
        None => String::new(),
    }
}

fn because(why: &Option<String>) -> String {
    why.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
}

/// The first bytes of a file, for an error message: printable text is
/// quoted, anything else shown in hex, with the well-known containers named.
pub fn describe_start(bytes: &[u8]) -> String {
    const SHOWN: usize = 16;
    let head = &bytes[..bytes.len().min(SHOWN)];
    let more = if bytes.len() > SHOWN { "…" } else { "" };
    let what = if bytes.starts_with(&[0x1f, 0x8b]) {
        ", gzip-compressed data that must be decompressed first"
    } else if bytes.starts_with(b"PK\x03\x04") {
        ", a ZIP archive"
    } else {
        ""
    };
    let printable = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    if what.is_empty() && head.iter().filter(|b| printable(b)).count() * 4 >= head.len() * 3 {
        let text: String = head
            .iter()
            .map(|&b| if printable(&b) { b as char } else { '.' })
            .collect();
        format!("\"{text}{more}\"")
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}{more}{what}", hex.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The messages say what is wrong with the file, in words.
    #[test]
    fn messages_read_as_sentences() {
        let e = DecodeError::UnknownFormat {
            start: describe_start(b"<!DOCTYPE html><html>"),
            named: Some(FileFormat::Fit),
        };
        assert_eq!(
            e.to_string(),
            "not a FIT, TCX or GPX file, although its name ends in .fit \
             (it starts with \"<!DOCTYPE html><…\")"
        );
        let e = DecodeError::NoRecords {
            format: FileFormat::Fit,
            why: Some("it is a workout file, not an activity".into()),
        };
        assert_eq!(
            e.to_string(),
            "the FIT file holds no records: it is a workout file, not an activity"
        );
        assert_eq!(
            describe_start(&[0x1f, 0x8b, 8, 0]),
            "1f 8b 08 00, gzip-compressed data that must be decompressed first"
        );
        assert_eq!(describe_start(&[0, 1, 2]), "00 01 02");
    }
}
