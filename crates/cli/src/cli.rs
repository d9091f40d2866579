//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Trace-based testing: trigger a system, then assert on the OpenTelemetry spans it produced.
#[derive(Parser, Debug)]
#[command(name = "tbt", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check .tbt files for syntax, name and type errors without running anything.
    Check(CheckArgs),
    /// Format .tbt files in the one canonical layout.
    Fmt(FmtArgs),
    /// Explain a diagnostic code, e.g. `tbt explain E0023`.
    Explain(ExplainArgs),
    /// Evaluate tests offline against a recorded trace (the trigger is skipped).
    Eval(EvalArgs),
    /// Print the query plan of tests, like SQL's EXPLAIN.
    Plan(PlanArgs),
    /// Run tests against a live system: trigger, collect the trace, assert.
    Run(RunArgs),
    /// Run the language server: LSP over standard input and output, for editors.
    Lsp,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source excerpts with labels, for people.
    Human,
    /// One JSON document with every diagnostic, for tools.
    Json,
    /// GitHub Actions workflow commands, which show up as annotations on pull requests.
    Github,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when printing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Which diagnostics fail the check besides errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings fail the check too.
    Warnings,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check (folders recursively). Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Make warnings fail the check as well.
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Apply every machine-applicable fix, rewrite the files, check again and report what
    /// remains.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files or folders to format (folders recursively), or `-` for standard input.
    /// Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Do not write: list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// When to use colour for diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The code, e.g. E0023. Without one, lists every code.
    pub code: Option<String>,
}

/// How `tbt eval` prints its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// Verdicts with source excerpts and span trees, for people.
    Human,
    /// One JSON document (format version 1), for tools.
    Json,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The .tbt file whose tests to evaluate.
    pub file: PathBuf,
    /// The recorded trace: OTLP protobuf or JSON, Jaeger v1 or api_v3 JSON, Zipkin v2 JSON.
    #[arg(long, value_name = "TRACEFILE")]
    pub trace: PathBuf,
    /// Evaluate only the tests whose name is NAME (or contains it).
    #[arg(long, value_name = "NAME")]
    pub test: Option<String>,
    /// A recorded response as JSON: `{"status": 200, "headers": {...}, "body": "...",
    /// "json": ..., "duration_ms": ...}`. Without it, `response.*` assertions are skipped.
    #[arg(long, value_name = "FILE")]
    pub response: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
    pub format: EvalFormat,
    /// Clock-skew tolerance of `->` between spans that are not ancestor and descendant, e.g.
    /// `5ms`.
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub clock_skew: String,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The .tbt file to plan.
    pub file: PathBuf,
    /// Plan only the tests whose name is NAME (or contains it).
    #[arg(long, value_name = "NAME")]
    pub test: Option<String>,
}

/// How `tbt run` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// Each test as it finishes, failures with source excerpts and span trees.
    Pretty,
    /// One JSON document (format version 1, see docs/run.md), for tools.
    Json,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Files or folders of tests (folders recursively). Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name (or `suite › name`) contains TEXT, or is exactly TEXT
    /// when a test has that name; repeatable. A suite runs up to its last selected test,
    /// whose outputs the selected ones read.
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// How many tests (or suites) run at once. Default: tbt.toml's `[run] jobs`, else four
    /// per core.
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs_arg: Option<u16>,
    /// Stop starting tests after the first failure (the rest are reported as not run).
    #[arg(long)]
    pub fail_fast: bool,
    /// Run the i-th of n slices of the tests, for splitting a run over CI machines: `2/4`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::run::select::Shard>,
    /// Report format on standard output.
    #[arg(long, value_enum, default_value_t = RunFormat::Pretty)]
    pub format: RunFormat,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The longest wait for a test's trace (default 30s; a test's `wait timeout` wins).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// How long no span must arrive for a trace to be complete (default 250ms; a test's
    /// `wait settle` wins).
    #[arg(long, value_name = "DURATION")]
    pub settle: Option<String>,
    /// The receiver's gRPC port (default 4317; 0 picks a free one).
    #[arg(long, value_name = "PORT")]
    pub grpc_port: Option<u16>,
    /// The receiver's HTTP port (default 4318; 0 picks a free one).
    #[arg(long, value_name = "PORT")]
    pub http_port: Option<u16>,
    /// Keep the spans of traces no test waits for (they are counted and dropped otherwise).
    #[arg(long)]
    pub keep_unmatched: bool,
    /// Do not start tbt.toml's `[server]`: the system is already running.
    #[arg(long)]
    pub no_server: bool,
    /// The project file (default: the nearest tbt.toml above the first path).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl RunArgs {
    /// `-j`, as a count.
    pub fn jobs(&self) -> Option<usize> {
        self.jobs_arg.map(usize::from)
    }
}
