//! `tp-mcp auth …`: the TrainingPeaks login cookie from the command line.
//!
//! - `auth import [--browser NAME]` — from the browsers into the keychain
//!   (`tp_auth::import`: newest unexpired first, checked with TrainingPeaks).
//! - `auth status` — where the cookie comes from, whether TrainingPeaks
//!   accepts it, whose account it is.
//! - `auth set` — a cookie copied by hand, read from standard input (never
//!   from the command line, where other users and shell history see it).
//! - `auth clear` — remove it from the keychain.
//!
//! Nothing here prints the cookie. Exit status: 0 done, 1 not done.

use clap::Subcommand;
use std::io::{IsTerminal, Read};
use tp_api::{ClientConfig, Secret, TpClient};
use tp_auth::{CookieOrigin, Keychain, Stored};
use zeroize::Zeroizing;

/// The `tp-mcp auth` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Import your TrainingPeaks login from your web browser into the system
    /// keychain (checked with TrainingPeaks first). Log in at
    /// app.trainingpeaks.com in your browser before.
    Import {
        /// Read only this browser: chrome, chromium, edge, brave, opera,
        /// vivaldi, firefox, librewolf, safari, …
        #[arg(long, value_name = "NAME")]
        browser: Option<String>,
    },
    /// Where the cookie comes from, whether TrainingPeaks accepts it and whose
    /// account it is (never prints the cookie).
    Status,
    /// Remove the cookie from the system keychain.
    Clear,
    /// Store a cookie you copied yourself. Reads it from standard input
    /// (`tp-mcp auth set < file`, or paste it when asked), never from the
    /// command line.
    Set {
        /// Store it without checking it with TrainingPeaks first (e.g. offline).
        #[arg(long)]
        no_check: bool,
        /// A cookie typed on the command line: refused without being echoed
        /// (clap's own "unexpected argument '…'" error would print it). Held
        /// as `Secret` from the start: `[redacted]` in `Debug`, zeroed on drop.
        #[arg(hide = true, num_args = 0.., allow_hyphen_values = true, value_parser = typed_secret)]
        on_command_line: Vec<Secret>,
    },
}

fn typed_secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

/// Runs one subcommand; returns the exit status.
pub async fn run(command: AuthCommand, demo: bool) -> i32 {
    if demo {
        eprintln!(
            "`tp-mcp auth` manages your TrainingPeaks account's cookie; the demo athlete (--demo) needs none."
        );
        return 2;
    }
    match command {
        AuthCommand::Import { browser } => import(browser.as_deref()).await,
        AuthCommand::Status => status().await,
        AuthCommand::Clear => clear(),
        AuthCommand::Set {
            no_check,
            on_command_line,
        } => {
            if !on_command_line.is_empty() {
                eprintln!(
                    "The cookie is not taken from the command line: it would stay in your shell history \
and be visible to other programs. Nothing was stored. Run `tp-mcp auth set` and paste it when asked, \
or `tp-mcp auth set < file`."
                );
                return 2;
            }
            set(no_check).await
        }
    }
}

