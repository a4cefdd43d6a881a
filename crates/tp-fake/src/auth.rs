//! The two-step auth: session cookie → bearer token → API calls.
//!
//! [`TokenStore`] remembers which cookie values are accepted — one per
//! [`Login`]: the demo athlete's own and the coach's — and which opaque
//! tokens were issued, to which login and until when; the header helpers read the
//! `Production_tpAuth` cookie out of a real `Cookie` header (other cookies
//! may be present) and the token out of `Authorization: Bearer …`.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};

/// The session cookie TrainingPeaks' token exchange reads.
pub const AUTH_COOKIE: &str = "Production_tpAuth";

/// Who a cookie (and the tokens it was exchanged for) logs in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Login {
    /// The demo athlete, answering for themself only.
    Athlete,
    /// The coach, answering for the coached athletes only.
    Coach,
}

impl Login {
    /// `"demo"` or `"coach"` (the admin routes' spelling).
    pub fn parse(name: &str) -> Option<Login> {
        match name {
            "demo" => Some(Login::Athlete),
            "coach" => Some(Login::Coach),
            _ => None,
        }
    }
}

/// Accepted cookies and issued tokens.
#[derive(Debug)]
pub struct TokenStore {
    cookie: Option<String>,
    coach_cookie: Option<String>,
    pub ttl: Duration,
    expires: HashMap<String, (Instant, Login)>,
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
    pub fn new(cookie: String, coach_cookie: String, ttl: Duration) -> TokenStore {
        let salt = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        TokenStore {
            cookie: Some(cookie),
            coach_cookie: Some(coach_cookie),
            ttl,
            expires: HashMap::new(),
            history: Vec::new(),
            issued: 0,
            salt,
        }
    }

    /// The cookie of `login`; `None` refuses that login.
    pub fn set_cookie(&mut self, login: Login, cookie: Option<String>) {
        match login {
            Login::Athlete => self.cookie = cookie,
            Login::Coach => self.coach_cookie = cookie,
        }
    }

    /// Whom the cookie logs in as, if anyone (the demo athlete's cookie wins
    /// when both are the same).
    pub fn cookie_login(&self, value: &str) -> Option<Login> {
        if self.cookie.as_deref() == Some(value) {
            Some(Login::Athlete)
        } else if self.coach_cookie.as_deref() == Some(value) {
            Some(Login::Coach)
        } else {
            None
        }
    }

    /// Issues a fresh token for `login`, valid for the current TTL from `now`.
    pub fn issue(&mut self, login: Login, now: Instant) -> String {
        self.issued += 1;
        let token = format!(
            "tpf_{:016x}{:016x}",
            mix(self.salt ^ self.issued),
            mix(self.issued.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ self.salt.rotate_left(17))
        );
        self.expires.insert(token.clone(), (now + self.ttl, login));
        self.history.push(token.clone());
        token
    }

    /// Every token issued so far, expired ones included.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.history.clone()
    }

    /// The login of a token issued by this server, not expired by time, not
    /// expired by switch; `None` for any other token.
    pub fn login(&self, token: &str, now: Instant) -> Option<Login> {
        self.expires
            .get(token)
            .filter(|(until, _)| now < *until)
            .map(|(_, login)| *login)
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
        let mut store = TokenStore::new("c".into(), "k".into(), Duration::from_secs(10));
        let t0 = Instant::now();
        let a = store.issue(Login::Athlete, t0);
        let b = store.issue(Login::Coach, t0);
        assert_ne!(a, b);
        assert_eq!(
            store.login(&a, t0 + Duration::from_secs(9)),
            Some(Login::Athlete)
        );
        assert_eq!(store.login(&b, t0), Some(Login::Coach));
        assert_eq!(store.login(&a, t0 + Duration::from_secs(10)), None);
        store.expire_all();
        assert_eq!(store.login(&b, t0), None);
        assert_eq!(store.login("made-up", t0), None);
    }

    #[test]
    fn each_cookie_logs_in_as_its_login() {
        let mut store = TokenStore::new("c".into(), "k".into(), Duration::from_secs(10));
        assert_eq!(store.cookie_login("c"), Some(Login::Athlete));
        assert_eq!(store.cookie_login("k"), Some(Login::Coach));
        assert_eq!(store.cookie_login("x"), None);
        store.set_cookie(Login::Athlete, None);
        assert_eq!(store.cookie_login("c"), None);
        assert_eq!(store.cookie_login("k"), Some(Login::Coach));
        store.set_cookie(Login::Coach, Some("c".into()));
        assert_eq!(store.cookie_login("c"), Some(Login::Coach));
        assert_eq!(Login::parse("coach"), Some(Login::Coach));
        assert_eq!(Login::parse("demo"), Some(Login::Athlete));
        assert_eq!(Login::parse("athlete"), None);
    }
}
