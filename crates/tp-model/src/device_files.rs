//! The device files TrainingPeaks keeps for a workout
//! (`GET /fitness/v6/athletes/{id}/workouts/{workoutId}/details`).

use crate::lenient::de;
use serde::{Deserialize, Serialize};

/// A workout's details: the files uploaded for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkoutDetails {
    /// The files a device (or the athlete) uploaded: usually one FIT file;
    /// empty for a workout entered by hand.
    #[serde(default, deserialize_with = "de::vec_skip_bad")]
    pub workout_device_file_infos: Vec<DeviceFileInfo>,
}

/// One uploaded device file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFileInfo {
    /// The id to download it by (a number or a string; kept as text).
    #[serde(default, deserialize_with = "de::string_opt")]
    pub file_id: Option<String>,
    /// The name it was uploaded with; `.gz` means gzip-compressed.
    #[serde(default, deserialize_with = "de::string_opt")]
    pub file_name: Option<String>,
}

impl WorkoutDetails {
    /// The file to read: the last listed one with an id (a re-upload is
    /// listed after the file it replaces).
    pub fn device_file(&self) -> Option<&DeviceFileInfo> {
        self.workout_device_file_infos
            .iter()
            .rev()
            .find(|f| f.file_id.as_deref().is_some_and(|id| !id.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_listing_leniently() {
        let d: WorkoutDetails = serde_json::from_str(
            r#"{"workoutDeviceFileInfos":[{"fileId":123,"fileName":"a.fit"},{"fileId":"","fileName":"x"},7,
               {"fileId":"f-2","fileName":"b.fit.gz"}],"attachmentFileInfos":[]}"#,
        )
        .unwrap();
        assert_eq!(d.workout_device_file_infos.len(), 3);
        assert_eq!(d.device_file().unwrap().file_id.as_deref(), Some("f-2"));
        let none: WorkoutDetails =
            serde_json::from_str(r#"{"workoutDeviceFileInfos":null}"#).unwrap();
        assert!(none.device_file().is_none());
        let empty: WorkoutDetails = serde_json::from_str("{}").unwrap();
        assert!(empty.device_file().is_none());
    }
}
