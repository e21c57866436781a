//! Applying fix plans on a writable session: preconditions first (any offending row refuses the
//! plan, nothing run), then each transactional group in a transaction of its own and each
//! autocommit step alone, with `lock_timeout` and retries with backoff on lock timeouts; while
//! a step waits, a watcher session reports who blocks it. The only way in is [`mend`]: a
//! verified backup (or the spelled-out `--no-backup`), and a journal located up front.

pub mod admit;
mod blockers;
mod committed;
mod journaled;
mod mend;
mod precheck;
pub mod preview;
pub mod resume;
mod run;
mod types;
mod watch;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::PgConnection;

pub use committed::committed;
pub use mend::{Annotate, Guard, Mended, mend, mend_annotated};
pub use types::{
    ApplyOptions, ApplyOutcome, Blocker, EventKind, PlanOutcome, Refusal, StepEvent, StepResult,
    StepStatus,
};

use crate::fix::plan::Plan;

/// Before a plan's first step (its checks passed): an error stops the plan, nothing of it run.
type BeforeSteps<'a> = &'a dyn Fn(usize, &Plan) -> Result<(), String>;

/// Applies several plans one after the other on `conn`, a writable session (never a browsing
/// one), each on its own: a refused or failed plan never stops the ones after it, except those
/// that depend on it (`Plan::after`), which are skipped with the reason. `progress` hears of
/// each step as it starts, waits and ends.
async fn apply_all(
    conn: &mut PgConnection,
    plans: &[Plan],
    opts: &ApplyOptions,
    before: BeforeSteps<'_>,
    progress: impl Fn(StepEvent),
) -> Vec<PlanOutcome> {
    let mut out: Vec<PlanOutcome> = Vec::with_capacity(plans.len());
    // Each plan's position, to find a prerequisite's title and outcome without a scan.
    let at: HashMap<&str, usize> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.finding_id.as_str(), i))
        .collect();
    for (i, plan) in plans.iter().enumerate() {
        let outcome = match unmet(plan, plans, &at, &out) {
            Some(reason) => {
                progress(StepEvent {
                    plan: i,
                    finding_id: plan.finding_id.clone(),
                    kind: EventKind::Done { ok: false },
                });
                ApplyOutcome::Skipped { reason }
            }
            None => apply_indexed(conn, plan, i, opts, before, &progress).await,
        };
        out.push(PlanOutcome {
            finding_id: plan.finding_id.clone(),
            outcome,
        });
    }
    out
}

/// Why `plan` cannot run: a plan it depends on did not apply (or is not in this run, or has
/// not run yet: a dependency cycle).
/// `done` holds the outcomes of `plans[..done.len()]`, in order.
fn unmet(
    plan: &Plan,
    plans: &[Plan],
    at: &HashMap<&str, usize>,
    done: &[PlanOutcome],
) -> Option<String> {
    for dep in &plan.after {
        let Some(&i) = at.get(dep.as_str()) else {
            continue; // not in this run (`--only`)
        };
        let title = &plans[i].title;
        match done.get(i).map(|o| &o.outcome) {
            Some(ApplyOutcome::Applied { .. }) => {}
            Some(o) => return Some(format!("it needs \"{title}\", which was {}", o.label())),
            None => {
                return Some(format!(
                    "it needs \"{title}\", which had not run yet (a dependency cycle)"
                ));
            }
        }
    }
    None
}

async fn apply_indexed(
    conn: &mut PgConnection,
    plan: &Plan,
    index: usize,
    opts: &ApplyOptions,
    before: BeforeSteps<'_>,
    progress: &impl Fn(StepEvent),
) -> ApplyOutcome {
    let start = Instant::now();
    let emit = |kind: EventKind| {
        progress(StepEvent {
            plan: index,
            finding_id: plan.finding_id.clone(),
            kind,
        })
    };
    emit(EventKind::Checking);
    if let Err(e) = writable(conn).await {
        return failed_before(plan, e, start.elapsed());
    }
    match precheck::gone_tables(conn, plan).await {
        Ok(gone) if gone.is_empty() => {}
        Ok(gone) => {
            let e = format!(
                "{} no longer exist(s) (dropped or renamed since the check): nothing was run; \
                 check again",
                gone.join(", ")
            );
            return failed_before(plan, e, start.elapsed());
        }
        Err(e) => return failed_before(plan, e, start.elapsed()),
    }
    match precheck::refusals(conn, plan, opts.statement_timeout).await {
        Err(e) => return failed_before(plan, e, start.elapsed()),
        Ok(refusals) if !refusals.is_empty() => {
            emit(EventKind::Refused {
                refusals: refusals.len(),
            });
            return ApplyOutcome::Refused {
                refusals,
                duration: start.elapsed(),
            };
        }
        Ok(_) => {}
    }
    if let Err(e) = before(index, plan) {
        return failed_before(plan, format!("{e}: nothing was run"), start.elapsed());
    }
    let steps = run::run_plan(conn, plan, opts, &emit).await;
    let duration = start.elapsed();
    let failed = steps.iter().find_map(|s| match &s.status {
        StepStatus::Failed { message, .. } => Some(format!("{}: {message}", s.description)),
        _ => None,
    });
    emit(EventKind::Done {
        ok: failed.is_none(),
    });
    match failed {
        None => ApplyOutcome::Applied { steps, duration },
        Some(error) => ApplyOutcome::Failed {
            steps,
            error,
            duration,
        },
    }
}

/// Refuses read-only sessions: fixes only ever run on a session opened to write.
async fn writable(conn: &mut PgConnection) -> Result<(), String> {
    let ro: String = sqlx::query_scalar("SELECT current_setting('transaction_read_only')")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| format!("cannot use the session: {e}"))?;
    if ro == "on" {
        return Err("the session is read-only: fixes need a writable session".into());
    }
    Ok(())
}

fn failed_before(plan: &Plan, error: String, duration: Duration) -> ApplyOutcome {
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepResult::new(i, s, StepStatus::skipped("nothing ran")))
        .collect();
    ApplyOutcome::Failed {
        steps,
        error,
        duration,
    }
}
