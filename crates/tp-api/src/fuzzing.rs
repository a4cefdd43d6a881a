//! What the cargo-fuzz target `fuzz/fuzz_targets/api_json.rs` feeds every
//! response body to: the model parsers (`tp_model::fuzzing`) and the two
//! readers that live here, the token exchange's and the user profile's.
//! Refused or read, never a panic.

/// Any bytes as a TrainingPeaks response body.
pub fn check_response_body(bytes: &[u8]) {
    tp_model::fuzzing::check_every_parser_on_bytes(bytes);
    if let Ok(token) = crate::transport::parse_token(bytes) {
        assert!(
            !token.access_token.is_empty(),
            "an empty token was accepted"
        );
    }
    if let Ok(value) = serde_json::from_slice(bytes) {
        let _ = crate::endpoints::parse_user(value);
    }
}
