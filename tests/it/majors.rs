//! Smoke run on every PostgreSQL major named in `PGMEND_MAJORS` (colon-separated bin dirs, as
//! `scripts/provision-majors | paste -sd:` prints them): for each, a throwaway cluster of that
//! major, a broken scenario loaded, the catalog read, the checklist snapshot round trip, the
//! check, and `pgmend fix --all --yes` with its backup (pg_dump of that major), then the check
//! again. Nothing is skipped silently: without `PGMEND_MAJORS` the test says that only the
//! default major was tested (by the rest of the suite) and passes; CI sets it.

use std::path::{Path, PathBuf};

use pgmend::check::{self, Report};
use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::{ReadOptions, Snapshot, read_snapshot};
use pgmend::pgserver::{BinDir, Cluster};
use sqlx::{Connection, PgConnection};

use crate::apply::fix_cli::{pgmend, text};

/// The scenario the smoke run loads: Supabase roles and schemas, views (security_invoker from
/// 15 on), RLS and policies, Prisma's migration table, an extension (uuid-ossp).
const SCENARIO: &str = "mood-journal";

#[test]
fn smoke_on_every_major() {
    let dirs: Vec<PathBuf> = std::env::var("PGMEND_MAJORS")
        .unwrap_or_default()
        .split(':')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect();
    if dirs.is_empty() {
        println!(
            "majors: PGMEND_MAJORS is unset: checked only the default major (the rest of the \
             suite); run scripts/provision-majors and set PGMEND_MAJORS to test 14 to 18"
        );
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut failures = Vec::new();
    for dir in &dirs {
        let start = std::time::Instant::now();
        match rt.block_on(smoke(dir)) {
            Ok(summary) => println!(
                "majors: {} ok in {:?}: {summary}",
                dir.display(),
                start.elapsed()
            ),
            Err(e) => {
                println!("majors: {} FAILED: {e}", dir.display());
                failures.push(format!("{}: {e}", dir.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

async fn read(url: &str) -> Result<(PgConnection, Snapshot), String> {
    let mut c = PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .map_err(|e| format!("reading the catalog: {e}"))?;
    Ok((c, snap))
}

async fn check_against(url: &str, cl: &Checklist) -> Result<Report, String> {
    let (mut c, snap) = read(url).await?;
    let facts = check::gather_facts(&mut c, std::slice::from_ref(cl)).await;
    Ok(check::run(
        &snap,
        std::slice::from_ref(cl),
        &facts,
        &Default::default(),
    ))
}

fn failed(r: &Report) -> Vec<String> {
    r.items
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| f.id.clone()))
        .collect()
}

async fn smoke(dir: &Path) -> Result<String, String> {
    let bin = BinDir(dir.to_path_buf());
    let major = bin
        .major_version()
        .ok_or_else(|| format!("{}/postgres --version does not answer", dir.display()))?;
    let cluster = Cluster::start_with(bin).map_err(|e| format!("starting the cluster: {e}"))?;
    let url = cluster
        .create_database("smoke")
        .await
        .map_err(|e| e.to_string())?;
    let mut c = PgConnection::connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    pgmend::scenarios::load(&mut c, SCENARIO, pgmend::scenarios::State::Broken)
        .await
        .map_err(|e| format!("loading {SCENARIO}: {e}"))?;

    // The catalog: the server is the major the bin dir says, and the read sees the scenario.
    let (_, snap) = read(&url).await?;
    if snap.server.version_num / 10000 != major as i32 {
        return Err(format!(
            "bin dir says {major}, server_version_num is {}",
            snap.server.version_num
        ));
    }
    if snap.tables.len() < 5
        || snap.roles.is_empty()
        || snap.tables.iter().all(|t| t.indexes.is_empty())
    {
        return Err(format!(
            "the catalog read looks empty: {} tables",
            snap.tables.len()
        ));
    }

    // A database matches its own checklist snapshot.
    let toml = snapshot::to_toml(&snap, "smoke");
    let own = Checklist::parse(&toml, "smoke.toml").map_err(|e| e.to_string())?;
    let r = check_against(&url, &own).await?;
    if !failed(&r).is_empty() {
        return Err(format!("own snapshot fails: {:?}", failed(&r)));
    }

    // The preset finds what the scenario broke.
    let preset = Checklist::preset(SCENARIO).unwrap();
    let before = failed(&check_against(&url, &preset).await?);
    if before.is_empty() {
        return Err("the broken scenario passes its preset".into());
    }

    // Fix everything, with a backup by this major's pg_dump.
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = tmp.path().join("data");
    let out = pgmend(&data)
        .env("PGMEND_PG_BIN", dir)
        .args([
            "fix",
            &url,
            "--preset",
            SCENARIO,
            "--all",
            "--yes",
            "--backup-dir",
        ])
        .arg(tmp.path().join("backups"))
        .output()
        .map_err(|e| e.to_string())?;
    let log = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    if out.status.code() == Some(2) {
        return Err(format!("pgmend fix failed:\n{log}"));
    }
    let entries = pgmend::journal::read(&data.join("journal.jsonl")).map_err(|e| e.to_string())?;
    let broke: Vec<String> = entries
        .iter()
        .filter(|e| e.result == "failed")
        .map(|e| format!("{}: {}", e.finding_id, e.error.clone().unwrap_or_default()))
        .collect();
    if !broke.is_empty() {
        return Err(format!(
            "plans failed on PostgreSQL {major}:\n{}",
            broke.join("\n")
        ));
    }
    let dumps = pgmend::backup::list(&tmp.path().join("backups")).map_err(|e| e.to_string())?;
    if dumps.len() != 1 {
        return Err(format!(
            "expected one backup, found {}:\n{log}",
            dumps.len()
        ));
    }
    // Verified by this major's pg_restore (an older one cannot read a newer archive).
    let v = pgmend(&data)
        .env("PGMEND_PG_BIN", dir)
        .args(["backups", "verify"])
        .arg(&dumps[0].path)
        .output()
        .map_err(|e| e.to_string())?;
    if !v.status.success() {
        return Err(format!(
            "the backup does not verify: {}{}",
            text(&v.stdout),
            text(&v.stderr)
        ));
    }

    let after = failed(&check_against(&url, &preset).await?);
    if after.len() >= before.len() {
        return Err(format!("nothing was fixed: {after:?}\n{log}"));
    }
    let _ = c.close().await;
    Ok(format!(
        "PostgreSQL {major}: {} tables, {} failed finding(s) before fix, {} after, {} plan(s) run",
        snap.tables.len(),
        before.len(),
        after.len(),
        entries.len()
    ))
}
