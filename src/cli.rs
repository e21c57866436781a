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

    /// Without a command: open the interactive app on this connection (postgres:// URL,
    /// key=value conninfo or a database name).
    #[arg(value_name = "CONN")]
    pub conn: Option<String>,

    #[command(flatten)]
    pub tui: TuiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Arguments of the interactive app given before a command, which would otherwise be
    /// ignored without a word (`pgmend URL check` checks the default connection, not URL).
    pub fn misplaced(&self) -> Option<String> {
        let cmd = self.command.as_ref()?;
        let name = cmd.name();
        let mut given = Vec::new();
        if let Some(c) = &self.conn {
            given.push(crate::db::params::redact(c));
        }
        given.extend(self.tui.presets.iter().map(|p| format!("--preset {p}")));
        given.extend(
            self.tui
                .checklists
                .iter()
                .map(|c| format!("--checklist {}", c.display())),
        );
        given.extend(self.tui.schemas.iter().map(|s| format!("--schema {s}")));
        (!given.is_empty()).then(|| {
            format!(
                "`{}` comes before the command `{name}`, where it belongs to the interactive app \
                 and would be ignored; put it after the command: `pgmend {name} {} …`",
                given.join(" "),
                given.join(" ")
            )
        })
    }
}

impl Command {
    /// The command's name on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Demo(_) => "demo",
            Command::Inventory(_) => "inventory",
            Command::Check(_) => "check",
            Command::Checklist(_) => "checklist",
            Command::Fix(_) => "fix",
            Command::Backup(_) => "backup",
            Command::Backups(_) => "backups",
            Command::Journal(_) => "journal",
            Command::Access(_) => "access",
            Command::Restore(_) => "restore",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
        }
    }
}

/// Options of the interactive app (no command).
#[derive(Debug, Args, Default)]
pub struct TuiArgs {
    /// A built-in checklist to check against (repeatable).
    #[arg(long = "preset", value_name = "NAME")]
    pub presets: Vec<String>,

    /// A checklist TOML file to check against (repeatable).
    #[arg(long = "checklist", value_name = "FILE")]
    pub checklists: Vec<std::path::PathBuf>,

    /// Colour theme: dark, light, high-contrast, or one of yours in the config dir's themes/.
    #[arg(long, value_name = "NAME", env = "PGMEND_THEME")]
    pub theme: Option<String>,

    /// Only these schemas (repeatable).
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A live, broken database to explore: starts a throwaway PostgreSQL, loads a scenario and
    /// opens the app on it with its preset; everything is removed on exit.
    Demo(DemoArgs),
    /// Print what the database holds: schemas, tables, views, enums, indexes, RLS and policies,
    /// functions and triggers, roles and grants, extensions, migration history.
    Inventory(InventoryArgs),
    /// Check the database against expected-schema checklists and run the lints.
    Check(CheckArgs),
    /// Work with checklists: capture a database as one, list or show the built-in presets.
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// Mend findings: print the fix plans as SQL (--dry-run), or back up, apply each plan on a
    /// writable session and check again (--yes).
    Fix(FixArgs),
    /// Take a verified backup of the database (pg_dump custom format) into the backup directory.
    Backup(BackupArgs),
    /// The backups in the backup directory: list them, or verify one.
    Backups(BackupsArgs),
    /// Print the journal of applied fixes.
    Journal(JournalArgs),
    /// Who can see and change what: for each table and view of the exposed schemas and each
    /// role, the rows it sees (counted live in a read-only transaction acting as it) and what
    /// select, insert, update and delete come to (allowed, denied, or filtered by which policy).
    Access(AccessArgs),
    /// Restore a verified backup: the whole database into a new one, or chosen tables into a
    /// side schema (restore_<time>) for comparison. Never over the live database by default.
    Restore(RestoreArgs),
    /// Print a shell completion script: `pgmend completions bash > /etc/bash_completion.d/pgmend`.
    Completions(CompletionsArgs),
    /// Print the man page (roff): `pgmend man > /usr/local/share/man/man1/pgmend.1`; with a
    /// folder, write pgmend.1 and one page per subcommand (pgmend-check.1, …) there.
    Man(ManArgs),
}

/// `pgmend man [DIR]`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write the pages into this folder instead of printing pgmend.1.
    pub dir: Option<std::path::PathBuf>,
}

