//! Logs and panics, on stderr only (stdout belongs to the MCP protocol), and
//! with every live secret cut out ([`tp_api::secret::redact_live_secrets`]):
//! a cookie or token that reached a log line or a panic message by mistake
//! still comes out as `[redacted]`. The tray app uses the same two pieces.

use std::io::Write;
use tp_api::secret::redact_live_secrets;

/// Logging for the `tp-mcp` binary: `RUST_LOG` takes `level` or
/// `target=level,...` (e.g. `info`, `tp_api=debug,warn`); warnings by
/// default. The simple `Targets` filter keeps the regex engine out of the
/// binary (a lighter process).
pub fn init() {
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::WARN)
        });
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(RedactingStderr)
                .with_ansi(false),
        )
        .with(filter)
        .init();
    install_panic_hook("tp-mcp");
}

/// A panic prints one line on stderr, secrets cut out, saying it is a bug
/// (instead of the default hook's raw message).
pub fn install_panic_hook(program: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let _ = writeln!(
            RedactingWriter::default(),
            "{}",
            panic_report(program, info)
        );
    }));
}

/// The panic's one-line report: where, what, and what to do.
pub fn panic_report(program: &str, info: &std::panic::PanicHookInfo<'_>) -> String {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    let place = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let report = format!(
        "{program}: internal error{place}: {what}. This is a bug in {program}; please report it."
    );
    redact_live_secrets(&report).into_owned()
}

/// The log writer: stderr, one event at a time, secrets cut out.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingWriter;
    fn make_writer(&'a self) -> RedactingWriter {
        RedactingWriter::default()
    }
}

/// Collects one event's bytes and writes them, redacted, when dropped.
#[derive(Default)]
pub struct RedactingWriter {
    buffer: Vec<u8>,
}

/// The buffer is not redacted yet: `Debug` shows only its length.
impl std::fmt::Debug for RedactingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedactingWriter({} bytes)", self.buffer.len())
    }
}

impl Write for RedactingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buffer);
        let result = std::io::stderr().write_all(redact_live_secrets(&text).as_bytes());
        self.buffer.clear();
        result
    }
}

impl Drop for RedactingWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tp_api::Secret;

    #[test]
    fn a_panic_message_holding_a_live_secret_is_reported_redacted() {
        static REPORT: Mutex<String> = Mutex::new(String::new());
        let cookie = Secret::new("panic-test-cookie-0123456789");
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            *REPORT.lock().unwrap() = panic_report("tp-mcp", info);
        }));
        let exposed = cookie.expose().to_string();
        let caught = std::panic::catch_unwind(|| panic!("request failed for cookie {exposed}"));
        std::panic::set_hook(previous);
        assert!(caught.is_err());
        let report = REPORT.lock().unwrap().clone();
        assert!(
            report.starts_with("tp-mcp: internal error at crates/tp-mcp/src/logging.rs:"),
            "{report}"
        );
        assert!(report.contains("request failed for cookie [redacted]. This is a bug in tp-mcp"));
        assert!(!report.contains(cookie.expose()));
    }
}
