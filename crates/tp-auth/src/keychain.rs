//! The cookie in the OS keychain, shared by every binary of the project.
//!
//! One entry, service [`KEYCHAIN_SERVICE`] and account [`KEYCHAIN_ACCOUNT`],
//! in the platform's store: the Secret Service on Linux (GNOME Keyring,
//! KWallet; reached over the D-Bus session bus), the macOS Keychain, the
//! Windows Credential Manager (`keyring` 4, one native store per OS).
//!
//! Every call runs on a short-lived thread of its own: the Secret Service
//! client blocks on D-Bus, which must not happen on an async runtime's
//! thread, and callers here are both sync (start-up) and async (tools).

use std::time::Duration;
use tp_api::Secret;

/// The keychain service name every binary uses.
pub const KEYCHAIN_SERVICE: &str = "tp-mcp";
/// The keychain account (user) name every binary uses.
pub const KEYCHAIN_ACCOUNT: &str = "Production_tpAuth";

/// What the platform's store is called, for messages.
pub fn store_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(windows) {
        "the Windows Credential Manager"
    } else {
        "the system keychain (Secret Service)"
    }
}

const UNAVAILABLE_HINT: &str = if cfg!(any(target_os = "macos", windows)) {
    "You can set TP_AUTH_COOKIE in the MCP server's configuration instead."
} else {
    "On Linux the keychain is your desktop's Secret Service (GNOME Keyring or KWallet), \
reached over the D-Bus session bus; it is missing in a bare SSH, container or service session. \
Log in to a desktop session, or set TP_AUTH_COOKIE in the MCP server's configuration instead."
};

/// A keychain failure, in plain words. Never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("{} is not available ({detail}). {UNAVAILABLE_HINT}", store_name())]
    Unavailable { detail: String },
    #[error(
        "{} is locked or refused access ({detail}). Unlock it (log in to your desktop session or unlock the keyring) and try again.",
        store_name()
    )]
    Locked { detail: String },
    #[error(
        "{} holds {count} entries for service {service:?}, account {account:?}; run `tp-mcp auth clear` to remove them, then store the cookie again.",
        store_name()
    )]
    Ambiguous {
        count: usize,
        service: String,
        account: String,
    },
    #[error(
        "The entry in {} for service {service:?}, account {account:?} is not a cookie (it is not text); run `tp-mcp auth clear`, then store the cookie again.",
        store_name()
    )]
    NotText { service: String, account: String },
    #[error(
        "{} could not {action} the TrainingPeaks cookie: {detail}",
        store_name()
    )]
    Failed {
        action: &'static str,
        detail: String,
    },
}

/// One keychain entry holding a cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    service: String,
    account: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::shared()
    }
}

impl Keychain {
    /// The entry every binary of the project uses.
    pub fn shared() -> Keychain {
        Keychain::new(KEYCHAIN_SERVICE, KEYCHAIN_ACCOUNT)
    }

    /// Another entry (tests use their own so they never touch the user's).
    pub fn new(service: impl Into<String>, account: impl Into<String>) -> Keychain {
        Keychain {
            service: service.into(),
            account: account.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// Where the entry is, in words: `the system keychain (Secret Service), service "tp-mcp", account "Production_tpAuth"`.
    pub fn describe(&self) -> String {
        format!(
            "{}, service {:?}, account {:?}",
            store_name(),
            self.service,
            self.account
        )
    }

    /// Whether the platform's store can be reached at all.
    pub fn available() -> Result<(), KeychainError> {
        on_own_thread(|| match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(e) => Err(KeychainError::Unavailable {
                detail: plain(e, None),
            }),
        })
    }

    /// The stored cookie, or `None` when there is none.
    pub fn read(&self) -> Result<Option<Secret>, KeychainError> {
        on_own_thread(|| self.read_here())
    }

    /// [`read`](Self::read), giving up after `limit`: a locked keyring may
    /// wait for the user to unlock it, and a server starting in the
    /// background must not wait with it.
    pub fn read_within(&self, limit: Duration) -> Result<Option<Secret>, KeychainError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let me = self.clone();
        std::thread::spawn(move || {
            let _ = tx.send(me.read_here());
        });
        rx.recv_timeout(limit).unwrap_or_else(|_| {
            Err(KeychainError::Locked {
                detail: format!(
                    "no answer within {} s; it may be waiting to be unlocked",
                    limit.as_secs()
                ),
            })
        })
    }

