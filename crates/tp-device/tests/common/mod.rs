//! Shared by the integration tests: the fixtures, their expected values,
//! and a small FIT encoder for files we need to shape by hand.
//!
//! The encoder is written from the FIT protocol description (header, CRC,
//! definition and data messages, compressed timestamp headers), sharing no
//! code with fitparser; its output was checked once against fitdecode.
#![allow(dead_code)] // each test binary uses a part

use std::collections::HashMap;
use std::path::PathBuf;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The FIT fixtures decoded by fitdecode (tests/data/expected.py).
pub const FIT_FIXTURES: [&str; 6] = [
    "Activity.fit",
    "garmin-fenix-5-bike.fit",
    "hrv-activity.fit",
    "sample_mulitple_header.fit",
    "dev_compressed.fit",
    "DeveloperData.fit",
];

pub fn expected(fit_name: &str) -> serde_json::Value {
    let name = fit_name.replace(".fit", ".expected.json");
    serde_json::from_slice(&fixture(&name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// 1989-12-31T00:00:00Z in Unix seconds.
pub const FIT_EPOCH: i64 = 631_065_600;

/// The FIT CRC-16 (FIT protocol, "CRC").
pub fn crc16(bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc = 0u16;
    for &b in bytes {
        for nibble in [b & 0x0F, b >> 4] {
            let tmp = TABLE[usize::from(crc & 0x0F)];
            crc = (crc >> 4) & 0x0FFF;
            crc ^= tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// FIT base types (number, size in bytes).
#[derive(Debug, Clone, Copy)]
pub enum Base {
    Enum,
    Sint8,
    Uint8,
    Sint16,
    Uint16,
    Uint32,
}

impl Base {
    fn number(self) -> u8 {
        match self {
            Base::Enum => 0x00,
            Base::Sint8 => 0x01,
            Base::Uint8 => 0x02,
            Base::Sint16 => 0x83,
            Base::Uint16 => 0x84,
            Base::Uint32 => 0x86,
        }
    }

    pub fn size(self) -> u8 {
        match self {
            Base::Enum | Base::Sint8 | Base::Uint8 => 1,
            Base::Sint16 | Base::Uint16 => 2,
            Base::Uint32 => 4,
        }
    }

    /// The "no value" of this type.
    pub fn invalid(self) -> i64 {
        match self {
            Base::Enum | Base::Uint8 => 0xFF,
            Base::Sint8 => 0x7F,
            Base::Sint16 => 0x7FFF,
            Base::Uint16 => 0xFFFF,
            Base::Uint32 => 0xFFFF_FFFF,
        }
    }
}

struct Definition {
    sizes: Vec<u8>,
    big_endian: bool,
    dev_bytes: usize,
}

/// Writes one FIT file: a 14-byte header with its CRC, the messages, the
/// file CRC.
#[derive(Default)]
pub struct FitWriter {
    data: Vec<u8>,
    defs: HashMap<u8, Definition>,
}

impl FitWriter {
    pub fn new() -> FitWriter {
        FitWriter::default()
    }

    /// A definition message: `local` → global message `global` with these
    /// fields (number, type), in the given byte order.
    pub fn define(&mut self, local: u8, global: u16, fields: &[(u8, Base)], big_endian: bool) {
        self.define_with_dev(local, global, fields, &[], big_endian);
    }

    /// A definition with developer fields (field number, size, developer
    /// data index) after the regular ones.
    pub fn define_with_dev(
        &mut self,
        local: u8,
        global: u16,
        fields: &[(u8, Base)],
        dev: &[(u8, u8, u8)],
        big_endian: bool,
    ) {
        let mut header = 0x40 | (local & 0x0F);
        if !dev.is_empty() {
            header |= 0x20;
        }
        self.data.push(header);
        self.data.push(0);
        self.data.push(u8::from(big_endian));
        if big_endian {
            self.data.extend(global.to_be_bytes());
        } else {
            self.data.extend(global.to_le_bytes());
        }
        self.data.push(fields.len() as u8);
        for &(number, base) in fields {
            self.data.extend([number, base.size(), base.number()]);
        }
        if !dev.is_empty() {
            self.data.push(dev.len() as u8);
            for &(number, size, index) in dev {
                self.data.extend([number, size, index]);
            }
        }
        self.defs.insert(
            local,
            Definition {
                sizes: fields.iter().map(|f| f.1.size()).collect(),
                big_endian,
                dev_bytes: dev.iter().map(|d| usize::from(d.1)).sum(),
            },
        );
    }

    fn values(&mut self, local: u8, values: &[i64], dev: &[u8]) {
        let def = &self.defs[&local];
        assert_eq!(def.sizes.len(), values.len(), "one value per field");
        assert_eq!(def.dev_bytes, dev.len(), "developer field bytes");
        for (&size, &v) in def.sizes.iter().zip(values) {
            let le = v.to_le_bytes();
            let bytes = &le[..usize::from(size)];
            if def.big_endian {
                self.data.extend(bytes.iter().rev());
            } else {
                self.data.extend(bytes);
            }
        }
        self.data.extend(dev);
    }

    /// A data message with a normal header.
    pub fn data(&mut self, local: u8, values: &[i64]) {
        self.data_with_dev(local, values, &[]);
    }

    pub fn data_with_dev(&mut self, local: u8, values: &[i64], dev: &[u8]) {
        self.data.push(local & 0x0F);
        self.values(local, values, dev);
    }

    /// A data message with a compressed timestamp header (local 0–3, the
    /// low 5 bits of the time).
    pub fn compressed(&mut self, local: u8, time_offset: u8, values: &[i64]) {
        self.data
            .push(0x80 | ((local & 0x03) << 5) | (time_offset & 0x1F));
        self.values(local, values, &[]);
    }

    /// Bytes as they are, inside the data section.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.data.extend(bytes);
    }

    pub fn finish(&self) -> Vec<u8> {
        let mut out = vec![14, 0x20];
        out.extend(2132u16.to_le_bytes());
        out.extend((self.data.len() as u32).to_le_bytes());
        out.extend(b".FIT");
        let header_crc = crc16(&out);
        out.extend(header_crc.to_le_bytes());
        out.extend(&self.data);
        let crc = crc16(&self.data);
        out.extend(crc.to_le_bytes());
        out
    }
}

/// FIT seconds for a Unix time.
pub fn fit_time(unix_s: i64) -> i64 {
    unix_s - FIT_EPOCH
}

/// 2024-06-01T07:00:00Z.
pub const RIDE_START: i64 = 1_717_225_200;

/// The record definition of [`ride`]: timestamp, power, heart rate,
/// cadence, speed, distance, altitude, temperature, enhanced speed and
/// enhanced altitude — what a bike computer writes.
pub const RIDE_RECORD: [(u8, Base); 10] = [
    (253, Base::Uint32),
    (7, Base::Uint16),
    (3, Base::Uint8),
    (4, Base::Uint8),
    (6, Base::Uint16),
    (5, Base::Uint32),
    (2, Base::Uint16),
    (13, Base::Sint8),
    (73, Base::Uint32),
    (78, Base::Uint32),
];

/// The native values of second `i` of [`ride`]: power W, heart rate bpm,
/// cadence rpm, speed mm/s, distance cm, altitude raw (/5 − 500 m),
/// temperature °C.
pub fn ride_second(i: i64) -> [i64; 7] {
    let power = 150 + (i * 37 % 200);
    let hr = 110 + (i / 60 % 60);
    let cadence = 80 + (i % 15);
    let speed = 8000 + (i * 13 % 2000);
    let distance = i * 850;
    let altitude_raw = 2500 + (i / 10 % 400);
    let temperature = 18 - (i / 3600);
    [
        power,
        hr,
        cadence,
        speed,
        distance,
        altitude_raw,
        temperature,
    ]
}

/// A ride of `seconds` records at 1 Hz: file_id, a timer start event,
/// the records, one lap, one session.
pub fn ride(seconds: i64) -> Vec<u8> {
    let mut w = FitWriter::new();
    w.define(
        0,
        0,
        &[(0, Base::Enum), (1, Base::Uint16), (4, Base::Uint32)],
        false,
    );
    w.data(0, &[4, 1, fit_time(RIDE_START)]);
    w.define(
        1,
        21,
        &[(253, Base::Uint32), (0, Base::Enum), (1, Base::Enum)],
        false,
    );
    w.data(1, &[fit_time(RIDE_START), 0, 0]);
    w.define(2, 20, &RIDE_RECORD, false);
    for i in 0..seconds {
        let [p, hr, cad, speed, dist, alt, temp] = ride_second(i);
        w.data(
            2,
            &[
                fit_time(RIDE_START + i),
                p,
                hr,
                cad,
                speed,
                dist,
                alt,
                temp,
                speed,
                alt,
            ],
        );
    }
    w.define(
        3,
        19,
        &[
            (253, Base::Uint32),
            (2, Base::Uint32),
            (7, Base::Uint32),
            (24, Base::Enum),
        ],
        false,
    );
    w.data(
        3,
        &[
            fit_time(RIDE_START + seconds),
            fit_time(RIDE_START),
            seconds * 1000,
            7,
        ],
    );
    w.define(
        4,
        18,
        &[
            (253, Base::Uint32),
            (2, Base::Uint32),
            (5, Base::Enum),
            (7, Base::Uint32),
        ],
        false,
    );
    w.data(
        4,
        &[
            fit_time(RIDE_START + seconds),
            fit_time(RIDE_START),
            2,
            seconds * 1000,
        ],
    );
    w.finish()
}
