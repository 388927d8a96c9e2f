//! One optimisation job in the background: the pipeline on the document
//! snapshot the command was validated against, with progress, and at the
//! end the result stored, the report written and the diagnostics published.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::FutureExt;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::MessageType;

use super::commands::Goal;
use super::diagnostics;
use super::job_result::JobResult;
use super::jobs::{Completion, JobKey, RunningJob};
use super::progress::JobProgress;
use super::session::Session;
use super::summary;
use crate::analysis::Function;
use crate::config::{Config, ConfigError};
use crate::document::Document;
use crate::models::RegistryOptions;
use crate::pipeline::job::EngineError;
use crate::pipeline::{Engine, JobRequest, PipelineError, Report, Step, optimize_with_steps};

/// Everything a job needs, fixed when the command was accepted.
pub(crate) struct JobSpec {
    pub key: JobKey,
    pub job: RunningJob,
    pub goal: Goal,
    /// The document at the validated version.
    pub snapshot: Document,
    pub function: Function,
    pub path: PathBuf,
    pub workspace_root: PathBuf,
    /// The editor's settings when the job started; `None` reads perforch.toml.
    pub editor_config: Option<Config>,
}

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Pipeline(PipelineError),
}

pub(crate) fn spawn(client: Client, session: Arc<Session>, spec: JobSpec) {
    let (key, id) = (spec.key.clone(), spec.job.id);
    tokio::spawn(async move {
        let job = AssertUnwindSafe(run(client.clone(), session.clone(), spec));
        if let Err(panic) = job.catch_unwind().await {
            // A bug in a job must not leave it registered as running (its
            // progress bar is ended by `JobProgress`'s drop).
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(job = id, "job panicked: {message}");
            session.jobs.complete(&key, id, None);
            client
                .show_message(
                    MessageType::ERROR,
                    format!("perforch failed while working on `{}`: {message}. This is a bug in perforch; please report it with the log.", key.function),
                )
                .await;
        }
    });
}

async fn run(client: Client, session: Arc<Session>, spec: JobSpec) {
    // `Moderation.count_shown`: a file may hold several of that name.
    let name = crate::analysis::qualified_name(&spec.function);
    let title = match spec.goal {
        Goal::Speed => format!("perforch: optimising `{name}` for speed"),
        Goal::Memory => format!("perforch: optimising `{name}` for memory"),
        Goal::Generate => format!("perforch: generating `{name}`"),
    };
    let progress = JobProgress::start(
        client.clone(),
        spec.job.progress_token.clone(),
        title,
        session.negotiated().work_done_progress,
    );
    let (id, key) = (spec.job.id, &spec.key);
    tracing::info!(job = id, function = name, goal = ?spec.goal, version = spec.snapshot.version(), "job started");
    let outcome = run_pipeline(&session, &spec, &progress).await;
    tracing::info!(job = id, outcome = ?outcome.as_ref().map(|report| report.verdict), "job ended");
    match outcome {
        Ok(report) => {
            let report_path = write_report(&session.options.reports_dir, &spec, &report);
            let headline = summary::headline(&report);
            let result = JobResult::new(
                id,
                spec.goal,
                &spec.snapshot,
                &spec.function,
                report,
                report_path,
            );
            match session.jobs.complete(key, id, Some(result)) {
                Completion::Current => {
                    progress.end(headline.lines().next().unwrap_or("done").to_string());
                    diagnostics::publish(&client, &session, &key.uri).await;
                }
                Completion::Superseded => progress.end("superseded by a newer run".to_string()),
            }
        }
        Err(JobError::Cancelled) => {
            let message = match session.jobs.complete(key, id, None) {
                Completion::Current => "cancelled",
                Completion::Superseded => "superseded by a newer run",
            };
            progress.end(message.to_string());
        }
        Err(error) => {
            tracing::warn!(job = id, function = name, %error, "job failed");
            let current = session.jobs.complete(key, id, None) == Completion::Current;
            progress.end(format!("failed: {error}"));
            if current {
                client
                    .show_message(
                        MessageType::ERROR,
                        format!("perforch could not work on `{name}`: {error}"),
                    )
                    .await;
            }
        }
    }
}

async fn run_pipeline(
    session: &Session,
    spec: &JobSpec,
    progress: &JobProgress,
) -> Result<Report, JobError> {
    let config = match &spec.editor_config {
        Some(config) => config.clone(),
        None => Config::load(Some(&spec.workspace_root))?,
    };
    // No model configured: the builtin offline optimizer works alone.
    let (config, _) = crate::builtin::with_default_model(config);
    let engine = Engine::new(
        config,
        &RegistryOptions {
            builtin: Some(crate::builtin::factory()),
            ..RegistryOptions::default()
        },
        session.options.executor.clone(),
        Some(&spec.workspace_root),
    )?;
    let request = JobRequest {
        path: spec.path.clone(),
        workspace_root: Some(spec.workspace_root.clone()),
        language: spec.snapshot.language(),
        file_text: spec.snapshot.source(),
        // The exact function under the cursor, not the first of its name.
        function: crate::analysis::qualified_name(&spec.function),
        line: Some(spec.function.start_line),
        metric: spec.goal.metric(),
        mode: None,
    };
    let on_step = |step: Step<'_>| progress.report(step.message, step.percent);
    let result = optimize_with_steps(&engine, request, spec.job.cancel.clone(), &on_step).await;
    // What the models did is worth keeping even when the job was cancelled.
    if let Err(error) = engine.save_routing() {
        tracing::warn!(%error, "the routing memory was not saved");
    }
    match result {
        Ok(report) => Ok(report),
        Err(PipelineError::Cancelled) => Err(JobError::Cancelled),
        Err(error) => Err(JobError::Pipeline(error)),
    }
}

/// The job's markdown report, in `dir`, named after the file, the function
/// and the job so reports of several runs sit side by side.
fn write_report(dir: &Path, spec: &JobSpec, report: &Report) -> Option<PathBuf> {
    let stem = spec
        .path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let path = dir.join(format!(
        "{}-{}-{}-{}.md",
        safe(&stem),
        safe(&spec.function.name),
        std::process::id(),
        spec.job.id
    ));
    let mut text = format!(
        "{}\nFile: `{}` (version {})\n",
        report.markdown(),
        spec.path.display(),
        spec.snapshot.version()
    );
    if let Some(code) = &report.code {
        text.push_str(&format!(
            "\n### Accepted version\n\n```{}\n{code}\n```\n",
            spec.snapshot.language().fence_tag()
        ));
    }
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text));
    match written {
        Ok(()) => Some(path),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "the job report could not be written");
            None
        }
    }
}
