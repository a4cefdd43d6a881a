//! Fault switches and request counters, as plain data.
//!
//! [`FaultState`] decides, for each arriving API request, whether it is
//! rate-limited, fails with an injected status, gets a malformed body, has
//! its connection dropped mid-body, or passes; [`RequestCounts`] records
//! what was asked and what was served. Neither does IO: the HTTP layer
//! ([`crate::inject`]) applies the decisions, [`crate::FakeControl`] exposes
//! the switches.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The API endpoints the fake tells apart (for counters and per-endpoint
/// faults). Displayed in snake_case: `token`, `performance_data`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Token,
    User,
    Workouts,
    WorkoutDetail,
    PerformanceData,
    WorkoutPrs,
    SportPrs,
    Settings,
    WorkoutTypes,
    /// A workout's device file list (`…/workouts/{id}/details`).
    WorkoutFiles,
    /// A device file download (`…/workouts/{id}/rawfiledata/{fileId}`).
    DeviceFile,
    /// Events: the list, the focus event and the next planned event.
    Events,
    /// Health metrics (`/metrics/v3/athletes/{id}/consolidatedtimedmetrics/…`).
    Metrics,
    Other,
}

impl Endpoint {
    pub const ALL: [Endpoint; 14] = [
        Endpoint::Token,
        Endpoint::User,
        Endpoint::Workouts,
        Endpoint::WorkoutDetail,
        Endpoint::PerformanceData,
        Endpoint::WorkoutPrs,
        Endpoint::SportPrs,
        Endpoint::Settings,
        Endpoint::WorkoutTypes,
        Endpoint::WorkoutFiles,
        Endpoint::DeviceFile,
        Endpoint::Events,
        Endpoint::Metrics,
        Endpoint::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::User => "user",
            Endpoint::Workouts => "workouts",
            Endpoint::WorkoutDetail => "workout_detail",
            Endpoint::PerformanceData => "performance_data",
            Endpoint::WorkoutPrs => "workout_prs",
            Endpoint::SportPrs => "sport_prs",
            Endpoint::Settings => "settings",
            Endpoint::WorkoutTypes => "workout_types",
            Endpoint::WorkoutFiles => "workout_files",
            Endpoint::DeviceFile => "device_file",
            Endpoint::Events => "events",
            Endpoint::Metrics => "metrics",
            Endpoint::Other => "other",
        }
    }

    /// Which endpoint a request path belongs to, by shape (any method, any
    /// athlete id), so counters and faults apply before routing.
    pub fn classify(path: &str) -> Endpoint {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segments.as_slice() {
            ["users", "v3", "token"] => Endpoint::Token,
            ["users", "v3", "user"] => Endpoint::User,
            ["fitness", "v6", "athletes", _, "workouts", _, "details"] => Endpoint::WorkoutFiles,
            [
                "fitness",
                "v6",
                "athletes",
                _,
                "workouts",
                _,
                "rawfiledata",
                _,
            ] => Endpoint::DeviceFile,
            ["fitness", "v6", "athletes", _, "workouts", _, _] => Endpoint::Workouts,
            ["fitness", "v6", "athletes", _, "workouts", _] => Endpoint::WorkoutDetail,
            [
                "fitness",
                "v1",
                "athletes",
                _,
                "reporting",
                "performancedata",
                _,
                _,
            ] => Endpoint::PerformanceData,
            ["personalrecord", "v2", "athletes", _, "workouts", _] => Endpoint::WorkoutPrs,
            ["personalrecord", "v2", "athletes", _, _] => Endpoint::SportPrs,
            ["fitness", "v1", "athletes", _, "settings"] => Endpoint::Settings,
            ["fitness", "v6", "athletes", _, "events", ..] => Endpoint::Events,
            ["fitness", "v6", "workouttypes"] => Endpoint::WorkoutTypes,
            ["metrics", "v3", "athletes", _, ..] => Endpoint::Metrics,
            _ => Endpoint::Other,
        }
    }
}

/// The athlete id of an athlete-scoped path (`/fitness/…/athletes/{id}/…`,
/// `/personalrecord/…/athletes/{id}/…`, `/metrics/…/athletes/{id}/…`);
/// `None` for other paths and ids that are not integers.
pub fn athlete_in_path(path: &str) -> Option<i64> {
    let mut segments = path.trim_matches('/').split('/');
    let root = segments.next()?;
    let _version = segments.next()?;
    if !matches!(root, "fitness" | "personalrecord" | "metrics") || segments.next()? != "athletes" {
        return None;
    }
    segments.next()?.parse().ok()
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Endpoint, String> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| format!("unknown endpoint {s:?}"))
    }
}

