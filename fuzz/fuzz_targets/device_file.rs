//! Any bytes as a device file (`tp_device::fuzzing`): decoded or refused
//! with a reason, never a panic; what is decoded keeps its promises (times
//! strictly increasing, every channel as long as the times, bounded
//! samples and laps, finite numbers).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tp_device::fuzzing::check_decode(data);
});
