//! The fix flow's effects: plans, a verified backup, the apply on a separate writable session
//! (journaled), each reporting back as actions.

use tokio::sync::mpsc::UnboundedSender;

use crate::app::Action;
use crate::app::fixflow::BackupSummary;
use crate::apply::admit;
use crate::apply::{self, ApplyOptions, ApplyOutcome, EventKind};
use crate::apply::{Guard, Mended};
use crate::backup::{self, BackupOptions, BackupPhase, BackupRecord, BackupScope, VerifiedBackup};
use crate::check::Report;
use crate::checklist::Checklist;
use crate::db::catalog::Snapshot;
use crate::db::{Resolved, SessionOptions};
use crate::fix::plan::Plan;
use crate::journal::{self, Journal};

/// Plans for the findings, in the order they should run.
pub fn plans(
    ids: &[String],
    snap: &Snapshot,
    report: &Report,
    checklists: &[Checklist],
) -> Vec<Plan> {
    let mut out: Vec<Plan> = Vec::new();
    for f in report.findings().filter(|f| ids.contains(&f.id)) {
        if out
            .iter()
            .any(|p| p.finding_id == f.id || p.also_fixes.contains(&f.id))
        {
            continue;
        }
        if let Some(p) = crate::fix::plan(f, snap, checklists) {
            out.push(p);
        }
    }
    out
}

pub async fn run_backup(
    resolved: Resolved,
    dir: Option<std::path::PathBuf>,
    tx: UnboundedSender<Action>,
) -> Result<VerifiedBackup, String> {
    let dir = dir
        .or_else(backup::default_dir)
        .ok_or("no backup directory (set one with --backup-dir)")?;
    let progress_tx = tx.clone();
    let progress = move |p: backup::BackupProgress| {
        let what = match p.phase {
            BackupPhase::Dumping => "pg_dump",
            BackupPhase::Verifying => "verifying (pg_restore reads it whole)",
        };
        let _ = progress_tx.send(Action::BackupProgress(format!(
            "{what}: {:.1} MiB, {:.1}s",
            p.bytes as f64 / 1048576.0,
            p.elapsed.as_secs_f64()
        )));
    };
    backup::backup(&resolved, &dir, &BackupOptions::default(), progress)
        .await
        .map_err(|e| e.to_string())
}

pub fn summary(r: &BackupRecord) -> BackupSummary {
    BackupSummary {
        path: r.path.display().to_string(),
        size: r.size,
        sha256: r.sha256.clone(),
        excludes: r.scope.describe(),
    }
}

/// The preview's checks, before the backup, on a session of its own: the plans the role has
/// the privileges for and the backup will hold, then the data's (offending rows refuse a plan;
/// rows to backfill and duplicate groups are filled into its decisions): the plans, the scope
/// in words, the plans refused for privileges or the backup (journaled when the engineer
/// applies), and those the data refuses, as `id: why` lines.
pub async fn admit_plans(
    resolved: &Resolved,
    plans: Vec<Plan>,
) -> Result<(Vec<Plan>, String, Vec<admit::Refused>, Vec<String>), String> {
    let options = SessionOptions::default();
    let mut session = crate::db::connect(resolved, &options)
        .await
        .map_err(|e| e.to_string())?;
    // A standby, or a session that cannot hold a transaction: no backup, no preview.
    if !session.pooled
        && let Ok(Some(why)) = crate::db::writable::check(&mut session.conn).await
    {
        let _ = sqlx::Connection::close(session.conn).await;
        return Err(why.to_string());
    }
    let checked = async {
        let permitted = admit::permitted(&mut session.conn, plans).await?;
        let scope = BackupScope::read(&mut session.conn).await?;
        Ok::<_, sqlx::Error>((permitted.covered_by(&scope), scope))
    }
    .await
    .map_err(|e| format!("cannot check the role's privileges: {e}"));
    let ((admitted, refused), scope) = match checked {
        Ok(c) => c,
        Err(e) => {
            let _ = sqlx::Connection::close(session.conn).await;
            return Err(e);
        }
    };
    let data = apply::preview::check_data(
        &mut session.conn,
        admitted.plans().to_vec(),
        options.statement_timeout,
    )
    .await;
    let _ = sqlx::Connection::close(session.conn).await;
    let data = data?;
    let why: Vec<String> = data
        .refused
        .iter()
        .map(|(p, r)| {
            format!(
                "{}: {}",
                p.finding_id,
                apply::preview::describe(r).replace('\n', "\n    ")
            )
        })
        .collect();
    Ok((data.plans, scope.describe(), refused, why))
}

