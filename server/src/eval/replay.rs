//! Replay files: candidate solutions read from a file instead of asked from
//! a model, with the heavy inputs to measure them on. The shipped one
//! (`fixtures/eval/humaneval_python_fast.jsonl`, built by
//! `scripts/build_replay.py`) holds ENAMEL's expert and COFFE's fastest
//! solutions to the HumanEval problems: known-faster code, so measuring it
//! against the canonical solutions checks that the executor sees speedups.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::EvalError;
use crate::language::Language;

/// One problem of a replay file.
#[derive(Clone, Debug, Deserialize)]
pub struct ReplayTask {
    /// `HumanEval/12`; matched to a dataset task by its number, since task
    /// i is the same problem in HumanEval-X, HumanEvalPack, ENAMEL and COFFE.
    pub task_id: String,
    #[serde(default = "python")]
    pub language: Language,
    /// The function the candidates define.
    pub entry_point: String,
    /// Argument lists, each argument a source expression of the language.
    #[serde(default)]
    pub inputs: Vec<Vec<String>>,
    pub candidates: Vec<ReplayCandidate>,
}

fn python() -> Language {
    Language::Python
}

#[derive(Clone, Debug, Deserialize)]
pub struct ReplayCandidate {
    /// Where the code comes from (`enamel`, `coffe`): results are keyed and
    /// summarised by it.
    pub source: String,
    pub code: String,
    /// Why this candidate must measure faster than the canonical solution
    /// (an asymptotic difference read off both); None when not claimed.
    #[serde(default)]
    pub expected_faster: Option<String>,
    /// The code is the canonical solution's (docstrings aside): the right
    /// verdict is a tie.
    #[serde(default)]
    pub same_as_canonical: bool,
}

/// A whole replay file, tasks by number.
#[derive(Clone, Debug)]
pub struct ReplayFile {
    pub path: PathBuf,
    tasks: HashMap<u64, ReplayTask>,
}

impl ReplayFile {
    pub fn load(path: &Path) -> Result<ReplayFile, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ReplayFile::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<ReplayFile, EvalError> {
        let bad = |line: usize, detail: String| EvalError::BadReplay {
            path: path.to_path_buf(),
            line,
            detail,
        };
        let mut tasks = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let task: ReplayTask =
                serde_json::from_str(line).map_err(|e| bad(index + 1, e.to_string()))?;
            let number = task_number(&task.task_id).ok_or_else(|| {
                bad(
                    index + 1,
                    format!("task_id `{}` does not end in a task number", task.task_id),
                )
            })?;
            if tasks.insert(number, task).is_some() {
                return Err(bad(
                    index + 1,
                    format!("task number {number} appears twice"),
                ));
            }
        }
        Ok(ReplayFile {
            path: path.to_path_buf(),
            tasks,
        })
    }

    /// The replayed problem that is the dataset's task `task_id` (`Python/12`).
    pub fn task_for(&self, task_id: &str) -> Option<&ReplayTask> {
        task_number(task_id).and_then(|number| self.tasks.get(&number))
    }

    pub fn languages(&self) -> Vec<Language> {
        let mut languages: Vec<Language> = self.tasks.values().map(|t| t.language).collect();
        languages.sort();
        languages.dedup();
        languages
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// The number at the end of a task id (`HumanEval/12`, `Python/12` -> 12).
pub fn task_number(task_id: &str) -> Option<u64> {
    task_id.rsplit('/').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_match_across_datasets_by_number() {
        let text = r#"{"task_id":"HumanEval/7","entry_point":"f","inputs":[["1"]],"candidates":[{"source":"enamel","code":"def f(x):\n    return x\n","expected_faster":"because"}]}
"#;
        let file = ReplayFile::parse(text, Path::new("r.jsonl")).unwrap();
        let task = file.task_for("Python/7").unwrap();
        assert_eq!(task.language, Language::Python);
        assert_eq!(task.candidates[0].source, "enamel");
        assert_eq!(
            task.candidates[0].expected_faster.as_deref(),
            Some("because")
        );
        assert!(!task.candidates[0].same_as_canonical);
        assert!(file.task_for("Python/8").is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        let error = ReplayFile::parse("\n{\"task_id\":\"X\"}\n", Path::new("r.jsonl"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("r.jsonl") && error.contains("line 2"),
            "{error}"
        );
        let twice = "{\"task_id\":\"A/1\",\"entry_point\":\"f\",\"candidates\":[]}\n{\"task_id\":\"B/1\",\"entry_point\":\"f\",\"candidates\":[]}\n";
        let error = ReplayFile::parse(twice, Path::new("r.jsonl"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("twice"), "{error}");
    }
}
