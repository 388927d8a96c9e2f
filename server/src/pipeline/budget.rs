//! Limits of one job: model calls, wall time and money. Checked before every
//! model call, so a job stops between steps with a note, never mid-edit.

use std::time::{Duration, Instant};

use crate::config::PipelineConfig;

#[derive(Debug, Clone)]
pub struct Budget {
    started: Instant,
    max_wall: Duration,
    max_calls: usize,
    max_cost_usd: f64,
    pub calls: usize,
    pub cost_usd: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Time spent waiting for models and for the executor.
    pub model_time: Duration,
    pub executor_time: Duration,
}

impl Budget {
    pub fn new(config: &PipelineConfig) -> Budget {
        Budget {
            started: Instant::now(),
            max_wall: Duration::from_secs_f64(config.max_wall_secs),
            max_calls: config.max_calls,
            max_cost_usd: config.max_cost_usd,
            calls: 0,
            cost_usd: 0.0,
            input_tokens: 0,
            output_tokens: 0,
            model_time: Duration::ZERO,
            executor_time: Duration::ZERO,
        }
    }

    /// Why no further model call may be made, if so.
    pub fn exhausted(&self) -> Option<String> {
        if self.calls >= self.max_calls {
            Some(format!(
                "stopped after {} model calls (pipeline.max_calls)",
                self.calls
            ))
        } else if self.cost_usd >= self.max_cost_usd && self.max_cost_usd > 0.0 {
            Some(format!(
                "stopped after spending ${:.4} (pipeline.max_cost_usd = {})",
                self.cost_usd, self.max_cost_usd
            ))
        } else if self.elapsed() >= self.max_wall {
            Some(format!(
                "stopped after {:.0} s (pipeline.max_wall_secs)",
                self.elapsed().as_secs_f64()
            ))
        } else {
            None
        }
    }

    /// Time left before the wall-clock limit.
    pub fn remaining(&self) -> Duration {
        self.max_wall.saturating_sub(self.elapsed())
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Wall time not spent in models or the executor.
    pub fn overhead(&self) -> Duration {
        self.elapsed()
            .saturating_sub(self.model_time)
            .saturating_sub(self.executor_time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_cost_exhaust_the_budget() {
        let config = PipelineConfig {
            max_calls: 2,
            max_cost_usd: 0.5,
            ..PipelineConfig::default()
        };
        let mut budget = Budget::new(&config);
        assert_eq!(budget.exhausted(), None);
        budget.calls = 2;
        assert!(budget.exhausted().unwrap().contains("2 model calls"));
        budget.calls = 0;
        budget.cost_usd = 0.6;
        assert!(budget.exhausted().unwrap().contains("max_cost_usd"));
    }
}
