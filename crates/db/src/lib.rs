//! The one salsa database of tbt, shared by the CLI and the language server.
//!
//! Inputs: each [`File`] (its path, text and declared environment) and the [`Workspace`]
//! (every known file by path, so `use` resolves through the database, including files that are
//! not open in an editor). Tracked queries: [`parse`], [`file_schema`], [`imports`],
//! [`visible_schema`] (transitive and cycle-safe) and [`check`] (syntax, schema and semantic
//! diagnostics, with the resolutions and types the language server needs).
//!
//! Salsa re-runs a query only when something it read changed: editing one test file re-checks
//! that file only; editing a schema file re-checks the files that reach it through `use`.
//! Within a file, [`check`] works on [`parts`]: the text before the first test, then each
//! top-level test or suite. Parts are interned by text, so editing one test re-parses and
//! re-checks that test only (the other parts' results are reused, moved to their new offsets).

mod chunks;
mod paths;
mod queries;

pub use paths::normalize;
pub use queries::{
    FileCheck, Import, Imports, Part, PartCheck, check, check_part_at, file_schema, imports, parse,
    parse_part, parts, visible_schema,
};

use salsa::Setter;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The declared environment names of a file's project (`tbt.toml`), shared between files.
pub type EnvNames = Arc<BTreeSet<String>>;

/// A source file.
#[salsa::input(debug)]
pub struct File {
    /// Its normalized absolute path.
    #[returns(ref)]
    pub path: Arc<Path>,
    /// Its text.
    #[returns(ref)]
    pub text: String,
    /// The environment its project declares; `None` when none is declared.
    #[returns(ref)]
    pub env: Option<EnvNames>,
}

/// Every file the database knows, by normalized path.
#[salsa::input(singleton, debug)]
pub struct Workspace {
    /// The files by path.
    #[returns(ref)]
    pub files: BTreeMap<PathBuf, File>,
}

/// The database trait the queries take.
#[salsa::db]
pub trait Db: salsa::Database {}

/// The database.
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
}

#[salsa::db]
impl salsa::Database for RootDatabase {}

#[salsa::db]
impl Db for RootDatabase {}

impl Default for RootDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl RootDatabase {
    /// An empty database.
    pub fn new() -> Self {
        Self::from_storage(salsa::Storage::default())
    }

    /// An empty database that reports every salsa event to `callback` (for tests and
    /// profiling: `WillExecute` says which query runs).
    pub fn with_events(callback: impl Fn(salsa::Event) + Send + Sync + 'static) -> Self {
        Self::from_storage(salsa::Storage::new(Some(Box::new(callback))))
    }

    fn from_storage(storage: salsa::Storage<Self>) -> Self {
        let db = RootDatabase { storage };
        Workspace::new(&db, BTreeMap::new());
        db
    }

    /// The workspace input.
    pub fn workspace(&self) -> Workspace {
        Workspace::get(self)
    }

    /// The file at `path`, if the database has it.
    pub fn file(&self, path: &Path) -> Option<File> {
        self.workspace().files(self).get(&normalize(path)).copied()
    }

    /// Sets the text of the file at `path`, adding it to the workspace if needed. Setting the
    /// same text again changes nothing.
    pub fn set_file(&mut self, path: &Path, text: String) -> File {
        let path = normalize(path);
        if let Some(file) = self.file(&path) {
            if *file.text(self) != text {
                file.set_text(self).to(text);
            }
            return file;
        }
        let file = File::new(self, Arc::from(path.as_path()), text, None);
        let workspace = self.workspace();
        let mut files = workspace.files(self).clone();
        files.insert(path, file);
        workspace.set_files(self).to(files);
        file
    }

    /// Sets the declared environment of a file (from its project's `tbt.toml`).
    pub fn set_env(&mut self, file: File, env: Option<EnvNames>) {
        if *file.env(self) != env {
            file.set_env(self).to(env);
        }
    }

    /// Removes the file at `path` from the workspace (a deleted file): `use`s of it stop
    /// resolving.
    pub fn remove_file(&mut self, path: &Path) {
        let path = normalize(path);
        let workspace = self.workspace();
        if workspace.files(self).contains_key(&path) {
            let mut files = workspace.files(self).clone();
            files.remove(&path);
            workspace.set_files(self).to(files);
        }
    }

    /// Parses and checks the parts of `files` on every core, so that [`check`] then only
    /// assembles results. The result is the same as calling [`check`] on each file; this is
    /// only faster (for the CLI, and for a language server warming up a workspace).
    pub fn check_parallel(&self, files: &[File]) {
        // Every part is parsed first: the file's declarations need all of them.
        self.on_all_cores(files, |db, file, i| {
            if let Some(&(_, part)) = parts(db, file).get(i) {
                parse_part(db, part);
            }
        });
        self.on_all_cores(files, |db, file, i| {
            check_part_at(db, file, i);
        });
    }

    /// Parses the parts of `files` on every core.
    pub fn parse_parallel(&self, files: &[File]) {
        self.on_all_cores(files, |db, file, i| {
            if let Some(&(_, part)) = parts(db, file).get(i) {
                parse_part(db, part);
            }
        });
    }

    /// Runs `work` on every part of `files`, spread over the available cores.
    fn on_all_cores(&self, files: &[File], work: impl Fn(&RootDatabase, File, usize) + Sync) {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(16);
        let items: Vec<(File, usize)> = files
            .iter()
            .flat_map(|&f| (0..parts(self, f).len()).map(move |i| (f, i)))
            .collect();
        if threads < 2 || items.len() < 2 {
            return;
        }
        std::thread::scope(|scope| {
            for t in 0..threads {
                let db = self.clone();
                let (items, work) = (&items, &work);
                scope.spawn(move || {
                    for &(file, i) in items.iter().skip(t).step_by(threads) {
                        work(&db, file, i);
                    }
                });
            }
        });
    }

    /// Loads the file at `path` (unless the database has it) and every file it reaches through
    /// `use` that the database lacks, reading them with `read` (which returns `None` for a
    /// missing or unreadable file; its `use` is then reported as unresolved).
    pub fn load_with_imports(
        &mut self,
        path: &Path,
        mut read: impl FnMut(&Path) -> Option<String>,
    ) -> Option<File> {
        let root = match self.file(path) {
            Some(file) => file,
            None => {
                let text = read(&normalize(path))?;
                self.set_file(path, text)
            }
        };
        let mut queue = vec![root];
        let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
        while let Some(file) = queue.pop() {
            if !seen.insert(file.path(self).to_path_buf()) {
                continue;
            }
            let targets: Vec<PathBuf> =
                imports(self, file).iter().map(|i| i.path.clone()).collect();
            for target in targets {
                let next = match self.file(&target) {
                    Some(next) => next,
                    None => match read(&target) {
                        Some(text) => self.set_file(&target, text),
                        None => continue,
                    },
                };
                queue.push(next);
            }
        }
        Some(root)
    }
}
