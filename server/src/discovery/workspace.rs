//! Reading the user's workspace (never writing it) and making the private
//! copy a test run works in.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::DiscoveryError;

/// Folders never searched for tests nor copied: version control, build
/// output, dependency trees and caches. Rebuilding them in the copy is the
/// runner's job; copying them would cost time and could carry stale state.
pub(crate) const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    "build",
    "__pycache__",
    ".venv",
    "venv",
    ".pytest_cache",
    ".mypy_cache",
    ".tox",
    ".gradle",
    ".idea",
];

/// Most files and bytes a test copy may hold.
const MAX_COPY_FILES: u64 = 50_000;
const MAX_COPY_MB: u64 = 1024;

pub(crate) fn is_skipped_dir(name: &str) -> bool {
    SKIPPED_DIRS.contains(&name)
}

/// Every regular file under `root` (not following symlinks, skipping
/// [`SKIPPED_DIRS`]) whose name satisfies `wanted`, as workspace-relative
/// paths in a stable order.
pub(crate) fn files_where(root: &Path, wanted: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&relative)) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() && !is_skipped_dir(&name) {
                pending.push(relative.join(&name));
            } else if kind.is_file() && wanted(&name) {
                found.push(relative.join(&name));
            }
        }
    }
    found.sort();
    found
}

/// `path` relative to `root`, when it is inside it.
pub(crate) fn relative_to(root: &Path, path: &Path) -> Result<PathBuf, DiscoveryError> {
    let outside = || DiscoveryError::OutsideWorkspace {
        file: path.to_path_buf(),
        root: root.to_path_buf(),
    };
    let canonical_root = std::fs::canonicalize(root).map_err(|e| DiscoveryError::read(root, e))?;
    let canonical_file = std::fs::canonicalize(path).map_err(|e| DiscoveryError::read(path, e))?;
    canonical_file
        .strip_prefix(&canonical_root)
        .map(Path::to_path_buf)
        .map_err(|_| outside())
}

/// Forward-slash form of a relative path (test ids, globs, reports).
pub(crate) fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A relative path that stays inside the root.
pub(crate) fn is_contained(path: &Path) -> bool {
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

static COPY_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The folder one test run works in, removed on drop:
/// `workspace/` is the copy of the user's tree, `scratch/` holds build
/// output and reports, so neither ever lands in the copy's source folders.
pub(crate) struct RunFolder {
    pub root: PathBuf,
    pub workspace: PathBuf,
    pub scratch: PathBuf,
}

impl RunFolder {
    /// Create the folder under `parent` (which the sandbox uid must be able
    /// to traverse: the executor's cache folder).
    pub fn create(parent: &Path) -> Result<RunFolder, DiscoveryError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let root = parent.join(format!(
            "run-{}-{}-{nanos}",
            std::process::id(),
            COPY_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        traversable_dir(parent)?;
        std::fs::create_dir(&root).map_err(|e| DiscoveryError::copy(&root, e))?;
        let folder = RunFolder {
            workspace: root.join("workspace"),
            scratch: root.join("scratch"),
            root,
        };
        for dir in [&folder.root, &folder.workspace, &folder.scratch] {
            traversable_dir(dir)?;
        }
        Ok(folder)
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if std::fs::remove_dir_all(&self.root).is_err() {
            // Tools leave read-only folders (Go's module cache, cargo's
            // registry); make them writable and try again.
            make_writable(&self.root);
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn make_writable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                make_writable(&entry.path());
            }
        }
    }
}

pub(crate) fn traversable_dir(dir: &Path) -> Result<(), DiscoveryError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)))
        .map_err(|e| DiscoveryError::copy(dir, e))
}

/// Copy `from` into `to` (an existing empty folder), skipping
/// [`SKIPPED_DIRS`]. Symlinks are recreated only when they are relative and
/// stay inside the tree; others are dropped so the copy never reaches out.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), DiscoveryError> {
    let mut budget = (MAX_COPY_FILES, MAX_COPY_MB << 20);
    copy_dir(from, to, Path::new(""), &mut budget)
}

