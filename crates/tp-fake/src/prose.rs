//! The words people write on a training calendar: titles, the coach's
//! structured instructions (`description`) and `coachComments`.
//!
//! Kept apart from the numbers so the generator reads as training logic.
//! Every choice draws from the caller's seeded RNG, so text is as
//! deterministic as the numbers.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::generate::Kind;

/// "1 h 45 min", "50 min".
pub fn duration_words(secs: f64) -> String {
    let minutes = (secs / 60.0 / 5.0).round() as i64 * 5;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, options: &[&'a str]) -> &'a str {
    options[rng.random_range(0..options.len())]
}

/// Title and structured instructions for a session of `secs` planned seconds.
pub fn title_and_description(kind: Kind, secs: f64, rng: &mut ChaCha8Rng) -> (String, String) {
    let total = duration_words(secs);
    match kind {
        Kind::BikeVo2 => {
            let reps = rng.random_range(4..=6);
            let work = if reps == 6 { 3 } else { 4 };
            (
                format!("VO2max {reps}×{work} min"),
                format!(
                    "Warm up 15 min Z2 with 3×1 min high cadence, {reps}×{work} min @ 110–120 % FTP \
                     with {work} min easy spin, cool down 10 min Z1. Total {total}."
                ),
            )
        }
        Kind::BikeThreshold => {
            let (reps, work) = [(3, 10), (2, 15), (4, 8), (3, 12)][rng.random_range(0..4)];
            (
                format!("Threshold {reps}×{work}"),
                format!(
                    "Warm up 15 min Z2, {reps}×{work} min @ 95–100 % FTP with 5 min easy, \
                     cool down 10 min. Total {total}."
                ),
            )
        }
        Kind::BikeSweetSpot => {
            let (reps, work) = [(2, 20), (3, 15), (2, 25)][rng.random_range(0..3)];
            (
                format!("Sweet spot {reps}×{work}"),
                format!(
                    "Warm up 15 min Z2, {reps}×{work} min @ 88–93 % FTP with 5 min easy, \
                     cool down. Total {total}."
                ),
            )
        }
        Kind::BikeTempo => (
            "Tempo ride".to_string(),
            format!(
                "Warm up 10 min, then steady tempo @ 76–87 % FTP (Z3) for most of the {total}, \
                 cadence 85–95, cool down 10 min."
            ),
        ),
        Kind::BikeEndurance => (
            pick(rng, &["Endurance ride", "Easy spin", "Recovery ride"]).to_string(),
            format!("Easy Z2 ride {total}, stay below 75 % FTP, keep it conversational."),
        ),
        Kind::BikeLong => (
            pick(
                rng,
                &["Long ride", "Long endurance ride", "Weekend long ride"],
            )
            .to_string(),
            format!(
                "Long endurance ride {total} in Z2 (56–75 % FTP). Fuel every 30 min; \
                 in the last hour 3×10 min @ 80–85 % FTP with 5 min easy."
            ),
        ),
        Kind::BikeOpeners => (
            "Pre-race openers".to_string(),
            format!(
                "{total} easy with 4×1 min @ 110 % FTP and 2 min easy between, to open the legs \
                 for tomorrow's race."
            ),
        ),
        Kind::Mtb => (
            pick(
                rng,
                &["MTB trails", "Mountain bike loop", "Gravel & trails"],
            )
            .to_string(),
            format!(
                "Trail ride {total}, endurance effort on the climbs, practise the technical descents."
            ),
        ),
        Kind::RunEasy => (
            pick(rng, &["Easy run", "Recovery run", "Aerobic run"]).to_string(),
            format!("Easy run {total} Z1–Z2, conversational pace, 4×20 s strides at the end."),
        ),
        Kind::RunTempo => {
            let block = [20, 25, 30][rng.random_range(0..3)];
            (
                format!("Tempo run {block} min"),
                format!(
                    "Warm up 15 min easy, {block} min @ 88–92 % threshold pace, cool down 10 min. \
                     Total {total}."
                ),
            )
        }
        Kind::RunIntervals => {
            let (reps, dist) = [(6, "800 m"), (5, "1 km"), (8, "400 m")][rng.random_range(0..3)];
            (
                format!("Run intervals {reps}×{dist}"),
                format!(
                    "Warm up 15 min easy, {reps}×{dist} @ 5K pace with 2 min jog, cool down 10 min. \
                     Total {total}."
                ),
            )
        }
        Kind::RunLong => (
            "Long run".to_string(),
            format!(
                "Long run {total} in Z2, last 15 min at marathon pace. Take a gel after an hour."
            ),
        ),
        Kind::SwimEasy => (
            pick(rng, &["Easy swim", "Technique swim"]).to_string(),
            "Technique swim: 300 m warm up, 8×50 m drills (catch-up, fingertip drag), \
             1000 m steady pull buoy, 200 m cool down."
                .to_string(),
        ),
        Kind::SwimCss => {
            let reps = [8, 10, 12][rng.random_range(0..3)];
            (
                format!("CSS swim {reps}×100"),
                format!(
                    "Warm up 400 m, {reps}×100 m @ CSS with 15 s rest, 4×50 m kick, \
                     300 m pull, cool down 200 m."
                ),
            )
        }
        Kind::Strength => (
            pick(
                rng,
                &["Strength & core", "Gym: lower body", "Strength session"],
            )
            .to_string(),
            "Squats 4×6, Romanian deadlifts 3×8, step-ups 3×10 each leg, calf raises 3×15, \
             core circuit 15 min."
                .to_string(),
        ),
        Kind::Walk => (
            pick(rng, &["Walk", "Evening walk", "Walk with the dog"]).to_string(),
            format!("Easy walk {total}."),
        ),
        Kind::Race10k => (
            pick(
                rng,
                &["Race: Spring 10K", "Race: Canal 10K", "Race: City 10K"],
            )
            .to_string(),
            "Race day! Warm up 15 min with 3 short pick-ups, start controlled, \
             settle at threshold pace, negative split the last 3 km."
                .to_string(),
        ),
        Kind::RaceHalf => (
            pick(rng, &["Race: City Half Marathon", "Race: Dam tot Dam Half"]).to_string(),
            "Race day! Easy 10 min warm-up, first 5 km at goal pace minus 5 s/km, \
             gel at 8 and 15 km, push from 18 km."
                .to_string(),
        ),
        Kind::RaceFondo => (
            pick(
                rng,
                &[
                    "Race: Gran Fondo",
                    "Race: Amstel Gold Fondo",
                    "Race: Ardennes Fondo",
                ],
            )
            .to_string(),
            "Race day! Ride the first hour at endurance pace, climbs at 95–105 % FTP max, \
             90 g carbs per hour."
                .to_string(),
        ),
        Kind::RaceTt => (
            "Race: 40K Time Trial".to_string(),
            "Race day! 20 min warm-up with 3×1 min at race power; hold 98–102 % FTP, \
             empty the tank in the last 5 km."
                .to_string(),
        ),
        Kind::Yoga => ("Yoga".to_string(), "Yoga class.".to_string()),
        Kind::Hike => ("Hike with family".to_string(), "Day hike.".to_string()),
    }
}

/// A coach's note on a planned session (about a third of them get one).
pub fn planned_coach_comment(kind: Kind, rng: &mut ChaCha8Rng) -> Option<String> {
    if !rng.random_bool(0.3) {
        return None;
    }
    let text = match kind {
        Kind::BikeVo2 | Kind::BikeThreshold | Kind::BikeSweetSpot => pick(
            rng,
            &[
                "Keep the recoveries truly easy so the efforts stay on target.",
                "If your legs are heavy from the weekend, swap this for an easy spin.",
                "Smooth pedalling in the efforts, don't grind.",
            ],
        ),
        Kind::BikeLong | Kind::Mtb | Kind::RaceFondo => pick(
            rng,
            &[
                "Fuel: 60–80 g carbs per hour, start eating early.",
                "Stay on top of hydration, it will be warm.",
            ],
        ),
        Kind::RunTempo | Kind::RunIntervals | Kind::Race10k | Kind::RaceHalf => pick(
            rng,
            &[
                "Don't chase pace on the hills, run by effort.",
                "Run the first rep conservatively.",
            ],
        ),
        _ => pick(
            rng,
            &[
                "Easy means easy, HR cap 145.",
                "Good day to work on technique.",
                "Skip it if you slept badly.",
            ],
        ),
    };
    Some(text.to_string())
}

/// A coach's reaction after a completed, planned session; `compliance` is
/// actual / planned TSS.
pub fn coach_feedback(compliance: f64, rng: &mut ChaCha8Rng) -> String {
    let text = if compliance < 0.85 {
        pick(
            rng,
            &[
                "Looks like you cut this short — everything ok?",
                "A bit under target today, no stress, we'll see how the week goes.",
            ],
        )
    } else if compliance > 1.08 {
        pick(
            rng,
            &[
                "Went a bit over plan here, keep an eye on fatigue.",
                "Strong, but remember easy days stay easy.",
            ],
        )
    } else {
        pick(
            rng,
            &[
                "Great execution, right on target.",
                "Nice consistent pacing.",
                "Well done, exactly what I wanted to see.",
            ],
        )
    };
    text.to_string()
}
