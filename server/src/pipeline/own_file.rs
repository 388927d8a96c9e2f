//! Does the user's file still compile with the candidate in it?
//!
//! The differential driver compiles the candidate next to its own harness,
//! which brings imports of its own (Java's `java.util.*`, Go's standard
//! packages). A candidate that leans on them would pass there and break the
//! user's build. So a candidate is also compiled inside the whole file, as
//! the user will have it. The check only counts when the ORIGINAL file
//! compiles on its own: a file that needs the rest of its project is left
//! to the workspace tests.

use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

use super::layout::FileLayout;

/// The file as a program the executor can build: an entry point added when
/// it has none, Go's package renamed to `main`, Java's public types made
/// package-private (the build names the file `Main.java`).
pub fn program(language: Language, text: &str) -> Option<SourceProgram> {
    let layout = FileLayout::of(language, text);
    let has_main = !layout.entry_points.is_empty()
        && layout
            .entry_points
            .iter()
            .any(|range| text[range.as_range()].contains("main"));
    let source = match language {
        Language::Python => return None,
        Language::Cpp => {
            let mut source = text.to_string();
            if !has_main {
                source.push_str("\nint main() { return 0; }\n");
            }
            source
        }
        Language::Rust => {
            let mut source = format!("#![allow(dead_code, unused)]\n{text}");
            if !has_main {
                source.push_str("\nfn main() {}\n");
            }
            source
        }
        Language::Go => {
            let mut source = match layout.package {
                Some(package) => format!(
                    "{}package main{}",
                    &text[..package.start],
                    &text[package.end..]
                ),
                None => format!("package main\n{text}"),
            };
            if !has_main {
                source.push_str("\nfunc main() {}\n");
            }
            source
        }
        Language::Java => {
            let mut source = String::new();
            for line in text.lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with("package ") {
                    continue;
                }
                let indent = &line[..line.len() - trimmed.len()];
                match trimmed.strip_prefix("public ") {
                    Some(rest)
                        if indent.is_empty()
                            && [
                                "class ",
                                "final class ",
                                "record ",
                                "enum ",
                                "interface ",
                                "abstract class ",
                            ]
                            .iter()
                            .any(|kind| rest.starts_with(kind)) =>
                    {
                        source.push_str(rest)
                    }
                    _ => source.push_str(line),
                }
                source.push('\n');
            }
            // The build runs `Main`; an empty one keeps it happy.
            source.push_str("\nclass Main { public static void main(String[] args) {} }\n");
            source
        }
    };
    Some(SourceProgram::single(
        language,
        ProgramKind::Executable,
        source,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_package_becomes_main_and_gets_an_entry_point() {
        let program = program(
            Language::Go,
            "// Doc.\npackage pairs\n\nfunc F() int { return 1 }\n",
        )
        .unwrap();
        assert_eq!(
            program.main_source(),
            "// Doc.\npackage main\n\nfunc F() int { return 1 }\n\nfunc main() {}\n"
        );
    }

    #[test]
    fn java_public_types_lose_public_and_a_main_class_is_added() {
        let program = program(
            Language::Java,
            "package a.b;\nimport java.util.List;\npublic class Pairs {\n    public static int f() { return 1; }\n}\n",
        )
        .unwrap();
        let source = program.main_source();
        assert!(
            source.starts_with("import java.util.List;\nclass Pairs {\n    public static int f()")
        );
        assert!(source.contains("class Main"));
    }

    #[test]
    fn existing_entry_points_are_kept_alone() {
        let cpp = program(Language::Cpp, "int main() { return 0; }\n").unwrap();
        assert_eq!(cpp.main_source().matches("main").count(), 1);
        assert!(program(Language::Python, "x = 1\n").is_none());
    }
}
