// The host side of MCP Apps for the test: what Claude Desktop does with a
// ui:// resource, played by the official SDK's AppBridge
// (@modelcontextprotocol/ext-apps/app-bridge). Bundled for the browser by
// esbuild (chart.test.mjs) and loaded by host.html.
//
// mount() renders the View's HTML in a sandboxed iframe (scripts only, an
// opaque origin, no same-origin access) under the spec's restrictive
// default CSP, connects an AppBridge to it over postMessage, and once the
// View says ui/notifications/initialized sends the tool input and the tool
// result. The frame's height follows the View's size-changed notifications.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

// The CSP a host MUST use when the resource declares no ui.csp (SEP-1865).
const DEFAULT_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; media-src 'self' data:; connect-src 'none'";

function withCsp(html) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${DEFAULT_CSP}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (h) => h + meta) : meta + html;
}

const HOST_INFO = { name: "tp-mcp-apps-test-host", version: "1.0.0" };
const HOST_CAPABILITIES = { openLinks: {}, logging: {}, serverTools: {}, serverResources: {} };

const state = {
  bridge: null,
  iframe: null,
  log: [], // what the View did, in order
  sizes: [], // its size-changed notifications
};
window.tpHost = state;

/**
 * Shows the View and hands it a tool call: { html, tool, args, result,
 * theme, width, maxHeight }. Resolves once the View is initialized and has
 * been sent the input and the result.
 */
state.mount = async function mount(o) {
  await state.unmount();
  state.log = [];
  state.sizes = [];
  const iframe = document.createElement("iframe");
  iframe.id = "app";
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.setAttribute("title", "tp-mcp chart");
  iframe.style.width = `${o.width}px`;
  iframe.style.height = "120px";
  document.getElementById("stage").appendChild(iframe);
  state.iframe = iframe;

  const hostContext = {
    theme: o.theme,
    displayMode: "inline",
    availableDisplayModes: ["inline"],
    containerDimensions: { width: o.width, maxHeight: o.maxHeight },
    locale: "en-GB",
    timeZone: "UTC",
    platform: "desktop",
    userAgent: "tp-mcp apps test host",
    toolInfo: { id: 1, tool: o.tool },
    styles: {
      variables: {
        "--color-background-primary": "light-dark(#ffffff, #1f1e1d)",
        "--color-text-primary": "light-dark(#141413, #faf9f5)",
        "--color-text-secondary": "light-dark(#5e5d59, #b7b5a9)",
        "--font-sans": "\"DejaVu Sans\", system-ui, sans-serif",
      },
    },
  };
  const bridge = new AppBridge(null, HOST_INFO, HOST_CAPABILITIES, { hostContext });
  state.bridge = bridge;
  const initialized = new Promise((resolve) => {
    bridge.oninitialized = () => {
      state.log.push("initialized");
      resolve();
    };
  });
  bridge.onsizechange = ({ width, height }) => {
    state.sizes.push({ width, height });
    if (height != null) iframe.style.height = `${Math.min(height, o.maxHeight)}px`;
  };
  bridge.onloggingmessage = (m) => state.log.push("log: " + JSON.stringify(m));
  bridge.onmessage = async (m) => {
    state.log.push("message: " + JSON.stringify(m));
    return {};
  };
  bridge.onrequestdisplaymode = async ({ mode }) => {
    state.log.push("display mode: " + mode);
    return { mode: "inline" };
  };
  bridge.onerror = (e) => state.log.push("bridge error: " + (e && e.message));

  // Connect before the View loads, so its ui/initialize is not missed (the
  // frame's window stays the same object across the navigation).
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = withCsp(o.html);
  await initialized;
  state.log.push("app: " + JSON.stringify(bridge.getAppVersion()));
  state.log.push("app capabilities: " + JSON.stringify(bridge.getAppCapabilities()));
  await bridge.sendToolInput({ arguments: o.args });
  await bridge.sendToolResult(o.result);
};

/** A host-context change, e.g. { theme: "dark" } (only what changed is sent). */
state.setContext = async function setContext(partial) {
  await state.bridge.sendHostContextChange(partial);
};

/** The host tears the View down: ui/resource-teardown, answered. */
state.teardown = async function teardown() {
  return state.bridge.teardownResource({});
};

state.unmount = async function unmount() {
  if (state.bridge) await state.bridge.close();
  if (state.iframe) state.iframe.remove();
  state.bridge = null;
  state.iframe = null;
};
