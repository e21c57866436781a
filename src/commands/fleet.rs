//! `pgmend check --profiles GLOB | --all-profiles | --urls-from FILE`: many databases checked
//! concurrently (`--jobs`), each on its own connection and under its own timeout; one failing
//! database never stops the others. Prints a matrix of databases × finding severities (text or
//! JSON); the exit code is the worst outcome: 2 when a database could not be checked, 1 when a
//! finding reaches `--fail-on`, else 0.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use crate::check::{self, Report};
use crate::checklist::Checklist;
use crate::cli::{CheckArgs, CheckFormat, Cli, FailOn};
use crate::config::{self, Pooler};
use crate::db::{self, ConnParams, Resolved, SessionOptions, Source};
use crate::rules::Severity;

use super::exit;

/// One database of the fleet, as the command line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Profile(String),
    /// A line of `--urls-from`.
    Conn(String),
}

/// How checking one database went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Checked; no finding.
    Ok,
    /// Checked; findings (of any severity).
    Findings,
    /// Not checked: the reason is in `error`.
    Error,
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `user@host:port/db` once resolved, else the name given.
    pub database: String,
    /// `profile NAME` or the (password-free) line it came from.
    pub source: String,
    pub status: Status,
    pub counts: BTreeMap<Severity, usize>,
    pub worst: Option<Severity>,
    pub items: usize,
    pub failed_items: usize,
    pub lint_findings: usize,
    pub error: Option<String>,
    pub elapsed_ms: u64,
    pub warnings: Vec<String>,
}

/// The JSON document of fleet mode.
#[derive(Debug, Serialize)]
pub struct FleetJson<'a> {
    /// Always "pgmend.fleet".
    pub format: &'static str,
    pub version: u32,
    pub jobs: usize,
    pub checklists: Vec<String>,
    pub databases: &'a [Row],
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub databases: usize,
    pub ok: usize,
    pub findings: usize,
    pub errors: usize,
    pub worst: Option<Severity>,
    pub elapsed_ms: u64,
}