fn copy_dir(
    from: &Path,
    to: &Path,
    relative: &Path,
    budget: &mut (u64, u64),
) -> Result<(), DiscoveryError> {
    let source_dir = from.join(relative);
    let entries =
        std::fs::read_dir(&source_dir).map_err(|e| DiscoveryError::read(&source_dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| DiscoveryError::read(&source_dir, e))?;
        let name = entry.file_name();
        let child = relative.join(&name);
        let kind = entry
            .file_type()
            .map_err(|e| DiscoveryError::read(entry.path(), e))?;
        let target = to.join(&child);
        if kind.is_dir() {
            if is_skipped_dir(&name.to_string_lossy()) {
                continue;
            }
            traversable_dir(&target)?;
            copy_dir(from, to, &child, budget)?;
        } else if kind.is_file() {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            budget.0 = budget
                .0
                .checked_sub(1)
                .ok_or(DiscoveryError::WorkspaceTooLarge {
                    limit: MAX_COPY_FILES,
                })?;
            budget.1 = budget
                .1
                .checked_sub(size)
                .ok_or(DiscoveryError::WorkspaceTooLarge { limit: MAX_COPY_MB })?;
            std::fs::copy(entry.path(), &target).map_err(|e| DiscoveryError::copy(&target, e))?;
        } else if kind.is_symlink()
            && let Ok(link) = std::fs::read_link(entry.path())
            && stays_inside(relative, &link)
        {
            std::os::unix::fs::symlink(&link, &target)
                .map_err(|e| DiscoveryError::copy(&target, e))?;
        }
    }
    Ok(())
}

/// Whether a relative symlink target, resolved from folder `dir`, stays in the tree.
fn stays_inside(dir: &Path, link: &Path) -> bool {
    if link.is_absolute() {
        return false;
    }
    let mut depth = dir.components().count() as i64;
    for component in link.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Write the replacements into the copy. Paths are checked first, so a bad
/// one changes nothing.
pub(crate) fn apply_replacements(
    copy: &Path,
    replacements: &[(PathBuf, String)],
) -> Result<(), DiscoveryError> {
    if let Some((path, _)) = replacements.iter().find(|(path, _)| !is_contained(path)) {
        return Err(DiscoveryError::BadReplacementPath { path: path.clone() });
    }
    for (path, contents) in replacements {
        let target = copy.join(path);
        if let Some(parent) = target.parent() {
            traversable_dir(parent)?;
        }
        // A symlink in the copy must not redirect the write.
        let _ = std::fs::remove_file(&target);
        std::fs::write(&target, contents).map_err(|e| DiscoveryError::copy(&target, e))?;
    }
    Ok(())
}

/// Does `text` contain `word` as a whole identifier?
pub(crate) fn mentions_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_whole_identifiers() {
        assert!(mentions_word("x = total_value(items)", "total_value"));
        assert!(!mentions_word("x = total_values(items)", "total_value"));
        assert!(!mentions_word("my_total_value()", "total_value"));
        assert!(mentions_word("inv.total_value", "total_value"));
    }

    #[test]
    fn symlinks_may_not_leave_the_tree() {
        assert!(stays_inside(Path::new("a/b"), Path::new("../c")));
        assert!(!stays_inside(Path::new("a"), Path::new("../../etc/passwd")));
        assert!(!stays_inside(Path::new(""), Path::new("/etc/passwd")));
    }

    #[test]
    fn replacement_paths_stay_inside() {
        assert!(is_contained(Path::new("src/a.py")));
        assert!(!is_contained(Path::new("../a.py")));
        assert!(!is_contained(Path::new("/etc/a.py")));
        assert!(!is_contained(Path::new("")));
    }
}
