//! The JSON shapes of the small endpoints: who am I, athlete settings and
//! zones, workout types, and a workout's personal records.
//!
//! Workouts serialize themselves ([`crate::FakeWorkout::to_json`]), as do
//! performance rows and ranking rows; this module holds the rest, so the
//! route handlers only route.

use serde_json::{Value, json};

use crate::athlete::DemoAthlete;
use crate::dates::tp_day;
use crate::workout::{TYPE_BIKE, TYPE_RUN, TYPE_SWIM, WORKOUT_TYPES};

/// `GET /users/v3/user`.
pub fn user(athlete: &DemoAthlete) -> Value {
    let p = athlete.profile();
    let today = athlete.today();
    let expire_on = tp_day(today + chrono::Duration::days(200));
    json!({
        "user": {
            "userId": p.athlete_id,
            "personId": p.athlete_id,
            "firstName": p.first_name,
            "lastName": p.last_name,
            "email": p.email,
            "userName": p.user_name,
            "birthday": tp_day(p.birthday),
            "gender": p.gender,
            "timeZone": p.time_zone,
            "age": p.age_on(today),
            "settings": {
                "account": {
                    "isPremium": true,
                    "isAthlete": true,
                    "isCoach": false,
                    "premiumExpireDate": expire_on,
                },
                "calendar": {"weekStartsOn": 1},
            },
            "athletes": [{
                "athleteId": p.athlete_id,
                "firstName": p.first_name,
                "lastName": p.last_name,
                "email": p.email,
                "athleteType": 1,
                "userType": 6,
                "expireOn": expire_on,
            }],
        }
    })
}

/// Zone bounds from `(label, lower fraction)` pairs of a threshold: each
/// zone runs from its own lower bound to `step` below the next one's. With
/// `decimals == 0` the bounds are JSON integers (W, bpm).
fn zones(threshold: f64, bands: &[(&str, f64)], top: f64, decimals: i32, step: f64) -> Value {
    let scale = 10f64.powi(decimals);
    let number = |x: f64| {
        let x = (x * scale).round() / scale;
        if decimals == 0 {
            json!(x as i64)
        } else {
            json!(x)
        }
    };
    let list: Vec<Value> = bands
        .iter()
        .enumerate()
        .map(|(i, (label, lower))| {
            let maximum = bands.get(i + 1).map_or(top, |(_, next)| threshold * next - step);
            json!({"label": label, "minimum": number(threshold * lower), "maximum": number(maximum)})
        })
        .collect();
    Value::Array(list)
}

/// The seven Coggan power zones from FTP (W).
fn power_zones(ftp: f64) -> Value {
    let bands = [
        ("Recovery", 0.0),
        ("Endurance", 0.56),
        ("Tempo", 0.76),
        ("Threshold", 0.91),
        ("VO2 Max", 1.06),
        ("Anaerobic Capacity", 1.21),
        ("Neuromuscular Power", 1.51),
    ];
    zones(ftp, &bands, 2000.0, 0, 1.0)
}

/// Five heart-rate zones from LTHR (bpm), the top one ending at max HR.
fn heart_rate_zones(lthr: f64, max_hr: f64) -> Value {
    let bands = [
        ("Recovery", 0.0),
        ("Aerobic", 0.81),
        ("Tempo", 0.90),
        ("Threshold", 0.94),
        ("Anaerobic", 1.0),
    ];
    zones(lthr, &bands, max_hr, 0, 1.0)
}

/// Five speed zones from threshold speed (m/s).
fn speed_zones(threshold: f64) -> Value {
    let bands = [
        ("Recovery", 0.0),
        ("Aerobic", 0.78),
        ("Tempo", 0.88),
        ("Threshold", 0.95),
        ("Anaerobic", 1.01),
    ];
    zones(
        threshold,
        &bands,
        (threshold * 1.6 * 100.0).round() / 100.0,
        3,
        0.001,
    )
}

/// `GET /fitness/v1/athletes/{id}/settings`: current thresholds and zones.
pub fn settings(athlete: &DemoAthlete) -> Value {
    let p = athlete.profile();
    let today = athlete.today();
    let ftp = p.ftp_on(today);
    let run_speed = p.run_threshold_speed_on(today);
    let swim_speed = p.swim_threshold_speed_on(today);
    let (max_hr, resting_hr) = (p.max_hr, p.resting_hr);
    let power_group = |type_id: i32| {
        json!({
            "workoutTypeId": type_id,
            "calculationMethod": 1,
            "threshold": ftp,
            "maximumHeartRate": null,
            "restingHeartRate": null,
            "zones": power_zones(f64::from(ftp)),
        })
    };
    let hr_group = |type_id: i32, lthr: u32| {
        json!({
            "workoutTypeId": type_id,
            "calculationMethod": 2,
            "threshold": lthr,
            "maximumHeartRate": max_hr,
            "restingHeartRate": resting_hr,
            "zones": heart_rate_zones(f64::from(lthr), f64::from(max_hr)),
        })
    };
    let speed_group = |type_id: i32, threshold: f64| {
        json!({
            "workoutTypeId": type_id,
            "calculationMethod": 3,
            "threshold": threshold,
            "maximumHeartRate": null,
            "restingHeartRate": null,
            "zones": speed_zones(threshold),
        })
    };
    json!({
        "athleteId": p.athlete_id,
        "powerZones": [power_group(0), power_group(TYPE_BIKE)],
        "heartRateZones": [
            hr_group(0, p.lthr),
            hr_group(TYPE_BIKE, p.lthr_bike),
            hr_group(TYPE_RUN, p.lthr),
        ],
        "speedZones": [
            speed_group(0, run_speed),
            speed_group(TYPE_RUN, run_speed),
            speed_group(TYPE_SWIM, swim_speed),
        ],
    })
}

/// `GET /fitness/v6/workouttypes`.
pub fn workout_types() -> Value {
    Value::Array(
        WORKOUT_TYPES
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect(),
    )
}

/// `GET /personalrecord/v2/athletes/{id}/workouts/{wid}` for a known workout.
pub fn workout_records(athlete: &DemoAthlete, workout_id: i64) -> Value {
    let records: Vec<Value> = athlete
        .personal_records(workout_id)
        .iter()
        .map(|r| r.to_json())
        .collect();
    json!({
        "personalRecordCount": records.len(),
        "calcsPending": false,
        "personalRecords": records,
    })
}
