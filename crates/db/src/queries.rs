//! The tracked queries.

use crate::{Db, File, Workspace, normalize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_semantics::{
    Analysis, ConstantDecl, Context, FileSchema, Resolution, SchemaSource, Target, Ty,
    VisibleSchema, shift_diagnostic,
};

/// Parses a file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: File) -> tbt_syntax::Parse {
    tbt_syntax::parse(file.text(db))
}

/// A part of a file: the text before its first test, or one top-level test or suite with what
/// follows it up to the next. Interned by text, so an unchanged part is parsed and checked once.
#[salsa::interned(debug)]
pub struct Part<'db> {
    /// The text of the part.
    #[returns(ref)]
    pub text: String,
}

/// The parts of a file, each with its start offset.
#[salsa::tracked(returns(ref))]
pub fn parts(db: &dyn Db, file: File) -> Vec<(u32, Part<'_>)> {
    let text = file.text(db);
    let starts = crate::chunks::split(text);
    let ends = starts
        .iter()
        .skip(1)
        .map(|&s| s as usize)
        .chain(std::iter::once(text.len()));
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| (start, Part::new(db, text[start as usize..end].to_string())))
        .collect()
}

/// Parses one part (ranges relative to the part).
#[salsa::tracked(returns(ref))]
pub fn parse_part<'db>(db: &'db dyn Db, part: Part<'db>) -> tbt_syntax::Parse {
    tbt_syntax::parse(part.text(db))
}

/// What one part declares (ranges relative to the part).
#[salsa::tracked(returns(ref))]
fn part_schema<'db>(db: &'db dyn Db, part: Part<'db>) -> FileSchema {
    tbt_semantics::file_schema(&parse_part(db, part).file)
}

/// What a file declares: uses, services, attributes, constants (file ranges).
#[salsa::tracked(returns(ref))]
pub fn file_schema(db: &dyn Db, file: File) -> FileSchema {
    let parts: Vec<(u32, &FileSchema)> = parts(db, file)
        .iter()
        .map(|&(at, part)| (at, part_schema(db, part)))
        .collect();
    FileSchema::concat(&parts)
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
                if let Some(next_file) = next.file
                    && (next_file == file || !seen.contains(&next_file))
                {
                    let mut trail = trail.clone();
                    trail.push(next_file);
                    stack.push((next_file, trail));
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

/// The top-level constants of a file defined before a part, with file ranges.
#[salsa::interned(debug)]
struct Earlier<'db> {
    #[returns(ref)]
    constants: Vec<ConstantDecl>,
}

/// The diagnostics and analysis of one part, with ranges relative to the part.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PartCheck {
    /// Syntax and semantic diagnostics of the part.
    pub diagnostics: Vec<Diagnostic>,
    /// Its resolutions and types.
    pub analysis: Analysis,
}

/// Checks one part of a file against the file's visible schema and earlier constants.
#[salsa::tracked(returns(clone))]
fn check_part<'db>(
    db: &'db dyn Db,
    file: File,
    part: Part<'db>,
    earlier: Earlier<'db>,
) -> Arc<PartCheck> {
    let parsed = parse_part(db, part);
    let visible = visible_schema(db, file);
    let env = file.env(db);
    let cx = Context {
        path: file.path(db).clone(),
        schema: visible,
        env: env.as_deref(),
        earlier: earlier.constants(db),
    };
    let text = part.text(db);
    let analysis = tbt_semantics::check(&parsed.file, text, &cx);
    let mut diagnostics = parsed.diagnostics.clone();
    // One mistake, one diagnostic: on a line with a syntax error, what the checker says about
    // the repaired statement (`expect x == == 1` read as `expect x`) is an echo of it.
    let broken: Vec<usize> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == tbt_diagnostics::Severity::Error)
        .map(|d| line_of(text, d.range().start))
        .collect();
    diagnostics.extend(
        analysis
            .diagnostics
            .iter()
            .filter(|d| broken.is_empty() || !broken.contains(&line_of(text, d.range().start)))
            .cloned(),
    );
    Arc::new(PartCheck {
        diagnostics,
        analysis,
    })
}

