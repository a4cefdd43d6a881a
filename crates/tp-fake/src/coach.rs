//! The coach login: Casey Morgan, a coach with no athlete of their own, and
//! the three athletes they coach.
//!
//! - **Jordan Lee** ([`JORDAN_LEE_ID`]): a full history (another seed than
//!   the demo athlete's) with HRV, resting HR and sleep from a watch.
//! - **Sam Taylor** ([`SAM_TAYLOR_ID`]): a full history, no health metrics
//!   at all.
//! - **Sam Ortiz** ([`SAM_ORTIZ_ID`]): a brand-new account — no workouts,
//!   no metrics, no events.
//!
//! Two first names are the same on purpose: "Sam" is ambiguous.
//!
//! With the coach's token, every athlete-scoped route answers for these
//! three ids and 403 for any other (the demo athlete's included). Each is
//! generated on the first request for them (a pure function of the server's
//! seed, the athlete and `today`), so a server that nobody asks about them
//! starts as fast as before.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::athlete::DemoAthlete;
use crate::dates::tp_day;
use crate::health::Health;
use crate::profile::Profile;

/// The coach's `userId` and `personId` (no athlete has this id).
pub const COACH_USER_ID: i64 = 2_000_001;

/// Jordan Lee: full history, HRV, resting HR and sleep.
pub const JORDAN_LEE_ID: i64 = 2_000_101;

/// Sam Taylor: full history, no health metrics.
pub const SAM_TAYLOR_ID: i64 = 2_000_102;

/// Sam Ortiz: a brand-new account (nothing at all).
pub const SAM_ORTIZ_ID: i64 = 2_000_103;

/// The coached athletes, in the order `/users/v3/user` lists them.
pub const COACHED_ATHLETE_IDS: [i64; 3] = [JORDAN_LEE_ID, SAM_TAYLOR_ID, SAM_ORTIZ_ID];

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A coached athlete's profile; `None` for an id the coach doesn't coach.
pub fn coached_profile(athlete_id: i64) -> Option<Profile> {
    // Same time zone as the demo athlete: a club in the Netherlands.
    let base = Profile::default();
    Some(match athlete_id {
        JORDAN_LEE_ID => Profile {
            athlete_id,
            first_name: "Jordan",
            last_name: "Lee",
            email: "jordan.lee@example.com",
            user_name: "jordan.lee",
            birthday: ymd(1994, 9, 2),
            gender: "f",
            weight_kg: 58.5,
            lthr: 176,
            lthr_bike: 170,
            max_hr: 193,
            resting_hr: 50,
            hrv_baseline_ms: 78.0,
            ftp_scale: 0.8,
            speed_scale: 1.02,
            id_block: 1,
            ..base
        },
        SAM_TAYLOR_ID => Profile {
            athlete_id,
            first_name: "Sam",
            last_name: "Taylor",
            email: "sam.taylor@example.com",
            user_name: "sam.taylor",
            birthday: ymd(1981, 2, 11),
            gender: "m",
            weight_kg: 78.0,
            lthr: 164,
            lthr_bike: 158,
            max_hr: 181,
            resting_hr: 52,
            hrv_baseline_ms: 55.0,
            ftp_scale: 1.05,
            speed_scale: 0.93,
            id_block: 2,
            ..base
        },
        SAM_ORTIZ_ID => Profile {
            athlete_id,
            first_name: "Sam",
            last_name: "Ortiz",
            email: "sam.ortiz@example.com",
            user_name: "sam.ortiz",
            birthday: ymd(2001, 6, 23),
            gender: "f",
            weight_kg: 63.0,
            lthr: 178,
            lthr_bike: 172,
            max_hr: 196,
            resting_hr: 54,
            hrv_baseline_ms: 65.0,
            ftp_scale: 0.75,
            speed_scale: 0.97,
            id_block: 3,
            ..base
        },
        _ => return None,
    })
}

/// The seed of a coached athlete's history, from the server's seed.
pub fn coached_seed(seed: u64, athlete_id: i64) -> u64 {
    seed.wrapping_add(athlete_id as u64)
}

/// Generates a coached athlete; `None` for an id the coach doesn't coach.
/// Their records are derived on one thread (see
/// [`crate::FakeControl::coached_athlete`]).
pub fn generate(seed: u64, today: NaiveDate, athlete_id: i64) -> Option<DemoAthlete> {
    let profile = coached_profile(athlete_id)?;
    let seed = coached_seed(seed, athlete_id);
    let mut athlete = match athlete_id {
        JORDAN_LEE_ID => DemoAthlete::with_profile(seed, today, profile, Health::Recovery),
        SAM_TAYLOR_ID => DemoAthlete::with_profile(seed, today, profile, Health::None),
        _ => DemoAthlete::new_account_of(seed, today, profile),
    };
    athlete.set_records_threads(1);
    Some(athlete)
}

