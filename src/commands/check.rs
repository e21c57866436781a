//! `pgmend check`: the snapshot against checklists (presets, files, SQL, another database),
//! plus the lints; text, JSON or SARIF; exit code by the worst finding.

use anyhow::Context;
use serde::Serialize;

use crate::check::{self, Report};
use crate::checklist::{Checklist, Severity, snapshot};
use crate::cli::{CheckArgs, CheckFormat, Cli, ConnArg, FailOn};
use crate::db::catalog::{self, ReadOptions};
use crate::db::scratch;
use crate::report::{check_text, sarif, style::Style};

use super::{exit, open_session};

/// The JSON document `pgmend check --format json` prints.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// Always "pgmend.check".
    pub format: &'static str,
    pub version: u32,
    pub target: String,
    pub summary: Summary,
    #[serde(flatten)]
    pub report: &'a Report,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub items: usize,
    pub passed: usize,
    pub failed: usize,
    pub lint_findings: usize,
    pub findings_by_severity: std::collections::BTreeMap<Severity, usize>,
    pub worst: Option<Severity>,
}

pub(crate) async fn checklists(cli: &Cli, args: &CheckArgs) -> anyhow::Result<Vec<Checklist>> {
    // Parsing a large file takes a while: on a blocking thread, so that the connection and
    // the catalog read `check` runs at the same time go on.
    let (presets, files) = (
        args.sources.presets.clone(),
        args.sources.checklists.clone(),
    );
    let mut out = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Checklist>> {
        let mut out = Vec::new();
        for p in &presets {
            out.push(Checklist::preset(p)?);
        }
        for f in &files {
            out.push(Checklist::load(f)?);
        }
        Ok(out)
    })
    .await??;
    if !args.sources.expect_sql.is_empty() {
        let files = scratch::sql_files(&args.sources.expect_sql)?;
        let standin = args
            .sources
            .standin
            .as_deref()
            .map(|_| crate::scenarios::SUPABASE_STANDIN);
        let snap =
            scratch::snapshot_of_sql(&files, args.sources.scratch_url.as_deref(), standin).await?;
        let label = format!(
            "expect-sql:{}",
            args.sources
                .expect_sql
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        out.push(
            Checklist::parse(&snapshot::to_toml(&snap, &label), &label)
                .context("the checklist captured from --expect-sql")?,
        );
    }
    for url in &args.sources.expect_db {
        let conn = ConnArg {
            conn: Some(url.clone()),
        };
        let mut session = open_session(cli, &conn, true).await?;
        let opts = read_options(&session, &args.schemas);
        let snap = catalog::read_snapshot(&mut session.conn, &opts).await?;
        let label = format!("expect-db:{}", session.resolved.target);
        out.push(
            Checklist::parse(&snapshot::to_toml(&snap, &label), &label)
                .context("the checklist captured from --expect-db")?,
        );
    }
    if out.is_empty() {
        anyhow::bail!(
            "nothing to check against: give --preset NAME, --checklist FILE, --expect-sql PATH or --expect-db URL"
        );
    }
    Ok(out)
}

pub(crate) fn read_options(session: &crate::db::Session, schemas: &[String]) -> ReadOptions {
    ReadOptions {
        schemas: schemas.to_vec(),
        persistent_statements: !session.pooled,
        statement_timeout_ms: session
            .pooled
            .then_some(session.statement_timeout.as_millis() as u64),
    }
}

/// Reads the snapshot and checks it against `lists` with the lints (config switches and
/// `--no-lints` applied): what `check` prints, and what `fix` plans from and re-checks with.
/// The checklists returned are `lists` adapted to the snapshot, when one adapts (None: `lists`
/// as they are): plans are made from them.
pub(crate) async fn evaluate(
    cli: &Cli,
    args: &CheckArgs,
    lists: &[Checklist],
    session: &mut crate::db::Session,
) -> anyhow::Result<(catalog::Snapshot, Option<Vec<Checklist>>, Report)> {
    let snap = read(args, session).await?;
    evaluate_snapshot(cli, args, lists, session, snap).await
}

/// Reads the snapshot `check` works on.
async fn read(
    args: &CheckArgs,
    session: &mut crate::db::Session,
) -> anyhow::Result<catalog::Snapshot> {
    let opts = read_options(session, &args.schemas);
    Ok(catalog::read_snapshot(&mut session.conn, &opts).await?)
}

/// [`evaluate`] on a snapshot already read.
async fn evaluate_snapshot(
    cli: &Cli,
    args: &CheckArgs,
    lists: &[Checklist],
    session: &mut crate::db::Session,
    snap: catalog::Snapshot,
) -> anyhow::Result<(catalog::Snapshot, Option<Vec<Checklist>>, Report)> {
    let loaded = crate::config::load(cli.config.as_deref())?;
    let ids: Vec<&str> = check::lints::ALL.iter().map(|l| l.id.as_str()).collect();
    for id in loaded.config.lints.keys() {
        if !ids.contains(&id.as_str()) {
            anyhow::bail!(
                "{}: [lints] names an unknown lint `{id}`{}",
                loaded
                    .path
                    .as_ref()
                    .map_or("config".into(), |p| p.display().to_string()),
                crate::config::suggest(id, &ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            );
        }
    }
    let mut overrides: check::LintOverrides = loaded.config.lints.clone();
    if args.no_lints {
        for l in check::lints::ALL {
            overrides.insert(
                l.id.as_str().to_string(),
                crate::checklist::LintSetting::Enabled(false),
            );
        }
    }
    let (lists, mut report) =
        check::check_adapted(Some(&mut session.conn), &snap, lists, &overrides).await;
    if args.no_lints {
        report.lint_findings.clear();
        report.lints_run.clear();
    }
    Ok((snap, lists, report))
}

/// The severity `--fail-on` names.
pub(crate) fn threshold(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
    }
}

pub async fn run(cli: &Cli, args: &CheckArgs) -> anyhow::Result<i32> {
    if args.is_fleet() {
        return super::fleet::run(cli, args).await;
    }
    // The checklists are parsed while the catalog is read. A checklist error wins: at once
    // when it comes first, and over a connection error that came before it.
    let lists = checklists(cli, args);
    let reading = async {
        let mut session = open_session(cli, &args.conn, true).await?;
        let snap = read(args, &mut session).await?;
        anyhow::Ok((session, snap))
    };
    tokio::pin!(lists, reading);
    let (lists, read_result) = tokio::select! {
        l = &mut lists => (l?, reading.await),
        r = &mut reading => (lists.await?, r),
    };
    let (mut session, snap) = read_result?;
    let (_, _, report) = evaluate_snapshot(cli, args, &lists, &mut session, snap).await?;
    let target = session.resolved.target.to_string();
    match args.format {
        CheckFormat::Text => print!(
            "{}",
            check_text::render(&report, &target, args.show_passed, Style::detect())
        ),
        CheckFormat::Json => {
            let passed = report.items.iter().filter(|i| i.passed()).count();
            let doc = CheckJson {
                format: "pgmend.check",
                version: 1,
                target,
                summary: Summary {
                    items: report.items.len(),
                    passed,
                    failed: report.items.len() - passed,
                    lint_findings: report.lint_findings.len(),
                    findings_by_severity: report.counts(),
                    worst: report.worst(),
                },
                report: &report,
            };
            crate::report::print_json(&doc)?;
        }
        CheckFormat::Sarif => crate::report::print_json(&sarif::render(&report, &target))?,
    }
    let threshold = threshold(args.fail_on);
    Ok(if report.worst().is_some_and(|w| w >= threshold) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
