//! Cost and usage accounting shared by the pipeline and reports.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::types::{Stage, Usage};
use crate::config::ModelConfig;

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Prices {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

impl Prices {
    pub fn from_config(config: &ModelConfig) -> Self {
        Prices {
            input_per_mtok: config.price_input_per_mtok,
            output_per_mtok: config.price_output_per_mtok,
        }
    }

    pub fn cost_usd(&self, usage: Usage) -> f64 {
        (usage.input_tokens as f64 * self.input_per_mtok
            + usage.output_tokens as f64 * self.output_per_mtok)
            / 1_000_000.0
    }
}

#[derive(Debug, Clone, Default)]
struct Totals {
    calls: u64,
    failed_calls: u64,
    input_tokens: u64,
    output_tokens: u64,
    cost_usd: f64,
    latency: Duration,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.calls += other.calls;
        self.failed_calls += other.failed_calls;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_usd += other.cost_usd;
        self.latency += other.latency;
    }
}

/// Thread-safe running totals, keyed by (model entry name, stage).
#[derive(Debug, Default)]
pub struct CostLedger {
    totals: Mutex<BTreeMap<(String, Stage), Totals>>,
}

/// One (model, stage) pair, or one model or stage summed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    /// Model entry name; `None` in per-stage sums.
    pub model: Option<String>,
    /// Stage; `None` in per-model sums.
    pub stage: Option<Stage>,
    /// Successful calls.
    pub calls: u64,
    /// Calls that ended in an error (cancellations are not counted).
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// Wall time of all calls, successful or not.
    pub total_latency_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerSummary {
    pub calls: u64,
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub total_latency_ms: u64,
    /// One row per (model, stage), sorted by model then stage.
    pub rows: Vec<LedgerRow>,
    /// One row per model.
    pub per_model: Vec<LedgerRow>,
    /// One row per stage.
    pub per_stage: Vec<LedgerRow>,
}

impl CostLedger {
    pub fn new() -> Self {
        CostLedger::default()
    }

    /// Record a successful call; returns its cost in USD.
    pub fn record_success(
        &self,
        model: &str,
        stage: Stage,
        usage: Usage,
        latency: Duration,
        prices: Prices,
    ) -> f64 {
        let cost = prices.cost_usd(usage);
        self.update(model, stage, |totals| {
            totals.calls += 1;
            totals.input_tokens += usage.input_tokens;
            totals.output_tokens += usage.output_tokens;
            totals.cost_usd += cost;
            totals.latency += latency;
        });
        cost
    }

    /// Record a failed call. Providers do not report usage on failure, so
    /// it adds time but no tokens or cost.
    pub fn record_failure(&self, model: &str, stage: Stage, latency: Duration) {
        self.update(model, stage, |totals| {
            totals.failed_calls += 1;
            totals.latency += latency;
        });
    }

    fn update(&self, model: &str, stage: Stage, change: impl FnOnce(&mut Totals)) {
        // A poisoned lock only means another thread panicked mid-update of
        // plain counters; the numbers are still usable.
        let mut totals = self
            .totals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(totals.entry((model.to_string(), stage)).or_default());
    }

    pub fn total_cost_usd(&self) -> f64 {
        self.summary().cost_usd
    }

    pub fn summary(&self) -> LedgerSummary {
        let totals = self
            .totals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut overall = Totals::default();
        let mut per_model: BTreeMap<String, Totals> = BTreeMap::new();
        let mut per_stage: BTreeMap<Stage, Totals> = BTreeMap::new();
        let mut rows = Vec::new();
        for ((model, stage), row) in &totals {
            overall.add(row);
            per_model.entry(model.clone()).or_default().add(row);
            per_stage.entry(*stage).or_default().add(row);
            rows.push(to_row(Some(model.clone()), Some(*stage), row));
        }
        LedgerSummary {
            calls: overall.calls,
            failed_calls: overall.failed_calls,
            input_tokens: overall.input_tokens,
            output_tokens: overall.output_tokens,
            cost_usd: overall.cost_usd,
            total_latency_ms: overall.latency.as_millis() as u64,
            rows,
            per_model: per_model
                .into_iter()
                .map(|(model, row)| to_row(Some(model), None, &row))
                .collect(),
            per_stage: per_stage
                .into_iter()
                .map(|(stage, row)| to_row(None, Some(stage), &row))
                .collect(),
        }
    }
}

fn to_row(model: Option<String>, stage: Option<Stage>, totals: &Totals) -> LedgerRow {
    LedgerRow {
        model,
        stage,
        calls: totals.calls,
        failed_calls: totals.failed_calls,
        input_tokens: totals.input_tokens,
        output_tokens: totals.output_tokens,
        cost_usd: totals.cost_usd,
        total_latency_ms: totals.latency.as_millis() as u64,
    }
}