/// `GET /users/v3/user` for the coach: no athlete of their own, the three
/// coached athletes under `athletes`.
pub fn user_json(today: NaiveDate) -> Value {
    let expire_on = tp_day(today + chrono::Duration::days(200));
    let birthday = ymd(1978, 3, 9);
    let athletes: Vec<Value> = COACHED_ATHLETE_IDS
        .iter()
        .filter_map(|&id| coached_profile(id))
        .map(|p| {
            json!({
                "athleteId": p.athlete_id,
                "firstName": p.first_name,
                "lastName": p.last_name,
                "email": p.email,
                "athleteType": 1,
                "userType": 6,
                "expireOn": expire_on,
            })
        })
        .collect();
    json!({
        "user": {
            "userId": COACH_USER_ID,
            "personId": COACH_USER_ID,
            "firstName": "Casey",
            "lastName": "Morgan",
            "email": "casey.morgan@example.com",
            "userName": "casey.morgan",
            "birthday": tp_day(birthday),
            "gender": "f",
            "timeZone": "Europe/Amsterdam",
            "age": today.years_since(birthday),
            "settings": {
                "account": {
                    "isPremium": true,
                    "isAthlete": false,
                    "isCoach": true,
                    "premiumExpireDate": expire_on,
                },
                "calendar": {"weekStartsOn": 1},
            },
            "athletes": athletes,
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::generate::kind_of;
    use crate::health::MetricType;

    fn today() -> NaiveDate {
        ymd(2026, 11, 24)
    }

    // Proves the three athletes are who the module says: histories of their
    // own (other seeds, other ids than the demo athlete's), which metrics
    // they have, and the brand-new account.
    #[test]
    fn three_athletes_of_their_own() {
        let demo = DemoAthlete::new(crate::DEMO_SEED, today());
        let jordan = generate(crate::DEMO_SEED, today(), JORDAN_LEE_ID).unwrap();
        let taylor = generate(crate::DEMO_SEED, today(), SAM_TAYLOR_ID).unwrap();
        let ortiz = generate(crate::DEMO_SEED, today(), SAM_ORTIZ_ID).unwrap();
        assert!(generate(crate::DEMO_SEED, today(), crate::DEMO_ATHLETE_ID).is_none());
        assert!(generate(crate::DEMO_SEED, today(), COACH_USER_ID).is_none());

        let mut ids = HashSet::new();
        for a in [&demo, &jordan, &taylor] {
            assert!(a.workouts().len() > 1500);
            assert!(a.workouts().iter().all(|w| ids.insert(w.workout_id)));
            assert!(a.events().len() > 3);
            for w in a.workouts() {
                assert_eq!(w.athlete_id, a.profile().athlete_id);
                // Every session reads its kind back from its id (a day off
                // on the plan is no session).
                let day_off = w.workout_type_value_id == 7;
                assert_eq!(
                    kind_of(a.seed(), w, a.profile()).is_some(),
                    !day_off,
                    "{}",
                    w.workout_id
                );
            }
        }
        let event_ids: HashSet<i64> = [&demo, &jordan, &taylor]
            .iter()
            .flat_map(|a| a.events())
            .map(|e| e.id)
            .collect();
        assert_eq!(
            event_ids.len(),
            demo.events().len() + jordan.events().len() + taylor.events().len()
        );
        assert_ne!(jordan.seed(), demo.seed());
        assert_ne!(jordan.seed(), taylor.seed());
        assert!(jordan.ftp_on(today()) < demo.ftp_on(today()) - 30);

        let metrics = jordan.health_metrics(ymd(2026, 1, 1), today());
        assert!(metrics.len() > 280);
        let types: HashSet<MetricType> = metrics
            .iter()
            .flat_map(|d| d.values.iter().map(|(k, _)| *k))
            .collect();
        assert_eq!(
            types,
            HashSet::from([MetricType::Hrv, MetricType::Pulse, MetricType::Sleep])
        );
        assert!(
            taylor
                .health_metrics(crate::HISTORY_START, today())
                .is_empty()
        );

        assert!(ortiz.workouts().is_empty() && ortiz.events().is_empty());
        assert!(
            ortiz
                .health_metrics(crate::HISTORY_START, today())
                .is_empty()
        );
        assert_eq!(ortiz.profile().first_name, taylor.profile().first_name);
    }

    // Proves the coach's user: no athlete of their own, three coached ones.
    #[test]
    fn the_coach_lists_the_three() {
        let user = user_json(today());
        let u = &user["user"];
        assert_eq!(u["userId"], COACH_USER_ID);
        assert_eq!(u["settings"]["account"]["isCoach"], true);
        let listed: Vec<i64> = u["athletes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["athleteId"].as_i64().unwrap())
            .collect();
        assert_eq!(listed, COACHED_ATHLETE_IDS);
        assert!(!listed.contains(&COACH_USER_ID));
    }
}
