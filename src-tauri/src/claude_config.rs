//! "Connect Claude Desktop": the `mcpServers` entry for the bundled `tp-mcp`,
//! merged into `claude_desktop_config.json`, and the same server as snippets
//! for Claude Code, Cursor and VS Code.
//!
//! Everything here is plain functions over paths and text, so it is tested
//! without a GUI:
//!
//! - [`claude_desktop_config_path`] — where Claude Desktop reads its config
//!   on this OS ([`config_path_for`] for any OS, given the directories).
//! - [`merge`] — the new file text: our server added or updated, every
//!   other server and every unknown key (ours included) kept, in order.
//! - [`connect`] — read → merge → timestamped backup → atomic write. A file
//!   that is not valid JSON (or whose `mcpServers` is not an object) is
//!   refused: nothing is written, and the error names the newest backup.
//! - [`Snippets`] — what to paste for the other clients.

use serde::Serialize;
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The name of our entry under `mcpServers` (the README's too).
pub const SERVER_NAME: &str = "trainingpeaks";

/// The file name Claude Desktop reads.
pub const CONFIG_FILE: &str = "claude_desktop_config.json";

/// An operating system, for [`config_path_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    MacOs,
    Windows,
    Linux,
}

impl Os {
    /// The OS this program was built for (other Unixes count as Linux).
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// Where Claude Desktop keeps its config on `os`:
///
/// - macOS: `~/Library/Application Support/Claude/claude_desktop_config.json`
/// - Windows: `%APPDATA%\Claude\claude_desktop_config.json`
///   (`<home>\AppData\Roaming` when `APPDATA` is unset)
/// - Linux: `$XDG_CONFIG_HOME/Claude/…`, else `~/.config/Claude/…`
pub fn config_path_for(
    os: Os,
    home: &Path,
    appdata: Option<&Path>,
    xdg_config_home: Option<&Path>,
) -> PathBuf {
    let dir = match os {
        Os::MacOs => home.join("Library").join("Application Support"),
        Os::Windows => appdata
            .map(Path::to_path_buf)
            .unwrap_or_else(|| home.join("AppData").join("Roaming")),
        // XDG says a relative value is to be ignored.
        Os::Linux => xdg_config_home
            .filter(|p| p.is_absolute())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| home.join(".config")),
    };
    dir.join("Claude").join(CONFIG_FILE)
}

/// [`config_path_for`] this OS, from `HOME`/`USERPROFILE`, `APPDATA` and
/// `XDG_CONFIG_HOME`. `None` when no home directory is known.
pub fn claude_desktop_config_path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME").or_else(|| var("USERPROFILE"))?;
    Some(config_path_for(
        Os::current(),
        &home,
        var("APPDATA").as_deref(),
        var("XDG_CONFIG_HOME").as_deref(),
    ))
}

/// Our server as Claude Desktop (and Cursor) want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// Absolute path of the `tp-mcp` binary.
    pub command: PathBuf,
    pub args: Vec<String>,
}

impl ServerEntry {
    /// The bundled sidecar; `demo` adds `--demo`. No cookie: the server
    /// reads it from the system keychain, where re-authentication puts it.
    pub fn new(command: PathBuf, demo: bool) -> ServerEntry {
        let args = if demo {
            vec!["--demo".to_string()]
        } else {
            Vec::new()
        };
        ServerEntry { command, args }
    }

    fn command_str(&self) -> String {
        self.command.to_string_lossy().into_owned()
    }

    /// `{"command": …, "args": […]}`.
    pub fn to_json(&self) -> Value {
        json!({ "command": self.command_str(), "args": self.args })
    }
}

/// What [`merge`] did to our entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeOutcome {
    /// There was no `trainingpeaks` server; now there is.
    Added,
    /// It was there with another command or arguments.
    Updated,
    /// It was there already exactly so: nothing to write.
    Unchanged,
}

/// Why an existing config was not touched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("it is not valid JSON ({0})")]
    NotJson(String),
    #[error("it is JSON but not an object (`{{ … }}`)")]
    NotAnObject,
    #[error("its \"mcpServers\" is not an object")]
    ServersNotAnObject,
    #[error("its \"mcpServers\".\"{SERVER_NAME}\" is not an object")]
    EntryNotAnObject,
}