pub async fn run(cli: &Cli, args: &CheckArgs) -> anyhow::Result<i32> {
    if args.conn.conn.is_some() || cli.profile.is_some() {
        anyhow::bail!(
            "give either one connection (CONN or --profile) or a fleet (--profiles, --all-profiles, --urls-from), not both"
        );
    }
    if args.baseline.is_some() || args.write_baseline.is_some() {
        anyhow::bail!(
            "--baseline and --write-baseline describe one database; check each member on its own"
        );
    }
    if matches!(args.format, CheckFormat::Sarif | CheckFormat::Codequality) {
        anyhow::bail!(
            "--format sarif and codequality describe one database; fleet mode prints text or json"
        );
    }
    let started = Instant::now();
    let loaded = config::load(cli.config.as_deref())?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let members = members(args, &loaded)?;
    let lists = Arc::new(super::check::checklists(cli, args).await?);
    let settings = Arc::new(super::check_settings(&loaded, args.no_lints));
    let jobs = usize::from(args.fleet.jobs).max(1);
    let gate = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, m) in members.iter().enumerate() {
        let plan = resolve(cli, &loaded, m);
        let (lists, settings, gate) = (lists.clone(), settings.clone(), gate.clone());
        let (schemas, timeout) = (args.schemas.clone(), args.fleet.db_timeout);
        let source = label(m);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let t = Instant::now();
            let mut row = match plan {
                Err(e) => failed(source.clone(), source, format!("{e:#}")),
                Ok((resolved, options)) => {
                    let t = &resolved.target;
                    let database = format!("{}@{}:{}/{}", t.user, t.host_label(), t.port, t.dbname);
                    let work = check_one(resolved, options, lists, settings, schemas);
                    match tokio::time::timeout(timeout, work).await {
                        Err(_) => failed(
                            database,
                            source,
                            format!(
                                "gave up after {} (--db-timeout)",
                                humantime::format_duration(timeout)
                            ),
                        ),
                        Ok(Err(e)) => failed(database, source, e),
                        Ok(Ok((report, warnings))) => checked(database, source, &report, warnings),
                    }
                }
            };
            row.elapsed_ms = t.elapsed().as_millis() as u64;
            (i, row)
        });
    }
    let mut rows: Vec<Option<Row>> = vec![None; members.len()];
    let progress = crate::progress::Progress::count("checked databases", members.len() as u64);
    while let Some(done) = tasks.join_next().await {
        let (i, row) = done.context("a fleet task panicked")?;
        rows[i] = Some(row);
        progress.inc();
    }
    progress.finish();
    let rows: Vec<Row> = rows.into_iter().flatten().collect();
    let summary = Summary {
        databases: rows.len(),
        ok: rows.iter().filter(|r| r.status == Status::Ok).count(),
        findings: rows.iter().filter(|r| r.status == Status::Findings).count(),
        errors: rows.iter().filter(|r| r.status == Status::Error).count(),
        worst: rows.iter().filter_map(|r| r.worst).max(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    match args.format {
        CheckFormat::Json => {
            let doc = FleetJson {
                format: "pgmend.fleet",
                version: 1,
                jobs,
                checklists: lists.iter().map(|c| c.source.clone()).collect(),
                databases: &rows,
                summary,
            };
            crate::report::print_json(&doc)?;
            Ok(exit_code(&rows, args.fail_on))
        }
        _ => {
            print!("{}", render(&rows, &summary));
            Ok(exit_code(&rows, args.fail_on))
        }
    }
}

/// The databases the command line names, in order (profiles by name, then the file's lines).
pub fn members(args: &CheckArgs, loaded: &config::Loaded) -> anyhow::Result<Vec<Member>> {
    let mut out = Vec::new();
    let names = loaded.config.profiles.keys();
    if args.fleet.all_profiles {
        out.extend(names.map(|n| Member::Profile(n.clone())));
    } else if let Some(g) = &args.fleet.profiles {
        out.extend(
            names
                .filter(|n| glob(g, n))
                .map(|n| Member::Profile(n.clone())),
        );
        if out.is_empty() {
            anyhow::bail!("no profile matches `{g}` in the config file");
        }
    }
    if let Some(path) = &args.fleet.urls_from {
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin()).context("reading standard input")?
        } else {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        };
        out.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| Member::Conn(l.to_string())),
        );
    }
    if out.is_empty() {
        anyhow::bail!("the fleet is empty: no profile in the config file, or no line in the file");
    }
    Ok(out)
}

/// `*` (any run of characters) and `?` (one character) glob matching.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn label(m: &Member) -> String {
    match m {
        Member::Profile(n) => format!("profile {n}"),
        Member::Conn(c) => crate::db::params::redact(c),
    }
}

/// Where one member connects, with the same precedence as a single `check` (profile
/// settings, then the command line's timeouts).
fn resolve(
    cli: &Cli,
    loaded: &config::Loaded,
    m: &Member,
) -> anyhow::Result<(Resolved, SessionOptions)> {
    let mut opts = SessionOptions {
        read_only: true,
        statement_timeout: loaded.config.defaults.statement_timeout,
        pooler: None,
    };
    let source = match m {
        Member::Profile(name) => {
            let (profile, params) = loaded.profile(name)?;
            if let Some(t) = profile.statement_timeout {
                opts.statement_timeout = t;
            }
            opts.pooler = profile.pooler.map(|p| p == Pooler::Transaction);
            Source::Profile {
                name: name.clone(),
                params,
            }
        }
        Member::Conn(c) => Source::Argument(ConnParams::parse(c).context("connection")?),
    };
    if let Some(t) = cli.statement_timeout {
        opts.statement_timeout = t;
    }
    let mut resolved = db::resolve(source, &db::Env::from_process())?;
    let default = Duration::from_secs(db::resolve::DEFAULT_CONNECT_TIMEOUT);
    if let Some(t) = cli.connect_timeout {
        resolved.connect_timeout = t;
    } else if resolved.connect_timeout == default {
        resolved.connect_timeout = loaded.config.defaults.connect_timeout;
    }
    Ok((resolved, opts))
}

