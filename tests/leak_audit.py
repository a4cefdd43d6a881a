"""The leak audit: a whole test suite, searched for its own secrets.

Every test suite that drives our binaries (tests/e2e, tests/gui) loads this
module from its conftest.py. While the suite runs, it gathers

- every cookie the tests hand out (`register_secret`) and every bearer token
  any fake TrainingPeaks issued (`watch_fake`, read from `/_fake/tokens`);
- everything `tp-mcp` wrote, from every test: the tests start `tp-mcp`
  through a small shim (`shim`) that copies its stdout (the MCP protocol:
  every tool answer, every error) and its stderr (logs, panic messages) into
  the audit directory, byte for byte, untouched on their way to the test;
- every log the tray app wrote (`watch_file`);
- every file our programs left in a temporary directory a test made: the
  history cache (`athlete-*.sqlite3` with its WAL, lock and moved-aside
  copies), the remembered logins (`logins.json`) and Claude Desktop's
  config, searched when the directory is removed.

When the suite ends, every byte of it is searched for every secret (as is,
and URL-, JSON- and base64-encoded). A hit fails the run, saying which
secret (by its label, never its value) was found in which file. A suite
run (ten tests or more) in which it saw nothing fails too, so a broken shim
cannot make it pass by accident.
"""

from __future__ import annotations

import base64
import fnmatch
import itertools
import json
import os
import pathlib
import shutil
import stat
import tempfile
import urllib.parse
from typing import Callable, Iterable

# Files our programs write in a test's temporary directory (the others there
# are the tests' own fixtures, such as browser cookie databases, which hold
# the cookie by design).
PROGRAM_FILES = ("athlete-*", "logins.json*", "claude_desktop_config.json*")

SHIM = """#!/bin/bash
# Leak audit shim: the real tp-mcp, with copies of its stdout and stderr.
n="$(/bin/date +%s%N)-$$"
exec > >(exec /usr/bin/tee -a "{dir}/$n.stdout") 2> >(exec /usr/bin/tee -a "{dir}/$n.stderr" >&2)
exec "{real}" "$@"
"""


def encodings(secret: str) -> set[str]:
    """The forms a leaked secret could take in text."""
    forms = {secret, urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1]}
    forms.add(base64.b64encode(secret.encode()).decode().rstrip("="))
    return {f for f in forms if len(f) >= 8}


def find_secrets(text: str, secrets: dict[str, str]) -> list[str]:
    """The labels of the secrets that appear in `text`, in any encoding."""
    return sorted(label for value, label in secrets.items()
                  if any(form in text for form in encodings(value)))


class LeakAudit:
    def __init__(self, suite: str, root: pathlib.Path):
        self.dir = root / "target" / "leak-audit" / f"{suite}-{os.getpid()}"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.secrets: dict[str, str] = {}  # value -> label
        self.token_sources: dict[int, Callable[[], Iterable[str]]] = {}
        self.files: list[pathlib.Path] = []
        self.findings: list[str] = []
        self.program_files_scanned = 0
        self._ids = itertools.count()

    # -- what to look for -------------------------------------------------
    def register_secret(self, value: str, label: str):
        if value and value not in self.secrets:
            self.secrets[value] = label

    def watch_fake(self, tokens: Callable[[], Iterable[str]]) -> int:
        """A fake TrainingPeaks whose issued tokens are secrets; returns a
        key for `unwatch_fake`, which reads them one last time."""
        key = next(self._ids)
        self.token_sources[key] = tokens
        return key

    def unwatch_fake(self, key: int):
        source = self.token_sources.pop(key, None)
        if source is not None:
            self._add_tokens(source)

    def _add_tokens(self, source):
        try:
            for t in source():
                self.register_secret(t, "a bearer token issued by the fake")
        except Exception:  # noqa: BLE001 - a fake that died issued nothing new
            pass

    def all_secrets(self) -> dict[str, str]:
        for source in list(self.token_sources.values()):
            self._add_tokens(source)
        return self.secrets

    # -- where to look ----------------------------------------------------
    def shim(self, real: pathlib.Path) -> pathlib.Path:
        path = self.dir / real.name
        path.write_text(SHIM.format(dir=self.dir, real=real))
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def watch_file(self, path: pathlib.Path):
        self.files.append(path)

    def scan_program_files(self, directory: str | os.PathLike):
        """Searches what our programs left in `directory` now (it is about to
        be removed), against every secret known so far."""
        secrets = self.all_secrets()
        # os.walk, not rglob: a browser engine (WebKit) may delete its storage
        # while we walk, and os.walk skips what vanished instead of raising.
        for root, _dirs, names in os.walk(directory):
            for name in names:
                if not any(fnmatch.fnmatch(name, pattern) for pattern in PROGRAM_FILES):
                    continue
                path = pathlib.Path(root, name)
                try:
                    text = path.read_bytes().decode("latin-1")
                except (FileNotFoundError, IsADirectoryError):
                    continue  # vanished, or a directory named like a program file
                self.program_files_scanned += 1
                for label in find_secrets(text, secrets):
                    self.findings.append(f"{label} in {path.name} (a file our program wrote)")

    def install_tempdir_hook(self):
        """Every TemporaryDirectory a test makes is searched before removal."""
        audit, original = self, tempfile.TemporaryDirectory.cleanup

        def cleanup(self):
            if os.path.isdir(self.name):
                audit.scan_program_files(self.name)
            original(self)

        tempfile.TemporaryDirectory.cleanup = cleanup

    # -- the verdict --------------------------------------------------------
    def finish(self) -> tuple[bool, str]:
        secrets = self.all_secrets()
        outputs = sorted(self.dir.glob("*.std*")) + [f for f in self.files if f.exists()]
        processes = len(list(self.dir.glob("*.stdout")))
        size = 0
        for path in outputs:
            text = path.read_bytes().decode("latin-1")
            size += len(text)
            for label in find_secrets(text, secrets):
                kind = "stdout (MCP protocol)" if path.suffix == ".stdout" else "stderr/logs"
                self.findings.append(f"{label} in {path.name}: {kind}")
        tokens = sum(1 for label in secrets.values() if "token" in label)
        summary = (f"leak audit: {processes} tp-mcp processes and {len(self.files)} app logs "
                   f"({size / 1e6:.1f} MB of output), {self.program_files_scanned} cache/config "
                   f"files; searched for {len(secrets) - tokens} cookies and {tokens} tokens")
        if processes + len(self.files) == 0 or not secrets:
            return False, summary + ": it saw nothing to search, so it proves nothing"
        if self.findings:
            return False, summary + ": LEAKS\n  " + "\n  ".join(sorted(set(self.findings))) \
                + f"\n  (the outputs are kept in {self.dir})"
        shutil.rmtree(self.dir, ignore_errors=True)
        return True, summary + ": none found"


def audit_hooks(audit: LeakAudit, suite_size: int = 10):
    """The pytest hooks a conftest.py re-exports to run the audit."""

    def pytest_sessionfinish(session, exitstatus):
        if session.config.option.collectonly:
            return
        ok, summary = audit.finish()
        session.config._leak_audit_summary = summary
        # A few tests picked with -k may not start tp-mcp at all; a suite must.
        if not ok and ("LEAKS" in summary or session.testscollected >= suite_size):
            session.exitstatus = 1

    def pytest_terminal_summary(terminalreporter):
        summary = getattr(terminalreporter.config, "_leak_audit_summary", None)
        if summary:
            terminalreporter.write_line(summary, red="LEAKS" in summary or "proves nothing" in summary)

    return pytest_sessionfinish, pytest_terminal_summary
