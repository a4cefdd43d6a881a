//! Checks made before each step of fitparser's stream parser, so that no
//! byte string can make it panic.
//!
//! fitparser 0.11 parses well-formed files correctly, but two kinds of
//! malformed input reach arithmetic that panics (with debug assertions,
//! which the fuzzer enables) or slices out of bounds:
//!
//! * a file header whose size byte is not 12 or 14, or that is shorter than
//!   it claims (an unchecked `header_size - 2`, a slice past the end, an
//!   underflow computing the bytes "needed");
//! * a developer field whose size is not a multiple of its base type's size
//!   (a `u8` byte counter overflows, the bytes "needed" underflow).
//!
//! A third, field definitions whose size does not fit their type, is read
//! (as bytes) but printed to stderr, once per field: we let a few through.
//!
//! To catch these we mirror the few parts of the parser's state they
//! depend on: where the current file's data ends (so we know when a header
//! or the final checksum comes next), the developer fields each local
//! message declares, and the base type of each developer field described
//! so far. The guard also tells where the bytes ended: after a complete
//! file, or inside one.

use fitparser::de::{FitDefinitionMessage, FitFileHeader};
use fitparser::profile::field_types::FitBaseType;
use std::collections::HashMap;

/// What the parser will read next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Header,
    Message,
    Crc,
}

/// Why we stopped before handing the bytes to the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A file header that cannot be one: at the start, or where a chained
    /// file would begin (then these are stray bytes after the data).
    NotAHeader,
    /// A header, or the data after it, cut short.
    CutOff,
    /// Fewer than the two bytes of the final checksum are left.
    CrcCutOff,
    /// A developer field whose size is not a multiple of its type's size.
    DeveloperFieldSize,
    /// Too many fields whose size is not a multiple of their type's size.
    /// fitparser reads each such field as bytes (as the FIT SDK does), but
    /// prints a line to stderr for each: a hostile file could fill the log.
    MalformedDefinitions,
}

/// How many mismatched field definitions we let fitparser see (and print).
const MAX_MALFORMED_FIELDS: usize = 8;

/// A developer field as a definition message declares it.
#[derive(Debug, Clone, Copy)]
struct DevField {
    number: u8,
    size: u8,
    developer_index: u8,
}

#[derive(Debug, Default)]
pub struct Guard {
    /// Bytes consumed so far (the parser's `position`).
    position: usize,
    /// Where the current file's data ends (the parser's `end_of_messages`).
    end_of_messages: usize,
    /// Developer fields declared per local message number (0–15).
    local: [Vec<DevField>; 16],
    /// Base type size of each described developer field, by (developer
    /// data index, field number): what the parser will read it as.
    described: HashMap<(u8, u8), usize>,
    /// Field definitions seen so far whose size does not fit their type.
    malformed_fields: usize,
}

impl Guard {
    pub fn new() -> Guard {
        Guard::default()
    }

    /// The parser's own rule (`Deserializer::deserialize_next`).
    fn next(&self) -> Next {
        if self.position > 0 && self.position == self.end_of_messages {
            Next::Crc
        } else if self.position == 0 || self.position > self.end_of_messages {
            Next::Header
        } else {
            Next::Message
        }
    }

    /// Where the bytes ended: after a file's checksum (complete), right
    /// before it, or inside the data.
    pub fn at_end(&self) -> Result<(), Refusal> {
        match self.next() {
            Next::Header => Ok(()),
            Next::Crc => Err(Refusal::CrcCutOff),
            Next::Message => Err(Refusal::CutOff),
        }
    }

    /// Whether the parser may be given `rest` (the unread bytes, not empty).
    pub fn check(&self, rest: &[u8]) -> Result<(), Refusal> {
        match self.next() {
            Next::Header => check_header(rest),
            Next::Crc if rest.len() < 2 => Err(Refusal::CrcCutOff),
            Next::Crc => Ok(()),
            Next::Message => self.check_message(rest),
        }
    }

    fn check_message(&self, rest: &[u8]) -> Result<(), Refusal> {
        let Some(&header) = rest.first() else {
            return Ok(());
        };
        let local = if header & 0x80 != 0 {
            (header >> 5) & 0x03 // compressed timestamp header
        } else if header & 0x40 != 0 {
            // A definition (read when the parser is done with it).
            return if self.malformed_fields >= MAX_MALFORMED_FIELDS {
                Err(Refusal::MalformedDefinitions)
            } else {
                Ok(())
            };
        } else {
            header & 0x0F
        };
        for f in &self.local[usize::from(local)] {
            if let Some(&size) = self.described.get(&(f.developer_index, f.number))
                && usize::from(f.size) % size != 0
            {
                return Err(Refusal::DeveloperFieldSize);
            }
        }
        Ok(())
    }

    /// The parser read `bytes` as a header.
    pub fn header(&mut self, bytes: &[u8], header: &FitFileHeader) {
        self.end_of_messages =
            self.position + usize::from(header.header_size()) + header.data_size() as usize;
        self.position += bytes.len();
    }

