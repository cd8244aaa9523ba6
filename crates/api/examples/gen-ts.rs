//! Rewrite `ui/src/lib/api.gen.ts` from the Rust API types.
#![allow(clippy::print_stdout)]

fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api.gen.ts");
    std::fs::write(&path, bosun_api::endpoints::typescript())?;
    println!("wrote {}", path.display());
    Ok(())
}
