//! Command-line interface.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pgmend",
    version,
    about = "Inspect PostgreSQL application databases against an expected schema and mend them safely",
    after_help = "Connections are found in libpq's order: the CONN argument (URL, key=value or database name), \
                  --profile from the config file, DATABASE_URL, then PG* variables, pg_service.conf and ~/.pgpass."
)]
pub struct Cli {
    /// Config file (default: $XDG_CONFIG_HOME/pgmend/config.toml).
    #[arg(long, global = true, value_name = "PATH", env = "PGMEND_CONFIG")]
    pub config: Option<PathBuf>,

    /// Connect with a named profile from the config file.
    #[arg(long, short = 'P', global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Log level for the log file (error, warn, info, debug, trace). Logs never go to the screen.
    #[arg(long, global = true, default_value = "warn", value_name = "LEVEL")]
    pub log_level: String,

    /// Cancel any statement running longer than this (e.g. 30s, 2m).
    #[arg(long, global = true, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub statement_timeout: Option<Duration>,

    /// Give up connecting after this long (e.g. 10s).
    #[arg(long, global = true, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub connect_timeout: Option<Duration>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print what the database holds: schemas, tables, views, enums, indexes, RLS and policies,
    /// functions and triggers, roles and grants, extensions, migration history.
    Inventory(InventoryArgs),
}

#[derive(Debug, Args)]
pub struct ConnArg {
    /// postgres:// URL, key=value conninfo, or a database name.
    #[arg(value_name = "CONN")]
    pub conn: Option<String>,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub conn: ConnArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Only these schemas (repeatable). Default: every schema but PostgreSQL's own.
    #[arg(long = "schema", short = 's', value_name = "SCHEMA")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
