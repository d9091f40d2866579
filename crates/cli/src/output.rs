//! Printing diagnostics in the chosen format.

use crate::cli::{ColorChoice, OutputFormat};
use std::io::IsTerminal;
use tbt_diagnostics::Diagnostic;
use tbt_diagnostics::render::{HumanOptions, SourceFile, json_value, render_github, render_human};

/// Whether to colour output on a stream.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Collects the diagnostics of every file and prints them at the end (JSON needs one document).
pub struct Printer {
    format: OutputFormat,
    color: bool,
    json: Vec<serde_json::Value>,
}

impl Printer {
    /// A printer for `format`.
    pub fn new(format: OutputFormat, color: ColorChoice) -> Self {
        Printer {
            format,
            color: use_color(color, std::io::stdout().is_terminal()),
            json: Vec::new(),
        }
    }

    /// Prints (or, for JSON, collects) one file's diagnostics.
    pub fn file(&mut self, path: &str, text: &str, diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        let file = SourceFile { path, text };
        match self.format {
            OutputFormat::Human => print!(
                "{}",
                render_human(file, diagnostics, HumanOptions { color: self.color })
            ),
            OutputFormat::Github => print!("{}", render_github(file, diagnostics)),
            OutputFormat::Json => {
                for d in json_value(file, diagnostics) {
                    self.json
                        .push(serde_json::to_value(d).unwrap_or(serde_json::Value::Null));
                }
            }
        }
    }

    /// Finishes the output with a summary.
    pub fn finish(self, files: usize, errors: usize, warnings: usize) {
        match self.format {
            OutputFormat::Json => {
                let document = serde_json::json!({
                    "version": 1,
                    "files": files,
                    "errors": errors,
                    "warnings": warnings,
                    "diagnostics": self.json,
                });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&document).unwrap_or_default()
                );
            }
            OutputFormat::Human => {
                let plural =
                    |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
                eprintln!(
                    "checked {}: {}, {}",
                    plural(files, "file"),
                    plural(errors, "error"),
                    plural(warnings, "warning")
                );
            }
            OutputFormat::Github => {}
        }
    }
}
