//! `[pipeline]`: how an optimisation job searches and when it stops.

use serde::{Deserialize, Serialize};

/// How refine candidates from several models are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefineMode {
    /// Models in ranked order; the first one whose candidate is correct
    /// and significantly better wins (PerfOrch's sequential acceptance).
    #[default]
    Sequential,
    /// Every model tries; the best correct improvement is kept.
    BestOfN,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// How many ranked models the refine stage tries (PerfOrch: 5).
    pub top_k: usize,
    /// Refine iterations per model; each starts from the best version so far.
    pub iterations_per_model: usize,
    pub mode: RefineMode,
    /// Ordinary inputs asked from a model to test and time the function on.
    pub generated_inputs: usize,
    /// Large inputs asked from a model, to expose the algorithm's cost.
    pub stress_inputs: usize,
    /// Fewest inputs the original must pass before anything is judged;
    /// with less evidence perforch refuses instead of guessing.
    pub min_evidence: usize,
    /// Most model calls per job.
    pub max_calls: usize,
    /// Longest a job may run, in seconds.
    pub max_wall_secs: f64,
    /// Most a job may spend on model calls, in USD.
    pub max_cost_usd: f64,
    /// Measured runs per side (E).
    pub measure_runs: usize,
    /// Ask the top refine model to confirm the problem categories.
    pub classify_with_model: bool,
    /// Model entry that writes test inputs; default: the top refine model.
    pub inputs_model: Option<String>,
    /// Small inputs (empty, repeats, negatives, brackets, non-ASCII
    /// letters...) every candidate is checked on for correctness; 0 turns
    /// the check off.
    pub small_scope_inputs: usize,
    /// Before a faster version is offered, the evidence must tell at least
    /// this share of small mutants of the original from it (its mutation
    /// score); below it perforch gathers more small inputs, then refuses.
    pub mutation_floor: f64,
    /// Most mutants of the original the evidence is scored on (compiled
    /// languages use fewer: each costs a build); 0 turns the score off.
    pub mutants: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            top_k: 5,
            iterations_per_model: 1,
            mode: RefineMode::Sequential,
            generated_inputs: 10,
            stress_inputs: 3,
            min_evidence: 3,
            max_calls: 30,
            max_wall_secs: 900.0,
            max_cost_usd: 2.0,
            measure_runs: 5,
            classify_with_model: false,
            inputs_model: None,
            small_scope_inputs: 500,
            mutation_floor: 0.8,
            mutants: 24,
        }
    }
}
