//! The safe path instead of a refusal, on the real server: a NOT NULL column on a table with
//! rows (added nullable, backfilled with the engineer's expression, checked NOT VALID,
//! validated, SET NOT NULL, check dropped) and a unique key over duplicate rows (the groups
//! shown, the engineer's choice applied). Refusals happen at preview, before any backup.

mod cli;
mod engine;

pub const SETUP: &str = r#"
CREATE TABLE rooms (id int PRIMARY KEY, name text, opened date);
INSERT INTO rooms VALUES (1, 'hall', '2026-01-01'), (2, 'lab', NULL), (3, 'attic', '2026-03-03');
CREATE TABLE members (id int PRIMARY KEY, email text, created_at timestamptz);
INSERT INTO members VALUES
  (1, 'a@example.com', '2026-01-01'), (2, 'a@example.com', '2026-02-01'),
  (3, 'b@example.com', '2026-01-05'),
  (4, 'c@example.com', '2026-03-01'), (5, 'c@example.com', '2026-01-01'),
  (6, 'c@example.com', '2026-02-01'), (7, NULL, NULL), (8, NULL, NULL);
"#;

pub const CHECKLIST: &str = r#"
[[table]]
name = "rooms"
columns = [{ name = "ownerId", type = "integer", nullable = false }]

[[table]]
name = "members"
unique = [{ columns = ["email"] }]
"#;

/// `(count, md5)` of a query's rows, to show they did not change.
pub async fn digest(db: &crate::support::TestDb, select: &str) -> (i64, String) {
    let mut c = db.connect().await;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*), coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') FROM ({select}) AS r"
    )))
    .fetch_one(&mut c)
    .await
    .unwrap()
}

pub async fn scalar<T>(db: &crate::support::TestDb, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut c = db.connect().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
