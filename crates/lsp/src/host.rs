//! The server's state: the one salsa database, the open documents and the workspace roots.
//!
//! Edits are applied in the notification handlers, in the order they arrive, under one mutex.
//! Requests never hold that mutex while they work: they take a [`Snapshot`] (a clone of the
//! database, which salsa makes cheap) and answer from it on a blocking thread. The next edit
//! cancels them: salsa makes their queries unwind with `salsa::Cancelled`, which
//! [`crate::guard`] turns into a `ContentModified` answer.

use crate::text::apply_changes;
use crate::workspace::{self, Envs};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tbt_db::{File, RootDatabase};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

/// A document the editor has open.
#[derive(Clone, Debug)]
struct OpenDoc {
    uri: Uri,
    version: i32,
}

/// The mutable state behind the mutex.
#[derive(Default)]
struct State {
    db: RootDatabase,
    open: HashMap<PathBuf, OpenDoc>,
    /// Documents whose URI is not a file path (`untitled:`), by the path that stands for them.
    virtual_uris: Arc<HashMap<PathBuf, Uri>>,
    roots: Vec<PathBuf>,
    envs: Envs,
}

/// The state of a language server session, shared by every handler.
#[derive(Default)]
pub struct Host {
    state: Mutex<State>,
}

/// A read-only view of the workspace at one revision, for answering one request.
#[derive(Clone)]
pub struct Snapshot {
    /// The database, cloned.
    pub db: RootDatabase,
    virtual_uris: Arc<HashMap<PathBuf, Uri>>,
}

impl Snapshot {
    /// The file the database knows under `uri`.
    pub fn file(&self, uri: &Uri) -> Option<File> {
        self.db.file(&path_of(uri))
    }

    /// The URI of a file of the database.
    pub fn uri(&self, file: File) -> Option<Uri> {
        uri_of(&self.virtual_uris, file.path(&self.db))
    }

    /// The URI of a path.
    pub fn uri_of_path(&self, path: &Path) -> Option<Uri> {
        uri_of(&self.virtual_uris, path)
    }

    /// Every file of the workspace, in path order.
    pub fn files(&self) -> Vec<File> {
        self.db
            .workspace()
            .files(&self.db)
            .values()
            .copied()
            .collect()
    }
}

fn uri_of(virtual_uris: &HashMap<PathBuf, Uri>, path: &Path) -> Option<Uri> {
    virtual_uris
        .get(path)
        .cloned()
        .or_else(|| Uri::from_file_path(path))
}

/// The path the database knows a document by: its file path, or for another scheme a path
/// under a folder that does not exist on disk.
pub fn path_of(uri: &Uri) -> PathBuf {
    if let Some(path) = uri.to_file_path() {
        return tbt_db::normalize(&path);
    }
    let name: String = uri
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("/.tbt-virtual").join(name)
}

impl Host {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked while holding the lock left a consistent database: salsa
        // inputs are set atomically. Carry on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A snapshot of the current revision.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            db: state.db.clone(),
            virtual_uris: state.virtual_uris.clone(),
        }
    }

    /// Loads every `.tbt` file under `roots` (and their `tbt.toml` environments). Returns the
    /// number of files loaded and the problems met (unreadable files, broken `tbt.toml`).
    pub fn load_roots(&self, roots: Vec<PathBuf>) -> (usize, Vec<String>) {
        let found: Vec<(PathBuf, String)> = roots
            .iter()
            .flat_map(|root| workspace::tbt_files(root))
            .filter_map(|path| std::fs::read_to_string(&path).ok().map(|t| (path, t)))
            .collect();
        let mut state = self.lock();
        let state = &mut *state;
        state.roots = roots;
        let mut loaded = 0;
        for (path, text) in found {
            if state.open.contains_key(&tbt_db::normalize(&path)) {
                continue;
            }
            let file = state.db.set_file(&path, text);
            let env = state.envs.for_file(&path);
            state.db.set_env(file, env);
            loaded += 1;
        }
        (loaded, state.envs.take_problems())
    }

    /// Opens a document with the editor's text.
    pub fn open(&self, uri: Uri, version: i32, text: String) {
        let path = path_of(&uri);
        let mut state = self.lock();
        let state = &mut *state;
        if uri.to_file_path().is_none() {
            Arc::make_mut(&mut state.virtual_uris).insert(path.clone(), uri.clone());
        }
        let file = state.db.set_file(&path, text);
        let env = state.envs.for_file(&path);
        state.db.set_env(file, env);
        state.open.insert(path, OpenDoc { uri, version });
    }

    /// Applies the editor's changes to an open document, in order. A document that is not
    /// open is ignored (the editor sends its full text on open).
    pub fn change(&self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let path = path_of(uri);
        let mut state = self.lock();
        let Some(file) = state.db.file(&path) else {
            return;
        };
        let mut text = file.text(&state.db).clone();
        apply_changes(&mut text, changes);
        state.db.set_file(&path, text);
        if let Some(doc) = state.open.get_mut(&path) {
            doc.version = version;
        }
    }

    /// Closes a document: the database goes back to the file on disk (or forgets a file that
    /// is not on disk).
    pub fn close(&self, uri: &Uri) {
        let path = path_of(uri);
        let mut state = self.lock();
        state.open.remove(&path);
        match std::fs::read_to_string(&path) {
            Ok(text) if state.roots.iter().any(|r| path.starts_with(r)) => {
                state.db.set_file(&path, text);
            }
            _ => state.db.remove_file(&path),
        }
        if state.virtual_uris.contains_key(&path) {
            Arc::make_mut(&mut state.virtual_uris).remove(&path);
        }
    }

    /// Reacts to files changed on disk: `.tbt` files are reloaded (unless open in the editor,
    /// whose text wins) or forgotten; a changed `tbt.toml` or env file re-reads the
    /// environments. Returns the problems met.
    pub fn disk_changed(&self, changed: &[(PathBuf, bool)]) -> Vec<String> {
        let mut state = self.lock();
        let state = &mut *state;
        let mut env_changed = false;
        for (path, deleted) in changed {
            let path = tbt_db::normalize(path);
            if path.extension().is_some_and(|e| e == "tbt") {
                if state.open.contains_key(&path) {
                    continue;
                }
                match std::fs::read_to_string(&path) {
                    Ok(text) if !deleted => {
                        let file = state.db.set_file(&path, text);
                        let env = state.envs.for_file(&path);
                        state.db.set_env(file, env);
                    }
                    _ => state.db.remove_file(&path),
                }
            } else {
                env_changed = true;
            }
        }
        if env_changed {
            state.envs = Envs::default();
            let files: Vec<(PathBuf, File)> = state
                .db
                .workspace()
                .files(&state.db)
                .iter()
                .map(|(p, f)| (p.clone(), *f))
                .collect();
            for (path, file) in files {
                let env = state.envs.for_file(&path);
                state.db.set_env(file, env);
            }
        }
        state.envs.take_problems()
    }

    /// The open documents: URI, version and file.
    pub fn open_documents(&self) -> Vec<(Uri, i32, PathBuf)> {
        let state = self.lock();
        state
            .open
            .iter()
            .map(|(path, doc)| (doc.uri.clone(), doc.version, path.clone()))
            .collect()
    }

    /// The version of an open document.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.lock().open.get(&path_of(uri)).map(|d| d.version)
    }
}
