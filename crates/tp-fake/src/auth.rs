//! The two-step auth: session cookie → bearer token → API calls.
//!
//! [`TokenStore`] remembers which cookie value is accepted and which opaque
//! tokens were issued and until when; the header helpers read the
//! `Production_tpAuth` cookie out of a real `Cookie` header (other cookies
//! may be present) and the token out of `Authorization: Bearer …`.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};

/// The session cookie TrainingPeaks' token exchange reads.
pub const AUTH_COOKIE: &str = "Production_tpAuth";

/// Accepted cookie and issued tokens.
#[derive(Debug)]
pub struct TokenStore {
    cookie: Option<String>,
    pub ttl: Duration,
    expires: HashMap<String, Instant>,
    /// Every token ever issued (for leak audits: tests check none is printed).
    history: Vec<String>,
    issued: u64,
    salt: u64,
}

/// SplitMix64 finaliser: spreads bits so tokens look opaque.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl TokenStore {
    pub fn new(cookie: String, ttl: Duration) -> TokenStore {
        let salt = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        TokenStore {
            cookie: Some(cookie),
            ttl,
            expires: HashMap::new(),
            history: Vec::new(),
            issued: 0,
            salt,
        }
    }

    /// `None` refuses every cookie.
    pub fn set_cookie(&mut self, cookie: Option<String>) {
        self.cookie = cookie;
    }

    pub fn cookie_accepted(&self, value: &str) -> bool {
        self.cookie.as_deref() == Some(value)
    }

    /// Issues a fresh token valid for the current TTL from `now`.
    pub fn issue(&mut self, now: Instant) -> String {
        self.issued += 1;
        let token = format!(
            "tpf_{:016x}{:016x}",
            mix(self.salt ^ self.issued),
            mix(self.issued.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ self.salt.rotate_left(17))
        );
        self.expires.insert(token.clone(), now + self.ttl);
        self.history.push(token.clone());
        token
    }

    /// Every token issued so far, expired ones included.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.history.clone()
    }

    /// Issued by this server, not expired by time, not expired by switch.
    pub fn valid(&self, token: &str, now: Instant) -> bool {
        self.expires.get(token).is_some_and(|until| now < *until)
    }

    /// Forgets every token issued so far.
    pub fn expire_all(&mut self) {
        self.expires.clear();
    }
}

/// The value of cookie `name` from the request's `Cookie` header(s).
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"'))
}

/// The token of an `Authorization: Bearer <token>` header (scheme
/// case-insensitive).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_the_auth_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; Production_tpAuth=abc=def; b=2"),
        );
        assert_eq!(cookie_value(&h, AUTH_COOKIE), Some("abc=def"));
        assert_eq!(cookie_value(&h, "Production_tpAut"), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer xyz"));
        assert_eq!(bearer_token(&h), Some("xyz"));
    }

    #[test]
    fn tokens_expire_by_time_and_by_switch() {
        let mut store = TokenStore::new("c".into(), Duration::from_secs(10));
        let t0 = Instant::now();
        let a = store.issue(t0);
        let b = store.issue(t0);
        assert_ne!(a, b);
        assert!(store.valid(&a, t0 + Duration::from_secs(9)));
        assert!(!store.valid(&a, t0 + Duration::from_secs(10)));
        store.expire_all();
        assert!(!store.valid(&b, t0));
        assert!(!store.valid("made-up", t0));
    }
}
