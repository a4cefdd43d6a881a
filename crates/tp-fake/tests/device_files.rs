//! The device-file routes over real HTTP: listing, download, re-upload and
//! the failure modes, checked with an independent FIT decoder (fitparser).

mod common;

use common::{Harness, start, today};
use reqwest::StatusCode;
use serde_json::Value;
use tp_fake::{CORRUPT_FILE_DAY, TCX_FILE_DAY};

/// The first completed workout on `day` of `type_id`.
async fn workout_on(h: &Harness, day: chrono::NaiveDate, type_id: i64) -> Value {
    let list = h
        .get_json(&format!("/fitness/v6/athletes/{{a}}/workouts/{day}/{day}"))
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|w| w["workoutTypeValueId"] == type_id && w["completed"] == true)
        .cloned()
        .unwrap_or_else(|| panic!("no workout of type {type_id} on {day}"))
}

async fn files(h: &Harness, id: i64) -> Vec<Value> {
    let d = h
        .get_json(&format!("/fitness/v6/athletes/{{a}}/workouts/{id}/details"))
        .await;
    assert_eq!(d["workoutId"], id);
    d["workoutDeviceFileInfos"].as_array().unwrap().clone()
}

async fn download(h: &Harness, id: i64, file_id: &str) -> (StatusCode, Vec<u8>) {
    let r = h
        .get(&format!(
            "/fitness/v6/athletes/{{a}}/workouts/{id}/rawfiledata/{file_id}"
        ))
        .await;
    let status = r.status();
    (status, r.bytes().await.unwrap().to_vec())
}