/// The config text with our server in it. `existing` is the file's text
/// (`None` when there is no file; blank text counts as an empty config).
/// Other servers, unknown keys at every level and their order are kept;
/// inside our entry only `command` and `args` are set (an `env` the user
/// added stays). Returns the text to write (pretty, two-space indent,
/// trailing newline) and what changed.
pub fn merge(
    existing: Option<&str>,
    entry: &ServerEntry,
) -> Result<(String, MergeOutcome), MergeError> {
    let mut root = match existing.map(str::trim) {
        None | Some("") => Value::Object(Map::new()),
        Some(text) => serde_json::from_str(text).map_err(|e| MergeError::NotJson(e.to_string()))?,
    };
    let root_map = root.as_object_mut().ok_or(MergeError::NotAnObject)?;
    let servers = root_map
        .entry("mcpServers")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or(MergeError::ServersNotAnObject)?;
    let outcome = match servers.get_mut(SERVER_NAME) {
        None => {
            servers.insert(SERVER_NAME.to_string(), entry.to_json());
            MergeOutcome::Added
        }
        Some(current) => {
            let current = current
                .as_object_mut()
                .ok_or(MergeError::EntryNotAnObject)?;
            let command = Value::String(entry.command_str());
            let args = json!(entry.args);
            let same = current.get("command") == Some(&command)
                && (current.get("args") == Some(&args)
                    || (entry.args.is_empty() && current.get("args").is_none()));
            if same {
                MergeOutcome::Unchanged
            } else {
                current.insert("command".into(), command);
                current.insert("args".into(), args);
                MergeOutcome::Updated
            }
        }
    };
    let mut text = serde_json::to_string_pretty(&root).expect("a JSON value always serializes");
    text.push('\n');
    Ok((text, outcome))
}

/// A successful [`connect`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connected {
    pub path: PathBuf,
    pub outcome: MergeOutcome,
    /// The copy of the previous file, when there was one and it changed.
    pub backup: Option<PathBuf>,
}

/// Why [`connect`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{path} was left untouched because {reason}. Fix or remove it, then choose Connect Claude Desktop again.{}",
        match latest_backup { Some(b) => format!(" The last version this app saved is {}.", b.display()), None => String::new() }
    )]
    Malformed {
        path: PathBuf,
        reason: MergeError,
        latest_backup: Option<PathBuf>,
    },
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Connects: reads `path` (a missing file or folder is fine), [`merge`]s
/// `entry`, and when something changed copies the old file to
/// `<file>.bak-YYYYMMDD-HHMMSS` (from `stamp`) before replacing it
/// atomically (a temporary file in the same folder, synced, renamed over).
pub fn connect(
    path: &Path,
    entry: &ServerEntry,
    stamp: chrono::NaiveDateTime,
) -> Result<Connected, ConnectError> {
    let io = |action: &'static str, p: &Path| {
        let path = p.to_path_buf();
        move |source| ConnectError::Io {
            action,
            path,
            source,
        }
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io("read", path)(e)),
    };
    let (text, outcome) =
        merge(existing.as_deref(), entry).map_err(|reason| ConnectError::Malformed {
            path: path.to_path_buf(),
            reason,
            latest_backup: latest_backup(path),
        })?;
    if outcome == MergeOutcome::Unchanged {
        return Ok(Connected {
            path: path.to_path_buf(),
            outcome,
            backup: None,
        });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create the folder", dir))?;
    let backup = match &existing {
        Some(_) => {
            let backup = backup_path(path, stamp);
            std::fs::copy(path, &backup).map_err(io("back up", path))?;
            Some(backup)
        }
        None => None,
    };
    write_atomically(path, text.as_bytes()).map_err(io("write", path))?;
    Ok(Connected {
        path: path.to_path_buf(),
        outcome,
        backup,
    })
}