async fn import(browser: Option<&str>) -> i32 {
    let keychain = Keychain::shared();
    match tp_auth::import(browser, &ClientConfig::from_env(), &keychain).await {
        Ok(imported) => {
            let stored = match imported.stored {
                Stored::New => "now stored in",
                Stored::Replaced => "replaced the previous cookie in",
                Stored::Unchanged => "was already the one in",
            };
            println!(
                "Imported your TrainingPeaks login from {}: TrainingPeaks accepted it, and it {stored} {}.",
                imported.browser,
                tp_auth::keychain::store_name()
            );
            if let Some(until) = imported.expires.and_then(date) {
                println!(
                    "The browser keeps this login until {until}; after logging in again there, run `tp-mcp auth import` again (or call tp_refresh_auth)."
                );
            }
            environment_note();
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

async fn status() -> i32 {
    let lookup = tp_auth::find_cookie();
    let origin: crate::cookie::CookieOrigin = lookup.origin.into();
    println!("Cookie source: {}", origin.describe());
    match lookup.origin {
        CookieOrigin::Environment => match Keychain::shared().read() {
            Ok(Some(_)) => println!(
                "The keychain holds a cookie too; it is not used while TP_AUTH_COOKIE is set."
            ),
            Ok(None) => {}
            Err(e) => println!("Keychain: {e}"),
        },
        CookieOrigin::Keychain => println!("Keychain entry: {}", Keychain::shared().describe()),
        CookieOrigin::Missing => {
            if let Some(e) = &lookup.keychain_error {
                println!("Keychain: {e}");
            }
        }
    }
    let Some(cookie) = lookup.secret else {
        println!("Not authenticated: {}", tp_api::ApiError::NoCookie);
        return 1;
    };
    let client = match TpClient::new(ClientConfig::from_env(), Some(cookie)) {
        Ok(client) => client,
        Err(e) => {
            println!("Not authenticated: {e}");
            return 1;
        }
    };
    match client.validate().await {
        Ok(remaining) => println!(
            "TrainingPeaks accepts the cookie (access token valid for {} more minutes).",
            remaining.as_secs() / 60
        ),
        Err(e) => {
            println!("Not authenticated: {e}");
            return 1;
        }
    }
    match client.user().await {
        Ok(user) => println!(
            "Account: {}{}",
            user.display_name(),
            user.athlete_id()
                .map(|id| format!(" (athlete id {id})"))
                .unwrap_or_default()
        ),
        Err(e) => println!("The account could not be read: {e}"),
    }
    0
}

fn clear() -> i32 {
    let keychain = Keychain::shared();
    let code = match keychain.clear() {
        Ok(true) => {
            println!(
                "Removed the TrainingPeaks cookie from {}.",
                tp_auth::keychain::store_name()
            );
            0
        }
        Ok(false) => {
            println!(
                "There was no TrainingPeaks cookie in {}.",
                tp_auth::keychain::store_name()
            );
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    };
    environment_note();
    code
}

async fn set(no_check: bool) -> i32 {
    let text = match read_pasted() {
        Ok(text) => text,
        Err(e) => {
            eprintln!("Could not read the cookie from standard input: {e}");
            return 1;
        }
    };
    let cookie = match tp_auth::cookie_from_pasted(&text) {
        Ok(cookie) => cookie,
        Err(e) => {
            eprintln!("{e} Nothing was stored.");
            return 1;
        }
    };
    drop(text);
    if !no_check && let Err(code) = check_before_storing(&cookie).await {
        return code;
    }
    let keychain = Keychain::shared();
    let had = matches!(keychain.read(), Ok(Some(_)));
    match keychain.store(&cookie) {
        Ok(()) => {
            println!(
                "Stored the cookie in {}{}.",
                tp_auth::keychain::store_name(),
                if had {
                    ", replacing the previous one"
                } else {
                    ""
                }
            );
            environment_note();
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// The cookie as typed or piped in, in memory that is zeroed afterwards.
fn read_pasted() -> std::io::Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(
            "Paste the value of the Production_tpAuth cookie (it is not shown), then press Enter: ",
        )
        .map(Zeroizing::new)
    } else {
        let mut text = Zeroizing::new(String::new());
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    }
}

async fn check_before_storing(cookie: &Secret) -> Result<(), i32> {
    let client = TpClient::new(ClientConfig::from_env(), Some(cookie.clone())).map_err(|e| {
        eprintln!("{e}");
        1
    })?;
    match client.validate().await {
        Ok(_) => Ok(()),
        Err(e) if e.needs_reauth() => {
            eprintln!(
                "TrainingPeaks refused this cookie (it has expired, was signed out, or is not the Production_tpAuth value). Nothing was stored."
            );
            Err(1)
        }
        Err(e) => {
            eprintln!(
                "Could not check the cookie with TrainingPeaks: {e}\nNothing was stored; add --no-check to store it without checking."
            );
            Err(1)
        }
    }
}

fn environment_note() {
    if std::env::var(tp_auth::COOKIE_ENV).is_ok_and(|v| !v.trim().is_empty()) {
        println!(
            "Note: TP_AUTH_COOKIE is set in this environment. Wherever it is set (for example in the MCP server's configuration) it wins over the keychain; remove it there to use the keychain."
        );
    }
}

/// Unix seconds → "2026-12-04 13:05 UTC".
fn date(unix: u64) -> Option<String> {
    let at = chrono::DateTime::from_timestamp(i64::try_from(unix).ok()?, 0)?;
    Some(at.format("%Y-%m-%d %H:%M UTC").to_string())
}
