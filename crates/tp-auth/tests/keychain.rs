//! The keychain against a real Secret Service (GNOME Keyring on the D-Bus
//! session bus, as `scripts/test-auth` runs it): store, read back from other
//! processes, replace, clear; and an import that stores only a cookie
//! TrainingPeaks accepted.
//!
//! Every test uses an entry of its own (a unique service name) except
//! `the_shared_entry_is_what_find_cookie_reads`, which touches the entry all
//! binaries share and so runs only under `TP_AUTH_REAL_TESTS=1` (an
//! isolated keyring), never against a developer's own.

mod common;

use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use tp_auth::{
    CookieOrigin, Keychain, KeychainError, Secret, Stored, find_cookie_with, import_from,
};

/// Skips (or fails, under TP_AUTH_REAL_TESTS=1) without a Secret Service.
fn keychain_or_skip() -> Option<Keychain> {
    match secret_service() {
        Ok(()) => Some(Keychain::new(unique("tp-auth-test"), "Production_tpAuth")),
        Err(why) => {
            skip(&format!("no Secret Service: {why}"));
            None
        }
    }
}

/// `secret-tool lookup`: another process, another Secret Service client (libsecret).
fn secret_tool_lookup(keychain: &Keychain) -> Option<String> {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            keychain.service(),
            "username",
            keychain.account(),
        ])
        .output()
        .expect("secret-tool runs");
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

fn secret_tool_store(keychain: &Keychain, value: &str) {
    let mut child = Command::new("secret-tool")
        .args(["store", "--label", "written by secret-tool"])
        .args([
            "service",
            keychain.service(),
            "username",
            keychain.account(),
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(value.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// This test binary again, running only `child_reads_the_keychain`.
fn read_in_child_process(keychain: &Keychain) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reads_the_keychain",
            "--ignored",
            "--nocapture",
        ])
        .env("TP_AUTH_CHILD_SERVICE", keychain.service())
        .env("TP_AUTH_CHILD_ACCOUNT", keychain.account())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("CHILD-READ:"))
        .unwrap_or_else(|| panic!("no answer from the child: {stdout}"))
        .to_string()
}

/// Run by [`read_in_child_process`] in a process of its own.
#[test]
#[ignore = "helper: run by other tests in a separate process"]
fn child_reads_the_keychain() {
    let service = std::env::var("TP_AUTH_CHILD_SERVICE").expect("run by a test");
    let account = std::env::var("TP_AUTH_CHILD_ACCOUNT").unwrap();
    let value = Keychain::new(service, account).read().unwrap();
    println!(
        "CHILD-READ:{}",
        value.as_ref().map(Secret::expose).unwrap_or("<none>")
    );
}

#[test]
fn store_read_elsewhere_replace_clear() {
    let Some(keychain) = keychain_or_skip() else {
        return;
    };
    if !have_secret_tool() {
        return;
    }
    assert_eq!(keychain.read().unwrap(), None);
    assert!(!keychain.clear().unwrap(), "nothing to clear yet");

    keychain.store(&Secret::new("first-cookie-a1")).unwrap();
    assert_eq!(
        keychain.read().unwrap().unwrap().expose(),
        "first-cookie-a1"
    );
    assert_eq!(
        secret_tool_lookup(&keychain).as_deref(),
        Some("first-cookie-a1")
    );
    assert_eq!(read_in_child_process(&keychain), "first-cookie-a1");

    // Replace: one entry, the new value, everywhere.
    keychain.store(&Secret::new("second-cookie-b2")).unwrap();
    assert_eq!(
        keychain.read().unwrap().unwrap().expose(),
        "second-cookie-b2"
    );
    assert_eq!(
        secret_tool_lookup(&keychain).as_deref(),
        Some("second-cookie-b2")
    );
    assert_eq!(read_in_child_process(&keychain), "second-cookie-b2");

    assert!(keychain.clear().unwrap());
    assert_eq!(keychain.read().unwrap(), None);
    assert_eq!(secret_tool_lookup(&keychain), None);
    assert_eq!(read_in_child_process(&keychain), "<none>");
    assert!(!keychain.clear().unwrap());
}

