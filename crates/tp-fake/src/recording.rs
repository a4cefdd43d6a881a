//! [`Recording`]: what the demo athlete's device recorded during one
//! workout, before it is written as a file (`fit`, `tcx`).
//!
//! Values are held at the resolution the FIT format stores them, so a file
//! written from a recording and decoded again gives back exactly these
//! numbers: watts, bpm, rpm, mm/s, cm (distance), altitude in steps of
//! 20 cm (FIT's 1/5 m), whole °C.

use chrono::NaiveDateTime;

/// The device's sport for the file (`file_id`/`session`), as FIT names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceSport {
    Cycling,
    /// Indoor trainer ride (FIT sport cycling, sub-sport indoor_cycling).
    IndoorCycling,
    MountainBiking,
    Running,
    /// Pool or open water; the fake records speed and distance per second.
    Swimming,
    Walking,
    Hiking,
    /// Strength and other gym training (FIT `training`).
    Training,
}

impl DeviceSport {
    /// FIT `sport` enum value.
    pub fn fit_sport(self) -> u8 {
        match self {
            DeviceSport::Cycling | DeviceSport::IndoorCycling | DeviceSport::MountainBiking => 2,
            DeviceSport::Running => 1,
            DeviceSport::Swimming => 5,
            DeviceSport::Walking => 11,
            DeviceSport::Hiking => 17,
            DeviceSport::Training => 10,
        }
    }

    /// FIT `sub_sport` enum value (0 = generic).
    pub fn fit_sub_sport(self) -> u8 {
        match self {
            DeviceSport::IndoorCycling => 6,
            DeviceSport::MountainBiking => 8,
            DeviceSport::Swimming => 18, // open_water
            DeviceSport::Training => 20, // strength_training
            _ => 0,
        }
    }

    /// TCX `Activity/@Sport` (Running, Biking or Other).
    pub fn tcx_sport(self) -> &'static str {
        match self {
            DeviceSport::Running => "Running",
            DeviceSport::Cycling | DeviceSport::IndoorCycling | DeviceSport::MountainBiking => {
                "Biking"
            }
            _ => "Other",
        }
    }
}

/// One second of recording. `t` is seconds since the recording started;
/// consecutive samples are 1 s apart except across a pause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    pub t: u32,
    pub power_w: Option<u16>,
    pub heart_rate_bpm: Option<u8>,
    /// rpm (bike) or strides per minute (run).
    pub cadence_rpm: Option<u8>,
    pub speed_mm_s: Option<u16>,
    /// Distance since the start, cm (non-decreasing).
    pub distance_cm: Option<u32>,
    /// Altitude, cm; always a multiple of 20 (FIT stores 1/5 m).
    pub altitude_cm: Option<i32>,
    pub temperature_c: Option<i8>,
}

/// Totals the device computed itself and writes into the session message
/// (the rest of the session — times, distance, averages, maxima — is
/// computed from the samples by the writer).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeviceTotals {
    pub normalized_power_w: Option<u16>,
    pub training_stress_score: Option<f64>,
    pub intensity_factor: Option<f64>,
    pub threshold_power_w: Option<u16>,
    pub calories_kcal: Option<u16>,
}

/// A workout as the device recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// When the first sample was recorded, UTC.
    pub start_utc: NaiveDateTime,
    pub sport: DeviceSport,
    /// One per recorded second, in time order.
    pub samples: Vec<Sample>,
    /// Indices into `samples` where laps start; the first is 0. Each lap
    /// runs to the next lap's start (the last to the end).
    pub lap_starts: Vec<usize>,
    pub totals: DeviceTotals,
}

impl Recording {
    /// Timer seconds (one per sample).
    pub fn timer_s(&self) -> u32 {
        self.samples.len() as u32
    }

    /// Wall-clock seconds from the first sample to the end of the last.
    pub fn elapsed_s(&self) -> u32 {
        self.samples.last().map_or(0, |s| s.t + 1)
    }

    /// The laps as sample index ranges.
    pub fn laps(&self) -> Vec<std::ops::Range<usize>> {
        let mut starts = self.lap_starts.clone();
        if starts.first() != Some(&0) {
            starts.insert(0, 0);
        }
        starts.retain(|&s| s < self.samples.len());
        starts.dedup();
        let mut ends: Vec<usize> = starts.iter().skip(1).copied().collect();
        ends.push(self.samples.len());
        starts.into_iter().zip(ends).map(|(s, e)| s..e).collect()
    }

    /// Where the timer was stopped: `(index of the last sample before the
    /// pause, index of the first sample after it)` for every jump of more
    /// than one second.
    pub fn pauses(&self) -> Vec<(usize, usize)> {
        self.samples
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[1].t > w[0].t + 1)
            .map(|(i, _)| (i, i + 1))
            .collect()
    }
}
