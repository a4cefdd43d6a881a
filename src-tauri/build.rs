//! Tauri's build step (embeds ui/, checks the capabilities, copies the
//! bundled sidecar next to the tp-tray binary). The sidecar must be in
//! `binaries/` first: `scripts/tray` builds and puts it there.

fn main() {
    let triple = std::env::var("TARGET").unwrap_or_default();
    let exe = if triple.contains("windows") {
        ".exe"
    } else {
        ""
    };
    let sidecar = format!("binaries/tp-mcp-{triple}{exe}");
    if !std::path::Path::new(&sidecar).is_file() {
        panic!(
            "the tp-mcp sidecar is missing at src-tauri/{sidecar}: build tp-tray with `scripts/tray --build-only` \
             (it builds tp-mcp and puts it there), or `cargo build -p tp-mcp` and copy target/debug/tp-mcp{exe} there"
        );
    }
    tauri_build::build()
}
