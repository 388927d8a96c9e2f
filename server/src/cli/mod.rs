//! The command line: `perforch lsp`, `perforch functions`, `perforch doctor`, and the commands
//! later parts add. Errors here are `anyhow`: this is the edge of the program.

mod functions;
mod test_discovery;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "perforch", version, about = "A language server that makes functions faster and proves it")]
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
    /// List the tests of a function (and with --run, run them in the sandbox).
    Tests {
        file: PathBuf,
        function: String,
        /// The class, struct, impl or receiver type of a method.
        #[arg(long)]
        container: Option<String>,
        /// Workspace root (default: the nearest folder with perforch.toml or .git).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Run the tests against the workspace as it is.
        #[arg(long)]
        run: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Lsp { stdio: _ } => run_lsp(),
        Command::Doctor => {
            let report = crate::executor::doctor_report(&crate::executor::ExecutorConfig::default());
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Functions { file, json } => {
            let mut stdout = std::io::stdout().lock();
            functions::run(&file, json, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tests { file, function, container, root, run, json } => {
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

fn run_lsp() -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let end = runtime.block_on(crate::lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    tracing::info!(?end, "language server stopped");
    // Background tasks blocked on stdin must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(ExitCode::from(end.exit_code() as u8))
}
