//! The coach login and health metrics over real HTTP: who the coach is,
//! which athletes each login may see, the coached athletes' data, and the
//! metrics route.

mod common;

use std::collections::{BTreeSet, HashSet};

use chrono::{Duration, NaiveDate};
use common::{Harness, config, start, start_with, today};
use reqwest::StatusCode;
use serde_json::Value;
use tp_fake::{
    COACH_COOKIE, COACH_USER_ID, COACHED_ATHLETE_IDS, DEMO_ATHLETE_ID, Endpoint, FakeConfig,
    HISTORY_START, JORDAN_LEE_ID, MAX_METRICS_RANGE_DAYS, SAM_ORTIZ_ID, SAM_TAYLOR_ID,
};

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn metrics(athlete: i64, start: &str, end: &str) -> String {
    format!("/metrics/v3/athletes/{athlete}/consolidatedtimedmetrics/{start}/{end}")
}

/// One path of every athlete-scoped route family for `athlete`.
fn scoped_paths(athlete: i64) -> Vec<String> {
    vec![
        format!("/fitness/v6/athletes/{athlete}/workouts/2026-11-01/2026-11-24"),
        format!("/fitness/v1/athletes/{athlete}/settings"),
        format!("/fitness/v6/athletes/{athlete}/events/2026-01-01/2026-12-31"),
        format!("/personalrecord/v2/athletes/{athlete}/Bike?prType=power20min"),
        metrics(athlete, "2026-11-01", "2026-11-24"),
    ]
}

async fn coach(h: &Harness) -> String {
    h.login(COACH_COOKIE)
        .await
        .expect("the coach cookie is accepted")
}

/// Every workout of an athlete from HISTORY_START to today + 30, in 90-day
/// windows.
async fn all_workouts(h: &Harness, token: &str, athlete: i64) -> Vec<Value> {
    let end = today() + Duration::days(30);
    let mut from = HISTORY_START;
    let mut out = Vec::new();
    while from <= end {
        let to = (from + Duration::days(89)).min(end);
        let path = format!(
            "/fitness/v6/athletes/{athlete}/workouts/{}/{}",
            ymd(from),
            ymd(to)
        );
        let page = h.get_json_with(token, &path).await;
        out.extend(page.as_array().unwrap().iter().cloned());
        from = to + Duration::days(1);
    }
    out
}

