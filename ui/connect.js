// The connect window: the outcome of "Connect Claude Desktop" and the same
// server for Claude Code, Cursor and VS Code, with Copy buttons.
"use strict";

const tauri = window.__TAURI__;
const $ = (id) => document.getElementById(id);

function show(view) {
  const result = $("result");
  result.dataset.ok = view.outcome ? String(view.connected) : view.message ? "false" : "";
  $("result-message").textContent =
    view.message || "Choose “Connect Claude Desktop” to add this server to Claude Desktop's configuration.";
  const paths = [];
  if (view.config_path) paths.push("Claude Desktop config: " + view.config_path);
  if (view.backup) paths.push("Backup of the previous file: " + view.backup);
  if (view.command) paths.push("Server: " + view.command + (view.demo ? " --demo" : ""));
  $("paths").textContent = paths.join("\n");
  $("paths").style.whiteSpace = "pre-line";
  const s = view.snippets || {};
  for (const key of ["claude_code", "cursor", "vscode"]) {
    $(key).textContent = s[key] || "(the tp-mcp server was not found)";
  }
  document.body.dataset.state = "ready";
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Older WebKit: copy through a selected text area.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = label), 1500);
}

document.addEventListener("DOMContentLoaded", async () => {
  document.querySelectorAll("[data-copy]").forEach((b) => {
    b.addEventListener("click", () => copy($(b.dataset.copy).textContent, b));
  });
  $("connect").addEventListener("click", async () => show(await tauri.core.invoke("connect_claude_desktop")));
  $("chart").addEventListener("click", () => tauri.core.invoke("open_chart"));
  tauri.event.listen("connect-result", (e) => show(e.payload));
  show(await tauri.core.invoke("connect_view"));
});
