//! The project's own headers in C++ differential drivers.
//!
//! A C++ source file usually starts with `#include "its_header.h"`. The
//! driver is built in a private folder, in the sandbox, where that header
//! does not exist (and the user's tree may not even be visible), so the
//! trusted side reads each project header here and puts its text in the
//! driver in place of the include line. An include that resolves nowhere
//! stays as written, and the build error names the missing file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Headers nested deeper than this are left as include lines (a cycle
/// without guards would otherwise never end).
const MAX_DEPTH: usize = 16;

/// Where `#include "name"` is looked up, in order.
#[derive(Debug, Clone, Default)]
pub struct LocalHeaders {
    search: Vec<PathBuf>,
}

impl LocalHeaders {
    /// Resolve nothing: include lines stay as they are.
    pub fn none() -> LocalHeaders {
        LocalHeaders::default()
    }

    /// Headers of the project around `file`: beside it, then in the
    /// workspace root and its `include/` and `src/` folders (the folders
    /// `perforch tests` compiles C++ test programs with).
    pub fn for_file(file: &Path, workspace_root: Option<&Path>) -> LocalHeaders {
        let mut search: Vec<PathBuf> = file.parent().map(Path::to_path_buf).into_iter().collect();
        if let Some(root) = workspace_root {
            for dir in [root.to_path_buf(), root.join("include"), root.join("src")] {
                if dir.is_dir() && !search.contains(&dir) {
                    search.push(dir);
                }
            }
        }
        LocalHeaders { search }
    }

    /// `text` (include lines) with every project header it includes, and
    /// the ones those include, written out in place. Each header is written
    /// once, as `#pragma once` or include guards would have it.
    pub fn inline(&self, text: &str) -> String {
        let mut seen = HashSet::new();
        self.inline_from(text, None, &mut seen, 0)
    }

    fn inline_from(
        &self,
        text: &str,
        from_dir: Option<&Path>,
        seen: &mut HashSet<PathBuf>,
        depth: usize,
    ) -> String {
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            if depth > 0 && is_pragma_once(line) {
                continue;
            }
            let header = quoted_include(line)
                .filter(|_| depth < MAX_DEPTH)
                .and_then(|name| self.resolve(name, from_dir));
            let Some(path) = header else {
                out.push_str(line);
                continue;
            };
            let Ok(contents) = std::fs::read_to_string(&path) else {
                out.push_str(line);
                continue;
            };
            if seen.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
                out.push_str(&self.inline_from(&contents, path.parent(), seen, depth + 1));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        out
    }

    /// A quoted include is looked up beside the file that includes it
    /// first, as compilers do, then in the search folders.
    fn resolve(&self, name: &str, from_dir: Option<&Path>) -> Option<PathBuf> {
        from_dir
            .into_iter()
            .chain(self.search.iter().map(PathBuf::as_path))
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    }
}

/// `name` of a line `#include "name"` (spaces allowed around `#`).
fn quoted_include(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("include")?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(&rest[..end]).filter(|name| !name.is_empty())
}

fn is_pragma_once(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('#') else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    words == ["pragma", "once"]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn project_headers_are_written_out_once_and_others_kept() {
        let project = tempfile::tempdir().unwrap();
        let root = project.path();
        write(
            root,
            "include/scores.h",
            "#pragma once\n#include <vector>\n#include \"detail/types.h\"\nlong long total(const std::vector<Score>& s);\n",
        );
        write(
            root,
            "include/detail/types.h",
            "#ifndef TYPES_H\n#define TYPES_H\nstruct Score { int points; };\n#endif",
        );
        write(root, "src/scores.cpp", "");
        let headers = LocalHeaders::for_file(&root.join("src/scores.cpp"), Some(root));
        let prelude = "#include \"scores.h\"\n#include <algorithm>\n#include \"detail/types.h\"\n#include \"generated/missing.h\"\n";
        assert_eq!(
            headers.inline(prelude),
            "#include <vector>\n#ifndef TYPES_H\n#define TYPES_H\nstruct Score { int points; };\n#endif\nlong long total(const std::vector<Score>& s);\n#include <algorithm>\n#include \"generated/missing.h\"\n"
        );
        // Without a project to look in, nothing changes.
        assert_eq!(LocalHeaders::none().inline(prelude), prelude);
    }

    #[test]
    fn include_lines_are_recognised() {
        assert_eq!(quoted_include("#include \"a/b.h\"\n"), Some("a/b.h"));
        assert_eq!(
            quoted_include("  #  include   \"x.hpp\" // why\n"),
            Some("x.hpp")
        );
        assert_eq!(quoted_include("#include <vector>\n"), None);
        assert_eq!(quoted_include("// #include \"x.h\"\n"), None);
        assert!(is_pragma_once("#pragma once\n"));
        assert!(!is_pragma_once("#pragma pack(1)\n"));
    }
}
