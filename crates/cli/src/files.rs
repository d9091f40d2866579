//! Finding and reading `.tbt` files.

use std::path::{Path, PathBuf};
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// A file to work on, or the reason it could not be read.
pub struct Loaded {
    /// The path as given or found.
    pub path: PathBuf,
    /// The text, or the diagnostic that explains why there is none.
    pub text: Result<String, Diagnostic>,
    /// Whether the failure was an I/O error (exit 2) rather than bad content (exit 1).
    pub io_error: bool,
}

/// Folders never searched: build output, dependencies, and hidden folders.
fn skipped(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 || matches!(name, "target" | "node_modules")
}

/// Expands files and folders into the sorted list of `.tbt` files, reporting paths that do not
/// exist or cannot be read.
pub fn discover(paths: &[PathBuf]) -> Vec<Loaded> {
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut found: Vec<PathBuf> = Vec::new();
                let walker = walkdir::WalkDir::new(path)
                    .follow_links(true)
                    .into_iter()
                    .filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()));
                for entry in walker {
                    match entry {
                        Ok(entry)
                            if entry.file_type().is_file()
                                && entry.path().extension().is_some_and(|x| x == "tbt") =>
                        {
                            found.push(entry.into_path())
                        }
                        Ok(_) => {}
                        Err(error) => out.push(io_failure(
                            error
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| path.clone()),
                            &error.to_string(),
                        )),
                    }
                }
                found.sort();
                out.extend(found.into_iter().map(load));
            }
            Ok(_) => out.push(load(path.clone())),
            Err(error) => out.push(io_failure(path.clone(), &error.to_string())),
        }
    }
    out
}

/// Reads one file.
pub fn load(path: PathBuf) -> Loaded {
    match std::fs::read(&path) {
        Ok(bytes) => match tbt_syntax::decode(&bytes) {
            Ok(text) => Loaded {
                text: Ok(text.to_string()),
                path,
                io_error: false,
            },
            Err(diagnostic) => Loaded {
                text: Err(diagnostic),
                path,
                io_error: false,
            },
        },
        Err(error) => io_failure(path, &error.to_string()),
    }
}

fn io_failure(path: PathBuf, reason: &str) -> Loaded {
    let diagnostic = Diagnostic::new(
        codes::IO_ERROR,
        TextRange::default(),
        format!("cannot read `{}`: {reason}", path.display()),
    )
    .with_help("check that the path exists and is readable");
    Loaded {
        path,
        text: Err(diagnostic),
        io_error: true,
    }
}
