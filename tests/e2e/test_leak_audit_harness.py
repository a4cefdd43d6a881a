"""The leak audit (tests/leak_audit.py) itself: it must find a planted
secret wherever our programs could leak one, or its "none found" at the end
of the suite would mean nothing."""

import base64
import pathlib
import shutil
import subprocess
import tempfile

from conftest import ROOT
from leak_audit import LeakAudit, find_secrets

TOKEN = "tpf_0123456789abcdef0123456789abcdef"
COOKIE = "planted/cookie=value+42"


def audit() -> LeakAudit:
    a = LeakAudit("selftest", ROOT)
    a.register_secret(COOKIE, "the planted cookie")
    a.watch_fake(lambda: [TOKEN])
    return a


def test_a_secret_a_program_prints_through_the_shim_is_found():
    a = audit()
    try:
        echo = a.shim(pathlib.Path(shutil.which("printf")))
        out = subprocess.run([str(echo), f"answer with {TOKEN}\n"], capture_output=True, text=True, check=True)
        assert out.stdout == f"answer with {TOKEN}\n", "the shim passes output through untouched"
        ok, summary = a.finish()
        assert not ok and "LEAKS" in summary
        assert "a bearer token issued by the fake in" in summary and "stdout" in summary
        assert TOKEN not in summary, "the report names the secret, it never prints it"
    finally:
        shutil.rmtree(a.dir, ignore_errors=True)


def test_a_secret_in_a_cache_file_or_app_log_is_found_in_any_encoding():
    a = audit()
    try:
        with tempfile.TemporaryDirectory() as d:
            (pathlib.Path(d) / "athlete-7.sqlite3-wal").write_bytes(b"\x00\x01" + base64.b64encode(COOKIE.encode()))
            (pathlib.Path(d) / "browser-cookies.sqlite").write_text(COOKIE)  # a test fixture: not ours
            a.scan_program_files(d)
        log = a.dir / "tray.log"
        log.write_text("GET /x?c=planted%2Fcookie%3Dvalue%2B42 HTTP/1.1")
        a.watch_file(log)
        ok, summary = a.finish()
        assert not ok
        assert "the planted cookie in athlete-7.sqlite3-wal" in summary
        assert "browser-cookies" not in summary
        assert "the planted cookie in tray.log" in summary, "URL-encoded, in an app log"
        assert find_secrets("x" + TOKEN.upper(), {TOKEN: "t"}) == []
        assert find_secrets('{"v":"' + TOKEN + '"}', {TOKEN: "t"}) == ["t"]
    finally:
        shutil.rmtree(a.dir, ignore_errors=True)


def test_an_audit_that_saw_nothing_fails():
    a = audit()
    try:
        ok, summary = a.finish()
        assert not ok and "proves nothing" in summary
    finally:
        shutil.rmtree(a.dir, ignore_errors=True)
