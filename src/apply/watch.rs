//! The watcher: a second, read-only session that polls `pg_blocking_pids(our pid)` while a step
//! runs, so a step that waits for a lock can say who holds it (once the lock timeout fires, the
//! wait is over and the server no longer knows).

use std::cell::RefCell;
use std::time::Duration;

use sqlx::PgConnection;
use tokio::sync::Notify;

use super::Blocker;
use crate::db::{self, Resolved, SessionOptions};

pub(super) struct Watcher {
    conn: PgConnection,
    interval: Duration,
}

type Row = (
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<String>,
);

const BLOCKERS: &str = "SELECT a.pid, a.usename::text, a.application_name, a.state, \
       CASE WHEN length(a.query) > 200 THEN left(a.query, 200) || '…' ELSE a.query END, \
       extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, a.backend_start))::float8, \
       (SELECT string_agg(DISTINCT l.relation::regclass::text || ' ' || l.mode, ', ') \
          FROM pg_locks l \
         WHERE l.pid = a.pid AND l.granted AND l.relation IS NOT NULL \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) \
  FROM pg_stat_activity a \
 WHERE a.pid = ANY (pg_blocking_pids($1)) \
 ORDER BY a.pid";

impl Watcher {
    /// Opens the watcher session; `None` (and a log line) when it cannot.
    pub(super) async fn open(resolved: &Resolved, interval: Duration) -> Option<Watcher> {
        let opts = SessionOptions {
            read_only: true,
            statement_timeout: Duration::from_secs(5),
            pooler: None,
        };
        match db::connect(resolved, &opts).await {
            Ok(s) => Some(Watcher {
                conn: s.conn,
                interval,
            }),
            Err(e) => {
                tracing::warn!("no blocker watcher: {e}");
                None
            }
        }
    }

    async fn blockers(&mut self, pid: i32) -> Vec<Blocker> {
        let rows: Vec<Row> = match sqlx::query_as(BLOCKERS)
            .bind(pid)
            .fetch_all(&mut self.conn)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!("blocker watcher: {e}");
                return Vec::new();
            }
        };
        rows.into_iter()
            .map(|r| Blocker {
                pid: r.0,
                user: r.1,
                application_name: r.2,
                state: r.3,
                query: r.4.unwrap_or_default(),
                for_secs: r.5.unwrap_or(0.0),
                locks: r.6,
            })
            .collect()
    }

    /// Polls until `done` is notified; every poll that finds blockers updates `seen` (by pid)
    /// and, the first time a pid shows up, calls `on_new` with the current blockers.
    pub(super) async fn watch(
        &mut self,
        pid: i32,
        done: &Notify,
        seen: &RefCell<Vec<Blocker>>,
        on_new: &dyn Fn(Vec<Blocker>),
    ) {
        loop {
            tokio::select! {
                _ = done.notified() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
            let now = self.blockers(pid).await;
            if now.is_empty() {
                continue;
            }
            let mut new = false;
            {
                let mut seen = seen.borrow_mut();
                for b in &now {
                    match seen.iter_mut().find(|s| s.pid == b.pid) {
                        Some(s) => *s = b.clone(),
                        None => {
                            new = true;
                            seen.push(b.clone());
                        }
                    }
                }
            }
            if new {
                on_new(now);
            }
        }
    }
}
