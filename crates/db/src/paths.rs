//! Path normalization, so that `use "../x.tbt"` and the CLI's paths name one file one way.

use std::path::{Component, Path, PathBuf};

/// The absolute form of `path` with `.` and `..` removed lexically (symlinks are not
/// followed, so the result does not depend on the file system).
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_dots() {
        let p = normalize(Path::new("/a/b/../c/./d.tbt"));
        assert_eq!(p, PathBuf::from("/a/c/d.tbt"));
    }
}
