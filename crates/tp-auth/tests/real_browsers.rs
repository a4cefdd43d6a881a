//! Real browsers write the cookie; rookie (through tp-auth) reads it back.
//!
//! Headless Debian `chromium` visits a local HTTPS page that answers as
//! app.trainingpeaks.com (`--host-resolver-rules`, a self-signed certificate
//! made here with `openssl`, `--ignore-certificate-errors`) and sets
//! `Production_tpAuth`; Chromium encrypts it into its `Cookies` database:
//!
//! - with `--password-store=basic`: "v10", the fixed Linux key ("peanuts");
//! - with `--password-store=gnome-libsecret` inside a D-Bus session with an
//!   unlocked GNOME Keyring: "v11", with a random key Chromium stores in the
//!   keyring as "Chromium Safe Storage" — rookie must fetch it over D-Bus.
//!
//! Headless `firefox-esr` visits a plain-HTTP page (every host resolved to
//! loopback by a profile preference) and writes `cookies.sqlite` itself.
//!
//! Each test skips when its browser (or keyring) is missing, and fails
//! instead under `TP_AUTH_REAL_TESTS=1` (what `scripts/test-auth` sets).

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tp_auth::{BrowserFinding, BrowserSource, find_valid_cookie};

/// The headers a TrainingPeaks login sets (the value is the test's own).
fn set_cookie(value: &str, secure: bool) -> String {
    format!(
        "Production_tpAuth={value}; Domain=.trainingpeaks.com; Path=/; Max-Age=864000; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

fn response(set_cookie: &str) -> Vec<u8> {
    let body = "<html><body>TrainingPeaks (test)</body></html>";
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: {set_cookie}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one request's head (enough for a GET).
fn read_head(stream: &mut impl Read) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 65_536 {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
}

/// A loopback server answering every request with the login response;
/// `tls` makes it HTTPS with the given certificate and key (PEM files).
fn serve(set_cookie: String, tls: Option<(&Path, &Path)>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = tls.map(|(cert, key)| {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        Arc::new(config)
    });
    let answer = Arc::new(response(&set_cookie));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let tls = tls.clone();
            let answer = answer.clone();
            std::thread::spawn(move || handle(stream, tls, &answer));
        }
    });
    port
}

fn handle(stream: TcpStream, tls: Option<Arc<rustls::ServerConfig>>, answer: &[u8]) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    match tls {
        None => {
            let mut stream = stream;
            read_head(&mut stream);
            let _ = stream.write_all(answer);
        }
        Some(config) => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            read_head(&mut tls);
            let _ = tls.write_all(answer);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    }
}

/// A self-signed certificate for app.trainingpeaks.com, made with openssl.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=app.trainingpeaks.com"])
        .args([
            "-addext",
            "subjectAltName=DNS:app.trainingpeaks.com,DNS:trainingpeaks.com",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// Runs `cmd` to completion, killing it after `limit`.
fn run_with_limit(mut cmd: Command, limit: Duration) -> (bool, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the browser starts");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let ok = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (ok, reader.join().unwrap_or_default())
}

fn chromium_binary() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| have(b))
}

/// Headless Chromium visits the fake login page; returns its `Cookies` path.
fn chromium_visit(profile: &Path, password_store: &str, value: &str) -> Option<PathBuf> {
    let Some(chromium) = chromium_binary() else {
        skip("Debian's `chromium` is not installed");
        return None;
    };
    if !have("openssl") {
        skip("`openssl` is not installed");
        return None;
    }
    let (cert, key) = certificate(profile.parent().unwrap());
    let port = serve(set_cookie(value, true), Some((&cert, &key)));
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--ignore-certificate-errors",
    ])
    .arg(format!("--password-store={password_store}"))
    .arg(format!(
        "--host-resolver-rules=MAP app.trainingpeaks.com 127.0.0.1:{port}"
    ))
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(["--dump-dom", "https://app.trainingpeaks.com/"]);
    let (ok, stderr) = run_with_limit(cmd, Duration::from_secs(90));
    let db = profile.join("Default").join("Cookies");
    assert!(
        ok && db.is_file(),
        "chromium did not write {}:\n{stderr}",
        db.display()
    );
    Some(db)
}