/// `pgmend completions SHELL`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// What to check against: built-in presets, checklist files, or an expected schema built from
/// SQL or read from another database (`check` and `fix`).
#[derive(Debug, Clone, Default, Args)]
pub struct Sources {
    /// A built-in checklist (repeatable): virtual-audience, chat-system, lms, mood-journal, event-platform.
    #[arg(long = "preset", value_name = "NAME")]
    pub presets: Vec<String>,

    /// A checklist TOML file (repeatable).
    #[arg(long = "checklist", value_name = "FILE")]
    pub checklists: Vec<std::path::PathBuf>,

    /// SQL that builds the expected schema: a file, or a folder of migrations applied in path
    /// order, into a scratch database whose snapshot becomes the checklist (repeatable).
    #[arg(long = "expect-sql", value_name = "PATH")]
    pub expect_sql: Vec<std::path::PathBuf>,

    /// A database whose schema is the expectation (e.g. staging), snapshotted (repeatable).
    #[arg(long = "expect-db", value_name = "URL")]
    pub expect_db: Vec<String>,

    /// Where --expect-sql builds its scratch database (a server where you may CREATE DATABASE);
    /// default: a throwaway local cluster.
    #[arg(long, value_name = "URL")]
    pub scratch_url: Option<String>,

    /// Load a platform stand-in into the scratch database before the SQL (supabase: roles
    /// anon/authenticated/service_role, schema auth, default grants).
    #[arg(long, value_name = "PLATFORM", value_parser = ["supabase"])]
    pub standin: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub conn: ConnArg,

    #[command(flatten)]
    pub sources: Sources,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,

    /// Only these schemas (repeatable).
    #[arg(long = "schema", short = 's', value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Do not run the lints (only the checklist items).
    #[arg(long)]
    pub no_lints: bool,

    /// List the items that passed too (text format).
    #[arg(long)]
    pub show_passed: bool,

    /// Findings already known (a file `--write-baseline` wrote): only new ones count for
    /// --fail-on, and those that disappeared are reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<std::path::PathBuf>,

    /// Write this run's findings to FILE as a baseline (the exit code is unchanged).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Checking many databases at once (`pgmend check` in fleet mode).
#[derive(Debug, Clone, Args)]
pub struct FleetArgs {
    /// Fleet: check every profile whose name matches GLOB (`*`, `?`), concurrently; prints a
    /// matrix of databases × finding severities.
    #[arg(
        long,
        value_name = "GLOB",
        conflicts_with = "all_profiles",
        help_heading = "Fleet"
    )]
    pub profiles: Option<String>,

    /// Fleet: check every profile of the config file.
    #[arg(long, help_heading = "Fleet")]
    pub all_profiles: bool,

    /// Fleet: check every connection listed in FILE (a URL or conninfo per line; blank lines
    /// and `#` comments skipped; `-` reads standard input).
    #[arg(long, value_name = "FILE", help_heading = "Fleet")]
    pub urls_from: Option<PathBuf>,

    /// Fleet: databases checked at the same time, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..), help_heading = "Fleet")]
    pub jobs: u16,

    /// Fleet: give up on one database after this long (connecting, reading and checking).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "5m", help_heading = "Fleet")]
    pub db_timeout: Duration,
}

impl Default for FleetArgs {
    fn default() -> Self {
        FleetArgs {
            profiles: None,
            all_profiles: false,
            urls_from: None,
            jobs: 4,
            db_timeout: Duration::from_secs(300),
        }
    }
}

