use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // The sandbox launcher runs between fork and the candidate's exec: it is
    // internal, takes raw arguments, and must not set up logging or clap.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|word| word == "sandbox-exec") {
        let code = perforch::executor::sandbox::launcher_main(args.collect());
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    perforch::logging::init();
    let cli = perforch::cli::Cli::parse();
    match perforch::cli::run(cli) {
        Ok(code) => code,
        // `perforch functions big.rs | head` is not an error.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("perforch: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|json| json.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
