//! Any bytes as a tool call's arguments, to every tool (`tp_mcp::fuzzing`):
//! an answer or an argument error that says what to fix, never a panic.
//! The first byte picks the tool; the rest must be a JSON object, as MCP
//! clients send (anything else is refused by the protocol layer first).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});
static CONTEXT: LazyLock<tp_mcp::ServerContext> = LazyLock::new(|| {
    let _guard = RUNTIME.enter();
    tp_mcp::fuzzing::offline_context()
});

fuzz_target!(|data: &[u8]| {
    let Some((&tool, json)) = data.split_first() else {
        return;
    };
    if let Ok(serde_json::Value::Object(args)) = serde_json::from_slice(json) {
        tp_mcp::fuzzing::check_tool_call(&RUNTIME, &CONTEXT, usize::from(tool), args);
    }
});
