//! Which function a user means: a name as `perforch functions` prints it
//! (`total`, `Slow.total`, `Graph::has_duplicate_edges`), and a line that
//! picks one of several of that name (Java overloads, a cursor). One rule
//! for the CLI, the editor and the pipeline, so the function measured and
//! rewritten is always the one the user picked.

use super::Function;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub container: Option<String>,
    pub name: String,
    /// Zero-based line inside the function (its first line, or a cursor's).
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    #[error(
        "no function named `{0}` in the file; check the name (`perforch functions FILE` lists them)"
    )]
    NotFound(String),
    #[error("`{name}` names {} functions: {}; say which with `Container.name`, or `--line N` for overloads", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

impl FunctionRef {
    /// `name`, `Container.name` or `Container::name` (the last separator
    /// splits: `a::B::f` is `f` of `a::B`).
    pub fn parse(spelling: &str, line: Option<usize>) -> FunctionRef {
        let spelling = spelling.trim();
        let split = [
            spelling.rfind("::").map(|at| (at, 2)),
            spelling.rfind('.').map(|at| (at, 1)),
        ]
        .into_iter()
        .flatten()
        .max_by_key(|(at, _)| *at);
        let (container, name) = match split {
            Some((at, len)) if at > 0 => (
                Some(spelling[..at].to_string()),
                spelling[at + len..].to_string(),
            ),
            _ => (None, spelling.to_string()),
        };
        FunctionRef {
            container,
            name,
            line,
        }
    }

    /// The reference that finds `function` again, in a later version of
    /// its file too (the nearest of its name and container).
    pub fn of(function: &Function) -> FunctionRef {
        FunctionRef {
            container: function.container.clone(),
            name: function.name.clone(),
            line: Some(function.start_line),
        }
    }

    /// The function meant among `functions`. With a line, the one that
    /// spans it, else the nearest one; without, the only one.
    pub fn find<'f>(&self, functions: &'f [Function]) -> Result<&'f Function, FindError> {
        let matching: Vec<&Function> = functions
            .iter()
            .filter(|function| function.name == self.name)
            .filter(|function| {
                self.container.as_deref().is_none_or(|container| {
                    function.container.as_deref().is_some_and(|own| {
                        own == container
                            || own.ends_with(&format!("::{container}"))
                            || own.ends_with(&format!(".{container}"))
                    })
                })
            })
            .collect();
        match (matching.as_slice(), self.line) {
            ([], _) => Err(FindError::NotFound(self.spelling())),
            ([only], _) => Ok(only),
            (_, Some(line)) => Ok(matching
                .iter()
                .min_by_key(|function| {
                    if (function.start_line..=function.end_line).contains(&line) {
                        0
                    } else {
                        1 + function.start_line.abs_diff(line)
                    }
                })
                .expect("several")),
            (_, None) => Err(FindError::Ambiguous {
                name: self.spelling(),
                candidates: matching
                    .iter()
                    .map(|function| {
                        format!(
                            "{} (line {})",
                            qualified_name(function),
                            function.start_line + 1
                        )
                    })
                    .collect(),
            }),
        }
    }

    pub fn spelling(&self) -> String {
        match &self.container {
            Some(container) => format!("{container}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// `Container.name`, or the name of a free function.
pub fn qualified_name(function: &Function) -> String {
    match &function.container {
        Some(container) => format!("{container}.{}", function.name),
        None => function.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::functions;
    use crate::document::Document;
    use crate::language::Language;

    #[test]
    fn names_containers_and_lines_pick_one_function() {
        let java = "class A {\n  static int total(int[] xs) { return 0; }\n}\nclass B {\n  static int total(int[] xs) { return 1; }\n  static int total(long[] xs) { return 2; }\n}\n";
        let all = functions(&Document::new(Language::Java, 0, java));
        let found = |spelling: &str, line| {
            FunctionRef::parse(spelling, line)
                .find(&all)
                .map(|f| f.start_line)
        };
        assert_eq!(found("A.total", None), Ok(1));
        assert_eq!(found("B.total", Some(5)), Ok(5));
        assert_eq!(found("B.total", Some(4)), Ok(4));
        assert_eq!(found("total", Some(1)), Ok(1));
        let ambiguous = found("total", None).unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "`total` names 3 functions: A.total (line 2), B.total (line 5), B.total (line 6); say which with `Container.name`, or `--line N` for overloads"
        );
        assert!(matches!(
            found("C.total", None),
            Err(FindError::NotFound(_))
        ));
        let rust =
            "struct Graph;\nimpl Graph {\n    fn has_duplicate_edges(&self) -> bool { false }\n}\n";
        let all = functions(&Document::new(Language::Rust, 0, rust));
        assert!(
            FunctionRef::parse("Graph::has_duplicate_edges", None)
                .find(&all)
                .is_ok()
        );
        assert!(
            FunctionRef::parse("Graph.has_duplicate_edges", None)
                .find(&all)
                .is_ok()
        );
    }
}