/// What the fake was asked and what it served (admin routes excluded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// API requests received.
    pub total: u64,
    /// API requests received, per endpoint (endpoints never hit are absent).
    pub by_endpoint: BTreeMap<Endpoint, u64>,
    /// Athlete-scoped API requests received, per athlete id in the path
    /// (whatever the answer, 403s included; athletes never asked about are
    /// absent).
    pub by_athlete: BTreeMap<i64, u64>,
    /// Responses served, per HTTP status (200 for malformed/dropped ones).
    pub by_status: BTreeMap<u16, u64>,
    /// Answers forced by `fail_next`/`fail_next_on` (any status).
    pub faults: u64,
    /// 429s served by the rate limiter (injected 429s count under `faults`).
    pub rate_limited: u64,
    /// Responses served with a truncated JSON body.
    pub malformed: u64,
    /// Responses whose connection was dropped mid-body.
    pub dropped: u64,
    /// 401s the API itself served (bad cookie, unknown or expired token).
    pub unauthorized: u64,
}

impl RequestCounts {
    /// Requests received for `endpoint` (0 if none).
    pub fn get(&self, endpoint: Endpoint) -> u64 {
        self.by_endpoint.get(&endpoint).copied().unwrap_or(0)
    }

    /// Athlete-scoped requests received for `athlete_id` (0 if none).
    pub fn athlete(&self, athlete_id: i64) -> u64 {
        self.by_athlete.get(&athlete_id).copied().unwrap_or(0)
    }

    /// Responses served with `status` (0 if none).
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// The `GET /_fake/stats` body: every endpoint present (0 if not hit),
    /// athletes by id as strings (only those asked about).
    pub fn to_json(&self) -> Value {
        let by_endpoint: serde_json::Map<String, Value> = Endpoint::ALL
            .into_iter()
            .map(|e| (e.name().to_string(), json!(self.get(e))))
            .collect();
        let by_athlete: serde_json::Map<String, Value> = self
            .by_athlete
            .iter()
            .map(|(id, n)| (id.to_string(), json!(n)))
            .collect();
        let by_status: serde_json::Map<String, Value> = self
            .by_status
            .iter()
            .map(|(s, n)| (s.to_string(), json!(n)))
            .collect();
        json!({
            "total": self.total,
            "by_endpoint": by_endpoint,
            "by_athlete": by_athlete,
            "by_status": by_status,
            "faults": self.faults,
            "rate_limited": self.rate_limited,
            "malformed": self.malformed,
            "dropped": self.dropped,
            "unauthorized": self.unauthorized,
        })
    }
}

/// What to do with one arriving API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pass,
    /// Answer `status` with a small non-JSON body.
    Fail {
        status: u16,
    },
    /// Answer 429: the previous accepted request was too recent.
    RateLimited,
    /// Answer 200 with a truncated body.
    Malformed,
    /// Answer 200, send part of the body, then drop the connection.
    Drop,
}

#[derive(Debug, Clone, Copy, Default)]
struct Countdown {
    remaining: u32,
    status: u16,
}

impl Countdown {
    fn take(&mut self) -> Option<u16> {
        (self.remaining > 0).then(|| {
            self.remaining -= 1;
            self.status
        })
    }
}

/// The current fault switches.
#[derive(Debug, Default)]
pub struct FaultState {
    fail_any: Countdown,
    fail_on: HashMap<Endpoint, Countdown>,
    /// Seconds for the `Retry-After` header on 429s; `None` sends none.
    pub retry_after: Option<u64>,
    malformed: u32,
    dropped: u32,
    pub latency: Duration,
    /// What the device-file endpoints serve.
    pub device_files: crate::device::DeviceFileMode,
    pub rate_limit: Option<Duration>,
    /// When true, the token exchange neither counts toward nor is refused by
    /// the rate limiter (some clients only space their API calls).
    pub rate_limit_skips_token: bool,
    last_accepted: Option<Instant>,
}

impl FaultState {
    pub fn fail_next(&mut self, n: u32, status: u16) {
        self.fail_any = Countdown {
            remaining: n,
            status,
        };
    }

    pub fn fail_next_on(&mut self, endpoint: Endpoint, n: u32, status: u16) {
        self.fail_on.insert(
            endpoint,
            Countdown {
                remaining: n,
                status,
            },
        );
    }

    pub fn malformed_next(&mut self, n: u32) {
        self.malformed = n;
    }

    pub fn drop_next(&mut self, n: u32) {
        self.dropped = n;
    }

