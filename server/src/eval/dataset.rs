//! Public benchmark folders: HumanEval-X (gzipped JSON lines per language)
//! and HumanEvalPack (plain JSON lines per language, with buggy solutions).
//! A folder is recognised by its file names, not its own name, so a copy
//! anywhere works and results stay keyed by the benchmark's real name.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::EvalError;
use crate::language::Language;

/// The benchmarks `perforch eval` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatasetKind {
    /// THUDM/CodeGeeX HumanEval-X: `humaneval_<lang>.jsonl.gz`.
    HumanEvalX,
    /// bigcode/octopack HumanEvalPack: `humanevalpack_<lang>.jsonl`.
    HumanEvalPack,
}

impl DatasetKind {
    /// The name used in result records and the known-issues list.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::HumanEvalX => "humaneval-x",
            DatasetKind::HumanEvalPack => "humanevalpack",
        }
    }

    fn file_name(self, language: Language) -> String {
        let lang = language.name();
        match self {
            DatasetKind::HumanEvalX => format!("humaneval_{lang}.jsonl.gz"),
            DatasetKind::HumanEvalPack => format!("humanevalpack_{lang}.jsonl"),
        }
    }

    pub fn has_buggy_solutions(self) -> bool {
        self == DatasetKind::HumanEvalPack
    }
}

/// Which of a task's solutions is put under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SolutionKind {
    /// The reference solution: its tests must pass.
    Canonical,
    /// A solution with an injected bug: its tests must reject it.
    Buggy,
}

impl SolutionKind {
    pub fn name(self) -> &'static str {
        match self {
            SolutionKind::Canonical => "canonical",
            SolutionKind::Buggy => "buggy",
        }
    }

    /// What the dataset's own tests must do with this kind of solution.
    pub fn expectation(self) -> Expectation {
        match self {
            SolutionKind::Canonical => Expectation::Pass,
            SolutionKind::Buggy => Expectation::Reject,
        }
    }
}

impl FromStr for SolutionKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "canonical" => Ok(SolutionKind::Canonical),
            "buggy" => Ok(SolutionKind::Buggy),
            other => Err(format!(
                "unknown solution kind `{other}`; use `canonical` or `buggy`"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expectation {
    Pass,
    Reject,
}

/// One benchmark folder.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub kind: DatasetKind,
    pub dir: PathBuf,
}

/// One problem in one language, with the fields needed to build its program.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Task {
    pub task_id: String,
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub declaration: String,
    #[serde(default)]
    pub canonical_solution: String,
    #[serde(default)]
    pub buggy_solution: Option<String>,
    #[serde(default)]
    pub test: String,
    /// Go only: `package main` and the test imports.
    #[serde(default)]
    pub test_setup: Option<String>,
}

impl Dataset {
    /// Recognise the benchmark in `dir`.
    pub fn open(dir: &Path) -> Result<Dataset, EvalError> {
        if !dir.is_dir() {
            return Err(EvalError::NotAFolder {
                dir: dir.to_path_buf(),
            });
        }
        [DatasetKind::HumanEvalPack, DatasetKind::HumanEvalX]
            .into_iter()
            .find(|kind| {
                Language::ALL
                    .iter()
                    .any(|lang| dir.join(kind.file_name(*lang)).is_file())
            })
            .map(|kind| Dataset {
                kind,
                dir: dir.to_path_buf(),
            })
            .ok_or_else(|| EvalError::UnknownDataset {
                dir: dir.to_path_buf(),
            })
    }

    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// Languages this folder has a file for.
    pub fn languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|lang| self.path(*lang).is_file())
            .collect()
    }

    pub fn path(&self, language: Language) -> PathBuf {
        self.dir.join(self.kind.file_name(language))
    }

    /// Every task of one language, in file order.
    pub fn load(&self, language: Language) -> Result<Vec<Task>, EvalError> {
        let path = self.path(language);
        if !path.is_file() {
            return Err(EvalError::LanguageMissing {
                dataset: self.name().to_string(),
                language,
                dir: self.dir.clone(),
                available: self
                    .languages()
                    .iter()
                    .map(|l| l.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let file = std::fs::File::open(&path).map_err(|source| EvalError::Read {
            path: path.clone(),
            source,
        })?;
        let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let mut tasks = Vec::new();
        for (index, line) in BufReader::new(reader).lines().enumerate() {
            let line = line.map_err(|source| EvalError::Read {
                path: path.clone(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let task: Task = serde_json::from_str(&line).map_err(|e| EvalError::BadRow {
                path: path.clone(),
                line: index + 1,
                detail: e.to_string(),
            })?;
            tasks.push(task);
        }
        Ok(tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_folders_by_file_names() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Dataset::open(dir.path()),
            Err(EvalError::UnknownDataset { .. })
        ));
        std::fs::write(
            dir.path().join("humanevalpack_go.jsonl"),
            "{\"task_id\":\"Go/0\",\"buggy_solution\":\"x\"}\n\n",
        )
        .unwrap();
        let dataset = Dataset::open(dir.path()).unwrap();
        assert_eq!(dataset.kind, DatasetKind::HumanEvalPack);
        assert_eq!(dataset.languages(), vec![Language::Go]);
        let tasks = dataset.load(Language::Go).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].buggy_solution.as_deref(), Some("x"));
        let missing = dataset.load(Language::Rust).unwrap_err().to_string();
        assert!(missing.contains("choose languages among: go"), "{missing}");
        assert!(matches!(
            Dataset::open(&dir.path().join("nope")),
            Err(EvalError::NotAFolder { .. })
        ));
    }

    #[test]
    fn damaged_rows_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("humanevalpack_python.jsonl"),
            "{\"task_id\":\"Python/0\"}\n{broken\n",
        )
        .unwrap();
        let error = Dataset::open(dir.path())
            .unwrap()
            .load(Language::Python)
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 2"), "{error}");
    }
}
