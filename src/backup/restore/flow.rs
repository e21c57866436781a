//! A restore from start to end, shared by `pgmend restore` and the app's Restore action:
//! [`prepare`] reads what is there and decides ([`super::target::decide`]) without writing;
//! the caller confirms; [`execute`] writes (and drops a database it created when the restore
//! fails).

use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::Connection;

use super::target::{self, Facts, Mode};
use super::{RestoreProgress, Toc, WholeOptions};
use crate::backup::tools::Tool;
use crate::db::{self, Resolved, SessionOptions};

/// A restore decided and not yet run.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub archive: PathBuf,
    pub toc: Toc,
    pub tables: Vec<(String, String)>,
    pub into: Resolved,
    pub mode: Mode,
    /// The side schema (for chosen tables).
    pub side: Option<String>,
    pub no_owner: bool,
    /// Schemas the backup leaves out (the platform's: `auth`, `extensions`…): the database
    /// restored into must provide them, and they do not count as its own objects.
    pub left_out: Vec<String>,
}

impl Prepared {
    /// What the target must already hold, said when the backup leaves schemas out.
    fn needs(&self) -> String {
        if self.left_out.is_empty() {
            return String::new();
        }
        format!(
            "; the backup leaves out schemas {}: a new database lacks them, so create it with \
             the platform's schemas first (it still counts as empty) and restore into that",
            self.left_out.join(", ")
        )
    }

    /// What will happen, in one sentence (the confirmation repeats it).
    pub fn describe(&self) -> String {
        let archive = self.archive.display();
        let n = self.toc.entries.len();
        match (&self.mode, &self.side) {
            (Mode::SideSchema, side) => format!(
                "restore {} from {archive} into the new schema {} of {} (columns and rows only)",
                names(&self.tables),
                side.as_deref().unwrap_or("?"),
                self.into.target
            ),
            (Mode::Create, _) => format!(
                "create {} and restore {archive} into it ({n} entries){}",
                self.into.target,
                self.needs()
            ),
            (Mode::Empty, _) => {
                format!(
                    "restore {archive} into the empty {} ({n} entries)",
                    self.into.target
                )
            }
            (Mode::OverSource, _) => format!(
                "take a backup of {db}, then DROP AND CREATE AGAIN every object of {archive} in \
                 it: changes made since the backup to those objects, and their rows, are lost",
                db = self.into.target
            ),
        }
    }
}

