//! Running a plan's steps: units (a transactional group, or one autocommit step), each attempt
//! under `lock_timeout`/`statement_timeout`, retried with backoff on lock timeouts.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, PgConnection};
use tokio::sync::Notify;

use super::watch::Watcher;
use super::{ApplyOptions, Blocker, EventKind, StepResult, StepStatus};
use crate::fix::plan::{Plan, StepMode};

/// SQLSTATEs worth another attempt: lock_not_available (lock timeout) and deadlock_detected.
const RETRYABLE: [&str; 2] = ["55P03", "40P01"];

struct Ctx<'a> {
    opts: &'a ApplyOptions,
    pid: i32,
    watcher: Option<Watcher>,
    emit: &'a dyn Fn(EventKind),
}

/// A failed statement: which step, SQLSTATE and message; `lost`: the connection went away
/// (no answer from the server at all).
struct StepError {
    step: usize,
    sqlstate: Option<String>,
    message: String,
    lost: bool,
}

fn step_error(step: usize, e: &sqlx::Error) -> StepError {
    match e.as_database_error() {
        Some(db) => {
            let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
            let mut message = db.message().to_string();
            if let Some(d) = pg.and_then(|p| p.detail()) {
                message.push_str(&format!(" (detail: {d})"));
            }
            StepError {
                step,
                sqlstate: db.code().map(|c| c.to_string()),
                message,
                lost: false,
            }
        }
        None => StepError {
            step,
            sqlstate: None,
            message: e.to_string(),
            lost: matches!(e, sqlx::Error::Io(_) | sqlx::Error::Protocol(_)),
        },
    }
}

/// Consecutive transactional steps of one group form a unit; each autocommit step is its own.
pub(super) async fn run_plan(
    conn: &mut PgConnection,
    plan: &Plan,
    opts: &ApplyOptions,
    emit: &dyn Fn(EventKind),
) -> Vec<StepResult> {
    let mut results: Vec<StepResult> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepResult::new(i, s, StepStatus::skipped("an earlier step failed")))
        .collect();
    let pid: i32 = match sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
    {
        Ok(p) => p,
        Err(e) => {
            if let Some(r) = results.first_mut() {
                r.status = StepStatus::Failed {
                    sqlstate: None,
                    message: format!("the session is unusable: {e}"),
                };
            }
            return results;
        }
    };
    let watcher = match &opts.watch {
        Some(r) => Watcher::open(r, opts.watch_interval).await,
        None => None,
    };
    let mut ctx = Ctx {
        opts,
        pid,
        watcher,
        emit,
    };
    for unit in plan.units() {
        if !run_unit(conn, plan, &unit, &mut ctx, &mut results).await {
            break;
        }
    }
    results
}

/// Runs one unit to success or its last attempt; false when it failed.
async fn run_unit(
    conn: &mut PgConnection,
    plan: &Plan,
    unit: &[usize],
    ctx: &mut Ctx<'_>,
    results: &mut [StepResult],
) -> bool {
    let first = &plan.steps[unit[0]];
    let autocommit = first.mode == StepMode::Autocommit;
    let mut attempt = 0;
    let started = Instant::now();
    loop {
        attempt += 1;
        if autocommit && let Some(index) = &first.invalid_index_cleanup {
            drop_invalid_index(conn, index, unit[0], ctx).await;
        }
        let outcome = if autocommit {
            attempt_autocommit(conn, plan, unit[0], attempt, ctx, results).await
        } else {
            attempt_group(conn, plan, unit, attempt, ctx, results).await
        };
        for &i in unit {
            results[i].attempts = attempt;
        }
        let Err(err) = outcome else {
            for &i in unit {
                results[i].status = StepStatus::Ok;
                finished(ctx, &results[i]);
            }
            return true;
        };
        let retryable = err
            .sqlstate
            .as_deref()
            .is_some_and(|c| RETRYABLE.contains(&c));
        let next = retryable
            .then(|| super::blockers::next_attempt(ctx.opts, attempt, started))
            .flatten();
        if retryable {
            (ctx.emit)(EventKind::LockTimeout {
                step: err.step,
                attempt,
                retry_in: next,
            });
        }
        if let Some(wait) = next {
            if ctx.opts.terminate_blockers {
                terminate_blockers(conn, err.step, ctx, results).await;
            }
            tokio::time::sleep(wait).await;
            continue;
        }
        let message = if err.lost {
            lost_message(&err.message, autocommit)
        } else {
            err.message.clone()
        };
        for &i in unit {
            results[i].status = match i.cmp(&err.step) {
                std::cmp::Ordering::Less => StepStatus::RolledBack,
                std::cmp::Ordering::Equal => StepStatus::Failed {
                    sqlstate: err.sqlstate.clone(),
                    message: message.clone(),
                },
                std::cmp::Ordering::Greater => {
                    StepStatus::skipped("its transaction was rolled back")
                }
            };
            finished(ctx, &results[i]);
        }
        if autocommit && let Some(index) = &first.invalid_index_cleanup {
            drop_invalid_index(conn, index, unit[0], ctx).await;
        }
        return false;
    }
}

/// What a connection lost in the middle of a step means: the server rolls back the open
/// transaction (an autocommit index build is cancelled, leaving its index INVALID). A lost
/// connection is never retried: whether the server saw the end of the step is unknown.
fn lost_message(cause: &str, autocommit: bool) -> String {
    let what = if autocommit {
        "the server cancels the statement (an index built CONCURRENTLY is left INVALID; \
         `pgmend check` shows it)"
    } else {
        "the server rolled back this transaction group: none of its steps is applied"
    };
    format!(
        "the connection to the server was lost during this step ({cause}): {what}; pgmend \
         does not retry on a lost connection: check again, then fix again"
    )
}

