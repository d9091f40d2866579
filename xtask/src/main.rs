//! `cargo xtask <task>`: project automation for tbt.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  semconv [--model DIR] [--check]
      Regenerate crates/semconv/src/generated.rs from the semantic-conventions model
      (default DIR: ../shared/semconv/v1.44.0/model, relative to the workspace root).
      With --check, change nothing and fail if the committed file is out of date.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("semconv") => semconv(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a task"),
    }
}

fn semconv(args: &[String]) -> ExitCode {
    let root = xtask::semconv::workspace_root();
    let mut model = root.join(xtask::semconv::DEFAULT_MODEL_DIR);
    let mut check = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--model" => match args.next() {
                Some(dir) => model = PathBuf::from(dir),
                None => return usage_error("--model needs a directory"),
            },
            other => return usage_error(&format!("unexpected argument `{other}`")),
        }
    }

    let generated = match xtask::generate_semconv(&model) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = root.join(xtask::semconv::OUTPUT_FILE);
    if check {
        let committed = std::fs::read_to_string(&out).unwrap_or_default();
        if committed == generated {
            println!("{} is up to date", out.display());
            ExitCode::SUCCESS
        } else {
            eprintln!(
                "error: {} is out of date with {}; run `cargo xtask semconv`",
                out.display(),
                model.display()
            );
            ExitCode::FAILURE
        }
    } else if let Err(e) = std::fs::write(&out, generated) {
        eprintln!("error: {}: {e}", out.display());
        ExitCode::FAILURE
    } else {
        println!("wrote {}", out.display());
        ExitCode::SUCCESS
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
