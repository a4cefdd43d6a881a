//! Any bytes in: `Ok` or `Err`, never a panic, and every `Ok` keeps the
//! promises of `Streams` and of the crate's bounds
//! (`tp_device::fuzzing::check_decode`, which the cargo-fuzz target
//! `device_file` runs too, coverage-guided).

mod common;

use common::fixture;
use proptest::prelude::*;
use tp_device::fuzzing::check_decode;

/// The real files to damage: small ones, so each case stays quick.
const SEEDS: [&str; 5] = [
    "Activity.fit",
    "garmin-fenix-5-bike.fit",
    "dev_compressed.fit",
    "ride.tcx",
    "ride.gpx",
];

/// One way to damage a file.
#[derive(Debug, Clone)]
enum Damage {
    /// Set the byte at (position modulo length).
    Set(usize, u8),
    /// Flip some bits of a byte.
    Flip(usize, u8),
    /// Remove a run of bytes.
    Delete(usize, usize),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Keep only the first (position modulo length) bytes.
    Truncate(usize),
    /// Repeat a run of bytes (duplicated messages, chained headers).
    Duplicate(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Damage::Set(p, b)),
        4 => (any::<usize>(), 1u8..).prop_map(|(p, b)| Damage::Flip(p, b)),
        2 => (any::<usize>(), 1usize..64).prop_map(|(p, n)| Damage::Delete(p, n)),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..32))
            .prop_map(|(p, b)| Damage::Insert(p, b)),
        1 => any::<usize>().prop_map(Damage::Truncate),
        1 => (any::<usize>(), 1usize..256).prop_map(|(p, n)| Damage::Duplicate(p, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, d: &Damage) {
    if bytes.is_empty() {
        return;
    }
    let at = |p: usize| p % bytes.len();
    match d {
        Damage::Set(p, b) => {
            let i = at(*p);
            bytes[i] = *b;
        }
        Damage::Flip(p, b) => {
            let i = at(*p);
            bytes[i] ^= *b;
        }
        Damage::Delete(p, n) => {
            let i = at(*p);
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Damage::Insert(p, b) => {
            let i = at(*p);
            bytes.splice(i..i, b.iter().copied());
        }
        Damage::Truncate(p) => {
            let i = at(*p);
            bytes.truncate(i);
        }
        Damage::Duplicate(p, n) => {
            let i = at(*p);
            let end = (i + n).min(bytes.len());
            let run = bytes[i..end].to_vec();
            bytes.splice(end..end, run);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // Random bytes: refused or read, never a panic.
    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_decode(&bytes);
    }

    // Random bytes behind a valid FIT header, so they reach the FIT
    // parser rather than being refused at once.
    #[test]
    fn random_fit_data(data in prop::collection::vec(any::<u8>(), 0..2048), size in 0u32..4096) {
        let mut bytes = vec![14, 0x20, 0x54, 0x08];
        bytes.extend(size.to_le_bytes());
        bytes.extend(b".FIT\0\0");
        bytes.extend(data);
        check_decode(&bytes);
    }

    // Real files, damaged in up to eight places: flipped and overwritten
    // bytes, runs deleted, inserted or repeated, truncation.
    #[test]
    fn damaged_real_files(
        seed in 0..SEEDS.len(),
        damages in prop::collection::vec(damage(), 1..8),
    ) {
        let mut bytes = fixture(SEEDS[seed]);
        for d in &damages {
            apply(&mut bytes, d);
        }
        check_decode(&bytes);
    }
}