/// What another client (the tray app could use any) stores is read, and
/// replaced in place rather than duplicated.
#[test]
fn an_entry_written_by_another_client_is_read_and_replaced() {
    let Some(keychain) = keychain_or_skip() else {
        return;
    };
    if !have_secret_tool() {
        return;
    }
    secret_tool_store(&keychain, "from-secret-tool-c3");
    assert_eq!(
        keychain.read().unwrap().unwrap().expose(),
        "from-secret-tool-c3"
    );
    keychain.store(&Secret::new("ours-now-d4")).unwrap();
    assert_eq!(
        secret_tool_lookup(&keychain).as_deref(),
        Some("ours-now-d4")
    );
    assert!(keychain.clear().unwrap());
    assert_eq!(secret_tool_lookup(&keychain), None);
}

fn have_secret_tool() -> bool {
    if Command::new("secret-tool").arg("--help").output().is_ok() {
        true
    } else {
        skip("`secret-tool` (libsecret-tools) is not installed");
        false
    }
}

/// An import stores a cookie only after TrainingPeaks accepted it, and
/// reports whether it replaced one.
#[tokio::test]
async fn import_stores_only_an_accepted_cookie() {
    let Some(keychain) = keychain_or_skip() else {
        return;
    };
    let dir = TempDir::new("tp-auth-import");
    let day = 86_400;
    let db = firefox_profile(
        dir.path(),
        "i.default",
        &[FirefoxCookie::tp("browser-cookie-e5", now_unix() + day)],
    );
    let sources = [tp_auth::BrowserSource::firefox("Firefox", &db)];
    keychain.store(&Secret::new("old-cookie-f6")).unwrap();

    // TrainingPeaks refuses the browser's cookie: the keychain keeps the old one.
    let fake = fake_accepting("some-other-cookie").await;
    let err = import_from(&sources, &config_for(&fake.base_url()), &keychain)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refused it"), "{err}");
    assert_eq!(keychain.read().unwrap().unwrap().expose(), "old-cookie-f6");

    // Accepted: it replaces the old one.
    fake.control().accept_cookie("browser-cookie-e5");
    let imported = import_from(&sources, &config_for(&fake.base_url()), &keychain)
        .await
        .unwrap();
    assert_eq!(imported.stored, Stored::Replaced);
    assert_eq!(imported.browser, "Firefox (profile i.default)");
    assert_eq!(
        keychain.read().unwrap().unwrap().expose(),
        "browser-cookie-e5"
    );

    // Again: nothing changes.
    let again = import_from(&sources, &config_for(&fake.base_url()), &keychain)
        .await
        .unwrap();
    assert_eq!(again.stored, Stored::Unchanged);
    assert!(!format!("{imported:?} {again:?}").contains("browser-cookie-e5"));
    keychain.clear().unwrap();
}

/// `find_cookie` reads the entry every binary shares (isolated keyring only).
#[test]
fn the_shared_entry_is_what_find_cookie_reads() {
    if !real_tests_required() {
        eprintln!("SKIPPED: touches the shared keychain entry; run scripts/test-auth");
        return;
    }
    secret_service().expect("a Secret Service under TP_AUTH_REAL_TESTS=1");
    let shared = Keychain::shared();
    assert_eq!(
        (shared.service(), shared.account()),
        ("tp-mcp", "Production_tpAuth")
    );
    let before = shared.read().unwrap();
    shared
        .store(&Secret::new("shared-entry-cookie-g7"))
        .unwrap();
    let found = find_cookie_with(None, &shared);
    assert_eq!(found.origin, CookieOrigin::Keychain);
    assert_eq!(found.secret.unwrap().expose(), "shared-entry-cookie-g7");
    // The environment variable still wins.
    let found = find_cookie_with(Some(Secret::new("env-cookie")), &shared);
    assert_eq!(found.origin, CookieOrigin::Environment);
    match before {
        Some(previous) => shared.store(&previous).unwrap(),
        None => {
            shared.clear().unwrap();
        }
    }
}

/// Without a Secret Service, the lookup goes on (as "missing") and says why
/// in plain words; nothing panics.
#[test]
fn no_secret_service_is_reported_in_plain_words() {
    if secret_service().is_ok() {
        eprintln!("SKIPPED: a Secret Service is running here");
        return;
    }
    let found = find_cookie_with(None, &Keychain::new(unique("tp-auth-none"), "x"));
    assert_eq!(found.origin, CookieOrigin::Missing);
    let err = found.keychain_error.expect("the reason is kept");
    assert!(matches!(err, KeychainError::Unavailable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("not available") && text.contains("TP_AUTH_COOKIE"),
        "{text}"
    );
}
