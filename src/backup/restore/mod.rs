//! Restoring a verified backup with pg_restore: the whole archive into a new (or empty)
//! database, or chosen tables into a side schema for comparison. The pure parts (the table of
//! contents, the `--use-list`, the side-schema rewrite) are in [`toc`]; this module runs the
//! tools. Connection settings go through libpq's environment, never the command line.

pub mod flow;
pub mod target;
pub mod toc;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::dump::libpq_env;
use super::tools::{self, Tool};
use crate::db::Resolved;
pub use toc::{SideSchema, Toc, TocEntry};

/// How far a restore is: entries done out of the total, and the one under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreProgress {
    pub done: usize,
    pub total: usize,
    pub what: String,
}

/// How to restore the whole archive.
#[derive(Debug, Clone, Default)]
pub struct WholeOptions {
    /// `--no-owner`: objects belong to the restoring role (roles of the archive may not exist).
    pub no_owner: bool,
    /// `--clean --if-exists`: drop each object of the archive before creating it (only over the
    /// database the backup came from, when that was spelled out).
    pub clean: bool,
}

/// pg_restore, and psql beside it (for the side-schema script).
pub fn restore_tools() -> Result<(Tool, PathBuf), super::BackupError> {
    let pg_restore = tools::find_pg_restore(None)?;
    let psql = pg_restore
        .path
        .parent()
        .map(|d| d.join("psql"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("psql"));
    Ok((pg_restore, psql))
}

/// The archive's table of contents (`pg_restore --list`).
pub async fn read_toc(pg_restore: &Tool, archive: &Path) -> anyhow::Result<Toc> {
    let out = tokio::process::Command::new(&pg_restore.path)
        .arg("--list")
        .arg(archive)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", pg_restore.path.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "pg_restore --list {} failed: {}",
            archive.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(Toc::parse(&String::from_utf8_lossy(&out.stdout)))
}

/// Restores the whole archive into the database `into` names, in one transaction
/// (`--single-transaction`: on an error nothing stays). Progress counts the entries pg_restore
/// reports (`--verbose`).
pub async fn whole(
    pg_restore: &Tool,
    archive: &Path,
    into: &Resolved,
    total: usize,
    opts: &WholeOptions,
    progress: impl Fn(RestoreProgress) + Send,
) -> anyhow::Result<()> {
    let mut cmd = tokio::process::Command::new(&pg_restore.path);
    cmd.args([
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        "--verbose",
    ]);
    if opts.no_owner {
        cmd.arg("--no-owner");
    }
    if opts.clean {
        cmd.args(["--clean", "--if-exists"]);
    }
    cmd.arg("--dbname")
        .arg(&into.target.dbname)
        .arg(archive)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    libpq_env(&mut cmd, into);
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", pg_restore.path.display()))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = BufReader::new(stderr).lines();
    let (mut done, mut errors) = (0usize, Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let body = line.trim_start_matches("pg_restore: ");
        if let Some(what) = entry_started(body) {
            done += 1;
            progress(RestoreProgress {
                done: done.min(total),
                total,
                what: what.to_string(),
            });
        } else if body.starts_with("error:")
            || body.starts_with("detail:")
            || body.starts_with("hint:")
        {
            errors.push(body.to_string());
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| anyhow::anyhow!("pg_restore: {e}"))?;
    if !status.success() {
        anyhow::bail!(
            "pg_restore into {} failed ({status}), and its transaction was rolled back: {}",
            into.target,
            if errors.is_empty() {
                "no message".to_string()
            } else {
                errors.join("; ")
            }
        );
    }
    progress(RestoreProgress {
        done: total,
        total,
        what: "done".into(),
    });
    Ok(())
}

/// `creating TABLE "public.t"` / `processing data for table "public.t"` → what it is about.
fn entry_started(line: &str) -> Option<&str> {
    line.strip_prefix("creating ")
        .or_else(|| line.strip_prefix("processing data for table "))
        .or_else(|| line.strip_prefix("executing "))
}

/// Restores `tables` of the archive into the new schema `side` of the database `into`: their
/// columns and rows only (see [`Toc::tables`]), by piping pg_restore's script through the
/// [`SideSchema`] rewrite into psql, in one transaction that also creates the schema.
pub async fn side_schema(
    tools: &(Tool, PathBuf),
    archive: &Path,
    toc: &Toc,
    tables: &[(String, String)],
    into: &Resolved,
    side: &str,
    progress: impl Fn(RestoreProgress) + Send,
) -> anyhow::Result<()> {
    let (pg_restore, psql) = tools;
    let picked = toc.tables(tables).map_err(anyhow::Error::msg)?;
    let list = tempfile::NamedTempFile::new()?;
    std::fs::write(list.path(), toc::use_list(&picked))?;
    let total = picked.len();

    let mut sql = tokio::process::Command::new(psql);
    sql.args([
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        "--no-password",
        "--file=-",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    libpq_env(&mut sql, into);
    let mut psql_child = sql
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", psql.display()))?;
    let mut to_psql = psql_child.stdin.take().expect("stdin is piped");

    let mut dump = tokio::process::Command::new(&pg_restore.path);
    dump.arg("--use-list")
        .arg(list.path())
        .args(["--no-owner", "--no-privileges", "--file=-"])
        .arg(archive)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut dump_child = dump
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", pg_restore.path.display()))?;
    let script = dump_child.stdout.take().expect("stdout is piped");

    let piped = async {
        to_psql
            .write_all(format!("CREATE SCHEMA {};\n", crate::sql::quote_ident(side)).as_bytes())
            .await?;
        let mut rewrite = SideSchema::new(side, tables);
        let mut lines = BufReader::new(script).lines();
        let mut done = 0;
        while let Some(line) = lines.next_line().await? {
            let out = rewrite.line(&line).map_err(anyhow::Error::msg)?;
            if out.starts_with("CREATE TABLE ") || out.starts_with("COPY ") {
                done += 1;
                progress(RestoreProgress {
                    done: done.min(total),
                    total,
                    what: out.trim_end_matches(" FROM stdin;").to_string(),
                });
            }
            to_psql.write_all(out.as_bytes()).await?;
            to_psql.write_all(b"\n").await?;
        }
        // Only a whole script reaches psql's end of input (where it commits): a pg_restore
        // that failed halfway leaves psql killed, its transaction never committed.
        let dumped = dump_child.wait_with_output().await?;
        if !dumped.status.success() {
            anyhow::bail!(
                "pg_restore could not read {}: {}",
                archive.display(),
                String::from_utf8_lossy(&dumped.stderr).trim()
            );
        }
        to_psql.shutdown().await?;
        drop(to_psql);
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = piped {
        let _ = psql_child.kill().await;
        anyhow::bail!("restore into {side} stopped, nothing was kept: {e}");
    }
    let loaded = psql_child.wait_with_output().await?;
    if !loaded.status.success() {
        anyhow::bail!(
            "restoring into {side} of {} failed, and its transaction was rolled back: {}",
            into.target,
            String::from_utf8_lossy(&loaded.stderr).trim()
        );
    }
    progress(RestoreProgress {
        done: total,
        total,
        what: "done".into(),
    });
    Ok(())
}
