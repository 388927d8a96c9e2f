//! Errors of the benchmark runner. Every message says what to do next.

use std::path::PathBuf;

use crate::language::Language;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(
        "{dir} is not a benchmark folder perforch knows: expected HumanEval-X files \
         (humaneval_<lang>.jsonl.gz) or HumanEvalPack files (humanevalpack_<lang>.jsonl); \
         pass --dataset with a folder such as ../shared/datasets/humaneval-x"
    )]
    UnknownDataset { dir: PathBuf },
    #[error("{dir} does not exist or is not a folder; check the --dataset path")]
    NotAFolder { dir: PathBuf },
    #[error("{dataset} has no {language} file in {dir}; choose languages among: {available}")]
    LanguageMissing {
        dataset: String,
        language: Language,
        dir: PathBuf,
        available: String,
    },
    #[error(
        "{dataset} has no buggy solutions; use --solution canonical, or a HumanEvalPack folder for buggy ones"
    )]
    NoBuggySolutions { dataset: String },
    #[error("{path}: line {line}: {detail}; the dataset file looks damaged, fetch it again")]
    BadRow {
        path: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write results to {path}: {source}; check that the folder exists and is writable"
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("known-issues list {source_name}: {detail}")]
    KnownIssues { source_name: String, detail: String },
    #[error(
        "{path}: line {line}: {detail}; a replay file holds one JSON object per line (see scripts/build_replay.py)"
    )]
    BadReplay {
        path: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("cannot measure {task_id}: {detail}")]
    Measure { task_id: String, detail: String },
    #[error("cannot use {language}: {detail}")]
    Toolchain { language: Language, detail: String },
}
