//! "Connect Claude Desktop" as the app does it: the bundled sidecar's
//! absolute path, [`claude_config::connect`], and what the connect window
//! shows (the outcome in words and the snippets for the other clients).

use crate::claude_config::{self, MergeOutcome, ServerEntry, Snippets};
use serde::Serialize;
use std::path::PathBuf;

/// The sidecar's file name on this OS.
pub fn sidecar_name() -> String {
    format!("tp-mcp{}", std::env::consts::EXE_SUFFIX)
}

/// Where the bundled `tp-mcp` is: beside this executable (bundles put
/// `externalBin` sidecars there; `cargo build` of tp-tray copies it there
/// from `src-tauri/binaries/`). `Err` says where it was looked for.
pub fn sidecar_path() -> Result<PathBuf, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find this program's path: {e}"))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let path = exe
        .parent()
        .map(|dir| dir.join(sidecar_name()))
        .ok_or("this program's path has no folder")?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "The tp-mcp server was not found at {} (it is installed beside tp-tray; build both with scripts/tray).",
            path.display()
        ))
    }
}

/// What the connect window shows.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectView {
    /// Whether Claude Desktop's config now has our server.
    pub connected: bool,
    /// The outcome, for people.
    pub message: String,
    pub outcome: Option<MergeOutcome>,
    pub config_path: Option<String>,
    pub backup: Option<String>,
    /// The server's absolute path ("" when it was not found).
    pub command: String,
    pub snippets: Option<Snippets>,
    pub demo: bool,
}

/// Connects Claude Desktop to the sidecar (`demo`: with `--demo`).
pub fn connect_claude_desktop(demo: bool) -> ConnectView {
    let mut view = ConnectView {
        connected: false,
        message: String::new(),
        outcome: None,
        config_path: None,
        backup: None,
        command: String::new(),
        snippets: None,
        demo,
    };
    let command = match sidecar_path() {
        Ok(p) => p,
        Err(e) => {
            view.message = e;
            return view;
        }
    };
    let entry = ServerEntry::new(command.clone(), demo);
    view.command = command.display().to_string();
    view.snippets = Some(Snippets::new(&entry));
    let Some(path) = claude_config::claude_desktop_config_path() else {
        view.message = "No home folder is known (HOME is not set), so Claude Desktop's configuration cannot be found.".into();
        return view;
    };
    view.config_path = Some(path.display().to_string());
    match claude_config::connect(&path, &entry, chrono::Local::now().naive_local()) {
        Ok(done) => {
            view.connected = true;
            view.outcome = Some(done.outcome);
            view.backup = done.backup.map(|b| b.display().to_string());
            view.message = match done.outcome {
                MergeOutcome::Added | MergeOutcome::Updated => format!(
                    "Claude Desktop is connected: the \"{}\" server was {} in {}. Quit and restart Claude Desktop to use it.",
                    claude_config::SERVER_NAME,
                    if done.outcome == MergeOutcome::Added {
                        "added"
                    } else {
                        "updated"
                    },
                    path.display()
                ),
                MergeOutcome::Unchanged => format!(
                    "Claude Desktop was already connected ({} has the \"{}\" server). If Claude does not list its tools, restart Claude Desktop.",
                    path.display(),
                    claude_config::SERVER_NAME
                ),
            };
        }
        Err(e) => view.message = e.to_string(),
    }
    view
}

/// The snippets alone (the connect window before anything was done).
pub fn preview(demo: bool) -> ConnectView {
    let mut view = ConnectView {
        connected: false,
        message: String::new(),
        outcome: None,
        config_path: claude_config::claude_desktop_config_path().map(|p| p.display().to_string()),
        backup: None,
        command: String::new(),
        snippets: None,
        demo,
    };
    match sidecar_path() {
        Ok(p) => {
            view.snippets = Some(Snippets::new(&ServerEntry::new(p.clone(), demo)));
            view.command = p.display().to_string();
        }
        Err(e) => view.message = e,
    }
    view
}
