//! The command line: `perforch lsp`, `perforch functions`, `perforch doctor`, and the commands
//! later parts add. Errors here are `anyhow`: this is the edge of the program.

mod eval;
mod functions;

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
    /// Run a benchmark's own solutions (HumanEval-X, HumanEvalPack) through the executor.
    Eval(eval::EvalArgs),
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
        Command::Eval(args) => eval::run(args),
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
