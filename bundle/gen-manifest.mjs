#!/usr/bin/env node
// Writes the bundle's manifest.json from the template bundle/manifest.json
// and the tp-mcp binary being bundled, so the manifest never drifts from
// the server:
//   version    `tp-mcp --version`
//   tools      `tp-mcp tools --json` (name, description)
//   prompts    the server's own prompts/list, and prompts/get of each with
//              its defaults for the text (over MCP stdio, demo athlete)
//   platform   this machine's (the binary is built for it); on Windows the
//              command and entry point get .exe
//
//   node bundle/gen-manifest.mjs --template bundle/manifest.json \
//        --binary STAGE/server/tp-mcp --out STAGE/manifest.json

import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    template: { type: "string" },
    binary: { type: "string" },
    out: { type: "string" },
  },
});
for (const name of ["template", "binary", "out"]) {
  if (!opts[name]) {
    console.error(`usage: gen-manifest.mjs --template FILE --binary FILE --out FILE (missing --${name})`);
    process.exit(2);
  }
}

// The server's environment: nothing of the caller's that could change what
// it says (a cookie, a pinned date, a cache directory).
const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SystemRoot: process.env.SystemRoot ?? "" };
const run = (...args) => execFileSync(opts.binary, args, { env, encoding: "utf8" });

const manifest = JSON.parse(readFileSync(opts.template, "utf8"));

const version = run("--version").trim().split(/\s+/).at(-1);
if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`unexpected --version output: ${version}`);
manifest.version = version;

manifest.tools = JSON.parse(run("tools", "--json")).map((tool) => ({
  name: tool.name,
  description: tool.description,
}));

manifest.prompts = await serverPrompts();

if (process.platform === "win32") {
  manifest.server.entry_point += ".exe";
  manifest.server.mcp_config.command += ".exe";
}
manifest.compatibility = { ...manifest.compatibility, platforms: [process.platform] };

writeFileSync(opts.out, JSON.stringify(manifest, null, 2) + "\n");
console.log(
  `${opts.out}: tp-mcp ${version} for ${process.platform}-${process.arch}, ` +
    `${manifest.tools.length} tools, ${manifest.prompts.length} prompts`,
);

/** prompts/list, then prompts/get of each with its defaults, from `tp-mcp --demo`. */
async function serverPrompts() {
  const server = spawn(opts.binary, ["--demo"], { env, stdio: ["pipe", "pipe", "inherit"] });
  const pending = new Map();
  let nextId = 1;
  createInterface({ input: server.stdout }).on("line", (line) => {
    const message = JSON.parse(line);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  const exited = new Promise((_, reject) =>
    server.on("exit", (code) => reject(new Error(`tp-mcp --demo exited (${code}) during the session`))),
  );
  exited.catch(() => {});
  const request = (method, params) => {
    const id = nextId++;
    const answer = new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
    server.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    return Promise.race([answer, exited]);
  };
  try {
    await request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "tp-mcp-gen-manifest", version: "1.0.0" },
    });
    server.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    const { prompts } = await request("prompts/list", {});
    const out = [];
    for (const prompt of prompts) {
      const { messages } = await request("prompts/get", { name: prompt.name, arguments: {} });
      const text = messages
        .filter((m) => m.content?.type === "text")
        .map((m) => m.content.text)
        .join("\n\n");
      out.push({
        name: prompt.name,
        description: prompt.description,
        arguments: (prompt.arguments ?? []).map((a) => a.name),
        text,
      });
    }
    return out;
  } finally {
    server.removeAllListeners("exit");
    server.stdin.end();
    server.kill();
  }
}
