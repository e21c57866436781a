//! Running the catalog queries inside one read-only transaction, in a constant number of
//! network round trips: BEGIN; one simple-protocol batch holding every catalog query, decoded
//! row by row as it streams in; at most one follow-up (migration history, and the index
//! definitions pgmend could not assemble itself); COMMIT.

use std::time::Instant;

use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Connection, Either, PgConnection, Postgres, Row as _};

use super::decode::Decoder;
use super::text::parse_array;
use super::{CatalogError, ReadOptions, Snapshot};
use super::{migrations, sql};

/// The oldest server the queries are written for.
pub(super) const MIN_VERSION_NUM: i32 = 140000;

/// Reads a consistent snapshot of the database `conn` is connected to.
///
/// Runs in one `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` transaction, committed at the
/// end (rolled back on error). `conn` must not already be inside a transaction. Only the
/// simple query protocol is used: no statement is prepared, so transaction poolers are fine.
pub async fn read_snapshot(
    conn: &mut PgConnection,
    opts: &ReadOptions,
) -> Result<Snapshot, CatalogError> {
    let started = Instant::now();
    let known = conn
        .server_version_num()
        .and_then(|v| i32::try_from(v).ok());
    if let Some(v) = known
        && v < MIN_VERSION_NUM
    {
        return Err(CatalogError::UnsupportedServer(v));
    }
    // JIT compiling these large queries costs more than running them. Behind a transaction
    // pooler session settings do not stick: the timeout travels with the transaction.
    let mut begin =
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off".to_string();
    if let Some(ms) = opts.statement_timeout_ms {
        begin.push_str(&format!("; SET LOCAL statement_timeout = {ms}"));
    }
    let mut tx = conn
        .begin_with(AssertSqlSafe(begin))
        .await
        .map_err(|cause| CatalogError::Query {
            step: "begin",
            cause,
        })?;
    // On error `tx` is dropped, which rolls the transaction back.
    let mut decoder = Decoder::new();
    let batch = sql::batch(known, &opts.schemas);
    stream(&mut tx, batch, &sql::STEPS, |step, row| {
        decoder.row(step, row)
    })
    .await?;
    let mut round_trips = 2;
    let pending = decoder.pending()?;
    // The follow-up: migration history (its tables were found by the batch), the index
    // definitions neither the batch nor the client could spell, and Storage's public buckets.
    let mut followup = Vec::new();
    let mut steps = Vec::new();
    if let Some(q) = migrations::query(&pending.migration_sources) {
        followup.push(q);
        steps.push(MIGRATIONS);
    }
    let oids = pending.index_oids();
    if !oids.is_empty() {
        followup.push(sql::index_definitions(&oids));
        steps.push(DEFINITIONS);
    }
    if pending.buckets {
        followup.push(sql::PUBLIC_BUCKETS.to_string());
        steps.push(BUCKETS);
    }
    let mut history = Vec::new();
    let mut definitions = Vec::new();
    let mut buckets = Vec::new();
    if !followup.is_empty() {
        round_trips += 1;
        let sources = &pending.migration_sources;
        stream(&mut tx, followup.join(";\n"), &steps, |step, row| {
            if step == MIGRATIONS {
                history.push(migrations::decode_row(row, sources)?);
            } else if step == BUCKETS {
                buckets.push(Row::new(row, BUCKETS).get::<String>("id")?);
            } else {
                let r = Row::new(row, DEFINITIONS);
                definitions.push((r.get::<i64>("oid")?, r.get::<String>("definition")?));
            }
            Ok(())
        })
        .await?;
    }
    tx.commit().await.map_err(|cause| CatalogError::Query {
        step: "commit",
        cause,
    })?;
    round_trips += 1;
    let mut snapshot = decoder.finish(&pending, &definitions)?;
    snapshot.migrations = history;
    if pending.buckets {
        snapshot.public_buckets = Some(buckets);
    }
    snapshot.privileges = snapshot.flatten_privileges();
    snapshot.round_trips = round_trips;
    snapshot.read_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(snapshot)
}

const MIGRATIONS: &str = "migrations";
const DEFINITIONS: &str = "index definitions";
const BUCKETS: &str = "public buckets";

/// Sends `sql` (several statements) in one simple-protocol message and hands every row to
/// `on_row` with the index of the statement it belongs to, as rows arrive.
async fn stream(
    conn: &mut PgConnection,
    sql: String,
    steps: &[&'static str],
    mut on_row: impl FnMut(&'static str, &PgRow) -> Result<(), CatalogError>,
) -> Result<(), CatalogError> {
    let mut rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_many(conn);
    let mut step = 0;
    let name = |step: usize| steps.get(step).copied().unwrap_or("batch");
    while let Some(item) = std::future::poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
        match item.map_err(|cause| CatalogError::Query {
            step: name(step),
            cause,
        })? {
            Either::Left(_) => step += 1,
            Either::Right(row) => on_row(name(step), &row)?,
        }
    }
    if step != steps.len() {
        return Err(CatalogError::Decode {
            step: name(step),
            detail: format!("{step} of {} statements answered", steps.len()),
        });
    }
    Ok(())
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

    /// The raw text of a column (any type), `None` when NULL.
    pub(super) fn text(&self, column: &str) -> Result<Option<&'a str>, CatalogError> {
        self.row
            .try_get_unchecked::<Option<&'a str>, _>(column)
            .map_err(|e| self.bad(format!("column {column}: {e}")))
    }

    /// An array column, elements possibly NULL; `None` when the array itself is NULL.
    pub(super) fn array(&self, column: &str) -> Result<Option<Vec<Option<String>>>, CatalogError> {
        match self.text(column)? {
            None => Ok(None),
            Some(t) => parse_array(t)
                .map(Some)
                .ok_or_else(|| self.bad(format!("column {column}: bad array literal {t:?}"))),
        }
    }

    /// An array column without NULL elements (a NULL array is empty).
    pub(super) fn strings(&self, column: &str) -> Result<Vec<String>, CatalogError> {
        Ok(self.opt_strings(column)?.unwrap_or_default())
    }

    /// An array column without NULL elements, or NULL.
    pub(super) fn opt_strings(&self, column: &str) -> Result<Option<Vec<String>>, CatalogError> {
        match self.array(column)? {
            None => Ok(None),
            Some(v) => v
                .into_iter()
                .map(|e| e.ok_or_else(|| self.bad(format!("column {column}: NULL element"))))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    /// An `int2vector`, `oidvector` or integer array column (NULL: empty).
    pub(super) fn numbers(&self, column: &str) -> Result<Vec<i64>, CatalogError> {
        match self.text(column)? {
            None => Ok(Vec::new()),
            Some(t) => super::text::parse_numbers(t)
                .ok_or_else(|| self.bad(format!("column {column}: bad number list {t:?}"))),
        }
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
