//! The chart as an MCP App: a `ui://` HTML resource hosts render beside a
//! tool's answer (the MCP Apps extension, SEP-1865, `io.modelcontextprotocol/ui`).
//!
//! The page is `ui/mcp-app/chart.html` with the vendored uPlot inlined at
//! read time — self-contained, nothing loaded from the network. The host
//! hands it the tool result over the extension's postMessage protocol; the
//! page draws what the structured output holds (it computes nothing).
//! Tools that link to it carry `_meta.ui.resourceUri` (and the older flat
//! `ui/resourceUri` key); their text answers stay complete for hosts
//! without Apps.

use rmcp::model::{MetaObject, Resource, ResourceContents};
use serde_json::json;

/// The chart's resource URI.
pub const CHART_URI: &str = "ui://tp-mcp/chart.html";

/// The MIME type MCP Apps hosts look for.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";

/// The extension id advertised in the server's capabilities.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/ui";

/// The tools whose answers the chart draws.
pub const CHART_TOOLS: &[&str] = &[
    "tp_get_fitness",
    "tp_fitness_trend",
    "tp_plan_race",
    "tp_power_curve",
];

const TEMPLATE: &str = include_str!("../../../ui/mcp-app/chart.html");
const UPLOT_JS: &str = include_str!("../../../ui/vendor/uplot/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../../../ui/vendor/uplot/uPlot.min.css");

/// The page, uPlot inlined.
pub fn chart_html() -> String {
    TEMPLATE
        .replace("/*{{UPLOT_CSS}}*/", UPLOT_CSS)
        .replace("/*{{UPLOT_JS}}*/", UPLOT_JS)
}

/// The `_meta` a tool carries to open the chart.
pub fn tool_meta() -> MetaObject {
    let mut meta = MetaObject::default();
    meta.0
        .insert("ui".into(), json!({ "resourceUri": CHART_URI }));
    meta.0.insert("ui/resourceUri".into(), json!(CHART_URI));
    meta
}

/// The chart as `resources/list` shows it.
/// The resource's `_meta.ui`: a border, and no network at all.
fn resource_meta() -> MetaObject {
    let mut meta = MetaObject::default();
    meta.0.insert(
        "ui".into(),
        json!({ "prefersBorder": true, "csp": { "connectDomains": [], "resourceDomains": [] } }),
    );
    meta
}

pub fn resource() -> Resource {
    Resource::new(CHART_URI, "chart")
        .with_title("Fitness and power chart")
        .with_description(
            "The PMC (CTL, ATL, TSB, daily TSS, projection and race plan) or the power curve of \
a tool answer, drawn beside it by hosts that support MCP Apps.",
        )
        .with_mime_type(MIME_TYPE)
        .with_meta(resource_meta())
}

/// The chart's contents for `resources/read`.
pub fn contents() -> ResourceContents {
    // Hosts read `_meta.ui` from the read contents too (the spec's place for it).
    ResourceContents::text(chart_html(), CHART_URI)
        .with_mime_type(MIME_TYPE)
        .with_meta(resource_meta())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_self_contained() {
        let html = chart_html();
        assert!(html.contains("uPlot"), "uPlot is inlined");
        assert!(!html.contains("{{UPLOT"), "every placeholder is filled");
        for remote in ["src=\"http", "href=\"http", "src=\"//", "@import", "fetch("] {
            assert!(!html.contains(remote), "nothing from the network: {remote}");
        }
    }
}