impl CheckArgs {
    /// Whether many databases are to be checked (`--profiles`, `--all-profiles`, `--urls-from`).
    pub fn is_fleet(&self) -> bool {
        let f = &self.fleet;
        f.profiles.is_some() || f.all_profiles || f.urls_from.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    /// GitLab's code-quality report (`artifacts:reports:codequality`).
    Codequality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    /// The severity `--fail-on` names: a finding at it or above decides the exit code.
    pub fn threshold(self) -> crate::rules::Severity {
        use crate::rules::Severity;
        match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Print a database's schema as a checklist TOML (capture a known-good database).
    Snapshot {
        #[command(flatten)]
        conn: ConnArg,
        /// Only these schemas (repeatable).
        #[arg(long = "schema", short = 's', value_name = "SCHEMA")]
        schemas: Vec<String>,
    },
    /// List the built-in presets.
    Presets,
    /// Print a built-in preset's TOML.
    Show {
        /// The preset's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The scenario (default: mood-journal). `--list` shows them.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,

    /// Load the scenario's intended (healthy) state instead of the broken one.
    #[arg(long)]
    pub intended: bool,

    /// Colour theme.
    #[arg(long, value_name = "NAME", env = "PGMEND_THEME")]
    pub theme: Option<String>,
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

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub conn: ConnArg,

    #[command(flatten)]
    pub sources: Sources,

    /// Only these schemas (repeatable).
    #[arg(long = "schema", short = 's', value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Do not run the lints (only the checklist items are fixed and checked).
    #[arg(long)]
    pub no_lints: bool,

    /// Fix only these findings (ids as `pgmend check` prints them; repeatable).
    #[arg(long = "only", value_name = "ID", conflicts_with = "all")]
    pub only: Vec<String>,

    /// Undo a journal entry (its id, as `pgmend journal` prints it): its undo SQL is the plan,
    /// through the same backup, apply and journal (journaled as `undo`).
    #[arg(long, value_name = "ID", conflicts_with_all = ["all", "only", "sql"])]
    pub undo: Option<String>,

    /// Apply SQL you wrote for the one --only finding pgmend has no fix for (start from the
    /// template `pgmend check` and the app show), through the same backup, apply and re-check;
    /// journaled as `hand-written`. `-` reads standard input.
    #[arg(long, value_name = "FILE", requires = "only", conflicts_with = "all")]
    pub sql: Option<PathBuf>,

    /// Fix every fixable finding of the checklists (lint findings too with --lints), except
    /// those resting on an assumption of the checklist (`assumed`): --only fixes those.
    #[arg(long)]
    pub all: bool,

    /// With --all: also mend the lints' findings (by default --all mends only what the
    /// checklists ask for, so a lint never undoes a checklist's choice).
    #[arg(long, requires = "all", conflicts_with = "no_lints")]
    pub lints: bool,

    /// Print the plans as one SQL script; change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,

    /// Also write the applied (--yes) or planned (--dry-run) plans as a migration of the app's
    /// tool, so its migrations folder knows what pgmend changed: `prisma DIR`
    /// (DIR/prisma/migrations/<ts>_pgmend_<name>/), `supabase DIR`
    /// (DIR/supabase/migrations/<ts>_pgmend_<name>.sql), `typeorm DIR` (a migration class in
    /// DIR), `drizzle DIR` (an SQL migration in drizzle-kit's out folder DIR, appended to
    /// DIR/meta/_journal.json) or `sql DIR` (a plain psql file).
    #[arg(long, num_args = 2, value_names = ["FORMAT", "DIR"])]
    pub emit_migration: Vec<String>,

    /// The emitted migration's name: `<ts>_pgmend_<NAME>` (default `fixes`).
    #[arg(long, value_name = "NAME", requires = "emit_migration")]
    pub migration_name: Option<String>,

    /// The value existing rows get in a column made NOT NULL without a known default:
    /// `[schema.]table.column=SQL expression` (repeatable). Without it such a plan is refused
    /// on a table with rows, before any backup.
    #[arg(long = "backfill", value_name = "COLUMN=EXPR")]
    pub backfill: Vec<String>,

    /// What becomes of rows sharing the values of a new unique key:
    /// `[schema.]table(col, …)=keep-newest|keep-oldest|by-hand|partial` (repeatable). Without
    /// it such a plan is refused, with the duplicate groups, before any backup.
    #[arg(long = "duplicates", value_name = "KEY=CHOICE")]
    pub duplicates: Vec<String>,

    /// Apply the plans (without a prompt: this is the confirmation).
    #[arg(long)]
    pub yes: bool,

    /// On a profile marked `production = true`: the database name, typed out, to confirm --yes.
    #[arg(long, value_name = "NAME")]
    pub confirm_database: Option<String>,

    /// Where the backup goes (default: $XDG_DATA_HOME/pgmend/backups).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Apply without taking a backup first (recorded in the journal as `"no_backup": true`).
    #[arg(long)]
    pub no_backup: bool,

    /// Complete an interrupted apply (its run id, as `pgmend check` shows it): the steps the
    /// catalog shows were not done, through backup, apply, journal and re-check.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["all", "only", "roll_back"])]
    pub resume: Option<String>,

    /// Roll back an interrupted apply (its run id): its plan's undo, through the same path.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["all", "only"])]
    pub roll_back: Option<String>,

    /// Back up only the existing tables the plans change (pg_dump --table), for a large
    /// database when the plans touch few tables; a plan changing anything else is refused.
    #[arg(long, conflicts_with = "no_backup")]
    pub backup_changed_only: bool,

    /// Start the backup even when its directory has less free space than the tables' data
    /// to dump (the check errs on the safe side: pg_dump compresses).
    #[arg(long)]
    pub no_space_check: bool,

    /// Give up waiting for a lock after this long (each attempt).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "2s", value_name = "DURATION")]
    pub lock_timeout: Duration,

    /// Attempts in all for a step that cannot have its lock.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,

    /// Past --retries, keep trying a step (its whole transactional group) that cannot have its
    /// lock until this long after its first attempt (e.g. 10m); each attempt still gives up
    /// after --lock-timeout, so other sessions never queue behind pgmend for longer.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub wait_for_locks: Option<Duration>,

    /// When a step cannot have its lock, end the sessions holding it (pg_terminate_backend)
    /// before trying again. Never done without this flag; each one is printed and journaled.
    #[arg(long)]
    pub terminate_blockers: bool,

    /// Exit 1 when a finding at least this severe remains after the fixes.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub conn: ConnArg,

    /// Where the backup goes (default: $XDG_DATA_HOME/pgmend/backups).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Fail when a table stays locked by another session this long.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5s", value_name = "DURATION")]
    pub lock_wait_timeout: Duration,

    /// Start the backup even when its directory has less free space than the tables' data
    /// to dump (the check errs on the safe side: pg_dump compresses).
    #[arg(long)]
    pub no_space_check: bool,
}

#[derive(Debug, Args)]
pub struct BackupsArgs {
    #[command(subcommand)]
    pub command: Option<BackupsCommand>,

    /// The backup directory (default: $XDG_DATA_HOME/pgmend/backups).
    #[arg(long, global = true, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BackupsCommand {
    /// The backups with size, date and whether they were verified when taken (the default).
    List,
    /// Check that pg_restore reads a backup whole and that its sha256 matches the one recorded.
    Verify {
        /// The backup file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(flatten)]
    pub conn: ConnArg,

    /// Act as this subject (repeatable): `anon`, `authenticated:<user id>`, `service_role`, or
    /// any role (`ROLE:<user id>` with a user id). Default: anon, authenticated as two real
    /// users (from the tables' owner column, else auth.users) and service_role.
    #[arg(long = "as", value_name = "SUBJECT")]
    pub subjects: Vec<String>,

    /// Only these schemas (repeatable). Default: the exposed schemas (`public` on Supabase).
    #[arg(long = "schema", short = 's', value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Stop counting a relation's rows after this many (shown as "N+").
    #[arg(long, default_value_t = 1000, value_name = "ROWS")]
    pub cap: u64,

    /// Cancel a count running longer than this (reported as "timed out").
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Print the raw JSON lines.
    #[arg(long)]
    pub json: bool,

    /// The journal file (default: $XDG_DATA_HOME/pgmend/journal.jsonl).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `pgmend restore BACKUP --into NEW_DB_OR_URL`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (`pgmend backups` lists them); it is verified before anything is done.
    #[arg(value_name = "BACKUP")]
    pub backup: PathBuf,

    /// Where to restore: a database name (on the server of the default connection or
    /// --profile) or a postgres:// URL. Without --table it must be new (it is created) or
    /// empty; with --table the tables go into a new side schema of it.
    #[arg(long, value_name = "NEW_DB_OR_URL", required_unless_present = "list")]
    pub into: Option<String>,

    /// Restore only this table (SCHEMA.NAME or NAME in public; repeatable) into a side schema
    /// `restore_<backup time>`: its columns and rows, for comparison with the live one.
    #[arg(long = "table", value_name = "TABLE")]
    pub tables: Vec<String>,

    /// The tables a journal entry changed (its id, as `pgmend journal` prints it), like --table.
    #[arg(long, value_name = "ID")]
    pub entry: Option<String>,

    /// Print what would be restored (the archive's entries picked) and change nothing.
    #[arg(long)]
    pub list: bool,

    /// Restore without asking (this is the confirmation).
    #[arg(long)]
    pub yes: bool,

    /// Objects belong to the restoring role (for a server without the archive's roles).
    #[arg(long)]
    pub no_owner: bool,

    /// Restore the whole backup over the very database it came from (each object of the
    /// backup dropped and created again, in one transaction), after a fresh verified backup of
    /// it. Needs --confirm-database with --yes.
    #[arg(long, conflicts_with_all = ["tables", "entry"])]
    pub over_source_database: bool,

    /// With --over-source-database --yes: the database name, typed out.
    #[arg(long, value_name = "NAME")]
    pub confirm_database: Option<String>,

    /// Where the fresh backup before --over-source-database goes.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}
