//! `tp-fake`: run the fake TrainingPeaks API from a shell.
//!
//! Prints one line to stdout once listening
//! (`tp-fake listening on http://127.0.0.1:PORT (cookie: …, coach cookie: …)`)
//! and logs to stderr (`RUST_LOG` filters; default `info`). Runs until Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use tp_fake::{COACH_COOKIE, DEMO_COOKIE, DEMO_SEED, FakeConfig, FakeServer};

#[derive(Debug, Parser)]
#[command(
    name = "tp-fake",
    version,
    about = "A fake TrainingPeaks API with a deterministic demo athlete"
)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Seed of the synthetic history.
    #[arg(long, default_value_t = DEMO_SEED)]
    seed: u64,
    /// Accepted `Production_tpAuth` cookie value.
    #[arg(long, default_value = DEMO_COOKIE)]
    cookie: String,
    /// Accepted `Production_tpAuth` cookie value of the coach login (a
    /// coach with three athletes).
    #[arg(long, default_value = COACH_COOKIE)]
    coach_cookie: String,
    /// Delay added to every API request, milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer 429 to API requests closer together than this, milliseconds.
    #[arg(long)]
    rate_limit_ms: Option<u64>,
    /// Exempt the token exchange from the rate limit (clients that space
    /// only their API calls, like the Python reference server).
    #[arg(long)]
    rate_limit_skips_token: bool,
    /// Lifetime of issued tokens, seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
    /// Serve a brand-new account: the athlete has no workouts at all.
    #[arg(long)]
    new_account: bool,
    /// Last day of history, YYYY-MM-DD (default: the local date).
    #[arg(long, value_parser = parse_today)]
    today: Option<chrono::NaiveDate>,
}

fn parse_today(text: &str) -> Result<chrono::NaiveDate, String> {
    tp_fake::parse_day(text).ok_or_else(|| format!("not a date (YYYY-MM-DD): {text}"))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
        });
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .with(filter)
        .init();
    let args = Args::parse();
    let defaults = FakeConfig::default();
    let config = FakeConfig {
        seed: args.seed,
        today: args.today.unwrap_or(defaults.today),
        cookie: args.cookie.clone(),
        coach_cookie: args.coach_cookie.clone(),
        token_ttl: Duration::from_secs(args.token_ttl_secs),
        latency: Duration::from_millis(args.latency_ms),
        new_account: args.new_account,
    };
    let server = FakeServer::start_on(config, SocketAddr::new(args.host, args.port)).await?;
    server
        .control()
        .set_rate_limit(args.rate_limit_ms.map(Duration::from_millis));
    server
        .control()
        .set_rate_limit_skips_token(args.rate_limit_skips_token);
    println!(
        "tp-fake listening on {} (cookie: {}, coach cookie: {})",
        server.base_url(),
        args.cookie,
        args.coach_cookie
    );
    use std::io::Write as _;
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}
