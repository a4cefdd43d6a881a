//! Property tests of `stream_analysis`: what must hold for any recording.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use std::collections::BTreeMap;
use tp_fitness::mean_max::one_hz_stretches;
use tp_fitness::stream_analysis::w_prime::balance_series;
use tp_fitness::stream_analysis::{AnalysisInputs, analyze_streams};
use tp_model::{ChannelKind, Sport, Streams, Zone};

/// Steps between samples: mostly 1 s, some held (2–5 s), some pauses.
fn step() -> impl Strategy<Value = u32> {
    prop_oneof![20 => Just(1u32), 2 => 2u32..=5, 1 => 6u32..60, 1 => Just(600)]
}

/// A recording with power, heart rate, speed, distance and altitude,
/// values sometimes missing.
fn recording(max_len: usize) -> impl Strategy<Value = Streams> {
    (1..max_len).prop_flat_map(|n| {
        (
            vec(step(), n),
            vec(option::weighted(0.9, 0i32..1500), n),
            vec(option::weighted(0.9, 60i32..200), n),
            vec(option::weighted(0.9, 0i32..8000), n),
            vec(option::weighted(0.95, -30i32..30), n),
        )
            .prop_map(|(steps, power, hr, speed, climb)| {
                let mut t = 0u32;
                let time: Vec<u32> = steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        if i > 0 {
                            t += s;
                        }
                        t
                    })
                    .collect();
                let (mut d, mut a) = (0i32, 10_000i32);
                let distance = speed
                    .iter()
                    .map(|v| {
                        d += v.unwrap_or(0) / 10;
                        Some(d)
                    })
                    .collect();
                let altitude = climb
                    .iter()
                    .map(|c| {
                        a += c.unwrap_or(0) * 20;
                        c.map(|_| a)
                    })
                    .collect();
                let mut c = BTreeMap::new();
                c.insert(ChannelKind::Power, power);
                c.insert(ChannelKind::HeartRate, hr);
                c.insert(ChannelKind::Speed, speed);
                c.insert(ChannelKind::Distance, distance);
                c.insert(ChannelKind::Altitude, altitude);
                Streams::from_parts(time, c).unwrap()
            })
    })
}

/// Zones with bounds anywhere in `0..top` (overlapping, unordered, with
/// gaps, an open top).
fn zones(top: f64) -> impl Strategy<Value = Vec<Zone>> {
    vec(
        (0.0..top, 0.0..top, any::<bool>()).prop_map(|(a, b, open)| Zone {
            label: None,
            minimum: Some(a.min(b)),
            maximum: (!open).then_some(a.max(b)),
        }),
        1..8,
    )
}

fn sport() -> impl Strategy<Value = Sport> {
    prop_oneof![
        Just(Sport::Bike),
        Just(Sport::Run),
        Just(Sport::Swim),
        Just(Sport::Walk),
        Just(Sport::Strength)
    ]
}

/// Any threshold, including the ones that are no threshold.
fn threshold() -> impl Strategy<Value = Option<f64>> {
    option::of(prop_oneof![
        any::<f64>(),
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(1e-300),
        Just(1e300),
        1.0..400.0f64,
    ])
}

/// Whether a Debug rendering holds a NaN or an infinity.
fn has_non_finite(debug: &str) -> bool {
    debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "NaN" || w == "inf")
}

/// Grid seconds with a value, counted from the mean-maximal stretches.
fn seconds_with(s: &Streams, kind: ChannelKind) -> u32 {
    s.channel(kind).map_or(0, |v| {
        one_hz_stretches(s.time_s(), v)
            .iter()
            .map(|x| x.len() as u32)
            .sum()
    })
}

