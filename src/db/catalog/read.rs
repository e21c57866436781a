//! Running the catalog queries inside one read-only transaction, counting round trips.

use std::time::Instant;

use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Postgres, Row as _};

use super::{CatalogError, ReadOptions, Snapshot};
use super::{decode_info, decode_objects, decode_tables, migrations, sql};

/// The oldest server the queries are written for.
const MIN_VERSION_NUM: i32 = 140000;

/// Reads a consistent snapshot of the database `conn` is connected to.
///
/// Runs in one `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` transaction, committed at the
/// end (rolled back on error). `conn` must not already be inside a transaction.
pub async fn read_snapshot(
    conn: &mut PgConnection,
    opts: &ReadOptions,
) -> Result<Snapshot, CatalogError> {
    let started = Instant::now();
    // Behind a transaction pooler session settings do not stick: the timeout travels with the
    // transaction, in the same round trip as BEGIN.
    let begin = match opts.statement_timeout_ms {
        Some(ms) => format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = {ms}"
        ),
        None => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_string(),
    };
    let mut tx = conn
        .begin_with(AssertSqlSafe(begin))
        .await
        .map_err(|source| CatalogError::Query {
            step: "begin",
            source,
        })?;
    let mut reader = Reader {
        conn: &mut tx,
        opts,
        round_trips: 1,
    };
    // On error `tx` is dropped, which rolls the transaction back.
    let mut snapshot = read_all(&mut reader).await?;
    let round_trips = reader.round_trips + 1;
    tx.commit().await.map_err(|source| CatalogError::Query {
        step: "commit",
        source,
    })?;
    snapshot.round_trips = round_trips;
    snapshot.read_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(snapshot)
}

async fn read_all(r: &mut Reader<'_>) -> Result<Snapshot, CatalogError> {
    let info_rows = r.fetch("server and small sets", sql::info()).await?;
    let info_row = info_rows.first().ok_or(CatalogError::Decode {
        step: "server and small sets",
        detail: "no row".into(),
    })?;
    let mut snap = decode_info::decode(Row::new(info_row, "server and small sets"))?;
    let version = snap.server.version_num;
    if version < MIN_VERSION_NUM {
        return Err(CatalogError::UnsupportedServer(version));
    }
    let migration_tables = migrations::classify(
        decode_info::migration_tables(Row::new(info_row, "server and small sets"))?,
        &mut snap.warnings,
    );

    let rows = r.fetch("relations", sql::relations()).await?;
    let mut tables = decode_tables::relations(&rows, version, &mut snap)?;
    let rows = r.fetch("columns", sql::columns()).await?;
    tables.columns(&rows)?;
    let rows = r.fetch("constraints", sql::constraints()).await?;
    tables.constraints(&rows)?;
    let rows = r.fetch("indexes", sql::indexes(version)).await?;
    tables.indexes(&rows)?;
    let rows = r.fetch("types", sql::types()).await?;
    decode_objects::types(&rows, &mut snap)?;
    let rows = r.fetch("functions", sql::functions()).await?;
    decode_objects::functions(&rows, &mut snap)?;
    let rows = r.fetch("triggers", sql::triggers()).await?;
    tables.triggers(&rows)?;
    let rows = r.fetch("policies", sql::policies()).await?;
    tables.policies(&rows)?;
    snap.tables = tables.finish();

    if let Some(query) = migrations::query(&migration_tables) {
        // No schema filter here, but `$1` is bound anyway (and unused) to keep one code path.
        let rows = r.fetch("migrations", query).await?;
        snap.migrations = migrations::decode(&rows, &migration_tables)?;
    }
    snap.privileges = snap.flatten_privileges();
    Ok(snap)
}

struct Reader<'c> {
    conn: &'c mut PgConnection,
    opts: &'c ReadOptions,
    round_trips: u32,
}

impl Reader<'_> {
    /// One statement, one round trip: all rows of `sql` with the schema filter bound to `$1`.
    async fn fetch(&mut self, step: &'static str, sql: String) -> Result<Vec<PgRow>, CatalogError> {
        self.round_trips += 1;
        sqlx::query(AssertSqlSafe(sql))
            .bind(&self.opts.schemas)
            .persistent(self.opts.persistent_statements)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(|source| CatalogError::Query { step, source })
    }
}

/// A result row and the step it came from, for error messages.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    row: &'a PgRow,
    step: &'static str,
}

impl<'a> Row<'a> {
    pub(super) fn new(row: &'a PgRow, step: &'static str) -> Self {
        Row { row, step }
    }

    pub(super) fn get<T>(&self, column: &str) -> Result<T, CatalogError>
    where
        T: sqlx::Decode<'a, Postgres> + sqlx::Type<Postgres>,
    {
        self.row
            .try_get(column)
            .map_err(|e| self.bad(format!("column {column}: {e}")))
    }

    /// A JSON array in a text column.
    pub(super) fn json<T: serde::de::DeserializeOwned>(
        &self,
        column: &str,
    ) -> Result<T, CatalogError> {
        let text: String = self.get(column)?;
        serde_json::from_str(&text).map_err(|e| self.bad(format!("column {column}: {e}")))
    }

    pub(super) fn bad(&self, detail: String) -> CatalogError {
        CatalogError::Decode {
            step: self.step,
            detail,
        }
    }
}
