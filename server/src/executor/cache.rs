//! Artifact cache: a built program is stored under a hash of its sources,
//! the toolchain version and the flags, so measuring the same candidate
//! again (or rebuilding the unchanged original) skips the compiler.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::ExecutorError;
use super::toolchain::SourceFile;

pub struct ArtifactCache {
    root: PathBuf,
}

fn copy_recursive(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_recursive(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if meta.is_file() {
        std::fs::copy(from, to)?;
    }
    // Symlinks are skipped on purpose: a build in the sandbox could plant
    // one pointing at a host file.
    Ok(())
}

impl ArtifactCache {
    pub fn new(cache_dir: &Path) -> Self {
        ArtifactCache {
            root: cache_dir.join("artifacts"),
        }
    }

    /// Hash of everything that determines the artifact.
    pub fn key(
        language: &str,
        toolchain_version: &str,
        flags: &str,
        files: &[SourceFile],
    ) -> String {
        let mut hasher = Sha256::new();
        for part in [language, toolchain_version, flags] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        for file in files {
            hasher.update((file.path.len() as u64).to_le_bytes());
            hasher.update(file.path.as_bytes());
            hasher.update((file.contents.len() as u64).to_le_bytes());
            hasher.update(file.contents.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    /// Copy the cached artifacts into `dir`. Returns false on a miss.
    pub fn restore(&self, key: &str, artifacts: &[String], dir: &Path) -> bool {
        let entry = self.entry(key);
        if !entry.join(".complete").exists() {
            return false;
        }
        artifacts
            .iter()
            .all(|name| copy_recursive(&entry.join(name), &dir.join(name)).is_ok())
    }

    /// Store artifacts built in `dir`. Written to a temporary folder then
    /// renamed, so a concurrent reader never sees half an entry.
    pub fn store(&self, key: &str, artifacts: &[String], dir: &Path) -> Result<(), ExecutorError> {
        let entry = self.entry(key);
        if entry.join(".complete").exists() {
            return Ok(());
        }
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ExecutorError::Cache { path, source }
        };
        std::fs::create_dir_all(&self.root).map_err(err(&self.root))?;
        let staging = self.root.join(format!(
            ".tmp-{key}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(err(&staging))?;
        for name in artifacts {
            copy_recursive(&dir.join(name), &staging.join(name)).map_err(err(&dir.join(name)))?;
        }
        std::fs::write(staging.join(".complete"), b"").map_err(err(&staging))?;
        if std::fs::rename(&staging, &entry).is_err() {
            // Another process stored the same key first; theirs is as good.
            let _ = std::fs::remove_dir_all(&staging);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_every_input() {
        let files = vec![SourceFile {
            path: "a".into(),
            contents: "x".into(),
        }];
        let base = ArtifactCache::key("cpp", "g++ 12", "-O2", &files);
        assert_eq!(base, ArtifactCache::key("cpp", "g++ 12", "-O2", &files));
        assert_ne!(base, ArtifactCache::key("cpp", "g++ 13", "-O2", &files));
        assert_ne!(base, ArtifactCache::key("cpp", "g++ 12", "-O3", &files));
        let other = vec![SourceFile {
            path: "a".into(),
            contents: "y".into(),
        }];
        assert_ne!(base, ArtifactCache::key("cpp", "g++ 12", "-O2", &other));
    }
}