/// What Chromium stored: the plain `value` column and the encrypted blob's version prefix.
fn stored_by_chromium(db: &Path) -> (String, String) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row(
        "SELECT value, substr(encrypted_value, 1, 3) FROM cookies \
         WHERE name = 'Production_tpAuth' AND host_key = '.trainingpeaks.com'",
        [],
        |row| {
            let blob: Vec<u8> = row.get(1)?;
            Ok((row.get(0)?, String::from_utf8_lossy(&blob).into_owned()))
        },
    )
    .expect("chromium stored the cookie")
}

async fn assert_read_back(source: BrowserSource, value: &str) {
    let fake = fake_accepting(value).await;
    let found = find_valid_cookie(std::slice::from_ref(&source), &config_for(&fake.base_url()))
        .await
        .unwrap_or_else(|e| panic!("rookie did not read the cookie back: {e}"));
    assert_eq!(found.secret.expose(), value);
    assert_eq!(found.report.browsers[0].finding, BrowserFinding::Accepted);
    let expires = found.expires.expect("a persistent cookie") as i64;
    assert!(
        (expires - (now_unix() + 864_000)).abs() < 600,
        "Max-Age=864000 should expire in 10 days, got {expires}"
    );
}

/// `--password-store=basic`: Chromium's "v10" encryption with the fixed key.
#[tokio::test]
async fn chromium_v10_cookie_written_by_real_chromium_is_read_back() {
    let dir = TempDir::new("tp-auth-chromium-v10");
    let value = "chromium-v10-cookie-5d2e";
    let Some(db) = chromium_visit(&dir.path().join("profile"), "basic", value) else {
        return;
    };
    let (plain, version) = stored_by_chromium(&db);
    assert_eq!(
        (plain.as_str(), version.as_str()),
        ("", "v10"),
        "stored encrypted, v10"
    );
    assert_read_back(BrowserSource::chromium("Chromium", &db), value).await;
}

/// `--password-store=gnome-libsecret`: "v11", the key in the real keyring.
#[tokio::test]
async fn chromium_v11_cookie_keyed_in_the_real_keyring_is_read_back() {
    if let Err(why) = secret_service() {
        skip(&format!("no Secret Service to hold Chromium's key: {why}"));
        return;
    }
    let dir = TempDir::new("tp-auth-chromium-v11");
    let value = "chromium-v11-cookie-8c4a";
    let Some(db) = chromium_visit(&dir.path().join("profile"), "gnome-libsecret", value) else {
        return;
    };
    let (plain, version) = stored_by_chromium(&db);
    assert_eq!(
        (plain.as_str(), version.as_str()),
        ("", "v11"),
        "stored encrypted with the keyring's key"
    );
    assert_read_back(BrowserSource::chromium("Chromium", &db), value).await;
}

/// Headless Firefox ESR writes its own `cookies.sqlite`.
#[tokio::test]
async fn firefox_cookie_written_by_real_firefox_is_read_back() {
    if !have("firefox-esr") {
        skip("Debian's `firefox-esr` is not installed");
        return;
    }
    let dir = TempDir::new("tp-auth-firefox");
    let profile = dir.path().join("t3st.default-esr");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(
        profile.join("user.js"),
        "user_pref(\"network.dns.forceResolve\", \"127.0.0.1\");\n\
         user_pref(\"dom.security.https_first\", false);\n\
         user_pref(\"network.stricttransportsecurity.preloadlist\", false);\n\
         user_pref(\"browser.shell.checkDefaultBrowser\", false);\n",
    )
    .unwrap();
    let value = "firefox-esr-cookie-2b7f";
    let port = serve(set_cookie(value, false), None);
    let mut cmd = Command::new("firefox-esr");
    cmd.args(["--headless", "--no-remote", "--profile"])
        .arg(&profile)
        .arg("--screenshot")
        .arg(dir.path().join("shot.png"))
        .arg(format!("http://app.trainingpeaks.com:{port}/"))
        .env("HOME", dir.path());
    let (ok, stderr) = run_with_limit(cmd, Duration::from_secs(120));
    let db = profile.join("cookies.sqlite");
    assert!(
        ok && db.is_file(),
        "firefox did not write {}:\n{stderr}",
        db.display()
    );
    assert_read_back(BrowserSource::firefox("Firefox", &db), value).await;
}
