//! The console's built files (web/dist) are embedded in release builds: rebuild when they change.
//! The folder is made when absent, so that a console built later is noticed too.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    let _ = std::fs::create_dir_all(&dist);
    println!("cargo:rerun-if-changed={}", dist.display());
}
