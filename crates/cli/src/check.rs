//! `tbt check`: every diagnostic, without running anything.

use crate::cli::{CheckArgs, Deny};
use crate::files::discover;
use crate::output::Printer;
use tbt_diagnostics::Severity;

/// Exit code when everything is fine.
pub const OK: i32 = 0;
/// Exit code when a check or test failed.
pub const FAILED: i32 = 1;
/// Exit code for usage, configuration and I/O errors.
pub const USAGE: i32 = 2;

/// Runs `tbt check` and returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    let mut printer = Printer::new(args.format, args.color);
    let (mut errors, mut warnings, mut io_errors) = (0, 0, 0);
    let files = discover(&args.paths);
    for file in &files {
        let path = file.path.display().to_string();
        let (text, diagnostics) = match &file.text {
            Ok(text) => (text.as_str(), tbt_syntax::parse(text).diagnostics),
            Err(diagnostic) => ("", vec![diagnostic.clone()]),
        };
        io_errors += usize::from(file.io_error);
        errors += diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        warnings += diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        printer.file(&path, text, &diagnostics);
    }
    printer.finish(files.len(), errors, warnings);
    if io_errors > 0 {
        USAGE
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        FAILED
    } else {
        OK
    }
}