/// Everything `tbt check` and the language server know about one file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FileCheck {
    /// Syntax, schema, import and semantic diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The checks of the file's parts, each with its start offset.
    pub parts: Vec<(u32, Arc<PartCheck>)>,
}

impl FileCheck {
    /// Every resolution of the file, with file ranges, in source order.
    pub fn resolutions(&self) -> impl Iterator<Item = Resolution> + '_ {
        self.parts.iter().flat_map(|(at, part)| {
            part.analysis
                .resolutions
                .iter()
                .map(move |r| shift_resolution(r, *at))
        })
    }

    /// The type of every expression, with file ranges.
    pub fn types(&self) -> impl Iterator<Item = (TextRange, &Ty)> + '_ {
        self.parts.iter().flat_map(|(at, part)| {
            part.analysis
                .types
                .iter()
                .map(move |(r, ty)| (r.shift(*at), ty))
        })
    }

    /// The part that holds `offset`, and its start.
    fn part_at(&self, offset: u32) -> Option<(u32, &PartCheck)> {
        let i = self
            .parts
            .partition_point(|(at, _)| *at <= offset)
            .checked_sub(1)?;
        self.parts.get(i).map(|(at, part)| (*at, &**part))
    }

    /// The type of the smallest expression that contains `offset` (for hover).
    pub fn type_at(&self, offset: u32) -> Option<&Ty> {
        let (at, part) = self.part_at(offset)?;
        part.analysis.type_at(offset - at)
    }

    /// The type of the expression at exactly `range`.
    pub fn type_of(&self, range: TextRange) -> Option<&Ty> {
        let (at, part) = self.part_at(range.start)?;
        part.analysis.type_of(TextRange::new(
            range.start - at,
            range.end.saturating_sub(at),
        ))
    }

    /// The resolution of the name at `offset` (for go to definition), with file ranges.
    pub fn resolution_at(&self, offset: u32) -> Option<Resolution> {
        let (at, part) = self.part_at(offset)?;
        part.analysis
            .resolution_at(offset - at)
            .map(|r| shift_resolution(r, at))
    }
}

fn shift_resolution(r: &Resolution, by: u32) -> Resolution {
    let target = match &r.target {
        Target::Local { kind, range } => Target::Local {
            kind: *kind,
            range: range.shift(by),
        },
        other => other.clone(),
    };
    Resolution {
        range: r.range.shift(by),
        target,
    }
}

/// Checks the `index`-th part of a file (see [`parts`]); ranges relative to the part.
pub fn check_part_at(db: &dyn Db, file: File, index: usize) -> Arc<PartCheck> {
    let Some(&(at, part)) = parts(db, file).get(index) else {
        return Arc::default();
    };
    let before: Vec<ConstantDecl> = file_schema(db, file)
        .constants
        .iter()
        .take_while(|c| c.range.start < at)
        .cloned()
        .collect();
    check_part(db, file, part, Earlier::new(db, before))
}

/// Checks a file: every diagnostic, with the resolutions and types of its expressions. Each
/// part (see [`parts`]) is checked on its own, so an edit re-checks the part it touches (and
/// the file's own declarations, when it changes them).
#[salsa::tracked(returns(ref))]
pub fn check(db: &dyn Db, file: File) -> FileCheck {
    let schema = file_schema(db, file);
    let visible = visible_schema(db, file);
    let mut diagnostics = schema.diagnostics.clone();
    diagnostics.extend(visible.diagnostics.iter().cloned());
    let mut checked = Vec::new();
    for (i, &(at, _)) in parts(db, file).iter().enumerate() {
        let part_check = check_part_at(db, file, i);
        diagnostics.extend(
            part_check
                .diagnostics
                .iter()
                .map(|d| shift_diagnostic(d, at)),
        );
        checked.push((at, part_check));
    }
    tbt_semantics::sort_diagnostics(&mut diagnostics);
    FileCheck {
        diagnostics,
        parts: checked,
    }
}

/// The 0-based line of a byte offset.
fn line_of(text: &str, offset: u32) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
