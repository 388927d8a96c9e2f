//! The command line: `perforch lsp`, `perforch functions`, `perforch check`, `perforch doctor`, `perforch models`,
//! and the commands later parts add. Errors here are `anyhow`: this is the edge of the program.

mod check;
mod eval;
mod eval_models;
mod eval_mutation;
mod eval_replay;
mod functions;
mod models;
pub mod optimize;
mod profile;
mod test_discovery;
pub(crate) mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "perforch",
    version,
    about = "A language server that makes functions faster and proves it"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the language server over stdin/stdout (what editors start).
    Lsp {
        /// Accepted because editors pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Show the toolchains found and which sandbox protections are active here.
    Doctor,
    /// List the functions and methods of a source file.
    Functions {
        file: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Static performance hints: code patterns with a known cost (exit code 0: hints are advice).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of `path:line:col: id: message` lines.
        #[arg(long)]
        json: bool,
    },
    /// Measure a function on its doc examples, --inputs and workspace tests.
    Bench {
        #[command(flatten)]
        subject: verify::SubjectArgs,
    },
    /// Check a new version of a function: correct on every test and input,
    /// and faster (or smaller) beyond the noise? Exits 0 with a verdict on
    /// a correct version (faster, slower or tie), 1 when it is incorrect,
    /// 2 when there is too little evidence to say.
    Compare {
        #[command(flatten)]
        subject: verify::SubjectArgs,
        /// File holding the new version (the function, with any imports it needs).
        #[arg(long)]
        candidate: PathBuf,
        /// time, memory (= peak-memory), peak-memory, mean-memory or cpu.
        #[arg(long, default_value = "time")]
        metric: String,
    },
    /// Optimise one function: generate/fix/refine with the configured models,
    /// verify every candidate, and report; the file changes only with --write.
    Optimize {
        file: PathBuf,
        /// The function or method, as `perforch functions` prints it:
        /// `name`, `Class.method`, `Type::method`.
        #[arg(long)]
        function: String,
        /// A line (1-based) inside the function, to pick among several of
        /// one name (overloads).
        #[arg(long)]
        line: Option<usize>,
        /// What to improve: time, peak-memory, mean-memory or cpu.
        #[arg(long, default_value = "time")]
        metric: String,
        /// sequential (first verified improvement wins) or best-of-n.
        #[arg(long)]
        mode: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Write the accepted version into FILE.
        #[arg(long)]
        write: bool,
        /// Also write the markdown report to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Use only this configuration file (default: user + workspace perforch.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Workspace root (default: nearest folder with a project marker).
        #[arg(long)]
        workspace: Option<PathBuf>,
        /// Record every model exchange to this JSON-lines file.
        #[arg(long)]
        record: Option<PathBuf>,
        /// Answer model calls from a recording instead of the network.
        #[arg(long)]
        replay: Option<PathBuf>,
    },
    /// Rank the configured models for a stage, language and problem categories (PerfOrch's
    /// priors blended with the runs recorded here), with the reason for each place.
    Models {
        /// generate, fix or refine.
        #[arg(long)]
        stage: crate::routing::Stage,
        /// python, java, cpp, go or rust.
        #[arg(long = "lang", value_parser = models::parse_language)]
        language: crate::language::Language,
        /// A problem category (repeat or separate with commas): array, math, string, counting,
        /// number_theory, simulation, sorting, enumeration, greedy, hash_table.
        #[arg(long = "category", value_delimiter = ',')]
        categories: Vec<crate::routing::Category>,
        /// What refine optimises: time, peak-memory, mean-memory or cpu.
        #[arg(long, default_value = "time")]
        metric: crate::routing::Metric,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Read the configuration from this file only.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Workspace folder holding perforch.toml and .perforch/routing.json (default: here).
        #[arg(long)]
        workspace: Option<PathBuf>,
    },
    /// List the tests of a function (and with --run, run them in the sandbox).
    Tests {
        file: PathBuf,
        function: String,
        /// The class, struct, impl or receiver type of a method.
        #[arg(long)]
        container: Option<String>,
        /// Workspace root (default: the project folder around FILE, as for optimize).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Run the tests against the workspace as it is.
        #[arg(long)]
        run: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a benchmark's own solutions (HumanEval-X, HumanEvalPack) through the executor.
    Eval(eval::EvalArgs),
    /// Measure a configured model per stage, language and problem category on a
    /// benchmark and write its scores into the routing memory.
    Profile(profile::ProfileArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Lsp { stdio: _ } => run_lsp(),
        Command::Doctor => {
            let report =
                crate::executor::doctor_report(&crate::executor::ExecutorConfig::default());
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Functions { file, json } => {
            let mut stdout = std::io::stdout().lock();
            functions::run(&file, json, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { files, json } => {
            check::run(&files, json, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { subject } => verify::bench(subject),
        Command::Compare {
            subject,
            candidate,
            metric,
        } => verify::compare(subject, candidate, verify::parse_metric(&metric)?),
        Command::Optimize {
            file,
            function,
            line,
            metric,
            mode,
            json,
            write,
            report,
            config,
            workspace,
            record,
            replay,
        } => optimize::run(optimize::OptimizeArgs {
            file,
            function,
            line,
            metric: verify::parse_metric(&metric)?,
            mode: mode.as_deref().map(parse_mode).transpose()?,
            json,
            write,
            report,
            config,
            workspace,
            record,
            replay,
        }),
        Command::Models {
            stage,
            language,
            categories,
            metric,
            json,
            config,
            workspace,
        } => {
            let workspace = match workspace {
                Some(folder) => folder,
                None => std::env::current_dir()?,
            };
            let args = models::ModelsArgs {
                stage,
                language,
                categories: &categories,
                metric,
                json,
                config: config.as_deref(),
                workspace: &workspace,
            };
            models::run(args, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(args) => eval::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Tests {
            file,
            function,
            container,
            root,
            run,
            json,
        } => {
            let options = test_discovery::Options {
                file: &file,
                function: &function,
                container: container.as_deref(),
                root: root.as_deref(),
                run,
                json,
            };
            test_discovery::run(options, &mut std::io::stdout().lock())
        }
    }
}

fn parse_mode(text: &str) -> anyhow::Result<crate::config::RefineMode> {
    match text {
        "sequential" => Ok(crate::config::RefineMode::Sequential),
        "best-of-n" => Ok(crate::config::RefineMode::BestOfN),
        other => anyhow::bail!("--mode {other}: use `sequential` or `best-of-n`"),
    }
}

fn run_lsp() -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let end = runtime.block_on(crate::lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    tracing::info!(?end, "language server stopped");
    // Background tasks blocked on stdin must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(ExitCode::from(end.exit_code() as u8))
}