/// An apply the engineer confirmed: the plans, the guard (the verified backup), and the journal
/// located before anything runs.
pub struct Apply {
    pub resolved: Resolved,
    pub options: SessionOptions,
    pub plans: Vec<Plan>,
    /// The plans the preview refused, journaled with the others.
    pub refused_before: Vec<admit::Refused>,
    pub guard: Guard,
    pub journal: Journal,
}

/// Applies the plans through the one write path (`apply::mend`) on a new writable session; the
/// lines say what happened to every plan.
pub async fn run_apply(run: Apply, tx: UnboundedSender<Action>) -> Result<Vec<String>, String> {
    let Apply {
        resolved,
        options,
        plans,
        refused_before,
        guard,
        journal,
    } = run;
    for r in &refused_before {
        journal.write(&journal::Entry::refused_before(&resolved.target, r, None))?;
    }
    let writable = SessionOptions {
        read_only: false,
        ..options
    };
    let mut session = crate::db::connect(&resolved, &writable)
        .await
        .map_err(|e| e.to_string())?;
    let opts = ApplyOptions {
        watch: Some(resolved.clone()),
        ..ApplyOptions::default()
    };
    let progress_tx = tx.clone();
    let progress = move |e: apply::StepEvent| {
        if let Some(line) = progress_line(e) {
            let _ = progress_tx.send(Action::ApplyProgress(line));
        }
    };
    let mended = apply::mend(&mut session.conn, plans, &guard, &journal, &opts, progress).await;
    let _ = sqlx::Connection::close(session.conn).await;
    Ok(lines(&mended?))
}

/// One line of the apply's progress, for the events the app shows.
fn progress_line(e: apply::StepEvent) -> Option<String> {
    Some(match e.kind {
        EventKind::Checking => format!("{}: checking the data first", e.finding_id),
        EventKind::Started {
            description,
            attempt,
            ..
        } if attempt > 1 => format!("{description} (attempt {attempt})"),
        EventKind::Started { description, .. } => description,
        EventKind::Blocked { blockers, .. } => format!(
            "waiting for a lock held by {}",
            blockers
                .iter()
                .map(|b| format!("pid {} ({})", b.pid, b.query))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        EventKind::LockTimeout {
            retry_in: Some(d), ..
        } => format!("lock timeout: retrying in {:.1}s", d.as_secs_f64()),
        EventKind::LockTimeout { retry_in: None, .. } => "lock timeout: giving up".into(),
        EventKind::Refused { refusals } => format!(
            "{}: refused, {refusals} check(s) found offending rows",
            e.finding_id
        ),
        _ => return None,
    })
}

/// What happened to every plan, as the app's log shows it.
fn lines(m: &Mended) -> Vec<String> {
    let mut lines: Vec<String> = m
        .refused
        .iter()
        .map(|r| format!("✘ {}: refused — {}", r.plan.title, r.why))
        .collect();
    lines.extend(m.journal_errors.iter().map(|e| format!("⚠ {e}")));
    for (plan, o) in m.plans.iter().zip(&m.outcomes) {
        lines.push(match &o.outcome {
            ApplyOutcome::Applied { steps, duration } => format!(
                "✔ {}: {} step(s) in {:.2}s",
                plan.title,
                steps.len(),
                duration.as_secs_f64()
            ),
            ApplyOutcome::Refused { refusals, .. } => format!(
                "✘ {}: refused — {}",
                plan.title,
                refusals
                    .iter()
                    .map(|r| format!(
                        "{} (e.g. {})",
                        r.problem,
                        r.sample.first().map(|v| v.to_string()).unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            ApplyOutcome::Failed { error, .. } => format!("✘ {}: failed — {error}", plan.title),
            ApplyOutcome::Skipped { reason } => format!("– {}: skipped — {reason}", plan.title),
        });
    }
    lines.extend(m.access.lines());
    lines
}
