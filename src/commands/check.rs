//! `pgmend check`: the snapshot against checklists (presets, files, SQL, another database),
//! plus the lints; text, JSON or SARIF; exit code by the worst finding.

use anyhow::Context;
use serde::Serialize;

use crate::check::{self, Report};
use crate::checklist::{Checklist, snapshot};
use crate::cli::{CheckArgs, CheckFormat, Cli, ConnArg};
use crate::db::catalog::{self, ReadOptions};
use crate::db::scratch;
use crate::report::baseline::{Baseline, Compared};
use crate::report::{check_text, sarif, style::Style};
use crate::rules::Severity;

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
    /// With `--baseline`: which findings are new, known, gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a Compared>,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub items: usize,
    pub passed: usize,
    /// Items with a finding that counts (not only assumed ones).
    pub failed: usize,
    /// Items whose every finding rests on an assumption of the checklist (shown, not counted).
    pub assumed: usize,
    pub lint_findings: usize,
    pub findings_by_severity: std::collections::BTreeMap<Severity, usize>,
    pub worst: Option<Severity>,
}

/// The checklists the arguments name: none means the lints alone (with the database's
/// platform detected, and a built-in preset suggested when one looks like it).
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
    if out.is_empty() && args.no_lints {
        anyhow::bail!(
            "nothing to check: --no-lints and no checklist; give --preset NAME, --checklist FILE, \
             --expect-sql PATH or --expect-db URL, or drop --no-lints to run the lints alone"
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
    let progress = crate::progress::Progress::spinner(format!(
        "reading the catalog of {}",
        session.resolved.target
    ));
    let snap = catalog::read_snapshot(&mut session.conn, &opts).await;
    progress.finish();
    Ok(snap?)
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
    let ids: Vec<&str> = crate::rules::LintId::ALL
        .iter()
        .map(|l| l.as_str())
        .collect();
    for id in loaded.config.lints.keys() {
        if !ids.contains(&id.as_str()) {
            anyhow::bail!(
                "{}: [lints] names an unknown lint `{id}`{}",
                loaded
                    .path
                    .as_ref()
                    .map_or("config".into(), |p| p.display().to_string()),
                crate::toml_error::suggest(id, &ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            );
        }
    }
    let settings = super::check_settings(&loaded, args.no_lints);
    let (adapted, mut report) =
        check::check_adapted(Some(&mut session.conn), &snap, lists, &settings).await;
    crate::fix::mark_fixable(&mut report, &snap, adapted.as_deref().unwrap_or(lists));
    Ok((snap, adapted, report))
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
    let compared = match &args.baseline {
        Some(path) => Some(Baseline::read(path)?.compare(&report, &path.display().to_string())),
        None => None,
    };
    if let Some(path) = &args.write_baseline {
        Baseline::of(&report, &target).write(path)?;
        eprintln!(
            "wrote the baseline {} ({} findings)",
            path.display(),
            report.findings().count()
        );
    }
    // Applies pgmend began and never finished (killed in the middle): what they left.
    let interrupted = super::resume::section(&mut session.conn, &session.resolved.target).await;
    if !matches!(args.format, CheckFormat::Text) {
        eprint!("{interrupted}");
    }
    match args.format {
        CheckFormat::Text => {
            print!(
                "{}",
                check_text::render(&report, &target, args.show_passed, Style::detect())
            );
            print!("{interrupted}");
            if let Some(c) = &compared {
                print!("{}", check_text::baseline(c, Style::detect()));
            }
        }
        CheckFormat::Json => {
            let passed = report.items.iter().filter(|i| i.passed()).count();
            let assumed = report.items.iter().filter(|i| i.only_assumed()).count();
            let doc = CheckJson {
                format: "pgmend.check",
                version: 1,
                target,
                summary: Summary {
                    items: report.items.len(),
                    passed,
                    failed: report.items.len() - passed - assumed,
                    assumed,
                    lint_findings: report.lint_findings.len(),
                    findings_by_severity: report.counts(),
                    worst: report.worst(),
                },
                report: &report,
                baseline: compared.as_ref(),
            };
            crate::report::print_json(&doc)?;
        }
        CheckFormat::Sarif => {
            crate::report::print_json(&sarif::render_against(&report, &target, compared.as_ref()))?
        }
        CheckFormat::Codequality => {
            crate::report::print_json(&crate::report::codequality::render(&report))?
        }
    }
    let threshold = args.fail_on.threshold();
    let worst = match &compared {
        Some(c) => c.worst_new(&report),
        None => report.worst(),
    };
    Ok(if worst.is_some_and(|w| w >= threshold) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
