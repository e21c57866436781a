//! What the corpus reads from a database: the pair's SQL loaded, a checksum of every row of
//! every user table, and `pg_dump --schema-only` (with what pg_dump leaves out appended).

use std::collections::BTreeMap;
use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::support::TestDb;

/// Runs a pair's SQL file; the error names the statement PostgreSQL refused.
pub async fn load(db: &TestDb, sql: &str) -> Result<(), String> {
    let mut c = PgConnection::connect(db.url())
        .await
        .map_err(|e| e.to_string())?;
    let r = sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await;
    let _ = c.close().await;
    r.map(|_| ()).map_err(|e| e.to_string())
}

/// Every user table (`schema.name`, quoted) with the text of its columns' list, as they are now.
const TABLES: &str = "
select format('%I.%I', n.nspname, c.relname),
       string_agg(format('%I::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', '
                  order by a.attnum)
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
 where c.relkind in ('r', 'p')
   and n.nspname not in ('pg_catalog', 'information_schema')
   and n.nspname not like 'pg\\_%'
   and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
 group by 1";

/// The tables of A and their columns, taken before the fix: the checksums use these columns
/// afterwards too (a column the fix added is not A's data), each cast to the type it had in A,
/// so a type change that keeps every value (`real` 1.5 → `numeric(8,2)` 1.50) reads the same.
pub async fn tables(db: &TestDb) -> Result<Vec<(String, String)>, String> {
    let mut c = db.connect().await;
    let rows: Vec<(String, String)> = sqlx::query_as(TABLES)
        .fetch_all(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    let _ = c.close().await;
    Ok(rows)
}

/// Per table: the row count and the md5 of its rows' text, sorted (only the table's own rows:
/// `FROM ONLY`, so rows of a child or a partition count where they live).
pub async fn checksums(
    db: &TestDb,
    tables: &[(String, String)],
) -> BTreeMap<String, Result<String, String>> {
    let mut c = db.connect().await;
    let mut out = BTreeMap::new();
    for (t, cols) in tables {
        let q = format!(
            "select count(*)::text || ' rows, md5 ' || coalesce(md5(string_agg(x, E'\\n' order by x)), '-')
               from (select row({cols})::text as x from only {t}) s"
        );
        let r: Result<String, String> = sqlx::query_scalar(AssertSqlSafe(q))
            .fetch_one(&mut c)
            .await
            .map_err(|e| e.to_string());
        out.insert(t.clone(), r);
    }
    let _ = c.close().await;
    out
}

/// The harness's pg_dump: the local cluster's own, else the newest installed (at least the
/// server's major, as pgmend's backups require).
fn pg_dump() -> PathBuf {
    match crate::support::cluster() {
        Some(c) => c.bin().tool("pg_dump"),
        None => {
            pgmend::backup::tools::find_pg_dump(None)
                .expect("pg_dump for the corpus")
                .path
        }
    }
}

/// `pg_dump --schema-only`, then what pg_dump does not print: each extension's version.
pub async fn schema_dump(db: &TestDb) -> Result<String, String> {
    let out = tokio::process::Command::new(pg_dump())
        .arg("--schema-only")
        .arg("--dbname")
        .arg(db.url())
        .env_remove("PGPASSWORD")
        .output()
        .await
        .map_err(|e| format!("pg_dump: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut dump = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut c = db.connect().await;
    let versions: Vec<String> = sqlx::query_scalar(
        "select format('-- (not printed by pg_dump)\nEXTENSION %I VERSION %L;', extname, extversion)
           from pg_extension order by extname",
    )
    .fetch_all(&mut c)
    .await
    .map_err(|e| e.to_string())?;
    let _ = c.close().await;
    for v in versions {
        dump.push('\n');
        dump.push_str(&v);
    }
    Ok(dump)
}
