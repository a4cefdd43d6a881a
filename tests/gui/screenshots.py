"""Makes the README's screenshots (docs/screenshots/) with the GUI tests'
harness: the demo athlete's chart window in both themes, and the tray menu
in a real tray host. Run after `scripts/tray --build-only`:

    .venv/bin/python tests/gui/screenshots.py
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from conftest import ROOT, Display, Tray, TrayApp, base_env, hex_rgb, wait_for  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


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
    chart("light", "chart")
    chart("dark", "chart-dark")
    tray_menu()