async fn check_one(
    resolved: Resolved,
    options: SessionOptions,
    lists: Arc<Vec<Checklist>>,
    settings: Arc<check::Settings>,
    schemas: Vec<String>,
) -> Result<(Report, Vec<String>), String> {
    let mut session = db::connect(&resolved, &options)
        .await
        .map_err(|e| e.to_string())?;
    let opts = super::check::read_options(&session, &schemas);
    let snap = crate::db::catalog::read_snapshot(&mut session.conn, &opts)
        .await
        .map_err(|e| e.to_string())?;
    let (adapted, mut report) =
        check::check_adapted(Some(&mut session.conn), &snap, &lists, &settings).await;
    crate::fix::mark_fixable(&mut report, &snap, adapted.as_deref().unwrap_or(&lists));
    let _ = sqlx::Connection::close(session.conn).await;
    Ok((report, session.warnings))
}

fn failed(database: String, source: String, error: String) -> Row {
    Row {
        database,
        source,
        status: Status::Error,
        counts: BTreeMap::new(),
        worst: None,
        items: 0,
        failed_items: 0,
        lint_findings: 0,
        error: Some(error),
        elapsed_ms: 0,
        warnings: Vec::new(),
    }
}

fn checked(database: String, source: String, r: &Report, warnings: Vec<String>) -> Row {
    let worst = r.worst();
    Row {
        database,
        source,
        status: if worst.is_some() {
            Status::Findings
        } else {
            Status::Ok
        },
        counts: r.counts(),
        worst,
        items: r.items.len(),
        failed_items: r
            .items
            .iter()
            .filter(|i| !i.passed() && !i.only_assumed())
            .count(),
        lint_findings: r.lint_findings.len(),
        error: None,
        elapsed_ms: 0,
        warnings,
    }
}

/// 2 when a database could not be checked, 1 when a finding reaches `fail_on`, else 0.
pub fn exit_code(rows: &[Row], fail_on: FailOn) -> i32 {
    let threshold = fail_on.threshold();
    if rows.iter().any(|r| r.status == Status::Error) {
        exit::ERROR
    } else if rows.iter().any(|r| r.worst.is_some_and(|w| w >= threshold)) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// The text matrix: one line per database, counts per severity, and the outcome.
pub fn render(rows: &[Row], s: &Summary) -> String {
    use std::fmt::Write;
    let width = rows
        .iter()
        .map(|r| r.database.chars().count())
        .chain([8])
        .max()
        .unwrap_or(8)
        .min(60);
    let mut out = format!("{:<width$}", "database");
    for sev in Severity::ALL {
        let _ = write!(out, " {:>8}", sev.as_str());
    }
    out.push_str("  result\n");
    for r in rows {
        let name: String = r.database.chars().take(width).collect();
        let _ = write!(out, "{name:<width$}");
        for sev in Severity::ALL {
            match r.status {
                Status::Error => out.push_str(&format!(" {:>8}", "-")),
                _ => out.push_str(&format!(" {:>8}", r.counts.get(&sev).copied().unwrap_or(0))),
            }
        }
        let result = match (r.status, r.worst) {
            (Status::Error, _) => {
                format!(
                    "error: {}",
                    r.error.as_deref().unwrap_or("unknown").replace('\n', " ")
                )
            }
            (_, Some(w)) => format!("findings (worst: {})", w.as_str()),
            (_, None) => "ok".into(),
        };
        let _ = writeln!(out, "  {result}");
    }
    let _ = writeln!(
        out,
        "\n{} databases: {} ok, {} with findings, {} not checked{} ({:.1} s)",
        s.databases,
        s.ok,
        s.findings,
        s.errors,
        s.worst
            .map(|w| format!("; worst finding: {}", w.as_str()))
            .unwrap_or_default(),
        s.elapsed_ms as f64 / 1000.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("tenant-*", "tenant-001"));
        assert!(glob("*", ""));
        assert!(glob("t?-*-prod", "t1-eu-prod"));
        assert!(!glob("tenant-*", "staging"));
        assert!(!glob("t?", "t10"));
        assert!(glob("*prod*", "eu-prod-2"));
    }
}
