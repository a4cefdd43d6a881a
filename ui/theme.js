// Light and dark themes: "auto" follows the system, the button cycles
// auto → light → dark (remembered). Sets html[data-theme] and calls the
// page's listeners when the effective theme changes.
// Script errors are kept in window.tpErrors (the GUI test asserts none).
window.tpErrors = [];
window.addEventListener("error", (e) => {
  window.tpErrors.push(`${e.message} (${e.filename}:${e.lineno})`);
});

// WebKitGTK takes navigator.language from the process locale; under the
// "C" locale that is "C", which Intl (and so uPlot) rejects. Fall back to
// the first valid language.
(function () {
  const valid = (tag) => {
    try {
      new Intl.NumberFormat(tag);
      return true;
    } catch (_) {
      return false;
    }
  };
  if (!valid(navigator.language)) {
    const tag = (navigator.languages || []).find(valid) || "en-US";
    Object.defineProperty(navigator, "language", { get: () => tag, configurable: true });
  }
})();

(function () {
  const KEY = "tp-tray-theme";
  const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const listeners = [];
  let choice = localStorage.getItem(KEY) || "auto";

  function effective() {
    if (choice === "light" || choice === "dark") return choice;
    return media && media.matches ? "dark" : "light";
  }

  function apply() {
    const theme = effective();
    const changed = document.documentElement.dataset.theme !== theme;
    document.documentElement.dataset.theme = theme;
    const button = document.getElementById("theme");
    if (button) {
      button.textContent = { auto: "Theme: auto", light: "Theme: light", dark: "Theme: dark" }[choice];
      button.title = "Switch between the system's theme, light and dark";
    }
    if (changed) listeners.forEach((f) => f(theme));
  }

  window.tpTheme = {
    get: effective,
    choice: () => choice,
    set(next) {
      choice = next;
      localStorage.setItem(KEY, next);
      apply();
    },
    cycle() {
      this.set({ auto: "light", light: "dark", dark: "auto" }[choice] || "auto");
    },
    onChange(f) {
      listeners.push(f);
    },
    color(name) {
      return getComputedStyle(document.documentElement).getPropertyValue("--" + name).trim();
    },
  };

  if (media && media.addEventListener) media.addEventListener("change", apply);
  apply();
  document.addEventListener("DOMContentLoaded", () => {
    apply();
    const button = document.getElementById("theme");
    if (button) button.addEventListener("click", () => window.tpTheme.cycle());
  });
})();
