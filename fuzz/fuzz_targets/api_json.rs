//! Any bytes as a TrainingPeaks response body, through every parser
//! (`tp_api::fuzzing`: the models, the token exchange, the user profile):
//! refused or read, never a panic, never a NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tp_api::fuzzing::check_response_body(data);
});
