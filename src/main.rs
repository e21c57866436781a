use clap::Parser;

use pgmend::cli::{Cli, Command};
use pgmend::commands::{self, exit};

fn main() {
    let cli = Cli::parse();
    // Parsed: no password given on the command line stays visible in `ps`.
    pgmend::process::hide_passwords();
    pgmend::process::quiet_broken_pipe();
    pgmend::logging::init(&cli.log_level);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(exit::ERROR);
        }
    };
    if let Some(msg) = cli.misplaced() {
        eprintln!("error: {msg}");
        std::process::exit(exit::ERROR);
    }
    let code = runtime.block_on(async {
        let result = match &cli.command {
            None => commands::tui::run(&cli, &cli.tui).await,
            Some(Command::Demo(args)) => commands::demo::run(&cli, args).await,
            Some(Command::Inventory(args)) => commands::inventory::run(&cli, args).await,
            Some(Command::Check(args)) => commands::check::run(&cli, args).await,
            Some(Command::Checklist(cmd)) => commands::checklist::run(&cli, cmd).await,
            Some(Command::Fix(args)) => commands::fix::run(&cli, args).await,
            Some(Command::Backup(args)) => commands::backup::run(&cli, args).await,
            Some(Command::Backups(args)) => commands::backup::run_backups(&cli, args).await,
            Some(Command::Journal(args)) => commands::journal::run(&cli, args).await,
            Some(Command::Access(args)) => commands::access::run(&cli, args).await,
            Some(Command::Restore(args)) => commands::restore::run(&cli, args).await,
            Some(Command::Completions(args)) => {
                commands::docs::completions(args, &mut std::io::stdout())
            }
            Some(Command::Man(args)) => commands::docs::man(args, &mut std::io::stdout()),
        };
        result.unwrap_or_else(|e| {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            exit::ERROR
        })
    });
    std::process::exit(code);
}
