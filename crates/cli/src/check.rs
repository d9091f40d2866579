//! `tbt check`: every diagnostic, without running anything.
//!
//! Every file found is loaded into the database with the files it reaches through `use` (read
//! from disk even when they are outside the given paths) and its project's declared
//! environment (`tbt.toml`). Only the files found are reported. With `--fix`, the
//! machine-applicable fixes are applied, from the end of each file backwards, the file is
//! rewritten and checked again (a few rounds at most, as one fix can reveal another), and what
//! remains is reported.

use crate::cli::{CheckArgs, Deny};
use crate::files::discover;
use crate::output::Printer;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_db::{EnvNames, File, RootDatabase};
use tbt_diagnostics::{Diagnostic, Severity, TextRange, codes};

/// Exit code when everything is fine.
pub const OK: i32 = 0;
/// Exit code when a check or test failed.
pub const FAILED: i32 = 1;
/// Exit code for usage, configuration and I/O errors.
pub const USAGE: i32 = 2;

/// The most rounds of `--fix` on one file.
const FIX_ROUNDS: usize = 8;

/// One file to report on.
struct Target {
    /// The path as given or found, for display.
    shown: String,
    path: PathBuf,
    /// The file in the database, or the diagnostic that explains why there is none.
    file: Result<File, Diagnostic>,
}

/// Runs `tbt check` and returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    let mut printer = Printer::new(args.format, args.color);
    let mut db = RootDatabase::new();
    let mut envs = Envs::default();
    let mut io_errors = 0;
    let mut targets = Vec::new();
    let mut found = Vec::new();
    for loaded in discover(&args.paths) {
        io_errors += usize::from(loaded.io_error);
        let file = loaded.text.map(|text| {
            let file = db.set_file(&loaded.path, text);
            let env = envs.for_file(&loaded.path, &mut printer);
            db.set_env(file, env);
            file
        });
        if let Ok(file) = file {
            found.push(file);
        }
        targets.push(Target {
            shown: loaded.path.display().to_string(),
            path: loaded.path,
            file,
        });
    }
    // Parse on every core, then follow the `use`s (reading the files they reach), then check.
    db.parse_parallel(&found);
    for target in &targets {
        if target.file.is_ok() {
            db.load_with_imports(&target.path, read_text);
        }
    }
    db.check_parallel(&found);
    io_errors += envs.errors;
    if args.fix {
        for target in &targets {
            if let Ok(file) = target.file
                && let Err(d) = fix(&mut db, file, &target.path, &target.shown)
            {
                io_errors += 1;
                printer.file(&target.shown, "", &[*d]);
            }
        }
    }
    let (mut errors, mut warnings) = (0, 0);
    for target in &targets {
        let (text, diagnostics) = match &target.file {
            Ok(file) => (
                file.text(&db).as_str(),
                tbt_db::check(&db, *file).diagnostics.clone(),
            ),
            Err(diagnostic) => ("", vec![diagnostic.clone()]),
        };
        errors += diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        warnings += diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        printer.file(&target.shown, text, &diagnostics);
    }
    printer.finish(targets.len(), errors, warnings);
    // The process ends here: freeing every syntax tree one by one would only make it slower.
    std::mem::forget(db);
    if io_errors > 0 {
        USAGE
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        FAILED
    } else {
        OK
    }
}

/// Applies the machine-applicable fixes of a file until none is left, writing it back.
fn fix(db: &mut RootDatabase, file: File, path: &Path, shown: &str) -> Result<(), Box<Diagnostic>> {
    let mut total = 0;
    for _ in 0..FIX_ROUNDS {
        let diagnostics = &tbt_db::check(db, file).diagnostics;
        let (text, applied) = tbt_semantics::fixes::apply(file.text(db), diagnostics);
        if applied == 0 {
            break;
        }
        std::fs::write(path, &text).map_err(|e| {
            Box::new(
                Diagnostic::new(
                    codes::IO_ERROR,
                    TextRange::default(),
                    format!("cannot write `{shown}`: {e}"),
                )
                .with_help("check that the file is writable"),
            )
        })?;
        db.set_file(path, text);
        total += applied;
    }
    if total > 0 {
        eprintln!(
            "fixed {total} problem{} in {shown}",
            if total == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// The declared environments, by `tbt.toml`, loaded once each.
#[derive(Default)]
struct Envs {
    by_config: HashMap<PathBuf, Option<EnvNames>>,
    errors: usize,
}

impl Envs {
    /// The environment declared for `file`, reporting a broken `tbt.toml` or env file once.
    fn for_file(&mut self, file: &Path, printer: &mut Printer) -> Option<EnvNames> {
        let dir = std::path::absolute(file).ok()?.parent()?.to_path_buf();
        let config_path = tbt_config::find(&dir)?;
        if let Some(env) = self.by_config.get(&config_path) {
            return env.clone();
        }
        let env = match tbt_config::load(&config_path).and_then(|c| c.declared_env()) {
            Ok(env) => env.map(Arc::new),
            Err(error) => {
                self.errors += 1;
                let (shown, text, range) = match &error {
                    tbt_config::ConfigError::Invalid { path, range, .. } => (
                        path.display().to_string(),
                        read_text(path).unwrap_or_default(),
                        range.clone().map(TextRange::from),
                    ),
                    tbt_config::ConfigError::Io { .. } => {
                        (config_path.display().to_string(), String::new(), None)
                    }
                };
                let d = Diagnostic::new(codes::IO_ERROR, range.unwrap_or_default(), error.to_string())
                    .with_help("see `tbt.toml` in docs/language.md: `[env]` takes `file = \".env\"` and `vars = [\"NAME\"]`");
                printer.file(&shown, &text, &[d]);
                None
            }
        };
        self.by_config.insert(config_path, env.clone());
        env
    }
}
