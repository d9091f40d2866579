//! The `tbt` command line.

mod check;
mod cli;
mod eval;
mod explain;
mod files;
mod format;
mod output;
mod plan;
mod run;
mod verdicts;

use clap::Parser as _;
use std::process::ExitCode;

/// The receiver decodes and frees many small objects per exported span; mimalloc makes ingest
/// about a third faster than the system allocator (`cargo bench -p tbt-collect --bench ingest`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Check(args) => check::run(&args),
        cli::Command::Fmt(args) => format::run(&args),
        cli::Command::Explain(args) => explain::run(&args),
        cli::Command::Eval(args) => eval::run(&args),
        cli::Command::Plan(args) => plan::run(&args),
        cli::Command::Run(args) => run::run(&args),
        cli::Command::Lsp => tbt_lsp::run_stdio(),
    };
    ExitCode::from(code as u8)
}
