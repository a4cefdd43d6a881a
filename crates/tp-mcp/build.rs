//! Link-time settings for the `tp-mcp` binary.
//!
//! On Linux with glibc the binary is linked with packed relative
//! relocations (`-z pack-relative-relocs`, DT_RELR, glibc ≥ 2.36). A
//! position-independent Rust binary carries one relocation per pointer in
//! its read-only data — about 18 000 here, 424 KB of `.rela.dyn` that the
//! dynamic loader reads at every start — and RELR encodes them as bitmaps
//! in about 5 KB. The loader then reads 400 KB less at start, which is
//! that much less resident memory for the whole life of the sidecar
//! (bench/RESULTS.md, peak RSS). Other platforms link as usual.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=tp-mcp=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
