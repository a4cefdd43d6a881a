//! The TrainingPeaks routes over real HTTP: shapes, quirks and consistency.

mod common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::{Harness, config, start, start_with, today};
use reqwest::StatusCode;
use serde_json::Value;
use tp_fake::{DEMO_ATHLETE_ID, FakeConfig, HISTORY_START, tp_day};

fn day_path(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Every workout from HISTORY_START to today+21, fetched in 90-day windows.
async fn all_workouts(h: &Harness) -> Vec<Value> {
    let end = today() + Duration::days(30);
    let mut start = HISTORY_START;
    let mut out = Vec::new();
    while start <= end {
        let stop = (start + Duration::days(89)).min(end);
        let path = format!(
            "/fitness/v6/athletes/{{a}}/workouts/{}/{}",
            day_path(start),
            day_path(stop)
        );
        let page = h.get_json(&path).await;
        out.extend(page.as_array().unwrap().iter().cloned());
        start = stop + Duration::days(1);
    }
    out
}

// Proves the list is deterministic per seed: two servers with the same seed
// serve byte-identical bodies, a different seed serves different ones.
#[tokio::test]
async fn same_seed_same_bytes_other_seed_other_data() {
    let a = start().await;
    let b = start().await;
    let c = start_with(FakeConfig {
        seed: 99,
        ..config()
    })
    .await;
    let path = "/fitness/v6/athletes/{a}/workouts/2024-03-01/2024-05-29";
    let ta = a.get(path).await.text().await.unwrap();
    let tb = b.get(path).await.text().await.unwrap();
    let tc = c.get(path).await.text().await.unwrap();
    assert!(ta.len() > 1000);
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

// Proves ≥ 3 years of completed history, planned workouts for the next 21
// days with descriptions, sorted order and the exact field spellings.
#[tokio::test]
async fn history_and_plan_over_http() {
    let h = start().await;
    let all = all_workouts(&h).await;
    let completed: Vec<&Value> = all.iter().filter(|w| w["completed"] == true).collect();
    let first = completed.first().unwrap()["workoutDay"].as_str().unwrap();
    assert_eq!(first, tp_day(HISTORY_START));
    let years: std::collections::BTreeSet<&str> = completed
        .iter()
        .map(|w| &w["workoutDay"].as_str().unwrap()[..4])
        .collect();
    assert!(years.len() >= 4, "{years:?}");

    let keys: Vec<(String, String)> = all
        .iter()
        .map(|w| {
            (
                w["workoutDay"].as_str().unwrap().to_string(),
                w["startTime"].as_str().unwrap_or("~").to_string(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|p| p[0] <= p[1]),
        "sorted by day then startTime"
    );

    let after_today = |w: &&Value| w["workoutDay"].as_str().unwrap() > tp_day(today()).as_str();
    let planned: Vec<&Value> = all.iter().filter(after_today).collect();
    assert!(planned.len() >= 12);
    let last_allowed = tp_day(today() + Duration::days(21));
    for w in &planned {
        assert_eq!(w["completed"], false);
        assert!(w["workoutDay"].as_str().unwrap() <= last_allowed.as_str());
        assert!(w["tssActual"].is_null() && w["if"].is_null());
        if w["workoutTypeValueId"] == 7 {
            // A day off on the plan: nothing planned.
            assert!(w["tssPlanned"].is_null() && w["totalTimePlanned"].is_null());
            continue;
        }
        assert!(w["tssPlanned"].as_f64().unwrap() > 0.0);
        assert!(w["totalTimePlanned"].as_f64().unwrap() > 0.0);
        assert!(w["description"].as_str().unwrap().len() > 10);
    }

    let ride = completed
        .iter()
        .rev()
        .find(|w| w["normalizedPowerActual"].is_number())
        .unwrap();
    for field in [
        "workoutId",
        "athleteId",
        "title",
        "workoutTypeValueId",
        "startTime",
        "tssActual",
        "if",
        "totalTime",
        "powerAverage",
        "powerMaximum",
        "heartRateAverage",
        "calories",
        "feeling",
        "rpe",
        "description",
        "coachComments",
        "workoutComments",
        "userTags",
        "personalRecordCount",
        "structure",
    ] {
        assert!(ride.get(field).is_some(), "missing {field}");
    }
    assert_eq!(ride["athleteId"], DEMO_ATHLETE_ID);
    assert_eq!(ride["structure"], Value::Null);
    let run = completed
        .iter()
        .rev()
        .find(|w| w["workoutTypeValueId"] == 3)
        .unwrap();
    assert!(run["powerAverage"].is_null() && run["normalizedSpeedActual"].as_f64().unwrap() > 2.5);
}

// Proves the 90-day cap: 90 calendar days inclusive pass, 91 are refused,
// as are reversed ranges and bad dates.
#[tokio::test]
async fn workout_list_range_rules() {
    let h = start().await;
    let ok = h
        .get("/fitness/v6/athletes/{a}/workouts/2025-01-01/2025-03-31")
        .await;
    assert_eq!(ok.status(), StatusCode::OK, "2025-01-01..03-31 is 90 days");
    let long = h
        .get("/fitness/v6/athletes/{a}/workouts/2025-01-01/2025-04-01")
        .await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    assert!(long.text().await.unwrap().contains("90 days"));
    let reversed = h
        .get("/fitness/v6/athletes/{a}/workouts/2025-02-01/2025-01-01")
        .await;
    assert_eq!(reversed.status(), StatusCode::BAD_REQUEST);
    let bad = h
        .get("/fitness/v6/athletes/{a}/workouts/2025-02-30/2025-03-01")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let other = h
        .get("/fitness/v6/athletes/42/workouts/2025-01-01/2025-01-31")
        .await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let single: Value = h
        .get_json("/fitness/v6/athletes/{a}/workouts/2025-01-07/2025-01-07")
        .await;
    assert!(
        single
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["workoutDay"] == "2025-01-07T00:00:00")
    );
}

// Proves the detail route serves exactly the list's object, and 404s.
#[tokio::test]
async fn workout_detail_matches_the_list() {
    let h = start().await;
    let list = h
        .get_json("/fitness/v6/athletes/{a}/workouts/2025-06-01/2025-06-30")
        .await;
    let first = &list[0];
    let id = first["workoutId"].as_i64().unwrap();
    let detail = h
        .get_json(&format!("/fitness/v6/athletes/{{a}}/workouts/{id}"))
        .await;
    assert_eq!(&detail, first);
    assert_eq!(
        h.get("/fitness/v6/athletes/{a}/workouts/1").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/fitness/v6/athletes/{a}/workouts/abc")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/no/such/route").await.status(),
        StatusCode::NOT_FOUND
    );
}

// Proves the performance-data quirks: `{}` → "NaN" strings; constants →
// numbers from the 1/T recurrence started at startDate (so they depend on
// the window); one row per day; daily TSS equals the workouts' sum.
#[tokio::test]
async fn performance_data_nan_and_numbers() {
    let h = start().await;
    let path = "/fitness/v1/athletes/{a}/reporting/performancedata/2026-05-29/2026-11-24";
    let nan: Value = h.post(path, "{}").await.json().await.unwrap();
    let nan = nan.as_array().unwrap();
    assert_eq!(nan.len(), 180);
    assert!(
        nan.iter()
            .all(|r| r["ctl"] == "NaN" && r["atl"] == "NaN" && r["tsb"] == "NaN")
    );

    let body = r#"{"atlConstant": 7, "atlStart": 0, "ctlConstant": 42, "ctlStart": 0, "workoutTypes": []}"#;
    let rows: Value = h.post(path, body).await.json().await.unwrap();
    let rows = rows.as_array().unwrap();
    let (mut ctl, mut atl) = (0.0f64, 0.0f64);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(
            r["workoutDay"],
            tp_day(
                chrono::NaiveDate::from_ymd_opt(2026, 5, 29).unwrap() + Duration::days(i as i64)
            )
        );
        let tss = r["tssActual"].as_f64().unwrap();
        assert!((r["tsb"].as_f64().unwrap() - (ctl - atl)).abs() < 1e-9);
        ctl += (tss - ctl) / 42.0;
        atl += (tss - atl) / 7.0;
        assert!((r["ctl"].as_f64().unwrap() - ctl).abs() < 1e-9);
        assert!((r["atl"].as_f64().unwrap() - atl).abs() < 1e-9);
    }
    // Starting 180 days back from 0 under-reads the full-history CTL a little.
    let (true_ctl, _, _) = h.server.athlete().fitness_on(today());
    assert!(
        ctl < true_ctl && ctl > true_ctl * 0.95,
        "{ctl} vs {true_ctl}"
    );
    assert!((55.0..=95.0).contains(&true_ctl));

    let week: Value = h
        .get_json("/fitness/v6/athletes/{a}/workouts/2026-11-18/2026-11-24")
        .await;
    let mut by_day: BTreeMap<String, f64> = BTreeMap::new();
    for w in week
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["completed"] == true)
    {
        *by_day
            .entry(w["workoutDay"].as_str().unwrap().to_string())
            .or_default() += w["tssActual"].as_f64().unwrap_or(0.0);
    }
    for r in &rows[rows.len() - 7..] {
        let expected = by_day
            .get(r["workoutDay"].as_str().unwrap())
            .copied()
            .unwrap_or(0.0);
        assert!((r["tssActual"].as_f64().unwrap() - expected).abs() < 0.05);
    }
    assert!(
        rows.iter()
            .any(|r| r["tssActual"] == 0.0 && r["ifActual"].is_null())
    );

    let seeded = r#"{"ctlConstant": 42, "atlConstant": 7, "ctlStart": 70, "atlStart": 70}"#;
    let seeded: Value = h.post(path, seeded).await.json().await.unwrap();
    assert_eq!(seeded[0]["tsb"].as_f64().unwrap(), 0.0);
    assert_ne!(seeded[179]["ctl"], rows[179]["ctl"]);

    let bad = h
        .post(
            "/fitness/v1/athletes/{a}/reporting/performancedata/2026-05-29/2026-05-01",
            "{}",
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad_json = h.post(path, "{nope").await;
    assert_eq!(bad_json.status(), StatusCode::BAD_REQUEST);
}

// Proves the per-workout records agree with personalRecordCount, that
// planned workouts have none, and the 404 for unknown workouts.
#[tokio::test]
async fn workout_records_agree_with_the_workout() {
    let h = start().await;
    let list = h
        .get_json("/fitness/v6/athletes/{a}/workouts/2022-01-03/2022-02-28")
        .await;
    let with_prs = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["personalRecordCount"].as_i64().unwrap() > 0)
        .unwrap();
    let id = with_prs["workoutId"].as_i64().unwrap();
    let prs = h
        .get_json(&format!("/personalrecord/v2/athletes/{{a}}/workouts/{id}"))
        .await;
    assert_eq!(prs["personalRecordCount"], with_prs["personalRecordCount"]);
    assert_eq!(prs["calcsPending"], false);
    let records = prs["personalRecords"].as_array().unwrap();
    assert_eq!(
        records.len() as i64,
        with_prs["personalRecordCount"].as_i64().unwrap()
    );
    for r in records {
        assert_eq!(r["workoutId"], id);
        assert_eq!(r["athleteId"], DEMO_ATHLETE_ID);
        assert!(["Power", "HeartRate", "Speed"].contains(&r["class"].as_str().unwrap()));
        assert!(r["type"].as_str().unwrap().starts_with("Pr"));
        assert!(["All-Time", "This Year"].contains(&r["timeFrame"]["name"].as_str().unwrap()));
        assert!((1..=3).contains(&r["rank"].as_i64().unwrap()));
        assert_eq!(r["invalid"], false);
    }

    let future = h
        .get_json("/fitness/v6/athletes/{a}/workouts/2026-11-25/2026-12-15")
        .await;
    let planned_id = future[0]["workoutId"].as_i64().unwrap();
    let none = h
        .get_json(&format!(
            "/personalrecord/v2/athletes/{{a}}/workouts/{planned_id}"
        ))
        .await;
    assert_eq!(none["personalRecordCount"], 0);
    assert_eq!(none["personalRecords"], serde_json::json!([]));
    assert_eq!(
        h.get("/personalrecord/v2/athletes/{a}/workouts/7")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

// Proves the sport ranking: 500 without prType (the quirk), 400 for an
// unknown one, top 10 best-first within the range, and its all-time best
// equals the newest All-Time rank-1 record of that type.
#[tokio::test]
async fn sport_records_ranking() {
    let h = start().await;
    assert_eq!(
        h.get("/personalrecord/v2/athletes/{a}/Bike").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        h.get("/personalrecord/v2/athletes/{a}/Bike?prType=power7min")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/personalrecord/v2/athletes/{a}/Swim?prType=power5min")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let q = "/personalrecord/v2/athletes/{a}/Bike?prType=power20min&startDate=2022-01-01T00:00:00&endDate=2026-12-31T00:00:00";
    let ranking = h.get_json(q).await;
    let ranking = ranking.as_array().unwrap();
    assert_eq!(ranking.len(), 10);
    for (i, r) in ranking.iter().enumerate() {
        assert_eq!(r["rank"], i as i64 + 1);
        if i > 0 {
            assert!(ranking[i - 1]["value"].as_f64() >= r["value"].as_f64());
        }
    }
    let athlete = h.server.athlete();
    let newest_record = athlete
        .workouts()
        .iter()
        .flat_map(|w| athlete.personal_records(w.workout_id))
        .rfind(|r| {
            r.record_type() == "Pr20Minutes"
                && r.class() == tp_fake::PrClass::Power
                && r.rank == 1
                && r.time_frame == tp_fake::TimeFrame::AllTime
        })
        .unwrap();
    assert_eq!(ranking[0]["value"].as_f64().unwrap(), newest_record.value);
    assert_eq!(ranking[0]["workoutId"], newest_record.workout_id);

    let window = h
        .get_json("/personalrecord/v2/athletes/{a}/Bike?prType=power20min&startDate=2023-01-01T00:00:00&endDate=2023-03-31T00:00:00")
        .await;
    for r in window.as_array().unwrap() {
        let d = r["workoutDate"].as_str().unwrap();
        assert!(("2023-01-01".."2023-04-01").contains(&d), "{d}");
    }
    let run = h
        .get_json("/personalrecord/v2/athletes/{a}/Run?prType=speed5K")
        .await;
    assert!(!run.as_array().unwrap().is_empty());
    let power_on_run = h
        .get_json("/personalrecord/v2/athletes/{a}/Run?prType=power5min")
        .await;
    assert_eq!(power_on_run, serde_json::json!([]));
}

// Proves user, settings (zones from current thresholds) and workout types.
#[tokio::test]
async fn user_settings_and_types() {
    let h = start().await;
    let user = h.get_json("/users/v3/user").await;
    let u = &user["user"];
    assert_eq!(u["firstName"], "Alex");
    assert_eq!(u["lastName"], "Rivera");
    assert_eq!(u["email"], "alex.rivera@example.com");
    assert_eq!(u["gender"], "m");
    assert_eq!(u["timeZone"], "Europe/Amsterdam");
    assert_eq!(u["settings"]["account"]["isPremium"], true);
    assert_eq!(u["athletes"][0]["athleteId"], DEMO_ATHLETE_ID);
    assert!(u["age"].as_i64().unwrap() > 30);

    let s = h.get_json("/fitness/v1/athletes/{a}/settings").await;
    let ftp = h.server.athlete().ftp_on(today());
    let bike_power = s["powerZones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["workoutTypeId"] == 2)
        .unwrap();
    assert_eq!(bike_power["threshold"], ftp, "an integer number of watts");
    let zones = bike_power["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 7);
    assert_eq!(zones[0]["minimum"], 0);
    assert_eq!(zones[1]["minimum"], (f64::from(ftp) * 0.56).round() as i64);
    for pair in zones.windows(2) {
        assert_eq!(
            pair[0]["maximum"].as_f64().unwrap() + 1.0,
            pair[1]["minimum"].as_f64().unwrap()
        );
    }
    let hr = s["heartRateZones"].as_array().unwrap();
    assert!(hr.iter().any(|g| g["workoutTypeId"] == 0));
    assert!(hr.iter().all(|g| g["zones"].as_array().unwrap().len() == 5));
    assert_eq!(
        hr.iter().find(|g| g["workoutTypeId"] == 3).unwrap()["threshold"],
        171
    );
    let speed = s["speedZones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["workoutTypeId"] == 3)
        .unwrap();
    assert!((3.5..5.0).contains(&speed["threshold"].as_f64().unwrap()));
    assert_eq!(
        h.get("/fitness/v1/athletes/7/settings").await.status(),
        StatusCode::FORBIDDEN
    );

    let types = h.get_json("/fitness/v6/workouttypes").await;
    let names: BTreeMap<i64, &str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t["name"].as_str().unwrap()))
        .collect();
    assert_eq!(names[&1], "Swim");
    assert_eq!(names[&9], "Strength");
    assert_eq!(names[&13], "Walk");
    assert_eq!(names[&100], "Other");
}
