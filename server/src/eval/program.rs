//! A benchmark task's fields, arranged into the assertion program the
//! executor builds: the head of the function (prompt or declaration), the
//! solution under test (its body), and the dataset's own test code.

use super::dataset::{DatasetKind, SolutionKind, Task};
use crate::executor::{AssertionParts, SourceProgram, compose};
use crate::language::Language;

/// The program that checks `solution` of `task`, or None when the task has
/// no solution of that kind.
pub fn task_program(
    kind: DatasetKind,
    language: Language,
    task: &Task,
    solution: SolutionKind,
) -> Option<SourceProgram> {
    let body = match solution {
        SolutionKind::Canonical => task.canonical_solution.as_str(),
        SolutionKind::Buggy => task.buggy_solution.as_deref()?,
    };
    let candidate = format!("{}{body}", head(kind, language, task));
    // Go's `package main` and test imports come first; compose merges the
    // import blocks of every fragment into one.
    let prelude = match language {
        Language::Go => task.test_setup.as_deref().unwrap_or(""),
        _ => "",
    };
    Some(compose(
        language,
        &AssertionParts {
            prelude,
            candidate: &candidate,
            test: &task.test,
        },
    ))
}

/// The text before a solution body: the prompt, or for HumanEval-X Rust
/// the declaration (its prompt is only the doc comment, without signature
/// or `use` lines; HumanEvalPack's Rust prompt is complete).
pub fn head(kind: DatasetKind, language: Language, task: &Task) -> &str {
    if language == Language::Rust && kind == DatasetKind::HumanEvalX {
        &task.declaration
    } else {
        &task.prompt
    }
}

/// The assertion program for a whole source file (a solution spliced into
/// its head) and the task's test code.
pub fn file_program(language: Language, task: &Task, file_text: &str) -> SourceProgram {
    let prelude = match language {
        Language::Go => task.test_setup.as_deref().unwrap_or(""),
        _ => "",
    };
    compose(
        language,
        &AssertionParts {
            prelude,
            candidate: file_text,
            test: &task.test,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::ProgramKind;

    fn task() -> Task {
        Task {
            task_id: "Rust/0".into(),
            prompt: "fn main(){}\nuse std::cmp::max;\nfn add(a: i32, b: i32) -> i32 {".into(),
            declaration: "use std::cmp::max;\nfn add(a: i32, b: i32) -> i32 {".into(),
            canonical_solution: "\n    a + b\n}\n".into(),
            buggy_solution: Some("\n    a - b\n}\n".into()),
            test: "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { assert_eq!(add(1, 2), 3); }\n}\n".into(),
            test_setup: None,
        }
    }

    #[test]
    fn rust_pack_prompt_with_empty_main_is_still_a_test_harness() {
        let program = task_program(
            DatasetKind::HumanEvalPack,
            Language::Rust,
            &task(),
            SolutionKind::Buggy,
        )
        .unwrap();
        assert_eq!(program.kind, ProgramKind::TestHarness);
        assert!(program.main_source().contains("a - b"));
        assert!(program.main_source().contains("fn main(){}"));
    }

    #[test]
    fn rust_humaneval_x_uses_the_declaration() {
        let program = task_program(
            DatasetKind::HumanEvalX,
            Language::Rust,
            &task(),
            SolutionKind::Canonical,
        )
        .unwrap();
        assert!(!program.main_source().contains("fn main"));
        assert!(program.main_source().contains("a + b"));
    }

    #[test]
    fn no_buggy_solution_no_program() {
        let mut task = task();
        task.buggy_solution = None;
        assert!(
            task_program(
                DatasetKind::HumanEvalX,
                Language::Rust,
                &task,
                SolutionKind::Buggy
            )
            .is_none()
        );
    }
}
