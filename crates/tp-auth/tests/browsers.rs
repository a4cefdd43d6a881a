//! Reading browser cookie databases built by the test in the browsers' real
//! layouts, and checking candidates against the fake TrainingPeaks. Needs no
//! keychain, so it runs everywhere.

mod common;

use common::*;
use tp_auth::{BrowserFinding, BrowserSource, ImportError, find_valid_cookie};

const DAY: i64 = 86_400;

#[tokio::test]
async fn reads_the_cookie_from_a_firefox_profile() {
    let dir = TempDir::new("tp-auth-ff");
    let good = "ff-cookie-4f1d9a-good";
    let db = firefox_profile(
        dir.path(),
        "x1y2z3.default-release",
        &[
            FirefoxCookie::tp(good, now_unix() + 10 * DAY),
            // Neither the name nor the domain is ours: ignored.
            FirefoxCookie {
                host: ".trainingpeaks.com",
                name: "ajs_user_id",
                value: "someone",
                expiry: now_unix() + DAY,
            },
            FirefoxCookie {
                host: ".trainingpeaks.com.evil.example",
                name: "Production_tpAuth",
                value: "phishing",
                expiry: now_unix() + 30 * DAY,
            },
            FirefoxCookie {
                host: "app.trainingpeaks.com",
                name: "Production_tpAuth",
                value: "expired-one",
                expiry: now_unix() - DAY,
            },
        ],
    );
    let fake = fake_accepting(good).await;
    let found = find_valid_cookie(
        &[BrowserSource::firefox("Firefox", &db)],
        &config_for(&fake.base_url()),
    )
    .await
    .expect("the Firefox cookie is found and accepted");
    assert_eq!(found.secret.expose(), good);
    assert_eq!(found.browser, "Firefox (profile x1y2z3.default-release)");
    assert!(found.expires.unwrap() > now_unix() as u64);
    assert_eq!(
        found.report.browsers[0].finding,
        BrowserFinding::Accepted,
        "{:?}",
        found.report
    );
    assert!(
        !format!("{found:?}").contains(good),
        "Debug shows the cookie"
    );
}

/// Two browsers have one: the newest (latest expiry) is tried first; when
/// TrainingPeaks refuses it, the next one is used, and the report says so.
#[tokio::test]
async fn newest_first_and_a_refused_cookie_is_skipped() {
    let dir = TempDir::new("tp-auth-ff2");
    let stale = firefox_profile(
        dir.path(),
        "a.default",
        &[FirefoxCookie::tp(
            "signed-out-cookie-77",
            now_unix() + 20 * DAY,
        )],
    );
    let older = firefox_profile(
        dir.path(),
        "b.default",
        &[FirefoxCookie::tp(
            "still-valid-cookie-78",
            now_unix() + 5 * DAY,
        )],
    );
    let oldest = firefox_profile(
        dir.path(),
        "c.default",
        &[FirefoxCookie::tp(
            "older-valid-cookie-79",
            now_unix() + 2 * DAY,
        )],
    );
    let fake = fake_accepting("still-valid-cookie-78").await;
    let sources = [
        BrowserSource::firefox("Firefox", &oldest),
        BrowserSource::firefox("LibreWolf", &older),
        BrowserSource::firefox("Zen", &stale),
    ];
    let found = find_valid_cookie(&sources, &config_for(&fake.base_url()))
        .await
        .unwrap();
    assert_eq!(found.secret.expose(), "still-valid-cookie-78");
    assert_eq!(found.browser, "LibreWolf (profile b.default)");
    let findings: Vec<_> = found
        .report
        .browsers
        .iter()
        .map(|b| b.finding.clone())
        .collect();
    assert_eq!(
        findings,
        [
            BrowserFinding::NotTried,
            BrowserFinding::Accepted,
            BrowserFinding::Refused
        ]
    );
    // Exactly two exchanges: the refused newest one, then the accepted one.
    assert_eq!(fake.control().counts().get(tp_fake::Endpoint::Token), 2);
}

