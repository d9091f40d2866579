//! Finding the files of a workspace and the environments their `tbt.toml` declares.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_db::EnvNames;

/// Folders never searched for `.tbt` files: build output and dependencies.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Every `.tbt` file under `root`, skipping hidden folders, `target` and `node_modules`.
pub fn tbt_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_dir()
                || !entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| name.starts_with('.') || SKIPPED_DIRS.contains(&name))
        })
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|e| e == "tbt"))
        .collect()
}

/// The declared environments, by `tbt.toml`, each read once.
#[derive(Default)]
pub struct Envs {
    by_config: HashMap<PathBuf, Option<EnvNames>>,
    problems: Vec<String>,
}

impl Envs {
    /// The environment declared for the `.tbt` file at `path`; `None` when no `tbt.toml`
    /// declares one (or it cannot be read, which is remembered as a problem).
    pub fn for_file(&mut self, path: &Path) -> Option<EnvNames> {
        let dir = path.parent()?;
        let config = tbt_config::find(dir)?;
        if let Some(env) = self.by_config.get(&config) {
            return env.clone();
        }
        let env = match tbt_config::load(&config).and_then(|c| c.declared_env()) {
            Ok(env) => env.map(Arc::new),
            Err(error) => {
                self.problems.push(error.to_string());
                None
            }
        };
        self.by_config.insert(config, env.clone());
        env
    }

    /// The problems met since the last call.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_hidden_and_build_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        for path in [
            "a.tbt",
            "sub/b.tbt",
            ".git/c.tbt",
            "target/d.tbt",
            "node_modules/e.tbt",
        ] {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
        std::fs::write(dir.path().join("notes.txt"), "").expect("write");
        let mut found: Vec<String> = tbt_files(dir.path())
            .iter()
            .filter_map(|p| p.strip_prefix(dir.path()).ok())
            .map(|p| p.display().to_string())
            .collect();
        found.sort();
        assert_eq!(found, ["a.tbt", "sub/b.tbt"]);
    }
}