proptest! {
    // Proves the seconds in zones add up to the recorded seconds with a
    // value (counted independently, from the mean-maximal stretches), for
    // power, heart rate and speed, whatever the zones.
    #[test]
    fn time_in_zones_adds_up(
        s in recording(400),
        pz in zones(1500.0),
        hz in zones(220.0),
        sz in zones(8.0),
    ) {
        let a = analyze_streams(&AnalysisInputs {
            power_zones: Some(&pz),
            hr_zones: Some(&hz),
            speed_zones: Some(&sz),
            ..AnalysisInputs::new(&s, Sport::Bike)
        });
        for (z, kind) in [
            (&a.time_in_zones.power, ChannelKind::Power),
            (&a.time_in_zones.heart_rate, ChannelKind::HeartRate),
            (&a.time_in_zones.speed, ChannelKind::Speed),
        ] {
            let expected = seconds_with(&s, kind);
            match z {
                Some(z) => {
                    prop_assert_eq!(z.zones.iter().map(|z| z.seconds).sum::<u32>(), expected);
                    prop_assert_eq!(z.seconds_with_value, expected);
                    prop_assert!(z.above_top_zone_s + z.below_first_zone_s <= expected);
                }
                None => prop_assert_eq!(expected, 0),
            }
        }
        prop_assert!(a.recorded_s >= seconds_with(&s, ChannelKind::Power));
        prop_assert_eq!(a.recorded_s, s.recorded_s(5));
    }

    // Proves NP ≥ the mean of its own 30-s rolling averages (the power-mean
    // inequality) for any ride, and NP ≥ average power for any ride whose
    // first and last 30 s are steady at no more than any other second
    // (without that, a spike in the first seconds can make NP the lower:
    // the rolling averages count the edges less).
    #[test]
    fn np_is_at_least_the_average(
        easy in 0i32..300,
        middle in vec(0i32..1200, 1..900),
    ) {
        let middle: Vec<i32> = middle.iter().map(|p| p + easy).collect();
        let mut watts = vec![easy; 30];
        watts.extend(&middle);
        watts.extend([easy; 30]);
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, watts.iter().map(|w| Some(*w)).collect());
        let s = Streams::from_parts((0..watts.len() as u32).collect(), c).unwrap();
        let a = analyze_streams(&AnalysisInputs::new(&s, Sport::Bike));
        let p = a.load.power.unwrap();
        let np = p.normalized_power_w.unwrap();
        prop_assert!(np >= p.average_power_w * (1.0 - 1e-12), "{} < {}", np, p.average_power_w);
        let x: Vec<f64> = watts.iter().map(|w| f64::from(*w)).collect();
        let rolling: Vec<f64> = x.windows(30).map(|w| w.iter().sum::<f64>() / 30.0).collect();
        let mean_rolling = rolling.iter().sum::<f64>() / rolling.len() as f64;
        prop_assert!(np >= mean_rolling * (1.0 - 1e-12));
        // and the definition itself, written out here
        let direct = (rolling.iter().map(|r| r.powi(4)).sum::<f64>() / rolling.len() as f64).powf(0.25);
        prop_assert!((np - direct).abs() <= 1e-9 * direct.max(1.0));
    }

    // Proves W′ balance never exceeds W′, never falls below W′ minus the
    // work done above CP so far (no recovery at all), and equals Skiba's
    // differential equation integrated numerically (RK4, 4 steps per
    // second; pauses at 0 W).
    #[test]
    fn w_prime_balance_follows_the_model(
        power in vec(option::weighted(0.95, 0.0..900.0f64), 1..300),
        gaps in vec(prop_oneof![9 => Just(0u32), 1 => 1u32..400], 300),
        cp in 150.0..350.0f64,
        w_prime in 5_000.0..30_000.0f64,
    ) {
        let gaps = &gaps[..power.len()];
        let series = balance_series(&power, gaps, cp, w_prime);
        let rate = |w: f64, p: f64| if p > cp { -(p - cp) } else { (w_prime - w) * (cp - p) / w_prime };
        let rk4 = |mut w: f64, p: f64, seconds: f64| {
            let steps = (seconds * 4.0).ceil().max(1.0) as usize;
            let h = seconds / steps as f64;
            for _ in 0..steps {
                let k1 = rate(w, p);
                let k2 = rate(w + h / 2.0 * k1, p);
                let k3 = rate(w + h / 2.0 * k2, p);
                let k4 = rate(w + h * k3, p);
                w += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            }
            w
        };
        let (mut w, mut drained) = (w_prime, 0.0);
        for ((p, gap), got) in power.iter().zip(gaps).zip(&series) {
            if *gap > 0 {
                w = rk4(w, 0.0, f64::from(*gap));
            }
            let p = p.unwrap_or(0.0);
            w = rk4(w, p, 1.0);
            drained += (p - cp).max(0.0);
            prop_assert!(*got <= w_prime + 1e-9);
            prop_assert!(*got >= w_prime - drained - 1e-6);
            prop_assert!((got - w).abs() <= 1e-6 * w_prime, "{} vs {}", got, w);
        }
    }

    // Proves a perfectly steady ride with a constant heart rate has no
    // decoupling, with pauses anywhere, and reads as coupled from 20 min.
    #[test]
    fn steady_ride_has_no_decoupling(
        watts in 50i32..500,
        bpm in 60i32..200,
        steps in vec(step(), 60..3000),
    ) {
        let mut t = 0;
        let time: Vec<u32> = steps.iter().enumerate().map(|(i, s)| { if i > 0 { t += s; } t }).collect();
        let n = time.len();
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, vec![Some(watts); n]);
        c.insert(ChannelKind::HeartRate, vec![Some(bpm); n]);
        let s = Streams::from_parts(time, c).unwrap();
        let a = analyze_streams(&AnalysisInputs {
            ftp_w: Some(f64::from(watts) * 1.5),
            ..AnalysisInputs::new(&s, Sport::Bike)
        });
        prop_assert!(a.decoupling.percent.unwrap().abs() < 1e-9);
        prop_assert_eq!(a.efficiency.variability_index, Some(1.0));
        if a.recorded_s >= 1200 {
            prop_assert!(a.decoupling.meaningful, "{:?}", a.decoupling.reasons);
        }
    }

    // Proves no number in the analysis is ever NaN or infinite, and it
    // always serializes, whatever the recording, sport, thresholds and zones.
    #[test]
    fn never_nan_or_infinite(
        s in recording(300),
        sport in sport(),
        ftp in threshold(),
        speed in threshold(),
        lthr in threshold(),
        cp in threshold(),
        w_prime in threshold(),
        bounds in vec((any::<Option<f64>>(), any::<Option<f64>>()), 0..5),
    ) {
        let zones: Vec<Zone> = bounds
            .iter()
            .map(|(minimum, maximum)| Zone { label: None, minimum: *minimum, maximum: *maximum })
            .collect();
        let a = analyze_streams(&AnalysisInputs {
            ftp_w: ftp,
            threshold_speed_m_s: speed,
            lthr_bpm: lthr,
            cp_w: cp,
            w_prime_j: w_prime,
            power_zones: Some(&zones),
            hr_zones: Some(&zones),
            speed_zones: Some(&zones),
            ..AnalysisInputs::new(&s, sport)
        });
        let debug = format!("{:?}", a);
        prop_assert!(!has_non_finite(&debug), "{}", debug);
        prop_assert!(serde_json::to_string(&a).is_ok());
    }

    // Proves the same for extreme integer values in every channel.
    #[test]
    fn never_nan_or_infinite_on_extreme_values(
        values in vec(vec(option::of(any::<i32>()), 7), 1..200),
        steps in vec(step(), 200),
        sport in sport(),
    ) {
        let n = values.len();
        let mut t = 0;
        let time: Vec<u32> = steps[..n].iter().enumerate().map(|(i, s)| { if i > 0 { t += s; } t }).collect();
        let channels: BTreeMap<_, _> = ChannelKind::ALL
            .iter()
            .enumerate()
            .map(|(k, kind)| (*kind, values.iter().map(|v| v[k]).collect()))
            .collect();
        let s = Streams::from_parts(time, channels).unwrap();
        let a = analyze_streams(&AnalysisInputs {
            ftp_w: Some(250.0),
            threshold_speed_m_s: Some(4.0),
            ..AnalysisInputs::new(&s, sport)
        });
        let debug = format!("{:?}", a);
        prop_assert!(!has_non_finite(&debug), "{}", debug);
    }
}
