//! Each seeded platform end to end: `pgmend fix --all --yes` on its broken database, then
//! `pgmend check`: no fixable finding remains (unless its plan was refused for the data), the
//! data of every table that was there before is intact, and the backup verifies.

use std::collections::BTreeMap;

use pgmend::backup;
use sqlx::{AssertSqlSafe, PgConnection};

use super::fix_cli::{check_findings, pgmend, remaining_plans, text};
use crate::support::TestDb;

/// Row count and a checksum of `table` over `cols` (the columns it had before: fixes may add some).
async fn fingerprint_of(c: &mut PgConnection, table: &str, cols: &str) -> (i64, String) {
    let sql = format!(
        "SELECT count(*), md5(coalesce(string_agg(r, '|' ORDER BY r), '')) \
           FROM (SELECT ROW({cols})::text AS r FROM {table} t) s"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .fetch_one(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{table}: {e}"))
}

/// Every table with its columns (`t."a", t."b"`).
async fn columns(c: &mut PgConnection) -> BTreeMap<String, String> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('%I.%I', n.nspname, c.relname), \
                string_agg(format('t.%I', a.attname), ', ' ORDER BY a.attnum) \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
          WHERE c.relkind IN ('r', 'p') \
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' \
          GROUP BY 1",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    rows.into_iter().collect()
}

async fn fix_all(id: &str) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, id, pgmend::scenarios::State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cols_before = columns(&mut c).await;
    let mut before = BTreeMap::new();
    for (table, cols) in &cols_before {
        before.insert(table.clone(), fingerprint_of(&mut c, table, cols).await);
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let findings_before = check_findings(&data, db.url(), id);

    let start = std::time::Instant::now();
    let out = pgmend(&data)
        .args([
            "fix",
            db.url(),
            "--preset",
            id,
            "--all",
            "--yes",
            "--backup-dir",
        ])
        .arg(tmp.path().join("backups"))
        .output()
        .unwrap();
    let took = start.elapsed();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_ne!(out.status.code(), Some(2), "{id}: {stdout}\n{stderr}");
    eprintln!("{id}: fix --all --yes took {took:?}\n{stdout}");

    // Findings that remain: none fixable, unless its plan was refused for the data, or skipped
    // because a plan it needs was refused.
    let after = check_findings(&data, db.url(), id);
    let journal = data.join("journal.jsonl");
    let entries = pgmend::journal::read(&journal).unwrap();
    let refused: Vec<&String> = entries
        .iter()
        .filter(|e| e.result == "refused" || e.result == "skipped")
        .flat_map(|e| std::iter::once(&e.finding_id).chain(&e.also_fixes))
        .collect();
    let fixable_left: Vec<String> = remaining_plans(&data, db.url(), id)
        .into_iter()
        .filter(|f| !refused.contains(&f))
        .collect();
    assert!(
        fixable_left.is_empty(),
        "{id}: findings with a plan remain: {fixable_left:?}\n{stdout}"
    );
    let left: Vec<&String> = after.iter().map(|f| &f.0).collect();
    eprintln!(
        "{id}: {} finding(s) before, {} after: {left:?}; refused: {refused:?}",
        findings_before.len(),
        after.len()
    );
    assert!(
        after.len() < findings_before.len(),
        "{id}: nothing was fixed"
    );

    // Data intact: every table that was there holds the same rows in the same columns, but
    // for the rows a checklist's `seed` inserts (only ever more rows).
    let seeds: Vec<&str> = entries
        .iter()
        .filter(|e| e.finding_id.starts_with("data.false:"))
        .flat_map(|e| e.steps.iter().map(|s| s.sql.as_str()))
        .collect();
    for (table, fp) in &before {
        let now = fingerprint_of(&mut c, table, &cols_before[table]).await;
        if seeds
            .iter()
            .any(|sql| sql.contains(&format!("INSERT INTO {table} ")))
        {
            assert!(now.0 > fp.0, "{id}: the seed of {table} inserted nothing");
            continue;
        }
        assert_eq!(&now, fp, "{id}: data of {table} changed");
    }

    // One verified backup, and the journal names it for every plan.
    let dumps = backup::list(&tmp.path().join("backups")).unwrap();
    assert_eq!(dumps.len(), 1, "{id}: {dumps:?}");
    let v = backup::verify_with(
        &dumps[0].path,
        pgmend::journal::backup_sha256(&journal, &dumps[0].path),
    )
    .await
    .unwrap_or_else(|e| panic!("{id}: {e}"));
    assert!(!entries.is_empty());
    for e in &entries {
        assert_eq!(e.backup.as_ref().unwrap().sha256, v.sha256);
        assert!(e.steps.iter().all(|s| !s.sql.is_empty()) || e.result == "refused");
    }
}

#[tokio::test]
async fn fix_all_virtual_audience() {
    fix_all("virtual-audience").await;
}

#[tokio::test]
async fn fix_all_chat_system() {
    fix_all("chat-system").await;
}

#[tokio::test]
async fn fix_all_lms() {
    fix_all("lms").await;
}

#[tokio::test]
async fn fix_all_mood_journal() {
    fix_all("mood-journal").await;
}

#[tokio::test]
async fn fix_all_event_platform() {
    fix_all("event-platform").await;
}
