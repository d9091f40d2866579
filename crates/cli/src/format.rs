//! `tbt fmt`: rewrite files in the canonical layout, or check that they are.
//!
//! - `tbt fmt [PATH...]` rewrites every `.tbt` file that is not formatted (files already
//!   formatted are not touched) and prints a one-line summary on stderr.
//! - `tbt fmt --check [PATH...]` writes nothing: it prints the path of every file that would
//!   change on stdout (one per line, for scripts), with the first differing line on stderr, and
//!   exits 1 if there is any.
//! - `-` as a path formats standard input to standard output.
//!
//! A file with syntax errors is never formatted: its diagnostics are printed on stderr and the
//! run exits 1. A file that cannot be read or written makes the run exit 2.

use crate::check::{FAILED, OK, USAGE};
use crate::cli::FmtArgs;
use crate::files::{Loaded, discover};
use crate::output::use_color;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// The name standard input goes by in messages.
const STDIN: &str = "<stdin>";

/// Runs `tbt fmt` and returns the exit code.
pub fn run(args: &FmtArgs) -> i32 {
    let mut run = Run {
        check: args.check,
        color: use_color(args.color, std::io::stderr().is_terminal()),
        ..Run::default()
    };
    let is_stdin = |path: &PathBuf| path.as_os_str() == "-";
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| !is_stdin(p))
        .cloned()
        .collect();
    let with_stdin = args.paths.iter().any(is_stdin);
    if with_stdin {
        run.stdin();
    }
    if !with_stdin || !paths.is_empty() {
        for file in discover(&paths) {
            run.file(file);
        }
        run.summary();
    }
    run.exit_code()
}

/// What a run has seen so far.
#[derive(Default)]
struct Run {
    check: bool,
    color: bool,
    files: usize,
    changed: usize,
    errors: usize,
    io_errors: usize,
}

impl Run {
    fn diagnostics(&self, path: &str, text: &str, diagnostics: &[Diagnostic]) {
        let rendered = render_human(
            SourceFile { path, text },
            diagnostics,
            HumanOptions { color: self.color },
        );
        eprint!("{rendered}");
    }

    fn io_error(&mut self, path: &str, message: String) {
        self.io_errors += 1;
        let diagnostic = Diagnostic::new(codes::IO_ERROR, TextRange::default(), message);
        self.diagnostics(path, "", &[diagnostic]);
    }

    /// Formats standard input to standard output (or, with `--check`, only compares).
    fn stdin(&mut self) {
        let mut bytes = Vec::new();
        if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
            return self.io_error(STDIN, format!("cannot read standard input: {error}"));
        }
        let text = match tbt_syntax::decode(&bytes) {
            Ok(text) => text,
            Err(diagnostic) => {
                self.errors += 1;
                return self.diagnostics(STDIN, "", &[diagnostic]);
            }
        };
        let formatted = match tbt_fmt::format(text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                self.errors += 1;
                return self.diagnostics(STDIN, text, &diagnostics);
            }
        };
        if self.check {
            if formatted != text {
                self.changed += 1;
                println!("{STDIN}");
                eprint!("{}", first_difference(text, &formatted));
            }
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = stdout
            .write_all(formatted.as_bytes())
            .and_then(|()| stdout.flush())
        {
            self.io_error(STDIN, format!("cannot write standard output: {error}"));
        }
    }

    /// Formats one file in place (or, with `--check`, only compares).
    fn file(&mut self, file: Loaded) {
        self.files += 1;
        let path = file.path.display().to_string();
        let text = match file.text {
            Ok(text) => text,
            Err(diagnostic) => {
                if file.io_error {
                    self.io_errors += 1;
                } else {
                    self.errors += 1;
                }
                return self.diagnostics(&path, "", &[diagnostic]);
            }
        };
        let formatted = match tbt_fmt::format(&text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                self.errors += 1;
                return self.diagnostics(&path, &text, &diagnostics);
            }
        };
        if formatted == text {
            return;
        }
        if self.check {
            self.changed += 1;
            println!("{path}");
            eprint!("{}", first_difference(&text, &formatted));
            return;
        }
        match write(&file.path, &formatted) {
            Ok(()) => self.changed += 1,
            Err(error) => self.io_error(&path, format!("cannot write `{path}`: {error}")),
        }
    }

    /// One line on stderr: how many files changed (or would), and how many could not be
    /// formatted.
    fn summary(&self) {
        let plural = |n: usize| if n == 1 { "file" } else { "files" };
        let mut line = if self.check {
            match self.changed {
                0 => format!("{} {} already formatted", self.files, plural(self.files)),
                n => format!(
                    "{n} of {} {} would be reformatted",
                    self.files,
                    plural(self.files)
                ),
            }
        } else {
            format!(
                "reformatted {} of {} {}",
                self.changed,
                self.files,
                plural(self.files)
            )
        };
        let unformatted = self.errors + self.io_errors;
        if unformatted > 0 {
            line.push_str(&format!(
                "; {unformatted} {} could not be formatted",
                plural(unformatted)
            ));
        }
        eprintln!("{line}");
    }

    fn exit_code(&self) -> i32 {
        if self.io_errors > 0 {
            USAGE
        } else if self.errors > 0 || (self.check && self.changed > 0) {
            FAILED
        } else {
            OK
        }
    }
}

/// Writes a file's new text.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// The first line where the two texts differ, as a two-line diff.
fn first_difference(old: &str, new: &str) -> String {
    let mut old_lines = old.lines();
    let mut new_lines = new.lines();
    let mut number = 1;
    loop {
        match (old_lines.next(), new_lines.next()) {
            (Some(a), Some(b)) if a == b => number += 1,
            (None, None) => {
                return format!("  line {number}: line endings or final newline differ\n");
            }
            (a, b) => {
                let mut out = format!("  line {number}:\n");
                if let Some(a) = a {
                    out.push_str(&format!("  - {a}\n"));
                }
                if let Some(b) = b {
                    out.push_str(&format!("  + {b}\n"));
                }
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn first_difference_shows_the_first_changed_line() {
        assert_eq!(
            first_difference("a\nb  \nc\n", "a\nb\nc\n"),
            "  line 2:\n  - b  \n  + b\n"
        );
        assert_eq!(first_difference("a\n\n\n", "a\n"), "  line 2:\n  - \n");
        assert_eq!(
            first_difference("a", "a\n"),
            "  line 2: line endings or final newline differ\n"
        );
    }
}
