//! `perforch eval --models A,B --stage pipeline`: the whole optimisation
//! job, as `perforch optimize` runs it, on each task's canonical solution,
//! with the listed models as the only ones routing may pick. What the job
//! accepts is then judged by the benchmark, independently of the job's own
//! evidence: the task's tests must still pass (perforch must never hand a
//! user wrong code), and the accepted code is measured again against the
//! canonical solution on the benchmark's heavy inputs (its claimed speedup
//! must be real).
//!
//! A record's `success` is "accepted, passes the tests, and measured
//! faster again"; `status` says what happened otherwise: `no improvement`
//! (the job offered nothing, so the user's code stays as it was),
//! `accepted wrong` (the tests fail: the one outcome that must never
//! happen), or the re-measurement's own status (`tie`, `slower`...) when
//! the claim did not hold.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::dataset::Task;
use super::perf::PerfStatus;
use super::record::TaskStatus;
use super::stages::{EvalStage, StageRecord, StageRunner};
use crate::language::Language;
use crate::pipeline::{JobRequest, optimize};
use crate::routing::Metric;

/// The status of a task where the job offered nothing.
pub const NO_IMPROVEMENT: &str = "no improvement";
/// The status of accepted code that fails the benchmark's tests.
pub const ACCEPTED_WRONG: &str = "accepted wrong";

impl StageRunner<'_> {
    /// Run the pipeline on `tasks`; `label` names the model set in the records.
    pub fn run_pipeline<E>(
        &self,
        label: &str,
        tasks: &[&Task],
        metric: Metric,
        mut on_record: impl FnMut(StageRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        for (index, task) in tasks.iter().enumerate() {
            on_record(self.pipeline(label, task, index, metric))?;
        }
        Ok(())
    }

    fn pipeline(&self, label: &str, task: &Task, index: usize, metric: Metric) -> StageRecord {
        let started = Instant::now();
        let mut record = self.blank(EvalStage::Pipeline, label, task);
        let finish = |mut record: StageRecord, status: &str, detail: Option<String>| {
            record.status = status.to_string();
            record.detail = detail;
            record.wall_ms = started.elapsed().as_millis() as u64;
            record
        };
        let (Some(bench), Some(engine)) = (self.bench, self.engine) else {
            return finish(
                record,
                "error",
                Some("no judge or engine for the pipeline".into()),
            );
        };
        let (name, prepared) = match self.prepare(bench, task) {
            Ok(prepared) => prepared,
            Err(detail) => return finish(record, "error", Some(detail)),
        };
        // The job works on a real file in a folder of its own, as it would
        // in a user's workspace (without tests of its own: the benchmark's
        // tests are the independent check afterwards).
        let folder = self.work_root.join(format!(
            "{}-{}-pipeline-{index}",
            self.language.name(),
            task.task_id.replace(['/', '\\', '.'], "-")
        ));
        let path = folder.join(file_name(self.language));
        if let Err(error) = std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(&path, &prepared.baseline.file_text))
        {
            return finish(
                record,
                "error",
                Some(format!("{}: {error}", path.display())),
            );
        }
        let request = JobRequest {
            line: None,
            path,
            workspace_root: Some(folder.clone()),
            language: self.language,
            file_text: prepared.baseline.file_text.clone(),
            function: name,
            metric,
            mode: None,
        };
        let job = optimize(engine, request, CancellationToken::new(), &|_| {});
        let report = self.runtime.block_on(job);
        let _ = std::fs::remove_dir_all(&folder);
        let report = match report {
            Ok(report) => report,
            Err(error) => return finish(record, "error", Some(error.to_string())),
        };
        record.llm_calls = report.llm_calls as u32;
        record.input_tokens = report.input_tokens;
        record.output_tokens = report.output_tokens;
        record.cost_usd = report.cost_usd;
        let Some(file) = report.new_file_text.as_ref() else {
            // Offering nothing is correct: the user's code stays as it is.
            record.correct = true;
            let why = report.notes.first().cloned();
            return finish(record, NO_IMPROVEMENT, why);
        };
        record.claimed_speedup = report.speedup;
        record.accepted_code = report.code.clone();
        let (tests, failure) = self.test_file(task, file, index, "pipeline");
        if tests != TaskStatus::Passed {
            return finish(record, ACCEPTED_WRONG, Some(failure));
        }
        // The whole accepted file, so imports and helpers the new version
        // brought come along.
        let measured = bench.measure(&prepared, file);
        record.correct = measured.status.is_correct();
        record.success = measured.status == PerfStatus::Faster;
        if let Some(figures) = measured.figures {
            record.ratio = Some(figures.ratio);
            record.speedup = (figures.ratio > 0.0).then(|| 1.0 / figures.ratio);
        }
        let status = match measured.status {
            // The tests passed, but the heavy inputs tell the versions
            // apart, or the accepted version crashes or times out on them.
            PerfStatus::Incorrect | PerfStatus::RunFailed => ACCEPTED_WRONG,
            // Anything else (including perforch failing to measure) is
            // reported as it is, not counted against the acceptance.
            other => other.name(),
        };
        let detail = measured.detail.clone();
        finish(record, status, detail)
    }
}

/// A plausible file name for the task's file in each language (HumanEval's
/// Java solutions are a `class Solution`).
pub(crate) fn file_name(language: Language) -> &'static str {
    match language {
        Language::Python => "task.py",
        Language::Java => "Solution.java",
        Language::Cpp => "task.cpp",
        Language::Go => "task.go",
        Language::Rust => "task.rs",
    }
}