    fn read_here(&self) -> Result<Option<Secret>, KeychainError> {
        let entry = self.entry()?;
        match entry.get_password() {
            Ok(value) => {
                let secret = Secret::new(value);
                Ok((!secret.is_empty()).then_some(secret))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.map_error(e, "read", None)),
        }
    }

    /// Stores `cookie`, replacing what the entry held.
    pub fn store(&self, cookie: &Secret) -> Result<(), KeychainError> {
        on_own_thread(|| {
            let entry = self.entry()?;
            entry
                .set_password(cookie.expose())
                .map_err(|e| self.map_error(e, "store", Some(cookie)))
        })
    }

    /// Removes the entry. `Ok(false)` when there was none.
    pub fn clear(&self) -> Result<bool, KeychainError> {
        on_own_thread(|| {
            let entry = self.entry()?;
            match entry.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(keyring::Error::Ambiguous(entries)) => {
                    // Several items match (written by another tool): remove them all.
                    for duplicate in entries {
                        duplicate
                            .delete_credential()
                            .map_err(|e| self.map_error(e, "remove", None))?;
                    }
                    Ok(true)
                }
                Err(e) => Err(self.map_error(e, "remove", None)),
            }
        })
    }

    fn entry(&self) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, &self.account).map_err(|e| match e {
            keyring::Error::NoDefaultStore => KeychainError::Unavailable {
                detail: match keyring::Entry::store_status() {
                    Err(cause) => plain(cause, None),
                    Ok(()) => "no credential store".into(),
                },
            },
            other => self.map_error(other, "open", None),
        })
    }

    fn map_error(
        &self,
        e: keyring::Error,
        action: &'static str,
        secret: Option<&Secret>,
    ) -> KeychainError {
        match e {
            keyring::Error::NoStorageAccess(_) => KeychainError::Locked {
                detail: plain(&e, secret),
            },
            keyring::Error::NoDefaultStore => KeychainError::Unavailable {
                detail: plain(&e, secret),
            },
            keyring::Error::Ambiguous(entries) => KeychainError::Ambiguous {
                count: entries.len(),
                service: self.service.clone(),
                account: self.account.clone(),
            },
            // Both carry the stored bytes: never format them.
            keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
                KeychainError::NotText {
                    service: self.service.clone(),
                    account: self.account.clone(),
                }
            }
            other => KeychainError::Failed {
                action,
                detail: plain(&other, secret),
            },
        }
    }
}

/// A store error as one short line, with the secret (if any) cut out.
fn plain(e: &keyring::Error, secret: Option<&Secret>) -> String {
    let text = match e {
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            "the stored value is not text".to_string()
        }
        keyring::Error::Ambiguous(entries) => format!("{} matching entries", entries.len()),
        other => other.to_string(),
    };
    let mut text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // "Platform failure: zbus error: Failed to connect …" → "Failed to connect …".
    for noise in [
        "Platform failure: ",
        "Couldn't access platform storage: ",
        "zbus error: ",
    ] {
        if let Some(rest) = text.strip_prefix(noise) {
            text = rest.to_string();
        }
    }
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        text = text.replace(secret.expose(), "[redacted]");
    }
    if text.chars().count() > 240 {
        text = text.chars().take(240).collect::<String>() + "…";
    }
    text
}

/// Runs a blocking keychain call on a thread of its own (see the module doc).
fn on_own_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
