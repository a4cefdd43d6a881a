//! Device files: which workouts have one, under which id and name, and
//! their bytes.
//!
//! Every completed workout with a recording ([`recorder::has_device_file`])
//! has one file, generated when asked for (nothing is kept):
//! - a FIT file, as most devices upload ([`crate::fit::write_fit`]);
//! - gzip-compressed (`….fit.gz`) for about one in ten, as some uploads are;
//! - the long run of [`TCX_FILE_DAY`] as TCX ([`crate::tcx::write_tcx`]);
//! - the ride of [`CORRUPT_FILE_DAY`] cut off in the middle of a record
//!   with garbage after it (a broken upload: what decodes must be kept);
//! - workouts entered by hand have none (an empty list).
//!
//! A file's id is `<workoutId>-<version>`; `POST /_fake/reupload` bumps the
//! version, as uploading the file again does.
//!
//! [`DeviceFileMode`] switches all of them to a failure (tests of the
//! client): no files listed, gzip garbage, a gzip bomb, an endless body,
//! files cut off halfway.

use std::io::Write;

use chrono::NaiveDate;

use crate::profile::Profile;
use crate::recorder::{self, Noise};
use crate::workout::{FakeWorkout, TYPE_BIKE, TYPE_RUN};

/// The day whose long run was uploaded as TCX.
pub const TCX_FILE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 9, 14) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// The day whose ride's file is broken (cut off mid-record, garbage after).
pub const CORRUPT_FILE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 9, 11) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// How large the gzip bomb expands (bytes): beyond any sane bound.
pub const GZIP_BOMB_BYTES: usize = 256 * 1024 * 1024;

/// What the device-file endpoints serve, for every workout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceFileMode {
    /// The files described in the module doc.
    #[default]
    Normal,
    /// No workout lists a file (as if all were entered by hand).
    NoFiles,
    /// Files are listed as `.fit.gz` and their bytes are not gzip.
    GzipGarbage,
    /// Files are listed as `.fit.gz` and expand to [`GZIP_BOMB_BYTES`].
    GzipBomb,
    /// The download never ends (zeros until the client gives up).
    Endless,
    /// Downloads stop halfway (the first half of the file, then the end).
    Truncated,
}

impl DeviceFileMode {
    pub fn parse(text: &str) -> Option<DeviceFileMode> {
        Some(match text {
            "normal" => DeviceFileMode::Normal,
            "no_files" => DeviceFileMode::NoFiles,
            "gzip_garbage" => DeviceFileMode::GzipGarbage,
            "gzip_bomb" => DeviceFileMode::GzipBomb,
            "endless" => DeviceFileMode::Endless,
            "truncated" => DeviceFileMode::Truncated,
            _ => return None,
        })
    }
}

/// How a workout's file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Fit,
    FitGzip,
    Tcx,
    Corrupt,
}

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub file_id: String,
    pub file_name: String,
    pub kind: FileKind,
}

/// The file a workout has, if any (`version` counts uploads, from 1).
pub fn file_info(
    seed: u64,
    w: &FakeWorkout,
    version: u32,
    mode: DeviceFileMode,
) -> Option<FileInfo> {
    if mode == DeviceFileMode::NoFiles || !recorder::has_device_file(seed, w) {
        return None;
    }
    let mut kind = if w.workout_day == TCX_FILE_DAY && w.workout_type_value_id == TYPE_RUN {
        FileKind::Tcx
    } else if w.workout_day == CORRUPT_FILE_DAY && w.workout_type_value_id == TYPE_BIKE {
        FileKind::Corrupt
    } else if Noise::new(seed, w.workout_id, 12).chance(0.1) {
        FileKind::FitGzip
    } else {
        FileKind::Fit
    };
    if matches!(mode, DeviceFileMode::GzipGarbage | DeviceFileMode::GzipBomb) {
        kind = FileKind::FitGzip;
    }
    let stamp = w
        .start_time
        .map(|t| t.format("%Y-%m-%d-%H-%M-%S").to_string())
        .unwrap_or_else(|| w.workout_day.format("%Y-%m-%d").to_string());
    let extension = match kind {
        FileKind::Fit | FileKind::Corrupt => "fit",
        FileKind::FitGzip => "fit.gz",
        FileKind::Tcx => "tcx",
    };
    Some(FileInfo {
        file_id: format!("{}-{version}", w.workout_id),
        file_name: format!("{stamp}.{extension}"),
        kind,
    })
}

