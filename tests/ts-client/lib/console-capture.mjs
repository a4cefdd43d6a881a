// Records everything this process prints through `console` and every
// process warning, so a test can fail when the MCP client/SDK printed
// anything (Ajv's "unknown format ... ignored" schema warnings go through
// console.warn). Import it FIRST, before the SDK, so nothing slips through
// while modules load. The output is still forwarded, so a human sees it.

const METHODS = ["log", "info", "warn", "error", "debug", "trace"];

/** @type {{method: string, text: string}[]} */
export const printed = [];

let quiet = false;

for (const method of METHODS) {
  const original = console[method].bind(console);
  console[method] = (...args) => {
    printed.push({ method, text: args.map(describe).join(" ") });
    if (!quiet) original(...args);
  };
}

process.on("warning", (warning) => {
  printed.push({ method: "process warning", text: `${warning.name}: ${warning.message}` });
});

function describe(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs `fn` (synchronous) and returns what it printed, neither forwarded
 * nor kept in `printed`: for a test of this capture itself.
 */
export function printedBy(fn) {
  const from = printed.length;
  quiet = true;
  try {
    fn();
  } finally {
    quiet = false;
  }
  const lines = printedSince(from);
  printed.splice(from);
  return lines;
}

/** Everything recorded from index `from` on, one line each. */
export function printedSince(from = 0) {
  return printed.slice(from).map((p) => `console.${p.method}: ${p.text}`);
}
