//! Differential drivers: a generated program per language that calls the
//! ORIGINAL function and the CANDIDATE (renamed `perforch_candidate_NAME`)
//! on the same inputs and prints one canonical line per call: the result
//! (or the kind of exception raised), the arguments after the call (to
//! observe mutation) and the thread CPU time of the call.
//!
//! Line format (after the [`LINE_PREFIX`], so program prints are ignored):
//! `{"call":N,"impl":"o"|"c","ns":CPU_NS,"result":VALUE|"exc":"Kind","args":[VALUE...]}`
//!
//! Values use a tagged JSON encoding so every language agrees exactly:
//! ints `{"i":"123"}` (decimal text: no precision loss), floats `{"f":"1.5"}`
//! (`nan`, `inf`, `-inf` for the specials), bools, strings and null as
//! JSON, sequences as arrays, tuples/pairs `{"t":[..]}`, maps
//! `{"m":[[k,v],..]}` and sets `{"s":[..]}` sorted by the serialised key,
//! anything else `{"o":"TypeName"}`.

mod cpp;
mod go;
mod java;
mod python;
mod rust;
pub mod signature;

use serde::{Deserialize, Serialize};

use super::toolchain::SourceProgram;
use crate::language::Language;

/// Marks driver output lines.
pub const LINE_PREFIX: &str = "@@PERFORCH@@ ";
/// Name prefix given to the candidate function (or Java class).
pub const CANDIDATE_PREFIX: &str = "perforch_candidate_";

/// What to compare: two versions of one function and the inputs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DiffSpec {
    pub language: Language,
    /// Name of the function (Java: the method).
    pub function: String,
    /// The class that holds the method in both sources (Java always;
    /// Python for methods, whose sources are then whole modules).
    pub class_name: Option<String>,
    /// The method is called on an object: each input's first expression
    /// builds it, and its fields after the call are compared too.
    #[serde(default)]
    pub receiver: bool,
    /// Imports/includes both versions need (Python imports, C++ includes,
    /// Java imports, Go imports, Rust `use`s).
    pub prelude: String,
    /// Source of the original function (Java: its whole class).
    pub original: String,
    /// Source of the candidate, with the same name as the original.
    pub candidate: String,
    /// One entry per call: the argument expressions, as source code.
    pub inputs: Vec<Vec<String>>,
    /// Each call is timed over this many repetitions (fresh arguments each
    /// time, built outside the timed region); results come from the first.
    pub repeats: u32,
}

/// Which implementation(s) a driver run calls.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DriverMode {
    Original,
    Candidate,
    Both,
    /// Both, the candidate first on each input.
    BothCandidateFirst,
}

impl DriverMode {
    pub fn arg(self) -> &'static str {
        match self {
            DriverMode::Original => "o",
            DriverMode::Candidate => "c",
            DriverMode::Both => "oc",
            DriverMode::BothCandidateFirst => "co",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DriverError {
    #[error("function `{0}` not found in the source; check the function name")]
    FunctionNotFound(String),
    #[error("Java differential runs need `class_name` (the class holding the method)")]
    MissingClassName,
}

/// Replace whole-word occurrences of `name` (identifier boundaries).
pub fn rename_identifier(source: &str, name: &str, replacement: &str) -> String {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(source.len() + 64);
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = source[search..].find(name) {
        let start = search + found;
        let end = start + name.len();
        // Boundaries are checked against the whole source, not the
        // remainder, so `ff` never matches `f` at its second letter.
        let before = source[..start].chars().next_back();
        let after = source[end..].chars().next();
        if before.is_none_or(|c| !is_ident(c)) && after.is_none_or(|c| !is_ident(c)) {
            out.push_str(&source[copied..start]);
            out.push_str(replacement);
            copied = end;
        }
        search = end;
    }
    out.push_str(&source[copied..]);
    out
}

pub fn candidate_name(name: &str) -> String {
    format!("{CANDIDATE_PREFIX}{name}")
}

/// Generate the driver program for a spec.
pub fn generate(spec: &DiffSpec) -> Result<SourceProgram, DriverError> {
    match spec.language {
        Language::Python => python::generate(spec),
        Language::Cpp => cpp::generate(spec),
        Language::Java => java::generate(spec),
        Language::Go => go::generate(spec),
        Language::Rust => rust::generate(spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_respects_identifier_boundaries() {
        let src = "def f(x):\n    return f(x-1) + ff(x) + f_2(x)\n";
        assert_eq!(
            rename_identifier(src, "f", "g"),
            "def g(x):\n    return g(x-1) + ff(x) + f_2(x)\n"
        );
    }
}
