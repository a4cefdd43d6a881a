"""Makes the README's screenshots (docs/screenshots/) with the GUI tests'
harness: the demo athlete's chart window in both themes, its power curve
view, and the tray menu in a real tray host. Run after `scripts/tray
--build-only` (the power curve also needs `tauri-driver`, which
`scripts/test-gui` installs in target/gui-tools/):

    .venv/bin/python tests/gui/screenshots.py [chart chart-dark power-curve tray-menu]
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from conftest import (  # noqa: E402
    ROOT, TP_MCP, Display, Tray, TrayApp, WebDriver, base_env, hex_rgb, wait_for,
)

OUT = ROOT / "docs" / "screenshots"
os.environ["PATH"] = f"{ROOT / 'target' / 'gui-tools' / 'bin'}{os.pathsep}{os.environ['PATH']}"


def crop(src: pathlib.Path, dest: pathlib.Path, x: int, y: int, w: int, h: int):
    subprocess.run(["convert", str(src), "-crop", f"{w}x{h}+{x}+{y}", "+repage", str(dest)], check=True)
    print(f"wrote {dest.relative_to(ROOT)}")


def chart(theme: str, name: str):
    display = Display()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as home:
        env = base_env(display, pathlib.Path(home))
        # The window's theme follows GTK's: ask for the dark variant.
        if theme == "dark":
            env["GTK_THEME"] = "Adwaita:dark"
        app = TrayApp(env, ["--demo", "--open-chart"], f"screenshot-{name}")
        try:
            app.wait_log("training data loaded")
            geo = wait_for("the chart window", lambda: display.find_window("Fitness"))
            time.sleep(3)
            crop(display.screenshot(name), OUT / f"{name}.png", geo["x"], geo["y"], geo["width"], geo["height"])
        finally:
            app.stop()
            display.close()


def power_curve():
    """The power curve view, this season against last, every device file
    of the demo athlete filled first (`tp-mcp --demo sync --streams`)."""
    display = Display()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as home:
        env = base_env(display, pathlib.Path(home))
        env["TP_MCP_DATA_DIR"] = str(pathlib.Path(home) / "data")
        subprocess.run([str(TP_MCP), "--demo", "sync", "--streams"], env=env, check=True, capture_output=True,
                       timeout=900)
        wd = WebDriver(env, ["--demo", "--open-chart"])
        try:
            wait_for("the chart", lambda: wd.js("return document.body.dataset.state") == "ready", timeout=120)
            wd.click('[data-view="power"]')
            wait_for("the power curve", lambda: wd.js(
                "return document.getElementById('power').dataset.state") == "ready", timeout=120)
            geo = wait_for("the chart window", lambda: display.find_window("Fitness"))
            time.sleep(2)
            crop(display.screenshot("power-curve"), OUT / "power-curve.png", geo["x"], geo["y"], geo["width"],
                 geo["height"])
        finally:
            wd.quit()
            display.close()


def tray_menu():
    display = Display()
    tray = Tray(display)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as home:
        app = TrayApp(base_env(display, pathlib.Path(home)), ["--demo"], "screenshot-tray")
        try:
            app.wait_log("training data loaded")
            green = hex_rgb("2da44e")
            wait_for("the icon", lambda: tray.region("s-tray").count_near(green, 60) > 80)
            x, y = tray.icon_center(green)
            display.run("xdotool", "mousemove", str(x), str(y), "click", "1")
            time.sleep(1.5)
            # Point at "Open fitness chart", as a person about to click it.
            display.run("xdotool", "key", "Down", "Down")
            time.sleep(0.5)
            crop(display.screenshot("s-menu"), OUT / "tray-menu.png", display.width - 500, 0, 500, 250)
        finally:
            app.stop()
            tray.close()
            display.close()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    pictures = {
        "chart": lambda: chart("light", "chart"),
        "chart-dark": lambda: chart("dark", "chart-dark"),
        "power-curve": power_curve,
        "tray-menu": tray_menu,
    }
    for name in sys.argv[1:] or pictures:
        pictures[name]()
