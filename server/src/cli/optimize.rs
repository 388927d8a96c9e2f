//! `perforch optimize FILE --function NAME`: one pipeline job from the
//! command line. The file is only written with `--write`, only when a
//! variant was accepted, and only if nobody changed the file meanwhile.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, RefineMode};
use crate::discovery::workspace_root_of;
use crate::executor::ExecutorConfig;
use crate::language::Language;
use crate::models::RegistryOptions;
use crate::pipeline::{Engine, JobRequest, optimize};
use crate::routing::Metric;

pub struct OptimizeArgs {
    pub file: PathBuf,
    pub function: String,
    /// 1-based line inside the function (overloads).
    pub line: Option<usize>,
    pub metric: Metric,
    pub mode: Option<RefineMode>,
    pub json: bool,
    pub write: bool,
    pub report: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub replay: Option<PathBuf>,
}

/// Load the configuration: `--config FILE` alone, or the user's file plus
/// the workspace's.
pub fn load_config(explicit: Option<&Path>, workspace: &Path) -> anyhow::Result<Config> {
    match explicit {
        Some(file) => {
            if !file.exists() {
                bail!("{}: no such configuration file", file.display());
            }
            Ok(Config::load_files(None, Some(file))?)
        }
        None => Ok(Config::load(Some(workspace))?),
    }
}

/// A source file a command works on, with its workspace and configuration.
pub struct OpenedSource {
    /// Canonical path.
    pub file: PathBuf,
    pub language: Language,
    pub text: String,
    pub workspace: PathBuf,
    pub config: Config,
}

/// Read `file`, find its language (by extension) and workspace (`--workspace`
/// or the nearest project root), and load the configuration.
pub fn open_source(
    file: &Path,
    workspace: Option<PathBuf>,
    config: Option<&Path>,
) -> anyhow::Result<OpenedSource> {
    let path = std::fs::canonicalize(file)
        .with_context(|| format!("{}: cannot open the file", file.display()))?;
    let language = Language::from_path(&path).with_context(|| {
        format!(
            "{}: not a Python, Java, C++, Go or Rust file (by its extension)",
            path.display()
        )
    })?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read the file as UTF-8 text", path.display()))?;
    let workspace = workspace.unwrap_or_else(|| workspace_root_of(&path));
    let config = load_config(config, &workspace)?;
    Ok(OpenedSource {
        file: path,
        language,
        text,
        workspace,
        config,
    })
}

pub fn run(args: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let OpenedSource {
        file,
        language,
        text: file_text,
        workspace,
        config,
    } = open_source(&args.file, args.workspace.clone(), args.config.as_deref())?;
    let (config, builtin_only) = crate::builtin::with_default_model(config);
    if builtin_only && !args.json {
        eprintln!(
            "perforch: no models configured; using model builtin (offline rewrites of known slow patterns)"
        );
    }
    let options = RegistryOptions {
        record_to: args.record.clone(),
        replay_from: args.replay.clone(),
        builtin: Some(crate::builtin::factory()),
    };
    let engine = Engine::new(
        config,
        &options,
        ExecutorConfig::default(),
        Some(&workspace),
    )?;
    let request = JobRequest {
        path: file.clone(),
        workspace_root: Some(workspace),
        language,
        file_text: file_text.clone(),
        function: args.function.clone(),
        line: args.line.map(|line| line.saturating_sub(1)),
        metric: args.metric,
        mode: args.mode,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cancel = CancellationToken::new();
    let interrupt = cancel.clone();
    let show_progress = !args.json;
    let progress = move |message: &str| {
        if show_progress {
            eprintln!("perforch: {message}");
        }
    };
    let mut report = runtime.block_on(async {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupt.cancel();
            }
        });
        optimize(&engine, request, cancel, &progress).await
    })?;
    if builtin_only {
        report.notes.insert(
            0,
            "no models are configured, so the builtin offline optimizer worked alone (model builtin: mechanical rewrites of known slow patterns; add [[models]] to perforch.toml for a language model)".into(),
        );
    }
    if let Err(error) = engine.save_routing() {
        eprintln!("perforch: warning: the routing memory was not saved: {error}");
    }
    if let Some(path) = &args.report {
        std::fs::write(path, report.markdown())
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", report.markdown())?;
        if let Some(code) = &report.code {
            writeln!(stdout, "\nAccepted version:\n```\n{code}\n```")?;
        }
    }
    if args.write {
        match &report.new_file_text {
            Some(new_text) => {
                // Never overwrite an edit made while the job ran.
                let now = std::fs::read_to_string(&file).unwrap_or_default();
                if now != file_text {
                    bail!(
                        "{}: the file changed while perforch worked; it was left as it is (run again on the new version)",
                        file.display()
                    );
                }
                std::fs::write(&file, new_text)
                    .with_context(|| format!("{}: cannot write the file", file.display()))?;
                if !args.json {
                    writeln!(stdout, "\nWrote {}", file.display())?;
                }
            }
            None => {
                if !args.json {
                    writeln!(
                        stdout,
                        "\nNothing accepted; {} is unchanged.",
                        file.display()
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
