//! The tracked queries.

use crate::{Db, File, Workspace, normalize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_semantics::{Analysis, Context, FileSchema, SchemaSource, VisibleSchema};

/// Parses a file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: File) -> tbt_syntax::Parse {
    tbt_syntax::parse(file.text(db))
}

/// What a file declares: uses, services, attributes, constants.
#[salsa::tracked(returns(ref))]
pub fn file_schema(db: &dyn Db, file: File) -> FileSchema {
    tbt_semantics::file_schema(&parse(db, file).file)
}

/// One `use` of a file, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The range of the path's string literal.
    pub range: TextRange,
    /// The path as written.
    pub written: String,
    /// The normalized path it names.
    pub path: PathBuf,
    /// The file, when the workspace has it.
    pub file: Option<File>,
}

/// The `use`s of a file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Imports {
    /// In source order.
    pub imports: Vec<Import>,
}

impl std::ops::Deref for Imports {
    type Target = [Import];
    fn deref(&self) -> &[Import] {
        &self.imports
    }
}

/// Resolves a file's `use`s against the workspace (paths are relative to the file's folder).
#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn Db, file: File) -> Imports {
    let uses = &file_schema(db, file).uses;
    if uses.is_empty() {
        return Imports::default();
    }
    let dir = file
        .path(db)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let files = Workspace::get(db).files(db);
    let imports = uses
        .iter()
        .map(|u| {
            let path = normalize(&dir.join(&u.path));
            let file = files.get(&path).copied();
            Import {
                range: u.range,
                written: u.path.clone(),
                path,
                file,
            }
        })
        .collect();
    Imports { imports }
}

/// The schema a file sees: its own declarations and those of every file it reaches through
/// `use`, transitively. Unresolved `use`s and cycles through the file are reported here (in
/// [`VisibleSchema::diagnostics`]); a cycle elsewhere is reported in the files on it.
#[salsa::tracked(returns(ref))]
pub fn visible_schema(db: &dyn Db, file: File) -> VisibleSchema {
    let mut diagnostics = Vec::new();
    // Depth-first over the import graph, each file once, remembering the `use` of the root
    // that leads to it.
    let mut order: Vec<(File, Option<TextRange>)> = vec![(file, None)];
    let mut seen: HashSet<File> = HashSet::from([file]);
    for import in imports(db, file).iter() {
        let Some(target) = import.file else {
            diagnostics.push(unresolved(db, file, import));
            continue;
        };
        let mut stack: Vec<(File, Vec<File>)> = vec![(target, vec![target])];
        let mut reported_cycle = false;
        while let Some((current, trail)) = stack.pop() {
            if current == file {
                if !reported_cycle {
                    diagnostics.push(cycle(db, file, import.range, &trail));
                    reported_cycle = true;
                }
                continue;
            }
            if !seen.insert(current) {
                continue;
            }
            order.push((current, Some(import.range)));
            for next in imports(db, current).iter().rev() {
                if let Some(next_file) = next.file {
                    if next_file == file || !seen.contains(&next_file) {
                        let mut trail = trail.clone();
                        trail.push(next_file);
                        stack.push((next_file, trail));
                    }
                }
            }
        }
        // A self-import, or a cycle found through a file already visited from an earlier use.
        if !reported_cycle && target == file {
            diagnostics.push(cycle(db, file, import.range, &[file]));
        }
    }
    let paths: Vec<Arc<Path>> = order.iter().map(|(f, _)| f.path(db).clone()).collect();
    let sources: Vec<SchemaSource<'_>> = order
        .iter()
        .zip(&paths)
        .map(|((f, via), path)| SchemaSource {
            path,
            schema: file_schema(db, *f),
            via: *via,
        })
        .collect();
    let mut visible = VisibleSchema::build(&sources);
    visible.diagnostics.extend(diagnostics);
    visible
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn unresolved(db: &dyn Db, file: File, import: &crate::Import) -> Diagnostic {
    let dir = file
        .path(db)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let siblings: Vec<String> = Workspace::get(db)
        .files(db)
        .keys()
        .filter(|p| p.parent() == Some(dir.as_path()) && p.as_path() != &**file.path(db))
        .map(|p| file_name(p))
        .collect();
    let names: Vec<&str> = siblings.iter().map(String::as_str).collect();
    let mut d = Diagnostic::new(
        codes::UNRESOLVED_USE,
        import.range,
        format!("cannot find `{}`", import.written),
    )
    .with_label(format!("no file at `{}`", import.path.display()));
    d = match tbt_syntax::suggest::closest(&file_name(Path::new(&import.written)), &names) {
        Some(best) => d.with_help(format!("did you mean `{best}`? paths are relative to the folder of this file")),
        None => d.with_help("paths are relative to the folder of this file: `use \"shop.schema.tbt\"` reads a file next to it"),
    };
    d
}

fn cycle(db: &dyn Db, file: File, range: TextRange, trail: &[File]) -> Diagnostic {
    let mut names = vec![file_name(file.path(db))];
    names.extend(trail.iter().map(|f| file_name(f.path(db))));
    let chain = names.join(" → ");
    Diagnostic::new(codes::USE_CYCLE, range, format!("`use` cycle: {chain}"))
        .with_label("this `use` leads back to this file")
        .with_help("move the shared declarations into one schema file that the others `use`")
}

/// Everything `tbt check` and the language server know about one file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FileCheck {
    /// Syntax, schema, import and semantic diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Resolutions and types.
    pub analysis: Analysis,
}

/// Checks a file: every diagnostic, with the resolutions and types of its expressions.
#[salsa::tracked(returns(ref))]
pub fn check(db: &dyn Db, file: File) -> FileCheck {
    let parsed = parse(db, file);
    let schema = file_schema(db, file);
    let visible = visible_schema(db, file);
    let env = file.env(db);
    let cx = Context {
        path: file.path(db).clone(),
        schema: visible,
        env: env.as_deref(),
    };
    let analysis = tbt_semantics::check(&parsed.file, file.text(db), &cx);
    let mut diagnostics = parsed.diagnostics.clone();
    diagnostics.extend(schema.diagnostics.iter().cloned());
    diagnostics.extend(visible.diagnostics.iter().cloned());
    diagnostics.extend(analysis.diagnostics.iter().cloned());
    tbt_semantics::sort_diagnostics(&mut diagnostics);
    FileCheck {
        diagnostics,
        analysis,
    }
}
