//! A string that must never be seen: the session cookie and the bearer token.

use std::fmt;
use zeroize::Zeroizing;

/// A secret value. `Debug` and `Display` print `[redacted]`, the memory is
/// zeroed on drop, and the only way to read it is [`Secret::expose`], which
/// is called exactly where the value goes into an HTTP header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value; surrounding whitespace (a common copy-paste accident) is trimmed.
    pub fn new(value: impl Into<String>) -> Secret {
        let mut value: String = value.into();
        let trimmed = value.trim();
        if trimmed.len() != value.len() {
            let owned = trimmed.to_string();
            zeroize::Zeroize::zeroize(&mut value);
            value = owned;
        }
        Secret(Zeroizing::new(value))
    }

    /// The secret itself. Call only to put it on the wire or into the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("  hunter2-cookie\n");
        assert_eq!(s.expose(), "hunter2-cookie");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([redacted])");
    }
}