/// What a download answers.
pub enum FileBody {
    Bytes(Vec<u8>),
    /// Zeros, forever.
    Endless,
}

/// The bytes of a listed file.
pub fn file_body(
    seed: u64,
    profile: &Profile,
    w: &FakeWorkout,
    info: &FileInfo,
    mode: DeviceFileMode,
) -> Option<FileBody> {
    match mode {
        DeviceFileMode::Endless => return Some(FileBody::Endless),
        DeviceFileMode::GzipGarbage => {
            // The gzip magic, then nonsense.
            let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00];
            bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
            return Some(FileBody::Bytes(bytes));
        }
        DeviceFileMode::GzipBomb => return Some(FileBody::Bytes(gzip_bomb())),
        DeviceFileMode::Normal | DeviceFileMode::NoFiles | DeviceFileMode::Truncated => {}
    }
    let recording = recorder::record(seed, w, profile)?;
    let bytes = match info.kind {
        FileKind::Fit => crate::fit::write_fit(&recording),
        FileKind::FitGzip => gzip(&crate::fit::write_fit(&recording)),
        FileKind::Tcx => crate::tcx::write_tcx(&recording).into_bytes(),
        FileKind::Corrupt => {
            let fit = crate::fit::write_fit(&recording);
            // Cut in the middle of a record, two thirds in, then garbage.
            let mut cut = fit[..fit.len() * 2 / 3 + 5].to_vec();
            cut.extend_from_slice(b"\xde\xad\xbe\xef upload interrupted \x00\x00");
            cut
        }
    };
    if mode == DeviceFileMode::Truncated {
        let unpacked = if info.kind == FileKind::FitGzip {
            crate::fit::write_fit(&recording)
        } else {
            bytes
        };
        return Some(FileBody::Bytes(unpacked[..unpacked.len() / 2].to_vec()));
    }
    Some(FileBody::Bytes(bytes))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A small gzip stream that expands to [`GZIP_BOMB_BYTES`] of zeros
/// (made once per process).
fn gzip_bomb() -> Vec<u8> {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..GZIP_BOMB_BYTES / zeros.len() {
            encoder.write_all(&zeros).expect("writing to memory");
        }
        encoder.finish().expect("writing to memory")
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DemoAthlete;

    fn demo() -> DemoAthlete {
        DemoAthlete::new(
            crate::DEMO_SEED,
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        )
    }

    // Proves the special files exist where the module doc says, and that
    // gzip files are a minority but present.
    #[test]
    fn special_files_are_where_documented() {
        let a = demo();
        let kinds: Vec<(NaiveDate, FileKind)> = a
            .workouts()
            .iter()
            .filter_map(|w| {
                file_info(a.seed(), w, 1, DeviceFileMode::Normal).map(|i| (w.workout_day, i.kind))
            })
            .collect();
        let count = |k: FileKind| kinds.iter().filter(|(_, kind)| *kind == k).count();
        assert_eq!(count(FileKind::Tcx), 1);
        assert_eq!(count(FileKind::Corrupt), 1);
        assert!(kinds.contains(&(TCX_FILE_DAY, FileKind::Tcx)));
        assert!(kinds.contains(&(CORRUPT_FILE_DAY, FileKind::Corrupt)));
        let gz = count(FileKind::FitGzip);
        assert!(
            gz * 20 > kinds.len() && gz * 6 < kinds.len(),
            "{gz} of {}",
            kinds.len()
        );
        let manual = a
            .workouts()
            .iter()
            .filter(|w| w.is_completed())
            .filter(|w| file_info(a.seed(), w, 1, DeviceFileMode::Normal).is_none())
            .count();
        assert!(manual > 10, "{manual} entered by hand");
    }

    // Proves a gzip file expands to the FIT file, and the bomb is small
    // on the wire and large expanded.
    #[test]
    fn gzip_files_expand_to_fit_files() {
        use std::io::Read;
        let a = demo();
        let (w, info) = a
            .workouts()
            .iter()
            .find_map(|w| {
                let info = file_info(a.seed(), w, 1, DeviceFileMode::Normal)?;
                (info.kind == FileKind::FitGzip).then_some((w, info))
            })
            .unwrap();
        let Some(FileBody::Bytes(gz)) =
            file_body(a.seed(), a.profile(), w, &info, DeviceFileMode::Normal)
        else {
            panic!("no bytes");
        };
        let mut fit = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut fit)
            .unwrap();
        assert_eq!(&fit[8..12], b".FIT");
        let bomb = gzip_bomb();
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    }
}
