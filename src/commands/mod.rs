//! The headless commands. Each returns the process exit code.

pub mod access;
pub mod backup;
pub mod check;
pub mod checklist;
pub mod demo;
pub mod docs;
pub mod fix;
pub mod fleet;
pub mod inventory;
pub mod journal;
pub mod restore;
pub mod resume;
pub mod tui;

use anyhow::Context;

use crate::cli::{Cli, ConnArg};
use crate::config::{self, Pooler};
use crate::db::{self, ConnParams, Session, SessionOptions, Source};

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const ERROR: i32 = 2;
}

/// Resolves the connection the command line asks for and opens a session; warnings (about
/// the config file, pgpass, poolers) are printed to stderr.
pub async fn open_session(cli: &Cli, conn: &ConnArg, read_only: bool) -> anyhow::Result<Session> {
    let loaded = config::load(cli.config.as_deref())?;
    let session = connect(cli, conn, read_only, &loaded).await?;
    for w in &session.warnings {
        eprintln!("warning: {w}");
    }
    Ok(session)
}

/// What the command line asks to connect to, resolved (profile settings included).
pub struct Plan {
    pub resolved: crate::db::Resolved,
    pub options: SessionOptions,
    pub profile: Option<(String, bool)>,
    pub warnings: Vec<String>,
}

/// Resolves the connection without opening it.
pub fn plan(
    cli: &Cli,
    conn: &ConnArg,
    read_only: bool,
    loaded: &config::Loaded,
) -> anyhow::Result<Plan> {
    let mut opts = SessionOptions {
        read_only,
        statement_timeout: loaded.config.defaults.statement_timeout,
        pooler: None,
    };
    let mut connect_timeout = Some(loaded.config.defaults.connect_timeout);
    let mut profile_info = None;
    let source = match (&conn.conn, &cli.profile) {
        (Some(_), Some(_)) => {
            anyhow::bail!("give either a connection argument or --profile, not both")
        }
        (Some(c), None) => Source::Argument(ConnParams::parse(c).context("connection argument")?),
        (None, Some(name)) => {
            let (profile, params) = loaded.profile(name)?;
            if let Some(t) = profile.statement_timeout {
                opts.statement_timeout = t;
            }
            opts.pooler = profile.pooler.map(|p| p == Pooler::Transaction);
            profile_info = Some((name.clone(), profile.production));
            Source::Profile {
                name: name.clone(),
                params,
            }
        }
        (None, None) => Source::Defaults,
    };
    if let Some(t) = cli.statement_timeout {
        opts.statement_timeout = t;
    }
    if cli.connect_timeout.is_some() {
        connect_timeout = cli.connect_timeout;
    }
    let mut resolved = db::resolve(source, &db::Env::from_process())?;
    // An explicit connect_timeout in the connection string wins over the configured default.
    if let Some(t) = connect_timeout
        && resolved.connect_timeout
            == std::time::Duration::from_secs(db::resolve::DEFAULT_CONNECT_TIMEOUT)
    {
        resolved.connect_timeout = t;
    }
    Ok(Plan {
        resolved,
        options: opts,
        profile: profile_info,
        warnings: loaded.warnings.clone(),
    })
}

/// Opens the session a plan describes; config warnings join the session's.
pub async fn connect(
    cli: &Cli,
    conn: &ConnArg,
    read_only: bool,
    loaded: &config::Loaded,
) -> anyhow::Result<Session> {
    let p = plan(cli, conn, read_only, loaded)?;
    tracing::info!(target = %p.resolved.target, source = %p.resolved.source, "connecting");
    let progress =
        crate::progress::Progress::spinner(format!("connecting to {}", p.resolved.target));
    let connected = db::connect(&p.resolved, &p.options).await;
    progress.finish();
    let mut session = match connected {
        Ok(s) => s,
        Err(e) => {
            // The warnings explain failures too (a pgpass others can read is ignored, as
            // libpq does): say them before the error.
            for w in p.warnings.iter().chain(&p.resolved.warnings) {
                eprintln!("warning: {w}");
            }
            return Err(e.into());
        }
    };
    let mut warnings = p.warnings;
    warnings.append(&mut session.warnings);
    session.warnings = warnings;
    Ok(session)
}

/// The check settings config.toml and `--no-lints` give: lint switches and waivers.
pub fn check_settings(loaded: &config::Loaded, no_lints: bool) -> crate::check::Settings {
    crate::check::Settings {
        lints: loaded.config.lints.clone(),
        waivers: loaded.config.waive.clone(),
        waivers_from: loaded
            .path
            .as_ref()
            .map_or("config".into(), |p| p.display().to_string()),
        no_lints,
    }
}
