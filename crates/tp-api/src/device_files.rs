//! Device files: the list of a workout's uploaded files and the download
//! of one, unpacked.
//!
//! A file whose name ends in `.gz` — or whose bytes start with gzip's magic
//! number, whatever the name — is decompressed here, to at most
//! [`MAX_FILE_BYTES`]: a gzip bomb stops there with [`ApiError::TooLarge`],
//! never expanding in memory. What the file *contains* is `tp-device`'s
//! business.

use crate::client::TpClient;
use crate::error::ApiError;
use crate::transport::ApiRequest;
use std::io::Read;
use tp_model::{DeviceFileInfo, WorkoutDetails};

/// The largest device file accepted, after decompression (64 MiB; a
/// 24-hour ride at 1 Hz with every channel is about 10 MiB of FIT).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// A downloaded device file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedFile {
    /// The bytes the device wrote (decompressed).
    pub bytes: Vec<u8>,
    /// It arrived gzip-compressed.
    pub was_gzip: bool,
    /// Bytes on the wire.
    pub wire_bytes: usize,
}

impl TpClient {
    /// The device files uploaded for a workout
    /// (`GET /fitness/v6/athletes/{id}/workouts/{workoutId}/details`).
    pub async fn workout_details(
        &self,
        athlete_id: i64,
        workout_id: i64,
    ) -> Result<WorkoutDetails, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}/details"),
            format!("device-file list for workout {workout_id}"),
        );
        self.send_json(&req).await
    }

    /// Downloads one device file
    /// (`GET …/workouts/{workoutId}/rawfiledata/{fileId}`) and unpacks it
    /// when it is gzip.
    pub async fn device_file(
        &self,
        athlete_id: i64,
        workout_id: i64,
        file: &DeviceFileInfo,
    ) -> Result<DownloadedFile, ApiError> {
        let file_id = file.file_id.as_deref().unwrap_or_default().trim();
        if file_id.is_empty() {
            return Err(ApiError::InvalidRequest(format!(
                "workout {workout_id} lists a device file without an id"
            )));
        }
        let what = format!("workout {workout_id}");
        let mut req = ApiRequest::get(
            format!(
                "/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}/rawfiledata/{}",
                encode_segment(file_id)
            ),
            format!("device file for {what}"),
        );
        req.max_body = MAX_FILE_BYTES;
        let body = self.send(&req).await?;
        unpack(body, &what)
    }
}

/// The file's bytes, gunzipped (bounded) when they start with gzip's magic
/// number — whatever the name says: some uploads named `.gz` are plain,
/// and some gzip files are not named so. A plain body becomes the file
/// without a copy, and a gzip body is unpacked into a buffer sized from its
/// trailer (bounded), so a file is in memory about once at a time, not two
/// or three times over.
pub fn unpack(body: bytes::Bytes, what: &str) -> Result<DownloadedFile, ApiError> {
    let magic = body.starts_with(&[0x1f, 0x8b]);
    if !magic {
        let wire_bytes = body.len();
        return Ok(DownloadedFile {
            bytes: Vec::from(body),
            was_gzip: false,
            wire_bytes,
        });
    }
    // ISIZE, the last four bytes: the unpacked size modulo 2^32 of the last
    // member — a hint for the buffer, never trusted beyond the bound.
    let hinted = body
        .len()
        .checked_sub(4)
        .map(|at| u32::from_le_bytes(body[at..].try_into().expect("four bytes")) as usize)
        .unwrap_or(0);
    let mut out = Vec::with_capacity(hinted.min(MAX_FILE_BYTES + 1));
    let body = &body[..];
    let mut decoder = flate2::read::MultiGzDecoder::new(body).take(MAX_FILE_BYTES as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ApiError::BadFile {
            endpoint: what.to_string(),
            detail: format!("it is marked as gzip but is not valid gzip data ({e})"),
        })?;
    if out.len() > MAX_FILE_BYTES {
        return Err(ApiError::TooLarge {
            endpoint: format!("the device file of {what} (unpacked)"),
            limit_mib: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    Ok(DownloadedFile {
        bytes: out,
        was_gzip: true,
        wire_bytes: body.len(),
    })
}

/// A path segment with anything but unreserved characters percent-encoded
/// (file ids are TrainingPeaks' to choose).
fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_files_pass_and_gzip_is_unpacked_by_its_magic_number() {
        let fit = b"\x0e\x10....FIT rest".to_vec();
        let plain = unpack(fit.clone().into(), "w").unwrap();
        assert_eq!((plain.bytes.as_slice(), plain.was_gzip), (&fit[..], false));
        assert_eq!(plain.wire_bytes, fit.len());
        let packed = gzip(&fit);
        let u = unpack(packed.clone().into(), "w").unwrap();
        assert_eq!(u.bytes, fit);
        assert!(u.was_gzip);
        assert_eq!(u.wire_bytes, packed.len());
        // Two gzip members (concatenated uploads) unpack as one file.
        let mut two = packed.clone();
        two.extend_from_slice(&gzip(b"more"));
        let mut both = fit.clone();
        both.extend_from_slice(b"more");
        assert_eq!(unpack(two.into(), "w").unwrap().bytes, both);
    }

    #[test]
    fn gzip_garbage_and_bombs_are_refused_in_words() {
        let mut garbage = vec![0x1f, 0x8b, 8, 0];
        garbage.extend_from_slice(&[0x55; 100]);
        let e = unpack(garbage.into(), "workout 7").unwrap_err();
        assert!(matches!(e, ApiError::BadFile { .. }), "{e}");
        assert!(e.to_string().contains("not valid gzip"), "{e}");
        let mut big = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(MAX_FILE_BYTES >> 20) + 2 {
            big.write_all(&zeros).unwrap();
        }
        let bomb = big.finish().unwrap();
        assert!(bomb.len() < MAX_FILE_BYTES / 100);
        let e = unpack(bomb.into(), "workout 7").unwrap_err();
        assert!(matches!(e, ApiError::TooLarge { .. }), "{e}");
    }

    #[test]
    fn file_ids_are_path_safe() {
        assert_eq!(encode_segment("3000-1"), "3000-1");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }
}