// Proves a ride's FIT file decodes with an independent decoder (both CRCs
// checked) into one record per timer second of the workout, with the
// summary's average power, and that the file id changes on re-upload.
#[tokio::test]
async fn a_ride_lists_and_serves_its_fit_file() {
    let h = start().await;
    let day = today() - chrono::Duration::days(7 * 20);
    let mut ride = None;
    for offset in 0..7 {
        let list = h
            .get_json(&format!(
                "/fitness/v6/athletes/{{a}}/workouts/{0}/{0}",
                day + chrono::Duration::days(offset)
            ))
            .await;
        ride = list
            .as_array()
            .unwrap()
            .iter()
            .find(|w| {
                w["workoutTypeValueId"] == 2
                    && w["completed"] == true
                    && !w["powerAverage"].is_null()
            })
            .cloned();
        if ride.is_some() {
            break;
        }
    }
    let ride = ride.expect("a ride that week");
    let id = ride["workoutId"].as_i64().unwrap();
    let listed = files(&h, id).await;
    assert_eq!(listed.len(), 1);
    let file_id = listed[0]["fileId"].as_str().unwrap().to_string();
    let name = listed[0]["fileName"].as_str().unwrap();
    assert!(
        name.ends_with(".fit") || name.ends_with(".fit.gz"),
        "{name}"
    );
    let (status, mut bytes) = download(&h, id, &file_id).await;
    assert_eq!(status, StatusCode::OK);
    if name.ends_with(".gz") {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        bytes = out;
    }
    let records = fitparser::from_bytes(&bytes).expect("valid FIT with both CRCs");
    let power: Vec<f64> = records
        .iter()
        .filter(|r| r.kind() == fitparser::profile::MesgNum::Record)
        .filter_map(|r| {
            r.fields()
                .iter()
                .find(|f| f.name() == "power")
                .and_then(|f| match f.value() {
                    fitparser::Value::UInt16(v) => Some(f64::from(*v)),
                    _ => None,
                })
        })
        .collect();
    let secs = (ride["totalTime"].as_f64().unwrap() * 3600.0).round() as usize;
    assert_eq!(power.len(), secs);
    let mean = power.iter().sum::<f64>() / power.len() as f64;
    assert!(
        (mean - ride["powerAverage"].as_f64().unwrap()).abs() < 0.5,
        "{mean}"
    );
    // An unknown file id is a 404; a re-upload gets a new id.
    assert_eq!(download(&h, id, "nope").await.0, StatusCode::NOT_FOUND);
    h.admin("/_fake/reupload", &format!(r#"{{"workoutId": {id}}}"#))
        .await;
    let again = files(&h, id).await;
    assert_ne!(again[0]["fileId"].as_str().unwrap(), file_id);
    assert_eq!(download(&h, id, &file_id).await.0, StatusCode::NOT_FOUND);
}

// Proves the special files: the TCX run, the corrupt ride (cut off, still
// starting like a FIT file), and a planned workout with no files.
#[tokio::test]
async fn special_files_and_planned_workouts() {
    let h = start().await;
    let run = workout_on(&h, TCX_FILE_DAY, 3).await;
    let id = run["workoutId"].as_i64().unwrap();
    let f = files(&h, id).await;
    assert!(f[0]["fileName"].as_str().unwrap().ends_with(".tcx"));
    let (_, tcx) = download(&h, id, f[0]["fileId"].as_str().unwrap()).await;
    let text = String::from_utf8(tcx).unwrap();
    assert!(text.contains("<TrainingCenterDatabase") && text.contains("<Trackpoint>"));

    let ride = workout_on(&h, CORRUPT_FILE_DAY, 2).await;
    let id = ride["workoutId"].as_i64().unwrap();
    let f = files(&h, id).await;
    let (_, broken) = download(&h, id, f[0]["fileId"].as_str().unwrap()).await;
    assert_eq!(&broken[8..12], b".FIT");
    assert!(
        fitparser::from_bytes(&broken).is_err(),
        "a broken file does not decode whole"
    );

    let tomorrow = today() + chrono::Duration::days(1);
    let planned = h
        .get_json(&format!(
            "/fitness/v6/athletes/{{a}}/workouts/{tomorrow}/{}",
            tomorrow + chrono::Duration::days(6)
        ))
        .await;
    let planned_id = planned[0]["workoutId"].as_i64().unwrap();
    assert!(files(&h, planned_id).await.is_empty());
}

// Proves the failure modes: no files listed, gzip garbage, a gzip bomb
// that is small on the wire, and an endless body that keeps coming.
#[tokio::test]
async fn failure_modes() {
    let h = start().await;
    let ride = workout_on(&h, CORRUPT_FILE_DAY - chrono::Duration::days(2), 2).await;
    let id = ride["workoutId"].as_i64().unwrap();
    let mode = |m: &str| format!(r#"{{"mode": "{m}"}}"#);

    h.admin("/_fake/device_files", &mode("no_files")).await;
    assert!(files(&h, id).await.is_empty());

    h.admin("/_fake/device_files", &mode("gzip_garbage")).await;
    let f = files(&h, id).await;
    assert!(f[0]["fileName"].as_str().unwrap().ends_with(".gz"));
    let (_, garbage) = download(&h, id, f[0]["fileId"].as_str().unwrap()).await;
    assert_eq!(&garbage[..2], &[0x1f, 0x8b]);
    {
        use std::io::Read;
        let mut out = Vec::new();
        assert!(
            flate2::read::GzDecoder::new(&garbage[..])
                .read_to_end(&mut out)
                .is_err()
        );
    }

    h.admin("/_fake/device_files", &mode("gzip_bomb")).await;
    let (_, bomb) = download(&h, id, f[0]["fileId"].as_str().unwrap()).await;
    assert!(
        bomb.len() < 2 * 1024 * 1024,
        "{} bytes on the wire",
        bomb.len()
    );

    h.admin("/_fake/device_files", &mode("endless")).await;
    let mut r = h
        .get(&format!(
            "/fitness/v6/athletes/{{a}}/workouts/{id}/rawfiledata/{}",
            f[0]["fileId"].as_str().unwrap()
        ))
        .await;
    let mut received = 0usize;
    while let Some(chunk) = r.chunk().await.unwrap() {
        received += chunk.len();
        if received > 8 * 1024 * 1024 {
            break;
        }
    }
    assert!(received > 8 * 1024 * 1024, "the body keeps coming");

    h.admin("/_fake/device_files", &mode("normal")).await;
    let bad = h
        .http
        .post(h.url("/_fake/device_files"))
        .body(mode("sometimes"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
