//! Benchmark items that cannot meet their expectation for a reason outside
//! perforch (a dataset bug, a buggy solution its own tests cannot catch, a
//! test that depends on chance). The list ships in the repository
//! (`server/data/eval_known_issues.toml`) so every entry is reviewed; the
//! summary shows them as "known", never hides them.

use serde::Deserialize;

use super::dataset::SolutionKind;
use super::error::EvalError;
use super::record::TaskRecord;
use crate::language::Language;

const SHIPPED: &str = include_str!("../../data/eval_known_issues.toml");
const SHIPPED_NAME: &str = "server/data/eval_known_issues.toml";

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownIssue {
    pub dataset: String,
    pub language: Language,
    pub task_id: String,
    pub solution: SolutionKind,
    pub explanation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownIssuesFile {
    #[serde(default)]
    issue: Vec<KnownIssue>,
}

#[derive(Clone, Debug, Default)]
pub struct KnownIssues {
    issues: Vec<KnownIssue>,
}

impl KnownIssues {
    /// The list shipped with this build.
    pub fn shipped() -> Result<KnownIssues, EvalError> {
        KnownIssues::parse(SHIPPED, SHIPPED_NAME)
    }

    pub fn parse(text: &str, source_name: &str) -> Result<KnownIssues, EvalError> {
        let file: KnownIssuesFile = toml::from_str(text).map_err(|e| EvalError::KnownIssues {
            source_name: source_name.to_string(),
            detail: e.to_string(),
        })?;
        for (index, issue) in file.issue.iter().enumerate() {
            if issue.explanation.trim().is_empty() {
                return Err(EvalError::KnownIssues {
                    source_name: source_name.to_string(),
                    detail: format!("issue[{index}] ({}) has no explanation", issue.task_id),
                });
            }
            if file.issue[..index].iter().any(|other| {
                (
                    &other.dataset,
                    other.language,
                    &other.task_id,
                    other.solution,
                ) == (
                    &issue.dataset,
                    issue.language,
                    &issue.task_id,
                    issue.solution,
                )
            }) {
                return Err(EvalError::KnownIssues {
                    source_name: source_name.to_string(),
                    detail: format!("issue[{index}] ({}) is listed twice", issue.task_id),
                });
            }
        }
        Ok(KnownIssues { issues: file.issue })
    }

    /// The entry for a record's task, if it is listed.
    pub fn find(&self, record: &TaskRecord) -> Option<&KnownIssue> {
        self.issues.iter().find(|issue| {
            issue.dataset == record.dataset
                && issue.language == record.language
                && issue.task_id == record.task_id
                && issue.solution == record.solution
        })
    }

    pub fn all(&self) -> &[KnownIssue] {
        &self.issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_parses() {
        let known = KnownIssues::shipped().unwrap();
        for issue in known.all() {
            assert!(
                ["humaneval-x", "humanevalpack"].contains(&issue.dataset.as_str()),
                "{issue:?}"
            );
        }
    }

    #[test]
    fn entries_need_an_explanation_and_must_be_unique() {
        let entry = "[[issue]]\ndataset = \"humaneval-x\"\nlanguage = \"go\"\ntask_id = \"Go/1\"\nsolution = \"canonical\"\nexplanation = \"why\"\n";
        assert_eq!(KnownIssues::parse(entry, "t").unwrap().all().len(), 1);
        let twice = format!("{entry}{entry}");
        assert!(
            KnownIssues::parse(&twice, "t")
                .unwrap_err()
                .to_string()
                .contains("listed twice")
        );
        let empty = entry.replace("\"why\"", "\" \"");
        assert!(KnownIssues::parse(&empty, "t").is_err());
        let typo = entry.replace("solution", "solutoin");
        assert!(KnownIssues::parse(&typo, "t").is_err());
    }
}
