//! Scratch databases: SQL files (init.sql, a migrations folder) applied to a throwaway
//! database whose snapshot becomes the expected schema, as Atlas and Prisma do with a
//! dev/shadow database.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sqlx::postgres::PgDatabaseError;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

use crate::db::catalog::{self, ReadOptions, Snapshot};
use crate::pgserver::Cluster;

/// Every `.sql` file under `paths` (folders recursively), each folder's files in path order.
pub fn sql_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).with_context(|| format!("reading {}", p.display()))?;
            found.sort();
            if found.is_empty() {
                bail!("{} holds no .sql file", p.display());
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            bail!("{}: no such file or folder", p.display());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// Where the scratch database lives.
enum Server {
    Local(Cluster),
    Remote(url::Url),
}

/// Applies `files` (after `standin`, when given) to a new scratch database and snapshots it.
/// The scratch database (or the throwaway cluster) is removed afterwards, whatever happened.
pub async fn snapshot_of_sql(
    files: &[PathBuf],
    scratch_url: Option<&str>,
    standin: Option<&str>,
) -> anyhow::Result<Snapshot> {
    let server = match scratch_url {
        Some(u) => Server::Remote(url::Url::parse(u).context("--scratch-url is not a valid URL")?),
        None => {
            Server::Local(tokio::task::spawn_blocking(Cluster::start).await?.context(
                "starting a throwaway PostgreSQL for --expect-sql (or give --scratch-url)",
            )?)
        }
    };
    let name = format!("pgmend_scratch_{}", crate::pgserver::cluster::random_hex(6));
    let url_for = |db: &str| match &server {
        Server::Local(c) => c.url(db),
        Server::Remote(u) => {
            let mut u = u.clone();
            u.set_path(db);
            u.to_string()
        }
    };
    let admin_db = match &server {
        Server::Local(_) => "postgres".to_string(),
        Server::Remote(u) => u.path().trim_start_matches('/').to_string(),
    };
    let mut admin = PgConnection::connect(&url_for(&admin_db))
        .await
        .context("connecting to the scratch server")?;
    admin
        .execute(AssertSqlSafe(format!(
            "CREATE DATABASE {}",
            crate::sql::quote_ident(&name)
        )))
        .await
        .context("creating the scratch database")?;
    let result = build(&url_for(&name), files, standin).await;
    let _ = admin
        .execute(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            crate::sql::quote_ident(&name)
        )))
        .await;
    drop(server);
    result
}

async fn build(url: &str, files: &[PathBuf], standin: Option<&str>) -> anyhow::Result<Snapshot> {
    let mut conn = PgConnection::connect(url)
        .await
        .context("connecting to the scratch database")?;
    if let Some(sql) = standin {
        apply(&mut conn, sql, "the platform stand-in").await?;
    }
    for f in files {
        let sql = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        apply(&mut conn, &sql, &f.display().to_string()).await?;
    }
    Ok(catalog::read_snapshot(&mut conn, &ReadOptions::default()).await?)
}

async fn apply(conn: &mut PgConnection, sql: &str, label: &str) -> anyhow::Result<()> {
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
    {
        let at = e
            .as_database_error()
            .and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
            .and_then(|d| match d.position() {
                Some(sqlx::postgres::PgErrorPosition::Original(p)) => Some(
                    crate::toml_error::line_col(sql, char_to_byte(sql, p.saturating_sub(1))),
                ),
                _ => None,
            });
        match at {
            Some((line, col)) => bail!("{label}:{line}:{col}: {e}"),
            None => bail!("{label}: {e}"),
        }
    }
    Ok(())
}

fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}