// Proves the coach's user: Casey Morgan, a coach with no athlete of their
// own, listing the three coached athletes (two of them named Sam); the demo
// login's user is unchanged; asking who one is generates nobody.
#[tokio::test]
async fn coach_user_lists_three_athletes() {
    let h = start().await;
    let token = coach(&h).await;
    let user = h.get_json_with(&token, "/users/v3/user").await;
    let u = &user["user"];
    assert_eq!(u["userId"], COACH_USER_ID);
    assert_eq!(u["personId"], COACH_USER_ID);
    assert_eq!(
        (u["firstName"].as_str(), u["lastName"].as_str()),
        (Some("Casey"), Some("Morgan"))
    );
    assert_eq!(u["settings"]["account"]["isCoach"], true);
    assert_eq!(u["settings"]["account"]["isAthlete"], false);
    let athletes = u["athletes"].as_array().unwrap();
    let listed: Vec<(i64, &str, &str)> = athletes
        .iter()
        .map(|a| {
            assert!(a["email"].as_str().unwrap().ends_with("@example.com"));
            (
                a["athleteId"].as_i64().unwrap(),
                a["firstName"].as_str().unwrap(),
                a["lastName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (JORDAN_LEE_ID, "Jordan", "Lee"),
            (SAM_TAYLOR_ID, "Sam", "Taylor"),
            (SAM_ORTIZ_ID, "Sam", "Ortiz"),
        ]
    );
    assert!(
        !listed
            .iter()
            .any(|(id, ..)| *id == DEMO_ATHLETE_ID || *id == COACH_USER_ID)
    );

    let demo = h.get_json("/users/v3/user").await;
    assert_eq!(demo["user"]["athletes"].as_array().unwrap().len(), 1);
    assert_eq!(demo["user"]["athletes"][0]["athleteId"], DEMO_ATHLETE_ID);

    let summary = h.admin_get("/_fake/coach").await;
    assert_eq!(summary["userId"], COACH_USER_ID);
    assert!(
        summary["athletes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["generated"] == false)
    );
}

// Proves the permissions: the coach's token answers for the three coached
// athletes on every athlete-scoped route family and 403s for anyone else
// (the demo athlete included); the demo token the other way round. The
// stats count requests by the athlete in the path, 403s included.
#[tokio::test]
async fn each_login_sees_only_its_athletes() {
    let h = start().await;
    let control = h.server.control();
    let token = coach(&h).await;
    control.reset_counts();
    for id in COACHED_ATHLETE_IDS {
        for path in scoped_paths(id) {
            let resp = h.get_with(&token, &path).await;
            assert_eq!(resp.status(), StatusCode::OK, "coach: {path}");
            assert_eq!(
                h.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "demo: {path}"
            );
        }
    }
    for id in [DEMO_ATHLETE_ID, COACH_USER_ID, 42] {
        for path in scoped_paths(id) {
            let resp = h.get_with(&token, &path).await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "coach: {path}");
            assert!(resp.text().await.unwrap().contains(&id.to_string()));
        }
    }
    for path in scoped_paths(DEMO_ATHLETE_ID) {
        assert_eq!(h.get(&path).await.status(), StatusCode::OK, "demo: {path}");
    }
    let bad = h
        .get_with(&token, "/fitness/v1/athletes/jordan/settings")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let types = h.get_with(&token, "/fitness/v6/workouttypes").await;
    assert_eq!(types.status(), StatusCode::OK);

    let counts = control.counts();
    let families = scoped_paths(0).len() as u64;
    for id in COACHED_ATHLETE_IDS {
        assert_eq!(counts.athlete(id), 2 * families);
    }
    assert_eq!(counts.athlete(DEMO_ATHLETE_ID), 2 * families);
    assert_eq!(counts.athlete(COACH_USER_ID), families);
    assert_eq!(counts.athlete(42), families);
    assert_eq!(counts.by_athlete.len(), 6, "{:?}", counts.by_athlete);
    let stats = h.admin_get("/_fake/stats").await;
    assert_eq!(stats["by_athlete"][JORDAN_LEE_ID.to_string()], 2 * families);
    assert_eq!(stats["by_athlete"].as_object().unwrap().len(), 6);
    // Metrics: both logins for the three, the coach for three others, the
    // demo login for itself.
    assert_eq!(stats["by_endpoint"]["metrics"], 3 * 2 + 3 + 1);
}

// Proves the coached athletes are generated on the first request for them,
// one at a time, and that the demo athlete's answers never generate them.
#[tokio::test]
async fn coached_athletes_are_generated_on_first_request() {
    let h = start().await;
    let control = h.server.control();
    h.get_json("/fitness/v6/athletes/{a}/workouts/2026-11-01/2026-11-24")
        .await;
    let token = coach(&h).await;
    h.get_json_with(&token, "/users/v3/user").await;
    assert!(
        COACHED_ATHLETE_IDS
            .iter()
            .all(|id| !control.coached_generated(*id))
    );
    h.get_json_with(
        &token,
        &format!("/fitness/v1/athletes/{JORDAN_LEE_ID}/settings"),
    )
    .await;
    assert!(control.coached_generated(JORDAN_LEE_ID));
    assert!(!control.coached_generated(SAM_TAYLOR_ID) && !control.coached_generated(SAM_ORTIZ_ID));
    let summary = h.admin_get("/_fake/coach").await;
    let generated: Vec<bool> = summary["athletes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["generated"].as_bool().unwrap())
        .collect();
    assert_eq!(generated, [true, false, false]);
    // A refused request generates nobody.
    h.get(&format!("/fitness/v1/athletes/{SAM_TAYLOR_ID}/settings"))
        .await;
    assert!(!control.coached_generated(SAM_TAYLOR_ID));
}

// Proves Jordan Lee's history is their own: another seed than the demo
// athlete's, their own ids, personal records consistent with the
// workouts, and device files.
#[tokio::test]
async fn jordan_has_a_history_of_their_own() {
    let h = start().await;
    let token = coach(&h).await;
    let jordan = all_workouts(&h, &token, JORDAN_LEE_ID).await;
    let completed: Vec<&Value> = jordan.iter().filter(|w| w["completed"] == true).collect();
    assert!(completed.len() > 1500, "{}", completed.len());
    assert!(jordan.iter().all(|w| w["athleteId"] == JORDAN_LEE_ID));
    assert!(
        jordan
            .iter()
            .any(|w| w["workoutDay"].as_str().unwrap() > "2026-11-25")
    );

    let window = "2025-06-01/2025-06-30";
    let demo = h
        .get_json(&format!("/fitness/v6/athletes/{{a}}/workouts/{window}"))
        .await;
    let theirs = h
        .get_json_with(
            &token,
            &format!("/fitness/v6/athletes/{JORDAN_LEE_ID}/workouts/{window}"),
        )
        .await;
    let ids = |list: &Value| -> HashSet<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|w| w["workoutId"].as_i64().unwrap())
            .collect()
    };
    assert!(ids(&demo).is_disjoint(&ids(&theirs)));
    assert_ne!(
        demo.as_array()
            .unwrap()
            .iter()
            .map(|w| &w["tssActual"])
            .collect::<Vec<_>>(),
        theirs
            .as_array()
            .unwrap()
            .iter()
            .map(|w| &w["tssActual"])
            .collect::<Vec<_>>()
    );

    let with_prs = completed
        .iter()
        .find(|w| w["personalRecordCount"].as_i64().unwrap() > 0)
        .expect("Jordan has personal records");
    let id = with_prs["workoutId"].as_i64().unwrap();
    let prs = h
        .get_json_with(
            &token,
            &format!("/personalrecord/v2/athletes/{JORDAN_LEE_ID}/workouts/{id}"),
        )
        .await;
    assert_eq!(prs["personalRecordCount"], with_prs["personalRecordCount"]);
    assert!(
        prs["personalRecords"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["athleteId"] == JORDAN_LEE_ID)
    );
    let detail = h
        .get_json_with(
            &token,
            &format!("/fitness/v6/athletes/{JORDAN_LEE_ID}/workouts/{id}"),
        )
        .await;
    assert_eq!(&&detail, with_prs);
    let files = h
        .get_json_with(
            &token,
            &format!("/fitness/v6/athletes/{JORDAN_LEE_ID}/workouts/{id}/details"),
        )
        .await;
    let file_id = files["workoutDeviceFileInfos"][0]["fileId"]
        .as_str()
        .unwrap();
    let file = h
        .get_with(
            &token,
            &format!("/fitness/v6/athletes/{JORDAN_LEE_ID}/workouts/{id}/rawfiledata/{file_id}"),
        )
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.bytes().await.unwrap().len() > 1000);
    // The demo athlete's id path with Jordan's workout: refused, not found.
    let crossed = h
        .get_with(
            &token,
            &format!("/fitness/v6/athletes/{DEMO_ATHLETE_ID}/workouts/{id}"),
        )
        .await;
    assert_eq!(crossed.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        h.get(&format!("/fitness/v6/athletes/{{a}}/workouts/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let settings = h
        .get_json_with(
            &token,
            &format!("/fitness/v1/athletes/{JORDAN_LEE_ID}/settings"),
        )
        .await;
    assert_eq!(settings["athleteId"], JORDAN_LEE_ID);
    let focus = h
        .get_with(
            &token,
            &format!("/fitness/v6/athletes/{JORDAN_LEE_ID}/events/focusevent"),
        )
        .await;
    assert_eq!(focus.status(), StatusCode::OK);
}

// Proves Sam Ortiz is a brand-new account: no workouts in any window, no
// events, no metrics, no load.
#[tokio::test]
async fn sam_ortiz_has_nothing_yet() {
    let h = start().await;
    let token = coach(&h).await;
    assert!(all_workouts(&h, &token, SAM_ORTIZ_ID).await.is_empty());
    let events = h
        .get_json_with(
            &token,
            &format!("/fitness/v6/athletes/{SAM_ORTIZ_ID}/events/2022-01-01/2027-12-31"),
        )
        .await;
    assert_eq!(events, serde_json::json!([]));
    let focus = h
        .get_with(
            &token,
            &format!("/fitness/v6/athletes/{SAM_ORTIZ_ID}/events/focusevent"),
        )
        .await;
    assert_eq!(focus.status(), StatusCode::NO_CONTENT);
    let m = h
        .get_json_with(&token, &metrics(SAM_ORTIZ_ID, "2026-01-01", "2026-11-24"))
        .await;
    assert_eq!(m, serde_json::json!([]));
    let perf = h
        .http
        .post(h.url(&format!(
            "/fitness/v1/athletes/{SAM_ORTIZ_ID}/reporting/performancedata/2026-11-01/2026-11-24"
        )))
        .bearer_auth(&token)
        .body(r#"{"ctlConstant": 42, "atlConstant": 7}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(perf.status(), StatusCode::OK);
    let rows: Value = perf.json().await.unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["tssActual"] == 0.0)
    );
    let user = h.get_json_with(&token, "/users/v3/user").await;
    let sams = user["user"]["athletes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["firstName"] == "Sam")
        .count();
    assert_eq!(sams, 2, "\"Sam\" alone is ambiguous");
}

// Proves the demo athlete's metrics: byte-identical from two servers with
// the same seed, different with another seed, the wire shape, plausible
// values, and days without some metrics.
#[tokio::test]
async fn demo_metrics_are_deterministic_and_plausible() {
    let a = start().await;
    let b = start().await;
    let c = start_with(FakeConfig {
        seed: 99,
        ..config()
    })
    .await;
    let path = metrics(DEMO_ATHLETE_ID, "2025-11-25", "2026-11-24");
    let ta = a.get(&path).await.text().await.unwrap();
    assert_eq!(ta, b.get(&path).await.text().await.unwrap());
    assert_ne!(ta, c.get(&path).await.text().await.unwrap());

    let days: Value = serde_json::from_str(&ta).unwrap();
    let days = days.as_array().unwrap();
    assert!((340..=365).contains(&days.len()), "{} days", days.len());
    let mut stamps = BTreeSet::new();
    let mut without_hrv = 0;
    let mut without_weight = 0;
    for d in days {
        assert_eq!(d["athleteId"], DEMO_ATHLETE_ID);
        assert!(d["id"].is_i64());
        let stamp = d["timeStamp"].as_str().unwrap();
        assert!(stamp.ends_with("T06:30:00"), "{stamp}");
        assert!(("2025-11-25".."2026-11-25").contains(&&stamp[..10]));
        assert!(stamps.insert(stamp.to_string()), "one entry per day");
        let details = d["details"].as_array().unwrap();
        assert!(!details.is_empty());
        let value = |t: i64| {
            details
                .iter()
                .find(|x| x["type"] == t)
                .map(|x| x["value"].as_f64().unwrap())
        };
        for x in details {
            let label = match x["type"].as_i64().unwrap() {
                5 => "Pulse",
                6 => "Sleep Hours",
                9 => "Weight",
                53 => "SPO2",
                58 => "Steps",
                60 => "HRV",
                other => panic!("unexpected type {other}"),
            };
            assert_eq!(x["label"], label);
        }
        match value(60) {
            Some(hrv) => assert!((35.0..=100.0).contains(&hrv), "HRV {hrv}"),
            None => without_hrv += 1,
        }
        if let Some(rhr) = value(5) {
            assert!((40.0..=60.0).contains(&rhr), "resting HR {rhr}");
        }
        if let Some(sleep) = value(6) {
            assert!((4.5..=9.8).contains(&sleep), "sleep {sleep}");
        }
        match value(9) {
            Some(kg) => assert!((68.0..=75.0).contains(&kg), "weight {kg}"),
            None => without_weight += 1,
        }
        if let Some(spo2) = value(53) {
            assert!((94.0..=99.0).contains(&spo2));
        }
        if let Some(steps) = value(58) {
            assert!((600.0..=60_000.0).contains(&steps));
        }
    }
    assert!(
        (10..80).contains(&without_hrv),
        "{without_hrv} days without HRV"
    );
    assert!(
        (30..120).contains(&without_weight),
        "{without_weight} days without weight"
    );
    assert!(
        stamps.contains("2026-11-24T06:30:00"),
        "this morning's metrics"
    );

    // The same values whatever window they are asked in.
    let week: Value = a
        .get_json(&metrics(DEMO_ATHLETE_ID, "2026-03-02", "2026-03-08"))
        .await;
    let from_year: Vec<&Value> = days
        .iter()
        .filter(|d| ("2026-03-02".."2026-03-09").contains(&&d["timeStamp"].as_str().unwrap()[..10]))
        .collect();
    assert_eq!(
        week.as_array().unwrap().iter().collect::<Vec<_>>(),
        from_year
    );
}

// Proves the metrics route's rules: inclusive dates, at most 366 days,
// reversed ranges and bad dates refused, nothing after today or before the
// history, and the fault switches apply to it like to any route.
#[tokio::test]
async fn metrics_range_rules_and_faults() {
    let h = start().await;
    assert_eq!(MAX_METRICS_RANGE_DAYS, 366);
    let ok = h
        .get(&metrics(DEMO_ATHLETE_ID, "2024-01-01", "2024-12-31"))
        .await;
    assert_eq!(ok.status(), StatusCode::OK, "366 days (a leap year)");
    let long = h
        .get(&metrics(DEMO_ATHLETE_ID, "2025-01-01", "2026-01-02"))
        .await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    assert!(long.text().await.unwrap().contains("366 days"));
    for (start, end) in [
        ("2025-02-01", "2025-01-01"),
        ("2025-02-30", "2025-03-01"),
        ("x", "2025-03-01"),
    ] {
        let resp = h.get(&metrics(DEMO_ATHLETE_ID, start, end)).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{start}..{end}");
    }
    let single = h
        .get_json(&metrics(DEMO_ATHLETE_ID, "2025-01-07", "2025-01-07"))
        .await;
    assert!(single.as_array().unwrap().len() <= 1);
    let ahead = h
        .get_json(&metrics(DEMO_ATHLETE_ID, "2026-11-25", "2027-01-01"))
        .await;
    assert_eq!(ahead, serde_json::json!([]));
    let before = h
        .get_json(&metrics(DEMO_ATHLETE_ID, "2021-06-01", "2022-01-02"))
        .await;
    assert_eq!(before, serde_json::json!([]));
    assert_eq!(
        h.get(&metrics(7, "2025-01-01", "2025-01-31"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let path = metrics(DEMO_ATHLETE_ID, "2026-11-01", "2026-11-24");
    h.server.control().fail_next_on(Endpoint::Metrics, 1, 503);
    assert_eq!(h.get(&path).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.get(&path).await.status(), StatusCode::OK);
    h.admin(
        "/_fake/fail",
        r#"{"n": 1, "status": 500, "endpoint": "metrics"}"#,
    )
    .await;
    assert_eq!(
        h.get("/fitness/v1/athletes/{a}/settings").await.status(),
        StatusCode::OK,
        "other endpoints are not failed"
    );
    assert_eq!(
        h.get(&path).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(h.server.control().counts().get(Endpoint::Metrics) >= 11);
}

// Proves Jordan Lee's metrics are HRV, resting HR and sleep only, Sam
// Taylor's and Sam Ortiz's are empty, and a coached athlete's metrics are
// deterministic too.
#[tokio::test]
async fn coached_metrics() {
    let h = start().await;
    let other = start().await;
    let token = coach(&h).await;
    let other_token = coach(&other).await;
    let path = metrics(JORDAN_LEE_ID, "2026-01-01", "2026-11-24");
    let jordan = h.get_with(&token, &path).await.text().await.unwrap();
    assert_eq!(
        jordan,
        other
            .get_with(&other_token, &path)
            .await
            .text()
            .await
            .unwrap()
    );
    let jordan: Value = serde_json::from_str(&jordan).unwrap();
    let days = jordan.as_array().unwrap();
    assert!(days.len() > 280, "{}", days.len());
    let types: BTreeSet<i64> = days
        .iter()
        .flat_map(|d| d["details"].as_array().unwrap().iter())
        .map(|x| x["type"].as_i64().unwrap())
        .collect();
    assert_eq!(types, BTreeSet::from([5, 6, 60]));
    assert!(days.iter().all(|d| d["athleteId"] == JORDAN_LEE_ID));
    let demo = h
        .get_json(&metrics(DEMO_ATHLETE_ID, "2026-01-01", "2026-11-24"))
        .await;
    let ids = |v: &Value| -> HashSet<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect()
    };
    assert!(ids(&jordan).is_disjoint(&ids(&demo)));

    for id in [SAM_TAYLOR_ID, SAM_ORTIZ_ID] {
        let empty = h
            .get_json_with(&token, &metrics(id, "2025-11-25", "2026-11-24"))
            .await;
        assert_eq!(empty, serde_json::json!([]), "athlete {id}");
    }
    // Sam Taylor trains all the same.
    let taylor = h
        .get_json_with(
            &token,
            &format!("/fitness/v6/athletes/{SAM_TAYLOR_ID}/workouts/2026-11-01/2026-11-24"),
        )
        .await;
    assert!(taylor.as_array().unwrap().len() > 10);
}

// Proves the coach's cookie is a login of its own: revoked with the demo
// athlete's, accepted again on its own (admin mirror included), and a
// custom coach cookie from the config.
#[tokio::test]
async fn the_coach_cookie_is_a_login_of_its_own() {
    let h = start_with(FakeConfig {
        coach_cookie: "casey".into(),
        ..config()
    })
    .await;
    assert_eq!(h.login(COACH_COOKIE).await, Err(StatusCode::UNAUTHORIZED));
    let token = h.login("casey").await.unwrap();
    assert_eq!(
        h.get_json_with(&token, "/users/v3/user").await["user"]["userId"],
        COACH_USER_ID
    );
    let control = h.server.control();
    control.revoke_cookie();
    assert_eq!(h.login("casey").await, Err(StatusCode::UNAUTHORIZED));
    assert_eq!(
        h.login(tp_fake::DEMO_COOKIE).await,
        Err(StatusCode::UNAUTHORIZED)
    );
    control.accept_cookie(tp_fake::DEMO_COOKIE);
    assert!(h.login(tp_fake::DEMO_COOKIE).await.is_ok());
    assert_eq!(h.login("casey").await, Err(StatusCode::UNAUTHORIZED));
    h.admin(
        "/_fake/accept_cookie",
        r#"{"cookie": "casey-2", "login": "coach"}"#,
    )
    .await;
    let token = h.login("casey-2").await.unwrap();
    assert_eq!(
        h.get_json_with(&token, "/users/v3/user").await["user"]["userId"],
        COACH_USER_ID
    );
    assert!(h.login(tp_fake::DEMO_COOKIE).await.is_ok());
    let bad = h
        .http
        .post(h.url("/_fake/accept_cookie"))
        .body(r#"{"cookie": "x", "login": "admin"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    control.expire_tokens();
    assert_eq!(
        h.get_with(&token, "/users/v3/user").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
