// Starting tp-mcp under the official TypeScript MCP client, over stdio.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The binary under test: $TP_MCP_BIN, else target/debug/tp-mcp. */
export function binaryPath() {
  const exe = process.platform === "win32" ? ".exe" : "";
  return process.env.TP_MCP_BIN || join(REPO, "target", "debug", `tp-mcp${exe}`);
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A transport that hands every message from the server to `rewrite` before
 * the client sees it (to prove the client rejects a bad answer).
 */
export class RewritingTransport {
  constructor(inner, rewrite) {
    this.inner = inner;
    this.rewrite = rewrite;
  }
  async start() {
    this.inner.onmessage = (message, extra) => this.onmessage?.(this.rewrite(message), extra);
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => this.onclose?.();
    return this.inner.start();
  }
  send(message, options) {
    return this.inner.send(message, options);
  }
  close() {
    return this.inner.close();
  }
  get stderr() {
    return this.inner.stderr;
  }
  get pid() {
    return this.inner.pid;
  }
}

/**
 * Starts `command args` with `env` (on top of the SDK's default inherited
 * variables: HOME, PATH, USER, ... as a desktop host would) and connects a
 * client: `initialize` and `notifications/initialized` happen here.
 * The server's stderr is collected in `session.stderr()`.
 */
export async function connect({ command, args = [], env = {}, rewrite = null, name = "tp-mcp-ts-client-tests" }) {
  const stdio = new StdioClientTransport({ command, args, env, stderr: "pipe" });
  let stderr = "";
  stdio.stderr?.on("data", (chunk) => {
    stderr += chunk.toString();
  });
  const transport = rewrite ? new RewritingTransport(stdio, rewrite) : stdio;
  const client = new Client({ name, version: "1.0.0" }, { capabilities: {} });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`initialize failed: ${error.message}\nserver stderr:\n${stderr}`);
  }
  return {
    client,
    stderr: () => stderr,
    close: () => client.close(),
  };
}