    /// The parser read `bytes` as a definition message.
    pub fn definition(&mut self, bytes: &[u8], def: &FitDefinitionMessage) {
        self.position += bytes.len();
        self.local[usize::from(def.local_message_number() & 0x0F)] = dev_fields(bytes);
        self.malformed_fields += malformed_fields(bytes);
    }

    /// The parser read `bytes` as a data message or the final checksum.
    pub fn other(&mut self, bytes: &[u8]) {
        self.position += bytes.len();
    }

    /// A new file of a chain begins: the parser forgets its definitions and
    /// developer field descriptions (`FitStreamProcessor::reset`).
    pub fn reset(&mut self) {
        self.local = Default::default();
        self.described.clear();
    }

    /// fitparser registered a developer field description; `base_type` is
    /// its `fit_base_type_id` as the profile names it (`uint16`).
    pub fn described(&mut self, developer_index: u8, number: u8, base_type: &str) {
        self.described.insert(
            (developer_index, number),
            base_size(FitBaseType::from(base_type)),
        );
    }
}

fn check_header(rest: &[u8]) -> Result<(), Refusal> {
    let size = usize::from(*rest.first().unwrap_or(&0));
    if rest.len() < 12 {
        // Too short to show ".FIT": a header cut off if what is there
        // could start one, stray bytes otherwise.
        return if matches!(size, 12 | 14) {
            Err(Refusal::CutOff)
        } else {
            Err(Refusal::NotAHeader)
        };
    }
    if !matches!(size, 12 | 14) || &rest[8..12] != b".FIT" {
        return Err(Refusal::NotAHeader);
    }
    if rest.len() < size {
        return Err(Refusal::CutOff);
    }
    Ok(())
}

/// The developer field definitions at the end of a definition message's
/// bytes: header, reserved, architecture, global number (2), field count,
/// 3 bytes per field, then (if the header says so) a count and 3 bytes per
/// developer field.
fn dev_fields(bytes: &[u8]) -> Vec<DevField> {
    let header = bytes.first().copied().unwrap_or(0);
    if header & 0x20 == 0 {
        return Vec::new();
    }
    let fields = usize::from(bytes.get(5).copied().unwrap_or(0));
    let at = 6 + 3 * fields;
    let count = usize::from(bytes.get(at).copied().unwrap_or(0));
    bytes
        .get(at + 1..)
        .unwrap_or(&[])
        .chunks_exact(3)
        .take(count)
        .map(|c| DevField {
            number: c[0],
            size: c[1],
            developer_index: c[2],
        })
        .collect()
}

/// How many of a definition message's fields have a size that is not a
/// multiple of their base type's (fitparser's check in `field_definition`).
fn malformed_fields(bytes: &[u8]) -> usize {
    let fields = usize::from(bytes.get(5).copied().unwrap_or(0));
    bytes
        .get(6..)
        .unwrap_or(&[])
        .chunks_exact(3)
        .take(fields)
        .filter(|f| usize::from(f[1]) % base_size(FitBaseType::from(f[2] & 0x9F)) != 0)
        .count()
}

/// The size the parser reads one value of this base type with
/// (fitparser's private `FitBaseType::size`: unknown types read as bytes).
fn base_size(base: FitBaseType) -> usize {
    match base {
        FitBaseType::Sint16 | FitBaseType::Uint16 | FitBaseType::Uint16z => 2,
        FitBaseType::Sint32 | FitBaseType::Uint32 | FitBaseType::Uint32z | FitBaseType::Float32 => {
            4
        }
        FitBaseType::Sint64 | FitBaseType::Uint64 | FitBaseType::Uint64z | FitBaseType::Float64 => {
            8
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Headers that would make the parser panic are refused before it sees
    // them.
    #[test]
    fn impossible_headers_are_refused() {
        let mut h = [14u8, 0x20, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T', 0, 0];
        assert_eq!(check_header(&h), Ok(()));
        assert_eq!(check_header(&h[..13]), Err(Refusal::CutOff));
        assert_eq!(check_header(&h[..5]), Err(Refusal::CutOff));
        h[0] = 200;
        assert_eq!(check_header(&h), Err(Refusal::NotAHeader));
        h[0] = 1;
        assert_eq!(check_header(&h[..5]), Err(Refusal::NotAHeader));
    }

    // A developer field of 3 bytes declared as uint16 is refused; 4 bytes
    // (two values) is fine.
    #[test]
    fn developer_fields_must_fit_their_type() {
        let mut g = Guard::new();
        g.position = 14;
        g.end_of_messages = 100;
        g.described(0, 1, "uint16");
        // definition, local 2, developer data, 1 field, 1 developer field.
        let def = [0x62, 0, 0, 20, 0, 1, 3, 1, 2, 1, 1, 3, 0];
        g.local[2] = dev_fields(&def);
        assert_eq!(g.check(&[0x02, 0, 0, 0]), Err(Refusal::DeveloperFieldSize));
        assert_eq!(
            g.check(&[0x80 | (2 << 5), 0]),
            Err(Refusal::DeveloperFieldSize)
        );
        let def = [0x62, 0, 0, 20, 0, 1, 3, 1, 2, 1, 1, 4, 0];
        g.local[2] = dev_fields(&def);
        assert_eq!(g.check(&[0x02, 0, 0, 0]), Ok(()));
    }
}
