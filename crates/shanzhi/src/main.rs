//! The `shanzhi` binary: command-line parsing and dispatch to the subcommands.

mod cli;
mod commands;
mod config;
mod loadtest;
mod progress;

use clap::Parser;

/// mimalloc: the request path allocates a lot across threads, where glibc's malloc spent a third
/// of the server's time under load (measured with `perf` on `bench-intake`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let cfg = config::load(&cli)?;
    config::init_logging(&cfg);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(commands::run(cli, cfg))
}
