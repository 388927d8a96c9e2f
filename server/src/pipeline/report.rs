//! The job report: every iteration with its stage, model, tokens, cost,
//! outcome and figures (MARCO's per-iteration table), and the result. The
//! same struct is printed as JSON, as a markdown table, and sent to editors.

use serde::{Deserialize, Serialize};

use crate::language::Language;
use crate::routing::{Category, Metric, Stage};

use super::evidence::DroppedInput;
use super::judge::{Figures, Outcome};
use super::mutation::MutationScore;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iteration {
    pub index: usize,
    pub stage: Stage,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub latency_ms: u64,
    pub outcome: Outcome,
    /// One line: "better by 41.2% (time)", "wrong output on f([])", ...
    pub summary: String,
    pub figures: Option<Figures>,
    /// The code the model proposed (the function), when there was any.
    pub code: Option<String>,
}

/// What the decision rests on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSummary {
    pub doc_examples: usize,
    pub generated: usize,
    pub stress: usize,
    /// Inputs on which the original itself fails, with the reason.
    pub dropped: Vec<DroppedInput>,
    /// Workspace tests the original passes (and that every candidate must pass).
    pub workspace_tests: Vec<String>,
    /// Inputs (after screening) every candidate was checked and measured on.
    #[serde(default)]
    pub inputs_used: usize,
    /// Calls of the function written in its tests, used as inputs.
    #[serde(default)]
    pub test_calls: usize,
    /// Small inputs every candidate was checked on (correctness only).
    #[serde(default)]
    pub small_scope: usize,
    /// Inputs on which the original raises: a candidate must raise the same.
    #[serde(default)]
    pub expected_errors: usize,
}

/// The evidence's mutation score, measured on the original once the job
/// was about to offer a version: how many small mutants of the original
/// the evidence tells from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MutationReport {
    /// Mutants the evidence tells apart (a timeout counts).
    pub killed: usize,
    /// Mutants counted: killed and survivors.
    pub total: usize,
    /// Mutants no input tells apart (probably the same behaviour): not
    /// counted.
    pub equivalent: usize,
    /// The mutants the evidence misses, e.g. "line 4: `<` → `<=`".
    pub survivors: Vec<String>,
    /// Mutants that did not build: not counted.
    pub invalid: usize,
    /// Mutants not run in the time the score may take: not counted.
    #[serde(default)]
    pub skipped: usize,
    /// killed / total; `None` when no mutant counts.
    pub score: Option<f64>,
    /// The configured floor (`pipeline.mutation_floor`).
    pub floor: f64,
}

impl MutationReport {
    pub fn new(score: &MutationScore, floor: f64) -> MutationReport {
        MutationReport {
            killed: score.killed,
            total: score.counted(),
            equivalent: score.equivalent.len(),
            survivors: score.survived.clone(),
            invalid: score.invalid,
            skipped: score.skipped,
            score: score.score(),
            floor,
        }
    }

    /// "the evidence catches 47 of 50 mutants (2 equivalent)", or "no
    /// mutant to score".
    pub fn summary(&self) -> String {
        super::mutation::summary_text(
            self.killed,
            self.total,
            [self.equivalent, self.invalid, self.skipped],
            "no mutant to score the evidence on",
        )
    }
}

/// How the job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobVerdict {
    /// A verified, measurably better variant was found.
    Faster,
    /// A stub was implemented and passes its tests (no faster variant).
    Generated,
    /// A failing function was fixed and passes its tests (no faster variant).
    Fixed,
    /// Candidates were correct but none beat the noise.
    Tie,
    /// Correct candidates were all worse.
    Slower,
    /// No candidate was correct.
    Incorrect,
    /// The job could not judge anything (thin evidence, no models, ...).
    Refused,
    /// Infrastructure failure or cancellation.
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub function: String,
    pub language: Language,
    pub metric: Metric,
    pub categories: Vec<Category>,
    pub accepted: bool,
    pub verdict: JobVerdict,
    /// original / candidate on the metric (above 1 is better).
    pub speedup: Option<f64>,
    /// The accepted function.
    pub code: Option<String>,
    /// The whole file with the accepted function spliced in.
    pub new_file_text: Option<String>,
    /// The accepted variant against the original, measured directly.
    pub figures: Option<Figures>,
    pub llm_calls: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub iterations: Vec<Iteration>,
    pub evidence: EvidenceSummary,
    /// The evidence's mutation score, when a version was about to be
    /// offered and the score is on (`pipeline.mutants`).
    #[serde(default)]
    pub mutation: Option<MutationReport>,
    /// Things the user should know: refusals, budget stops, skipped stages.
    pub notes: Vec<String>,
    pub wall_ms: u64,
    /// Time spent in perforch itself: wall minus model calls and executor work.
    pub overhead_ms: u64,
}

