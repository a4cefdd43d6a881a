//! A string that must never be seen: the session cookie and the bearer token.
//!
//! Two lines of defence. First, [`Secret`] never prints its value. Second,
//! every secret alive in the process is known to [`redact_live_secrets`],
//! which the binaries run over everything that leaves the process (log
//! lines, panic messages, tool answers): even a value that was exposed by
//! mistake comes out as `[redacted]`.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use zeroize::Zeroizing;

/// A secret value. `Debug` and `Display` print `[redacted]`, the memory is
/// zeroed when the last clone is dropped, and the only way to read it is
/// [`Secret::expose`], which is called exactly where the value goes into an
/// HTTP header or the keychain.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<Zeroizing<String>>);

/// Shorter values are not redacted from text: they could be ordinary words.
/// (Real cookies are hundreds of characters; tokens dozens.)
const MIN_REDACTED_LEN: usize = 8;

/// The secrets alive in this process, for [`redact_live_secrets`]. Weak: the
/// registry keeps no secret alive, and a dropped one is zeroed as usual.
static LIVE: Mutex<Vec<Weak<Zeroizing<String>>>> = Mutex::new(Vec::new());

/// `text` with every secret alive in the process replaced by `[redacted]`.
/// Cheap when there is nothing to replace (no allocation).
pub fn redact_live_secrets(text: &str) -> Cow<'_, str> {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = Cow::Borrowed(text);
    for secret in live.iter().filter_map(Weak::upgrade) {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), "[redacted]"));
        }
    }
    out
}

fn register(secret: &Arc<Zeroizing<String>>) {
    if secret.len() < MIN_REDACTED_LEN {
        return;
    }
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    live.retain(|w| w.strong_count() > 0);
    live.push(Arc::downgrade(secret));
}

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
        let secret = Arc::new(Zeroizing::new(value));
        register(&secret);
        Secret(secret)
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

    #[test]
    fn live_secrets_are_redacted_from_any_text_until_dropped() {
        let cookie = Secret::new("cookie-value-for-the-redaction-test");
        let token = Secret::new("tpf_token_for_the_redaction_test");
        let text = format!(
            "GET /x Cookie: Production_tpAuth={}; then Bearer {} and {}",
            cookie.expose(),
            token.expose(),
            cookie.expose()
        );
        assert_eq!(
            redact_live_secrets(&text),
            "GET /x Cookie: Production_tpAuth=[redacted]; then Bearer [redacted] and [redacted]"
        );
        assert!(matches!(
            redact_live_secrets("nothing to hide"),
            Cow::Borrowed(_)
        ));
        let copy = cookie.clone();
        drop(cookie);
        assert!(
            redact_live_secrets(&text).contains("=[redacted];"),
            "a clone keeps it known"
        );
        drop(copy);
        assert!(redact_live_secrets(&text).contains("cookie-value-for-the-redaction-test"));
    }

    #[test]
    fn short_values_are_not_redacted_from_text() {
        let _short = Secret::new("abc");
        assert_eq!(redact_live_secrets("abc abc"), "abc abc");
    }
}
