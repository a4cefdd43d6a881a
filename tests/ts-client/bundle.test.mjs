// The MCP Bundle (.mcpb) as Claude Desktop sees it: unpacked, its manifest
// checked with `mcpb validate`, and the server started exactly as the
// manifest's mcp_config says, resolved by mcpb's own getMcpConfigForManifest
// (the code Claude Desktop uses: ${__dirname} and the user_config values
// substituted), then asked by the official TypeScript MCP client.
//
// Run with scripts/test-bundle, which builds the bundle and sets
// TP_MCP_BUNDLE to it (the mcpb package comes from bundle/node_modules).

import { printedSince } from "./lib/console-capture.mjs"; // first: before the SDK loads
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, sep } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { connect, REPO, removeDir, tempDir } from "./lib/server.mjs";

const BUNDLE = process.env.TP_MCP_BUNDLE;
const MCPB_DIST = join(REPO, "bundle", "node_modules", "@anthropic-ai", "mcpb", "dist");
const skip = BUNDLE ? false : "TP_MCP_BUNDLE is not set: run scripts/test-bundle";

let mcpb;
let dir;
let manifest;

/** mcp_config as Claude Desktop resolves it, for these user settings. */
async function resolvedConfig(userConfig) {
  const config = await mcpb.getMcpConfigForManifest({
    manifest,
    extensionPath: dir,
    systemDirs: {
      HOME: homedir(),
      DESKTOP: join(homedir(), "Desktop"),
      DOCUMENTS: join(homedir(), "Documents"),
      DOWNLOADS: join(homedir(), "Downloads"),
    },
    userConfig,
    pathSeparator: sep,
  });
  assert.ok(config, "the manifest gives an MCP config (no required option is missing)");
  assert.doesNotMatch(JSON.stringify(config), /\$\{/, "every ${…} variable is substituted");
  return config;
}

describe("the .mcpb bundle", { skip }, () => {
  before(async () => {
    mcpb = await import(pathToFileURL(join(MCPB_DIST, "index.js")).href);
    dir = tempDir("tp-mcp-mcpb-");
    const ok = await mcpb.unpackExtension({ mcpbPath: BUNDLE, outputDir: dir, silent: true });
    assert.ok(ok, `mcpb unpacks ${BUNDLE}`);
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  });

  after(() => {
    if (dir) removeDir(dir);
  });

  test("mcpb validate passes on the unpacked manifest", () => {
    const out = execFileSync(process.execPath, [join(MCPB_DIST, "cli", "cli.js"), "validate", join(dir, "manifest.json")], {
      encoding: "utf8",
    });
    assert.match(out, /Manifest schema validation passes/);
  });

  test("the manifest: a binary server for this platform, its entry point executable", () => {
    assert.equal(manifest.server.type, "binary");
    assert.deepEqual(manifest.compatibility.platforms, [process.platform]);
    const entry = join(dir, manifest.server.entry_point);
    const mode = statSync(entry).mode;
    if (process.platform !== "win32") assert.ok(mode & 0o100, `${entry} is executable (mode ${mode.toString(8)})`);
    assert.equal(manifest.user_config.tp_auth_cookie.sensitive, true, "the cookie is a secret");
    assert.equal(manifest.user_config.tp_auth_cookie.required, false, "the cookie is optional");
    assert.equal(manifest.user_config.demo.type, "boolean");
    assert.ok(manifest.tools.length >= 21 && manifest.prompts.length >= 4, "tools and prompts are listed");
  });

  test("demo athlete on: started as mcp_config says, it answers as the demo athlete", async () => {
    const config = await resolvedConfig({ demo: true });
    assert.equal(config.command, `${dir}/${manifest.server.entry_point}`);
    assert.equal(config.env.TP_MCP_DEMO, "true");
    assert.equal(config.env.TP_AUTH_COOKIE, "", "no cookie given: an empty value, not the placeholder");
    const session = await connect({ command: config.command, args: config.args ?? [], env: config.env });
    try {
      const info = session.client.getServerVersion();
      assert.equal(info.name, "tp-mcp");
      assert.equal(info.version, manifest.version, "the manifest's version is the binary's");
      const { tools } = await session.client.listTools();
      assert.deepEqual(
        tools.map((t) => [t.name, t.description]),
        manifest.tools.map((t) => [t.name, t.description]),
        "the manifest lists exactly the server's tools",
      );
      const { prompts } = await session.client.listPrompts();
      assert.deepEqual(
        prompts.map((p) => p.name),
        manifest.prompts.map((p) => p.name),
        "the manifest lists exactly the server's prompts",
      );
      const auth = await session.client.callTool({ name: "tp_auth_status", arguments: {} });
      assert.equal(auth.structuredContent.cookie_source, "demo", "the demo option reached the server");
      const profile = await session.client.callTool({ name: "tp_get_profile", arguments: {} });
      assert.equal(profile.structuredContent.name, "Alex Rivera");
    } finally {
      await session.close();
    }
  });

  test("the defaults (no cookie, demo off): the server looks in the keychain, not at an empty cookie", {
    skip: process.platform === "linux" ? false : "reads the real keychain elsewhere",
  }, async () => {
    const config = await resolvedConfig({});
    assert.equal(config.env.TP_MCP_DEMO, "false");
    assert.equal(config.env.TP_AUTH_COOKIE, "");
    const scratch = tempDir("tp-mcp-mcpb-home-");
    // Kept on this machine: a closed loopback port for TrainingPeaks, a
    // scratch cache directory.
    const env = { ...config.env, TP_API_BASE_URL: "http://127.0.0.1:9", TP_MCP_DATA_DIR: scratch };
    const session = await connect({ command: config.command, args: config.args ?? [], env });
    try {
      const { tools } = await session.client.listTools();
      assert.equal(tools.length, manifest.tools.length);
      const auth = await session.client.callTool({ name: "tp_auth_status", arguments: {} });
      const source = auth.structuredContent.cookie_source;
      assert.ok(["keychain", "missing"].includes(source), `cookie from the keychain or none, got ${source}`);
    } finally {
      await session.close();
      removeDir(scratch);
    }
  });

  test("the client and the SDK printed nothing to the console", () => {
    assert.deepEqual(printedSince(0), []);
  });
});