/// `public.t, s."T"`.
pub fn names(tables: &[(String, String)]) -> String {
    tables
        .iter()
        .map(|(s, n)| crate::sql::qualified(s, n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the target's state and decides; nothing is written.
pub async fn prepare(
    archive: &Path,
    toc: Toc,
    tables: Vec<(String, String)>,
    into: Resolved,
    over_source: bool,
    no_owner: bool,
) -> anyhow::Result<Prepared> {
    if !tables.is_empty() {
        toc.tables(&tables).map_err(anyhow::Error::msg)?;
    }
    let left_out: Vec<String> = crate::backup::scope::read_scope(archive)
        .map(|s| s.schemas.into_iter().map(|e| e.name).collect())
        .unwrap_or_default();
    let facts = Facts {
        database: into.target.dbname.clone(),
        objects: objects_in(&into, &left_out).await?,
        source: toc.dbname.clone(),
        tables: !tables.is_empty(),
        over_source,
    };
    let mode = target::decide(&facts).map_err(anyhow::Error::msg)?;
    let side = match mode {
        Mode::SideSchema => Some(free_schema(&into, archive).await?),
        _ => None,
    };
    Ok(Prepared {
        archive: archive.to_path_buf(),
        toc,
        tables,
        into,
        mode,
        side,
        no_owner,
        left_out,
    })
}

/// Runs the restore; the outcome in one line. (Over the source database, the caller has
/// taken the fresh backup before.)
pub async fn execute(
    p: &Prepared,
    tools: &(Tool, PathBuf),
    progress: impl Fn(RestoreProgress) + Send,
) -> anyhow::Result<String> {
    let clock = std::time::Instant::now();
    if let Some(side) = &p.side {
        super::side_schema(
            tools, &p.archive, &p.toc, &p.tables, &p.into, side, progress,
        )
        .await?;
        return Ok(format!(
            "restored {} into schema {side} of {} in {:.1}s",
            names(&p.tables),
            p.into.target,
            clock.elapsed().as_secs_f64()
        ));
    }
    let created = p.mode == Mode::Create;
    if created {
        admin(&p.into, |name| {
            format!(
                "CREATE DATABASE {} TEMPLATE template0",
                crate::sql::quote_ident(name)
            )
        })
        .await
        .context("cannot create the database to restore into")?;
    }
    let result = whole(p, &tools.0, progress).await;
    if let Err(e) = result {
        if !created {
            return Err(e);
        }
        let dropped = admin(&p.into, |name| {
            format!("DROP DATABASE IF EXISTS {}", crate::sql::quote_ident(name))
        })
        .await;
        let db = &p.into.target.dbname;
        let e = match p.needs() {
            n if n.is_empty() => e,
            n => e.context(n.trim_start_matches("; ").to_string()),
        };
        return Err(match dropped {
            Ok(()) => e.context(format!(
                "the database {db} pgmend created for it was dropped again"
            )),
            Err(d) => e.context(format!(
                "the database {db} pgmend created could not be dropped ({d:#}); it is empty"
            )),
        });
    }
    Ok(format!(
        "restored {} ({} entries) into {} in {:.1}s",
        p.archive.display(),
        p.toc.entries.len(),
        p.into.target,
        clock.elapsed().as_secs_f64()
    ))
}

async fn whole(
    p: &Prepared,
    pg_restore: &Tool,
    progress: impl Fn(RestoreProgress) + Send,
) -> anyhow::Result<()> {
    if matches!(p.mode, Mode::Create | Mode::Empty) && p.toc.creates_public() {
        // A dump of PostgreSQL 14 or older creates the public schema itself.
        let mut c = db::connect(&p.into, &writable()).await?;
        let dropped = sqlx::raw_sql("DROP SCHEMA IF EXISTS public")
            .execute(&mut c.conn)
            .await;
        let _ = c.conn.close().await;
        dropped.context(
            "the backup creates schema public, and the new database's cannot be dropped",
        )?;
    }
    let opts = WholeOptions {
        no_owner: p.no_owner,
        clean: p.mode == Mode::OverSource,
    };
    super::whole(
        pg_restore,
        &p.archive,
        &p.into,
        p.toc.entries.len(),
        &opts,
        progress,
    )
    .await
}

fn writable() -> SessionOptions {
    SessionOptions {
        read_only: false,
        ..SessionOptions::default()
    }
}

/// The same server, its `postgres` database (where CREATE/DROP DATABASE run).
fn maintenance(r: &Resolved) -> Resolved {
    let mut m = r.clone();
    m.target.dbname = "postgres".into();
    m
}

/// Runs `sql(database)` on the maintenance database.
async fn admin(r: &Resolved, sql: impl Fn(&str) -> String) -> anyhow::Result<()> {
    let mut c = db::connect(&maintenance(r), &writable()).await?;
    let stmt = sql(&r.target.dbname);
    let done = sqlx::raw_sql(sqlx::AssertSqlSafe(stmt))
        .execute(&mut c.conn)
        .await;
    let _ = c.conn.close().await;
    done.map(|_| ())
        .map_err(|e| anyhow::anyhow!("{}: {e}", r.target))
}

/// How many objects of its own the database holds, outside the schemas the backup leaves out
/// (`None`: it does not exist).
async fn objects_in(r: &Resolved, left_out: &[String]) -> anyhow::Result<Option<u64>> {
    let mut m = db::connect(&maintenance(r), &SessionOptions::default()).await?;
    let exists: Result<bool, _> =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&r.target.dbname)
            .fetch_one(&mut m.conn)
            .await;
    let _ = m.conn.close().await;
    if !exists.with_context(|| format!("cannot list the databases of {}", r.target))? {
        return Ok(None);
    }
    let mut c = db::connect(r, &SessionOptions::default()).await?;
    let n: Result<i64, _> = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> ALL($1)) \
              + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname <> ALL($1)) \
              + (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', \
                 'pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' \
                 AND nspname <> ALL($1))",
    )
    .bind(left_out)
    .fetch_one(&mut c.conn)
    .await;
    let _ = c.conn.close().await;
    let n = n.with_context(|| format!("cannot tell whether {} is empty", r.target))?;
    Ok(Some(n as u64))
}

/// `restore_<backup time>`, with `_2`, `_3`… when that schema exists already.
async fn free_schema(r: &Resolved, backup: &Path) -> anyhow::Result<String> {
    let at = std::fs::metadata(backup)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| std::time::SystemTime::now());
    let base = super::toc::side_schema(at);
    let mut c = db::connect(r, &SessionOptions::default()).await?;
    let mut name = base.clone();
    let mut n = 1;
    let found = loop {
        let taken: Result<bool, _> =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                .bind(&name)
                .fetch_one(&mut c.conn)
                .await;
        match taken {
            Ok(false) => break Ok(name),
            Ok(true) => {
                n += 1;
                name = format!("{base}_{n}");
            }
            Err(e) => {
                break Err(anyhow::anyhow!(
                    "cannot read the schemas of {}: {e}",
                    r.target
                ));
            }
        }
    };
    let _ = c.conn.close().await;
    found
}
