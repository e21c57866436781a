//! The catalog reader: one call returns an immutable [`Snapshot`] of a database, read in a
//! constant number of network round trips (3 or 4, whatever the schema's size) inside one
//! `REPEATABLE READ READ ONLY` transaction, with the simple query protocol only.
//!
//! The round trips, in order (see `sql.rs` for the text):
//!  1. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off`
//!  2. one batch of nine statements, decoded row by row as they stream in: server facts +
//!     schemas, extensions, roles, default privileges, migration tables, keywords, default
//!     operator classes and counts of extension-owned functions/types (small sets, as JSON
//!     arrays); relations (tables, partitioned tables, views with `pg_get_viewdef`,
//!     materialized views, foreign tables, sequences with `pg_sequence` and their owning
//!     column); columns; constraints; indexes; enums, domains and composite types; functions
//!     and procedures; triggers; policies
//!  3. only when needed: migration history (one `UNION ALL` over the migration tables found by
//!     the batch) and `pg_get_indexdef` of the indexes pgmend could not spell itself
//!  4. `COMMIT`

mod acl;
mod decode;
mod decode_info;
mod decode_keys;
mod decode_objects;
mod decode_tables;
mod deparse;
mod migrations;
pub mod model;
mod preview;
mod read;
mod snapshot;
mod sql;
mod text;

pub use acl::{AclParseError, parse_aclitem};
pub use migrations::history_table;
pub use model::*;
pub use preview::read_relation_list;
pub use read::read_snapshot;

/// The catalog queries `read_snapshot` sends in its first round trip (every schema), for
/// measuring the server's own share of a read: the benchmark's floor.
pub fn snapshot_batch_sql(version_num: Option<i32>) -> String {
    sql::batch(version_num, &[])
}
pub use snapshot::{Counts, is_managed_schema};

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Only these schemas; empty means every schema except `pg_catalog`,
    /// `information_schema`, `pg_toast*` and `pg_temp*` (which are read only when named here).
    /// Migration tables are looked for in every non-system schema whatever this says.
    pub schemas: Vec<String>,
    /// Kept for callers; no longer changes anything: the reader uses the simple query
    /// protocol only, so it never prepares a statement (safe behind transaction poolers).
    pub persistent_statements: bool,
    /// `SET LOCAL statement_timeout` inside the snapshot's transaction: for sessions whose
    /// startup settings a transaction pooler dropped. `None` keeps the session's own timeout.
    pub statement_timeout_ms: Option<u64>,
}

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// `cause` is not a `#[source]`: the message already says it, in words.
    #[error("reading the catalog failed in step `{step}`: {}", describe(cause))]
    Query {
        step: &'static str,
        cause: sqlx::Error,
    },
    #[error("unexpected catalog data in step `{step}`: {detail}")]
    Decode { step: &'static str, detail: String },
    #[error(
        "the server's version (server_version_num {0}) is too old: pgmend reads PostgreSQL 14 \
         and newer"
    )]
    UnsupportedServer(i32),
}

/// A failed catalog query in words: a lost connection or a statement timeout says so and what
/// to do; a server error is its message (without the source line sqlx appends).
pub fn describe(e: &sqlx::Error) -> String {
    const LOST: &str = "the connection to the server was lost";
    match e {
        sqlx::Error::Database(d) => {
            let msg = d.message();
            match d.code().as_deref().unwrap_or_default() {
                "57P01" | "57P02" | "57P03" => format!(
                    "{LOST}: {msg} (the server restarted, or an administrator ended the session); \
                     connect again"
                ),
                "57014" if msg.contains("statement timeout") => format!(
                    "{msg}: a catalog query ran longer than the statement timeout; raise it with \
                     --statement-timeout (or statement_timeout in config.toml), or look in \
                     pg_stat_activity for a session holding locks"
                ),
                code if code.starts_with("08") => format!("{LOST}: {msg}; connect again"),
                _ => msg.to_string(),
            }
        }
        sqlx::Error::Io(io) => format!("{LOST}: {io}; connect again"),
        sqlx::Error::Protocol(p) => format!("{LOST} (protocol error: {p}); connect again"),
        other => other.to_string(),
    }
}
