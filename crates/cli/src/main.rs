//! `rolebar`: the aws-vault-style command line over rolebar-core.

mod agent;
mod approve;
mod commands;
mod context;
mod mfa_sources;
mod prompt;
mod sso;

use clap::Parser;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "rolebar",
    version,
    about = "Assume AWS roles with MFA; keys and sessions live in the OS keyring"
)]
struct Cli {
    /// Do not ask the running Rolebar tray app (its agent) for sessions: prompt here instead.
    #[arg(long, global = true, env = "ROLEBAR_NO_AGENT", value_parser = clap::builder::BoolishValueParser::new())]
    no_agent: bool,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    // ROLEBAR_LOG=debug is Rolebar's debug: other crates stay at info unless named (the AWS
    // SDK's debug lines print full access key ids).
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: logs piped to a file or a grep stay plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(rolebar_core::logging::env_filter("warn"))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rolebar: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, cli.no_agent)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rolebar: {e}");
            ExitCode::FAILURE
        }
    }
}