impl Report {
    /// The per-iteration table and the result, as markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## perforch: `{}` ({}, metric: {})\n\n",
            self.function, self.language, self.metric
        );
        out.push_str("| # | stage | model | tokens in/out | cost | outcome | ratio [99% CI] | CPU ms original → candidate |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for iteration in &self.iterations {
            let (ratio, cpu) = match &iteration.figures {
                Some(f) => (
                    format!("{:.3} [{:.3}, {:.3}]", f.ratio, f.ci_low, f.ci_high),
                    format!("{:.3} → {:.3}", f.original.cpu_ms, f.candidate.cpu_ms),
                ),
                None => ("".into(), "".into()),
            };
            out.push_str(&format!(
                "| {} | {:?} | {} | {}/{} | ${:.4} | {} | {} | {} |\n",
                iteration.index,
                iteration.stage,
                iteration.model,
                iteration.input_tokens,
                iteration.output_tokens,
                iteration.cost_usd,
                iteration.summary.replace('|', "\\|"),
                ratio,
                cpu
            ));
        }
        out.push_str(&format!(
            "\n**Result: {}**{}. {} model calls, {} + {} tokens, ${:.4}, {:.1} s.\n",
            format!("{:?}", self.verdict).to_lowercase(),
            match (self.accepted, self.speedup) {
                (true, Some(speedup)) => format!(" — ×{speedup:.2} on {}", self.metric),
                (true, None) => String::new(),
                // Said in words: a bare "tie" or "incorrect" leaves users
                // wondering whether anything was changed.
                (false, _) => " — no verified improvement, the code stays as it is".to_string(),
            },
            self.llm_calls,
            self.input_tokens,
            self.output_tokens,
            self.cost_usd,
            self.wall_ms as f64 / 1000.0
        ));
        if let Some(mutation) = &self.mutation {
            out.push_str(&format!("\nEvidence strength: {}", mutation.summary()));
            if let Some(score) = mutation.score {
                out.push_str(&format!(
                    ", a mutation score of {:.0}% (floor {:.0}%)",
                    score * 100.0,
                    mutation.floor * 100.0
                ));
            }
            if !mutation.survivors.is_empty() {
                let shown: Vec<&str> = mutation
                    .survivors
                    .iter()
                    .take(5)
                    .map(String::as_str)
                    .collect();
                out.push_str(&format!("; missed: {}", shown.join("; ")));
                if mutation.survivors.len() > shown.len() {
                    out.push_str(&format!(
                        " and {} more",
                        mutation.survivors.len() - shown.len()
                    ));
                }
            }
            out.push_str(".\n");
        }
        for note in &self.notes {
            out.push_str(&format!("\n- {note}"));
        }
        if !self.notes.is_empty() {
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mutation_object_counts_killed_and_survivors_and_the_text_names_the_misses() {
        let score = MutationScore {
            mutants: 24,
            killed: 9,
            survived: vec!["line 4: `<` → `<=`".into(), "line 6: `+=` → `-=`".into()],
            equivalent: vec!["line 2: `0` → `1`".into()],
            invalid: 2,
            skipped: 0,
            tellers: Vec::new(),
        };
        let mutation = MutationReport::new(&score, 0.8);
        assert_eq!((mutation.killed, mutation.total), (9, 11));
        assert_eq!((mutation.equivalent, mutation.invalid), (1, 2));
        assert_eq!(mutation.score, Some(9.0 / 11.0));
        assert_eq!(
            mutation.summary(),
            "the evidence catches 9 of 11 mutants (1 equivalent, 2 did not build)"
        );
        let json = serde_json::to_value(&mutation).unwrap();
        assert_eq!(json["survivors"][0], "line 4: `<` → `<=`");
        assert_eq!(json["total"], 11);
        let none = MutationReport::new(&MutationScore::default(), 0.8);
        assert_eq!(none.score, None);
        assert_eq!(none.summary(), "no mutant to score the evidence on");
    }
}
