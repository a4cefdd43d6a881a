// tp-mcp driven by the official TypeScript MCP client (@modelcontextprotocol/sdk)
// over stdio, on the built-in demo athlete: every tool called with valid
// arguments and its structuredContent validated by the client against the
// tool's outputSchema; every resource and prompt read; and nothing printed to
// the console by the client or the SDK (an "unknown format ... ignored"
// warning from its schema compiler fails the run).
//
// Run with scripts/test-ts-client (or `node --test` here, with
// TP_MCP_BIN pointing at a tp-mcp binary; default target/debug/tp-mcp).

import { printedBy, printedSince } from "./lib/console-capture.mjs"; // first: before the SDK loads
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { binaryPath, connect, removeDir, tempDir } from "./lib/server.mjs";

const DEMO_ATHLETE = "Alex Rivera";

/**
 * Arguments for each tool, chosen from its inputSchema. `{workout_id}` is
 * replaced by a completed workout from tp_get_workouts. A tool listed by
 * the server but missing here is still called: with `{}`, or with only
 * `workout_id` when that is its one required argument.
 */
const ARGUMENTS = {
  tp_auth_status: {},
  tp_refresh_auth: {},
  tp_get_profile: {},
  tp_get_workouts: { limit: 10 },
  tp_get_workout: { workout_id: "{workout_id}" },
  tp_get_planned_workouts: { limit: 10 },
  tp_get_fitness: { days: 42 },
  tp_get_peaks: { sport: "Bike", days: 90 },
  tp_get_workout_prs: { workout_id: "{workout_id}" },
  tp_training_load_summary: { days: 90 },
  tp_fitness_trend: { days: 90, projection_days: 14 },
  tp_get_events: {},
  tp_plan_race: {},
  tp_what_if: { weekly_tss: [0, 90, 60, 110, 0, 180, 120], days: 28 },
  tp_workout_analysis: { workout_id: "{workout_id}" },
  tp_get_workout_streams: { workout_id: "{workout_id}", resolution_s: 60 },
  tp_power_curve: { sport: "Bike", days: 90 },
  tp_critical_power: { sport: "Bike", days: 90 },
  tp_compare_efforts: { kind: "threshold", sport: "Bike", days: 90 },
  tp_performance_summary: { sport: "Bike", days: 90 },
  tp_training_zones_distribution: { days: 30 },
};

function argumentsFor(tool, workoutId) {
  let args = ARGUMENTS[tool.name];
  if (args === undefined) {
    const required = tool.inputSchema.required ?? [];
    args = required.length === 1 && required[0] === "workout_id" ? { workout_id: "{workout_id}" } : {};
  }
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, v === "{workout_id}" ? workoutId : v]),
  );
}

const textOf = (result) =>
  result.content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");

let dataDir;
let session;
let tools;
let workoutId;
/** @type {Map<string, object>} structuredContent of each tool's call */
const answers = new Map();