/// `<file>.bak-YYYYMMDD-HHMMSS`, with `-2`, `-3`… when that exists already.
pub fn backup_path(path: &Path, stamp: chrono::NaiveDateTime) -> PathBuf {
    let base = format!(
        "{}.bak-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        stamp.format("%Y%m%d-%H%M%S")
    );
    let mut candidate = path.with_file_name(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// The newest `<file>.bak-…` beside `path` (names sort by their timestamp).
pub fn latest_backup(path: &Path) -> Option<PathBuf> {
    let prefix = format!("{}.bak-", path.file_name()?.to_string_lossy());
    let dir = path.parent()?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .max()
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        // Keep the old file's permissions (it may be private on purpose).
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The same server for the other MCP clients, ready to paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippets {
    /// A shell command: `claude mcp add trainingpeaks -- /path/to/tp-mcp`.
    pub claude_code: String,
    /// For `~/.cursor/mcp.json` (or a project's `.cursor/mcp.json`).
    pub cursor: String,
    /// For `.vscode/mcp.json`.
    pub vscode: String,
}

impl Snippets {
    pub fn new(entry: &ServerEntry) -> Snippets {
        let mut command = format!(
            "claude mcp add {SERVER_NAME} -- {}",
            shell_quote(&entry.command_str())
        );
        for arg in &entry.args {
            command.push(' ');
            command.push_str(&shell_quote(arg));
        }
        let cursor = json!({ "mcpServers": { SERVER_NAME: entry.to_json() } });
        let vscode = json!({ "servers": { SERVER_NAME: {
            "type": "stdio",
            "command": entry.command_str(),
            "args": entry.args,
        } } });
        Snippets {
            claude_code: command,
            cursor: serde_json::to_string_pretty(&cursor).expect("serializes"),
            vscode: serde_json::to_string_pretty(&vscode).expect("serializes"),
        }
    }
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry() -> ServerEntry {
        ServerEntry::new(PathBuf::from("/opt/tp-tray/tp-mcp"), false)
    }

    fn stamp(h: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(h, 5, 9)
            .unwrap()
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn paths_per_os() {
        let home = Path::new("/home/ann");
        assert_eq!(
            config_path_for(Os::MacOs, Path::new("/Users/ann"), None, None),
            Path::new("/Users/ann/Library/Application Support/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            config_path_for(Os::Linux, home, None, None),
            Path::new("/home/ann/.config/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            config_path_for(Os::Linux, home, None, Some(Path::new("/xdg"))),
            Path::new("/xdg/Claude/claude_desktop_config.json")
        );
        // A relative XDG_CONFIG_HOME is ignored, as the spec says.
        assert_eq!(
            config_path_for(Os::Linux, home, None, Some(Path::new("rel"))),
            Path::new("/home/ann/.config/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            config_path_for(Os::Windows, home, Some(Path::new("/appdata")), None),
            Path::new("/appdata/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            config_path_for(Os::Windows, home, None, None),
            Path::new("/home/ann/AppData/Roaming/Claude/claude_desktop_config.json")
        );
    }

    #[test]
    fn no_file_gives_a_config_with_only_our_server() {
        let (text, outcome) = merge(None, &entry()).unwrap();
        assert_eq!(outcome, MergeOutcome::Added);
        assert_eq!(
            parse(&text),
            json!({"mcpServers": {"trainingpeaks": {"command": "/opt/tp-tray/tp-mcp", "args": []}}})
        );
        assert!(text.ends_with("}\n"));
        assert_eq!(
            merge(Some("  \n"), &entry()).unwrap().1,
            MergeOutcome::Added
        );
    }

    #[test]
    fn other_servers_and_unknown_keys_are_kept_in_order() {
        let existing = r#"{
          "globalShortcut": "Ctrl+Space",
          "mcpServers": {
            "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]},
            "zeta": {"command": "zeta", "future": {"nested": [1, 2]}}
          },
          "zUnknown": {"a": null}
        }"#;
        let (text, outcome) = merge(Some(existing), &entry()).unwrap();
        assert_eq!(outcome, MergeOutcome::Added);
        let v = parse(&text);
        let before = parse(existing);
        assert_eq!(v["globalShortcut"], before["globalShortcut"]);
        assert_eq!(v["zUnknown"], before["zUnknown"]);
        assert_eq!(
            v["mcpServers"]["filesystem"],
            before["mcpServers"]["filesystem"]
        );
        assert_eq!(v["mcpServers"]["zeta"], before["mcpServers"]["zeta"]);
        assert_eq!(
            v["mcpServers"]["trainingpeaks"]["command"],
            "/opt/tp-tray/tp-mcp"
        );
        // Order kept: the user's keys where they were, ours appended.
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["globalShortcut", "mcpServers", "zUnknown"]);
        let servers: Vec<&String> = v["mcpServers"].as_object().unwrap().keys().collect();
        assert_eq!(servers, ["filesystem", "zeta", "trainingpeaks"]);
    }

    #[test]
    fn our_entry_is_updated_in_place_keeping_its_env() {
        let existing = r#"{"mcpServers": {"trainingpeaks": {
            "command": "/old/tp-mcp", "env": {"ATHLETE_ID": "7"}, "args": []}}}"#;
        let (text, outcome) = merge(Some(existing), &entry()).unwrap();
        assert_eq!(outcome, MergeOutcome::Updated);
        let ours = &parse(&text)["mcpServers"]["trainingpeaks"];
        assert_eq!(ours["command"], "/opt/tp-tray/tp-mcp");
        assert_eq!(ours["env"], json!({"ATHLETE_ID": "7"}));

        // Again: nothing to change.
        let (_, again) = merge(Some(&text), &entry()).unwrap();
        assert_eq!(again, MergeOutcome::Unchanged);
        // Demo mode adds --demo: an update.
        let demo = ServerEntry::new(PathBuf::from("/opt/tp-tray/tp-mcp"), true);
        let (text, outcome) = merge(Some(&text), &demo).unwrap();
        assert_eq!(outcome, MergeOutcome::Updated);
        assert_eq!(
            parse(&text)["mcpServers"]["trainingpeaks"]["args"],
            json!(["--demo"])
        );
    }

    #[test]
    fn malformed_configs_are_refused() {
        let cases = [
            ("{\"mcpServers\": {", "not valid JSON"),
            ("[1, 2]", "not an object"),
            ("{\"mcpServers\": []}", "\"mcpServers\" is not an object"),
            (
                "{\"mcpServers\": {\"trainingpeaks\": \"x\"}}",
                "is not an object",
            ),
        ];
        for (text, says) in cases {
            let err = merge(Some(text), &entry()).unwrap_err();
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn connect_creates_missing_folder_and_file_without_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("deep").join("Claude").join(CONFIG_FILE);
        let done = connect(&path, &entry(), stamp(9)).unwrap();
        assert_eq!(done.outcome, MergeOutcome::Added);
        assert_eq!(done.backup, None);
        let v = parse(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(
            v["mcpServers"]["trainingpeaks"]["command"],
            "/opt/tp-tray/tp-mcp"
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [CONFIG_FILE]);
    }

    #[test]
    fn connect_backs_up_before_replacing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(CONFIG_FILE);
        let original = "{\"mcpServers\": {\"other\": {\"command\": \"x\"}}, \"theme\": \"dark\"}";
        std::fs::write(&path, original).unwrap();
        let done = connect(&path, &entry(), stamp(9)).unwrap();
        let backup = done.backup.unwrap();
        assert_eq!(
            backup.file_name().unwrap(),
            "claude_desktop_config.json.bak-20261124-090509"
        );
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
        let v = parse(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(v["mcpServers"]["other"]["command"], "x");
        assert_eq!(v["theme"], "dark");
        assert!(v["mcpServers"]["trainingpeaks"].is_object());

        // Connecting again changes nothing: no write, no new backup.
        let again = connect(&path, &entry(), stamp(10)).unwrap();
        assert_eq!(again.outcome, MergeOutcome::Unchanged);
        assert_eq!(again.backup, None);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);

        // A second change in the same second gets its own backup name.
        let moved = ServerEntry::new(PathBuf::from("/new/tp-mcp"), false);
        let third = connect(&path, &moved, stamp(9)).unwrap();
        assert_eq!(
            third.backup.unwrap().file_name().unwrap(),
            "claude_desktop_config.json.bak-20261124-090509-2"
        );
        assert_eq!(
            latest_backup(&path).unwrap().file_name().unwrap(),
            "claude_desktop_config.json.bak-20261124-090509-2"
        );
    }

    #[test]
    fn connect_refuses_a_malformed_file_and_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(CONFIG_FILE);
        // An earlier, good connect left a backup.
        std::fs::write(&path, "{}").unwrap();
        connect(&path, &entry(), stamp(8)).unwrap();
        let broken = "{ \"mcpServers\": { \"trainingpeaks\": { \"command\": \"/x\" }, }";
        std::fs::write(&path, broken).unwrap();
        let listing = |d: &Path| {
            let mut v: Vec<_> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            v.sort();
            v
        };
        let before = listing(tmp.path());

        let err = connect(&path, &entry(), stamp(9)).unwrap_err();
        let ConnectError::Malformed { latest_backup, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            latest_backup.as_ref().unwrap().file_name().unwrap(),
            "claude_desktop_config.json.bak-20261124-080509"
        );
        let message = err.to_string();
        assert!(message.contains("left untouched"), "{message}");
        assert!(message.contains("bak-20261124-080509"), "{message}");
        // Not a byte changed, no file added.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
        assert_eq!(listing(tmp.path()), before);
    }

    #[test]
    fn snippets_for_the_other_clients() {
        let s = Snippets::new(&ServerEntry::new(
            PathBuf::from("/Applications/TP Tray.app/Contents/MacOS/tp-mcp"),
            true,
        ));
        assert_eq!(
            s.claude_code,
            "claude mcp add trainingpeaks -- '/Applications/TP Tray.app/Contents/MacOS/tp-mcp' --demo"
        );
        assert_eq!(
            parse(&s.cursor)["mcpServers"]["trainingpeaks"]["args"],
            json!(["--demo"])
        );
        let vscode = parse(&s.vscode);
        assert_eq!(vscode["servers"]["trainingpeaks"]["type"], "stdio");
        assert_eq!(
            vscode["servers"]["trainingpeaks"]["command"],
            "/Applications/TP Tray.app/Contents/MacOS/tp-mcp"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            Snippets::new(&entry()).claude_code,
            "claude mcp add trainingpeaks -- /opt/tp-tray/tp-mcp"
        );
    }
}
