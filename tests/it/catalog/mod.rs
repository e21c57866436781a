//! The catalog reader against the real server: every object kind, hostile names, migration
//! tables, and a round-trip count that does not grow with the schema.

mod migrations;
mod names;
mod objects;
mod privileges;
mod relations;
mod scale;

use pgmend::db::catalog::{ReadOptions, Snapshot, Table, read_snapshot};

use crate::support::TestDb;

/// A snapshot of every non-system schema.
async fn snapshot(db: &TestDb) -> Snapshot {
    snapshot_with(db, ReadOptions::default()).await
}

async fn snapshot_with(db: &TestDb, opts: ReadOptions) -> Snapshot {
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &opts)
        .await
        .unwrap_or_else(|e| panic!("read_snapshot failed: {e:?}"));
    assert!(snap.warnings.is_empty(), "warnings: {:?}", snap.warnings);
    snap
}

fn table<'a>(snap: &'a Snapshot, schema: &str, name: &str) -> &'a Table {
    snap.table(schema, name)
        .unwrap_or_else(|| panic!("no table {schema:?}.{name:?} in the snapshot"))
}

/// A role name unique to this test database (roles are cluster-wide).
fn role(db: &TestDb, base: &str) -> String {
    format!("{base}_{}", db.name)
}

/// One value from the server, to compare the snapshot against the catalog's own answer.
async fn scalar<T>(db: &TestDb, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut c = db.connect().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The server's `server_version_num`, for fixtures that use newer syntax.
async fn version_num(db: &TestDb) -> i32 {
    scalar::<String>(db, "show server_version_num")
        .await
        .parse()
        .unwrap()
}