describe("tp-mcp --demo under the official TypeScript MCP client", () => {
  before(async () => {
    dataDir = tempDir("tp-mcp-ts-");
    session = await connect({
      command: binaryPath(),
      args: ["--demo"],
      env: { TP_MCP_DATA_DIR: dataDir },
    });
  });

  after(async () => {
    await session?.close();
    if (dataDir) removeDir(dataDir);
  });

  test("initialize: server info and capabilities", () => {
    const info = session.client.getServerVersion();
    assert.equal(info.name, "tp-mcp");
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    const caps = session.client.getServerCapabilities();
    for (const capability of ["tools", "resources", "prompts"]) {
      assert.ok(caps[capability], `the server announces ${capability}`);
    }
  });

  test("tools/list: every tool has an input and an output schema", async () => {
    ({ tools } = await session.client.listTools());
    assert.ok(tools.length >= 21, `expected at least 21 tools, got ${tools.length}`);
    for (const tool of tools) {
      assert.equal(tool.inputSchema?.type, "object", `${tool.name} inputSchema`);
      assert.equal(tool.outputSchema?.type, "object", `${tool.name} has an outputSchema`);
      assert.ok(tool.description?.length > 20, `${tool.name} is described`);
      if (typeof session.client.getToolOutputValidator === "function") {
        assert.equal(
          typeof session.client.getToolOutputValidator(tool.name),
          "function",
          `the client compiled a validator for ${tool.name}'s outputSchema`,
        );
      }
    }
    for (const name of Object.keys(ARGUMENTS)) {
      assert.ok(tools.some((t) => t.name === name), `the server lists ${name}`);
    }
  });

  test("tp_get_workouts gives a completed workout to ask about", async () => {
    const result = await session.client.callTool({ name: "tp_get_workouts", arguments: { limit: 20 } });
    assert.ok(!result.isError, textOf(result));
    const workouts = result.structuredContent.workouts;
    assert.ok(workouts.length > 0, "the demo athlete has workouts in the last 30 days");
    const bike = workouts.find((w) => w.completed && w.sport === "Bike");
    workoutId = (bike ?? workouts.find((w) => w.completed)).workout_id;
    assert.ok(Number.isInteger(workoutId), `workout_id ${workoutId}`);
  });

  test("tools/call: every tool answers, its structuredContent valid against its outputSchema", async (t) => {
    const inputValidator = new AjvJsonSchemaValidator();
    for (const tool of tools) {
      await t.test(tool.name, async () => {
        const args = argumentsFor(tool, workoutId);
        const valid = inputValidator.getValidator(tool.inputSchema)(args);
        assert.ok(valid.valid, `arguments ${JSON.stringify(args)} match ${tool.name}'s inputSchema: ${valid.errorMessage}`);
        // callTool validates structuredContent against the outputSchema
        // cached by listTools and throws on any mismatch.
        const result = await session.client.callTool({ name: tool.name, arguments: args });
        assert.ok(!result.isError, `${tool.name} ${JSON.stringify(args)} failed: ${textOf(result)}`);
        assert.ok(result.structuredContent && typeof result.structuredContent === "object", "structuredContent");
        assert.ok(textOf(result).trim().length > 0, "a text answer too");
        answers.set(tool.name, result.structuredContent);
      });
    }
    assert.equal(answers.size, tools.length, "every listed tool was called");
  });

  test("the answers are the demo athlete's", () => {
    assert.equal(answers.get("tp_get_profile").name, DEMO_ATHLETE);
    const auth = answers.get("tp_auth_status");
    assert.equal(auth.authenticated, true);
    assert.equal(auth.cookie_source, "demo");
    assert.equal(answers.get("tp_get_workout").workout_id, workoutId);
    const fitness = answers.get("tp_get_fitness").current;
    for (const key of ["ctl", "atl", "tsb"]) {
      assert.ok(Number.isFinite(fitness[key]), `current ${key} is a number`);
    }
    assert.ok(fitness.ctl > 10, `a trained athlete's CTL, got ${fitness.ctl}`);
  });

  test("resources/list and resources/templates/list", async () => {
    const { resources } = await session.client.listResources();
    const uris = resources.map((r) => r.uri);
    for (const uri of ["tp://athlete", "tp://fitness/pmc.csv"]) {
      assert.ok(uris.includes(uri), `${uri} is listed (got ${uris.join(", ")})`);
    }
    const { resourceTemplates } = await session.client.listResourceTemplates();
    assert.ok(
      resourceTemplates.some((t) => t.uriTemplate === "tp://workouts/{workout_id}"),
      "the workout template is listed",
    );
  });

  test("resources/read: every listed resource", async (t) => {
    const { resources } = await session.client.listResources();
    for (const resource of resources) {
      await t.test(resource.uri, async () => {
        const { contents } = await session.client.readResource({ uri: resource.uri });
        assert.equal(contents.length, 1);
        const [content] = contents;
        assert.equal(content.uri, resource.uri);
        assert.equal(content.mimeType, resource.mimeType);
        assert.ok(typeof content.text === "string" && content.text.length > 0, "text contents");
        checkResource(resource.uri, content);
      });
    }
  });

  test("resources/read: a workout through tp://workouts/{workout_id}", async () => {
    const uri = `tp://workouts/${workoutId}`;
    const { contents } = await session.client.readResource({ uri });
    assert.equal(contents[0].mimeType, "application/json");
    const workout = JSON.parse(contents[0].text);
    const fromTool = answers.get("tp_get_workout");
    assert.equal(workout.workout_id, workoutId);
    // The same answer as tp_get_workout, except the device-file status:
    // tp_workout_analysis and tp_get_workout_streams fetched the file since.
    const { streams, ...rest } = workout;
    const { streams: _before, ...restFromTool } = fromTool;
    assert.deepEqual(rest, restFromTool, "the resource is what tp_get_workout answers");
    assert.doesNotMatch(String(streams), /not fetched yet/, "the device file's state is known now");
  });

  test("prompts/list and prompts/get of each prompt with its defaults", async (t) => {
    const { prompts } = await session.client.listPrompts();
    assert.ok(prompts.length >= 4, `expected at least 4 prompts, got ${prompts.length}`);
    const toolNames = new Set(tools.map((tool) => tool.name));
    for (const prompt of prompts) {
      await t.test(prompt.name, async () => {
        assert.ok(prompt.description, "described");
        assert.ok((prompt.arguments ?? []).every((a) => !a.required), "every argument has a default");
        const result = await session.client.getPrompt({ name: prompt.name, arguments: {} });
        assert.ok(result.messages.length > 0);
        const [message] = result.messages;
        assert.equal(message.role, "user");
        assert.equal(message.content.type, "text");
        const named = message.content.text.match(/\btp_[a-z_]+/g) ?? [];
        assert.ok(named.length > 0, "the prompt names the tools to call");
        for (const name of named) {
          assert.ok(toolNames.has(name), `${prompt.name} names ${name}, which is a tool`);
        }
      });
    }
  });

  test("the server wrote no error to its stderr", () => {
    assert.doesNotMatch(session.stderr(), /\bERROR\b|panicked/, session.stderr());
  });
});