/// `--terminate-blockers`: ends the sessions seen holding step `step`'s lock.
async fn terminate_blockers(
    conn: &mut PgConnection,
    step: usize,
    ctx: &Ctx<'_>,
    results: &mut [StepResult],
) {
    let blockers = results[step].blockers.clone();
    for (blocker, ended) in super::blockers::terminate(conn, &blockers).await {
        if matches!(ended, Ok(true)) {
            results[step].terminated.push(blocker.clone());
        }
        (ctx.emit)(EventKind::Terminated {
            step,
            blocker,
            ended,
        });
    }
}

fn finished(ctx: &Ctx<'_>, r: &StepResult) {
    (ctx.emit)(EventKind::Finished {
        step: r.index,
        status: r.status.clone(),
        duration: r.duration,
    });
}

fn ms(d: Duration) -> u128 {
    d.as_millis().max(1)
}

async fn simple(conn: &mut PgConnection, sql: String) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

async fn attempt_group(
    conn: &mut PgConnection,
    plan: &Plan,
    unit: &[usize],
    attempt: u32,
    ctx: &mut Ctx<'_>,
    results: &mut [StepResult],
) -> Result<(), StepError> {
    let o = ctx.opts;
    let setup = format!(
        "BEGIN; SET LOCAL lock_timeout = '{}ms'; SET LOCAL statement_timeout = '{}ms'",
        ms(o.lock_timeout),
        ms(o.statement_timeout)
    );
    simple(conn, setup)
        .await
        .map_err(|e| step_error(unit[0], &e))?;
    for &i in unit {
        if let Err(e) = exec_step(conn, plan, i, attempt, ctx, results).await {
            let _ = simple(conn, "ROLLBACK".into()).await;
            return Err(e);
        }
    }
    let last = *unit.last().expect("a unit has a step");
    if let Err(e) = simple(conn, "COMMIT".into()).await {
        let _ = simple(conn, "ROLLBACK".into()).await;
        return Err(step_error(last, &e));
    }
    Ok(())
}

async fn attempt_autocommit(
    conn: &mut PgConnection,
    plan: &Plan,
    i: usize,
    attempt: u32,
    ctx: &mut Ctx<'_>,
    results: &mut [StepResult],
) -> Result<(), StepError> {
    let o = ctx.opts;
    let setup = format!(
        "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
        ms(o.lock_timeout),
        ms(o.statement_timeout)
    );
    simple(conn, setup).await.map_err(|e| step_error(i, &e))?;
    let result = exec_step(conn, plan, i, attempt, ctx, results).await;
    let _ = simple(
        conn,
        "RESET lock_timeout; RESET statement_timeout".to_string(),
    )
    .await;
    result
}

/// Runs step `i` while the watcher looks for sessions blocking it.
async fn exec_step(
    conn: &mut PgConnection,
    plan: &Plan,
    i: usize,
    attempt: u32,
    ctx: &mut Ctx<'_>,
    results: &mut [StepResult],
) -> Result<(), StepError> {
    let step = &plan.steps[i];
    (ctx.emit)(EventKind::Started {
        step: i,
        description: step.description.clone(),
        attempt,
    });
    let seen: RefCell<Vec<Blocker>> = RefCell::new(Vec::new());
    let done = Notify::new();
    let start = Instant::now();
    let run = async {
        let r = sqlx::raw_sql(AssertSqlSafe(step.sql.clone()))
            .execute(&mut *conn)
            .await;
        done.notify_one();
        r
    };
    let emit = ctx.emit;
    let on_new = |blockers: Vec<Blocker>| emit(EventKind::Blocked { step: i, blockers });
    let result = match ctx.watcher.as_mut() {
        Some(w) => tokio::join!(run, w.watch(ctx.pid, &done, &seen, &on_new)).0,
        None => run.await,
    };
    let r = &mut results[i];
    r.duration = start.elapsed();
    for b in seen.into_inner() {
        match r.blockers.iter_mut().find(|x| x.pid == b.pid) {
            Some(x) => *x = b,
            None => r.blockers.push(b),
        }
    }
    result.map(|_| ()).map_err(|e| step_error(i, &e))
}

/// Drops `index` (CONCURRENTLY) when a failed CREATE INDEX CONCURRENTLY left it INVALID.
async fn drop_invalid_index(conn: &mut PgConnection, index: &str, step: usize, ctx: &Ctx<'_>) {
    let invalid: Result<Option<bool>, _> = sqlx::query_scalar(
        "SELECT NOT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
    )
    .bind(index)
    .fetch_optional(&mut *conn)
    .await;
    if !matches!(invalid, Ok(Some(true))) {
        return;
    }
    let sql = format!(
        "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
        ms(ctx.opts.lock_timeout),
        ms(ctx.opts.statement_timeout)
    );
    let dropped = match simple(conn, sql).await {
        Ok(()) => simple(conn, crate::sql::stmt::drop_index_concurrently(index)).await,
        Err(e) => Err(e),
    };
    let _ = simple(conn, "RESET lock_timeout; RESET statement_timeout".into()).await;
    match dropped {
        Ok(()) => (ctx.emit)(EventKind::DroppedInvalidIndex {
            step,
            index: index.to_string(),
        }),
        Err(e) => tracing::warn!("cannot drop the invalid index {index}: {e}"),
    }
}