/// Firefox keeps fresh cookies in `cookies.sqlite-wal` while it runs; a
/// login made a minute ago must still be found.
#[tokio::test]
async fn a_cookie_still_in_firefoxs_write_ahead_log_is_found() {
    let dir = TempDir::new("tp-auth-wal");
    let profile = dir.path().join("w.default-release");
    std::fs::create_dir_all(&profile).unwrap();
    let db = profile.join("cookies.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(FIREFOX_SCHEMA).unwrap();
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch("PRAGMA wal_autocheckpoint=0").unwrap();
    insert_firefox(
        &conn,
        &[FirefoxCookie::tp("fresh-login-in-wal", now_unix() + DAY)],
    );
    // The writer stays open, as a running Firefox does: the row is only in the log.
    assert!(
        std::fs::metadata(profile.join("cookies.sqlite-wal"))
            .unwrap()
            .len()
            > 0
    );

    let fake = fake_accepting("fresh-login-in-wal").await;
    let found = find_valid_cookie(
        &[BrowserSource::firefox("Firefox", &db)],
        &config_for(&fake.base_url()),
    )
    .await
    .expect("the cookie in the WAL is found");
    assert_eq!(found.secret.expose(), "fresh-login-in-wal");
    drop(conn);
}

/// Firefox up to 128 ESR (schema 13) stored `expiry` in seconds.
#[tokio::test]
async fn older_firefox_schema_with_expiry_in_seconds() {
    let dir = TempDir::new("tp-auth-v13");
    let profile = dir.path().join("old.default");
    std::fs::create_dir_all(&profile).unwrap();
    let db = profile.join("cookies.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(FIREFOX_SCHEMA_V13).unwrap();
    for (host, value, expiry) in [
        (".trainingpeaks.com", "v13-valid", now_unix() + DAY),
        ("app.trainingpeaks.com", "v13-expired", now_unix() - DAY),
    ] {
        conn.execute(
            "INSERT INTO moz_cookies (name, value, host, path, expiry, lastAccessed, creationTime, \
             isSecure, isHttpOnly, sameSite, rawSameSite, schemeMap) \
             VALUES ('Production_tpAuth', ?1, ?2, '/', ?3, 0, 0, 1, 1, 1, 1, 2)",
            rusqlite::params![value, host, expiry],
        )
        .unwrap();
    }
    drop(conn);
    let fake = fake_accepting("v13-valid").await;
    let found = find_valid_cookie(
        &[BrowserSource::firefox("Firefox", &db)],
        &config_for(&fake.base_url()),
    )
    .await
    .unwrap();
    assert_eq!(found.secret.expose(), "v13-valid");
    let expires = found.expires.unwrap() as i64;
    assert!((expires - (now_unix() + DAY)).abs() < 5, "{expires}");
}

/// Nothing usable: the error names every browser and what it had, in plain
/// words, says what to do, and never shows a cookie value.
#[tokio::test]
async fn nothing_usable_lists_each_browser_and_what_to_do() {
    let dir = TempDir::new("tp-auth-none");
    let empty = firefox_profile(
        dir.path(),
        "empty.default",
        &[FirefoxCookie {
            host: ".example.com",
            name: "Production_tpAuth",
            value: "wrong-domain-secret-1",
            expiry: now_unix() + DAY,
        }],
    );
    let expired = firefox_profile(
        dir.path(),
        "old.default",
        &[FirefoxCookie::tp("expired-secret-2", now_unix() - DAY)],
    );
    let refused = firefox_profile(
        dir.path(),
        "out.default",
        &[FirefoxCookie::tp("refused-secret-3", now_unix() + DAY)],
    );
    let garbage = dir.path().join("garbage").join("cookies.sqlite");
    std::fs::create_dir_all(garbage.parent().unwrap()).unwrap();
    std::fs::write(&garbage, b"this is not a database at all, just bytes....").unwrap();
    // A Chromium database whose value no key decrypts.
    let chromium_db = dir.path().join("Default").join("Cookies");
    std::fs::create_dir_all(chromium_db.parent().unwrap()).unwrap();
    {
        let conn = rusqlite::Connection::open(&chromium_db).unwrap();
        conn.execute_batch(CHROMIUM_SCHEMA).unwrap();
        let mut blob = b"v11".to_vec();
        blob.extend_from_slice(&[0x5a; 48]);
        let webkit_now = (now_unix() + 11_644_473_600) * 1_000_000;
        conn.execute(
            "INSERT INTO cookies VALUES (?1, '.trainingpeaks.com', '', 'Production_tpAuth', '', ?2, '/', ?3, \
             1, 1, ?1, 1, 1, 1, 0, 2, 443, ?1, 0, 0)",
            rusqlite::params![webkit_now, blob, webkit_now + 10 * DAY * 1_000_000],
        )
        .unwrap();
    }
    let mut not_installed = BrowserSource::chromium("Brave", dir.path().join("nope"));
    not_installed.cookie_db = None;
    let sources = [
        not_installed,
        BrowserSource::firefox("Firefox", &empty),
        BrowserSource::firefox("LibreWolf", &expired),
        BrowserSource::firefox("Zen", &refused),
        BrowserSource::firefox("Waterfox", &garbage),
        BrowserSource::chromium("Chromium", &chromium_db),
    ];
    let fake = fake_accepting("something-else-entirely").await;
    let err = find_valid_cookie(&sources, &config_for(&fake.base_url()))
        .await
        .unwrap_err();
    let ImportError::NothingUsable { report } = &err else {
        panic!("{err:?}")
    };
    let findings: Vec<_> = report.browsers.iter().map(|b| &b.finding).collect();
    assert_eq!(findings[0], &BrowserFinding::NotInstalled);
    assert_eq!(findings[1], &BrowserFinding::NoCookie);
    assert_eq!(findings[2], &BrowserFinding::Expired);
    assert_eq!(findings[3], &BrowserFinding::Refused);
    assert!(
        matches!(findings[4], BrowserFinding::Unreadable { .. }),
        "{findings:?}"
    );
    assert!(
        matches!(findings[5], BrowserFinding::DecryptionRefused { .. }),
        "{findings:?}"
    );
    let text = err.to_string();
    for expected in [
        "not installed (no cookie database found): Brave",
        "Firefox (profile empty.default): no TrainingPeaks login",
        "LibreWolf (profile old.default): only an expired TrainingPeaks login",
        "Zen (profile out.default): has a TrainingPeaks login cookie, but TrainingPeaks refused it",
        "Waterfox (profile garbage): its cookie database could not be read",
        "Chromium (profile Default): its cookies could not be decrypted",
        "tp-mcp auth import",
        "tp-mcp auth set",
        "TP_AUTH_COOKIE",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    for secret in [
        "wrong-domain-secret-1",
        "expired-secret-2",
        "refused-secret-3",
    ] {
        assert!(!text.contains(secret) && !format!("{err:?}").contains(secret));
    }
}

/// TrainingPeaks cannot be reached: nothing is decided, and the error says so.
#[tokio::test]
async fn unreachable_trainingpeaks_is_not_a_refusal() {
    let dir = TempDir::new("tp-auth-net");
    let db = firefox_profile(
        dir.path(),
        "n.default",
        &[FirefoxCookie::tp("cannot-check-me", now_unix() + DAY)],
    );
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = find_valid_cookie(
        &[BrowserSource::firefox("Firefox", &db)],
        &config_for(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ImportError::CannotCheck { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("could not check it") && text.contains("Nothing was changed"));
    assert!(!text.contains("cannot-check-me"));
}

/// The default list finds profiles where the browsers keep them.
#[cfg(target_os = "linux")]
#[test]
fn default_list_finds_profiles_in_a_home() {
    let home = TempDir::new("tp-auth-home");
    let ff = home.path().join(".mozilla/firefox");
    firefox_profile(&ff, "abc.default-release", &[]);
    firefox_profile(&ff, "def.work", &[]);
    let chromium = home.path().join(".config/chromium/Profile 1");
    std::fs::create_dir_all(&chromium).unwrap();
    std::fs::write(chromium.join("Cookies"), b"").unwrap();

    let sources = tp_auth::sources_in_home(home.path());
    let found: Vec<String> = sources
        .iter()
        .filter(|s| s.cookie_db.is_some())
        .map(|s| s.label())
        .collect();
    assert_eq!(
        found,
        [
            "Chromium (profile Profile 1)",
            "Firefox (profile abc.default-release)",
            "Firefox (profile def.work)"
        ]
    );
    // Everything else rookie supports here is listed as not installed.
    for name in [
        "Google Chrome",
        "Brave",
        "Microsoft Edge",
        "Opera",
        "Vivaldi",
        "LibreWolf",
    ] {
        assert!(
            sources
                .iter()
                .any(|s| s.name == name && s.cookie_db.is_none()),
            "{name}"
        );
    }
}

/// AES-CBC has no integrity check: a wrong key "decrypts" whenever its
/// output happens to end like padding (about 1 in 256). rookie tries its
/// keys in turn (on Linux: the keyring's, then "peanuts", then ""), and
/// upstream returns the first that unpads — garbage for this value, which
/// Chromium encrypted ("v11") with the empty key but which also unpads under
/// "peanuts". The vendored rookie checks the SHA-256(host) prefix Chromium
/// puts before the value and takes the right key.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_wrong_chromium_key_that_happens_to_unpad_is_not_taken() {
    use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    use sha2::{Digest, Sha256};
    type Enc = cbc::Encryptor<aes::Aes128>;
    type Dec = cbc::Decryptor<aes::Aes128>;
    // PBKDF2-HMAC-SHA1(password, "saltysalt", 1 iteration, 16 bytes), as Chromium on Linux.
    const PEANUTS: [u8; 16] = *b"\xfd\x62\x1f\xe5\xa2\xb4\x02\x53\x9d\xfa\x14\x7c\xa9\x27\x27\x78";
    const EMPTY: [u8; 16] = *b"\xd0\xd0\xec\x9c\x7d\x77\xd4\x3a\xc5\x41\x87\xfa\x48\x18\xd1\x7f";
    const IV: [u8; 16] = [b' '; 16];
    let host = ".trainingpeaks.com";
    let (value, blob) = (0..100_000)
        .find_map(|n| {
            let value = format!("tricky-cookie-{n}");
            let mut plain = Sha256::digest(host.as_bytes()).to_vec();
            plain.extend_from_slice(value.as_bytes());
            let cipher =
                Enc::new(&EMPTY.into(), &IV.into()).encrypt_padded_vec_mut::<Pkcs7>(&plain);
            let wrong =
                Dec::new(&PEANUTS.into(), &IV.into()).decrypt_padded_vec_mut::<Pkcs7>(&cipher);
            wrong.is_ok().then(|| {
                let mut blob = b"v11".to_vec();
                blob.extend_from_slice(&cipher);
                (value, blob)
            })
        })
        .expect("some value unpads under the wrong key");

    let dir = TempDir::new("tp-auth-cbc");
    let db = dir.path().join("Default").join("Cookies");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(CHROMIUM_SCHEMA).unwrap();
    let webkit_now = (now_unix() + 11_644_473_600) * 1_000_000;
    conn.execute(
        "INSERT INTO cookies VALUES (?1, ?2, '', 'Production_tpAuth', '', ?3, '/', ?4, \
         1, 1, ?1, 1, 1, 1, 0, 2, 443, ?1, 0, 0)",
        rusqlite::params![webkit_now, host, blob, webkit_now + 86_400 * 1_000_000],
    )
    .unwrap();
    drop(conn);

    let fake = fake_accepting(&value).await;
    let found = find_valid_cookie(
        &[BrowserSource::chromium("Chromium", &db)],
        &config_for(&fake.base_url()),
    )
    .await
    .unwrap_or_else(|e| panic!("the right key was not found: {e}"));
    assert_eq!(found.secret.expose(), value);
}