function checkResource(uri, content) {
  if (uri === "tp://athlete") {
    const athlete = JSON.parse(content.text);
    assert.equal(athlete.profile.name, DEMO_ATHLETE);
    assert.equal(athlete.profile.athlete_id, answers.get("tp_get_profile").athlete_id);
    assert.ok(athlete.settings, "settings (zones, thresholds)");
  } else if (uri === "tp://fitness/pmc.csv") {
    const lines = content.text.trim().split("\n");
    assert.equal(lines[0], "date,tss,ctl,atl,tsb");
    assert.ok(lines.length > 365, `a whole history, got ${lines.length - 1} days`);
    const [date, , ctl, atl, tsb] = lines.at(-1).split(",");
    const current = answers.get("tp_get_fitness").current;
    assert.equal(date, current.date, "the CSV ends today");
    // The CSV has four decimals.
    assert.ok(Math.abs(Number(ctl) - current.ctl) < 5.1e-5, `CSV CTL ${ctl} = tp_get_fitness CTL ${current.ctl}`);
    assert.ok(Math.abs(Number(atl) - current.atl) < 5.1e-5, `CSV ATL ${atl} = tp_get_fitness ATL ${current.atl}`);
    assert.ok(Math.abs(Number(tsb) - current.tsb) < 5.1e-5, `CSV TSB ${tsb} = tp_get_fitness TSB ${current.tsb}`);
  } else if (uri.startsWith("ui://")) {
    assert.match(content.mimeType, /^text\/html/);
    assert.match(content.text, /<html/i);
  }
}

describe("the checks themselves", () => {
  test("the client rejects structuredContent that breaks the outputSchema", async () => {
    const dir = tempDir("tp-mcp-ts-");
    // Rewrites tp_get_fitness's answer on its way to the client: CTL becomes a string.
    const rewrite = (message) => {
      const sc = message?.result?.structuredContent;
      if (sc?.current && typeof sc.current.ctl === "number") {
        sc.current.ctl = "seventy";
      }
      return message;
    };
    const tampered = await connect({ command: binaryPath(), args: ["--demo"], env: { TP_MCP_DATA_DIR: dir }, rewrite });
    try {
      await tampered.client.listTools();
      await assert.rejects(
        tampered.client.callTool({ name: "tp_get_fitness", arguments: { days: 42 } }),
        /output schema/,
      );
    } finally {
      await tampered.close();
      removeDir(dir);
    }
  });

  test("a non-standard schema format is caught as console output", () => {
    const lines = printedBy(() =>
      new AjvJsonSchemaValidator().getValidator({
        type: "object",
        properties: { n: { type: "integer", format: "uint64" } },
      }),
    );
    assert.ok(
      lines.some((l) => /unknown format "uint64" ignored/.test(l)),
      `the SDK's schema compiler warns through the console, and it was recorded: ${JSON.stringify(lines)}`,
    );
  });
});

test("the client and the SDK printed nothing to the console", () => {
  assert.deepEqual(printedSince(0), []);
});