    /// Decides the fate of a request to `endpoint` arriving at `now`. The
    /// rate limiter measures from the last request it let through, so a
    /// client that spaces its requests by the interval is never refused.
    /// Each request consumes at most one fault: per-endpoint failures first,
    /// then global failures, then malformed bodies, then drops.
    pub fn decide(&mut self, endpoint: Endpoint, now: Instant) -> Action {
        let limited = endpoint != Endpoint::Token || !self.rate_limit_skips_token;
        if limited {
            if let (Some(interval), Some(last)) = (self.rate_limit, self.last_accepted)
                && now.duration_since(last) < interval
            {
                return Action::RateLimited;
            }
            self.last_accepted = Some(now);
        }
        if let Some(status) = self.fail_on.get_mut(&endpoint).and_then(Countdown::take) {
            return Action::Fail { status };
        }
        if let Some(status) = self.fail_any.take() {
            return Action::Fail { status };
        }
        if self.malformed > 0 {
            self.malformed -= 1;
            return Action::Malformed;
        }
        if self.dropped > 0 {
            self.dropped -= 1;
            return Action::Drop;
        }
        Action::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify_by_shape() {
        let cases = [
            ("/users/v3/token", Endpoint::Token),
            ("/users/v3/user", Endpoint::User),
            (
                "/fitness/v6/athletes/1/workouts/2024-01-01/2024-01-31",
                Endpoint::Workouts,
            ),
            (
                "/fitness/v6/athletes/1/workouts/3000000001",
                Endpoint::WorkoutDetail,
            ),
            (
                "/fitness/v1/athletes/1/reporting/performancedata/2024-01-01/2024-02-01",
                Endpoint::PerformanceData,
            ),
            (
                "/personalrecord/v2/athletes/1/workouts/5",
                Endpoint::WorkoutPrs,
            ),
            ("/personalrecord/v2/athletes/1/Bike", Endpoint::SportPrs),
            ("/fitness/v1/athletes/1/settings", Endpoint::Settings),
            ("/fitness/v6/workouttypes", Endpoint::WorkoutTypes),
            (
                "/fitness/v6/athletes/1/workouts/3000000001/details",
                Endpoint::WorkoutFiles,
            ),
            (
                "/fitness/v6/athletes/1/workouts/3000000001/rawfiledata/3000000001-1",
                Endpoint::DeviceFile,
            ),
            (
                "/metrics/v3/athletes/1/consolidatedtimedmetrics/2024-01-01/2024-01-31",
                Endpoint::Metrics,
            ),
            ("/nope", Endpoint::Other),
        ];
        for (path, endpoint) in cases {
            assert_eq!(Endpoint::classify(path), endpoint, "{path}");
            assert_eq!(endpoint.to_string().parse::<Endpoint>(), Ok(endpoint));
        }
        assert!(Endpoint::ALL.iter().all(|e| e.name().parse() == Ok(*e)));
    }

    #[test]
    fn athlete_ids_come_from_athlete_scoped_paths() {
        let cases = [
            (
                "/fitness/v6/athletes/12/workouts/2024-01-01/2024-01-31",
                Some(12),
            ),
            ("/personalrecord/v2/athletes/13/Bike", Some(13)),
            (
                "/metrics/v3/athletes/14/consolidatedtimedmetrics/a/b",
                Some(14),
            ),
            ("/fitness/v1/athletes/15/settings", Some(15)),
            ("/fitness/v6/athletes/abc/settings", None),
            ("/fitness/v6/workouttypes", None),
            ("/users/v3/user", None),
            ("/other/v1/athletes/16/x", None),
        ];
        for (path, id) in cases {
            assert_eq!(athlete_in_path(path), id, "{path}");
        }
    }

    #[test]
    fn faults_are_consumed_one_per_request_in_order() {
        let mut f = FaultState::default();
        let now = Instant::now();
        f.fail_next(1, 503);
        f.fail_next_on(Endpoint::User, 1, 500);
        f.malformed_next(1);
        f.drop_next(1);
        assert_eq!(f.decide(Endpoint::User, now), Action::Fail { status: 500 });
        assert_eq!(f.decide(Endpoint::User, now), Action::Fail { status: 503 });
        assert_eq!(f.decide(Endpoint::Token, now), Action::Malformed);
        assert_eq!(f.decide(Endpoint::Token, now), Action::Drop);
        assert_eq!(f.decide(Endpoint::Token, now), Action::Pass);
    }

    #[test]
    fn rate_limit_measures_from_the_last_accepted_request() {
        let mut f = FaultState {
            rate_limit: Some(Duration::from_millis(100)),
            ..FaultState::default()
        };
        let t0 = Instant::now();
        assert_eq!(f.decide(Endpoint::User, t0), Action::Pass);
        assert_eq!(
            f.decide(Endpoint::User, t0 + Duration::from_millis(50)),
            Action::RateLimited
        );
        assert_eq!(
            f.decide(Endpoint::User, t0 + Duration::from_millis(100)),
            Action::Pass
        );
    }
}
