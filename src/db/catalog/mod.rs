//! The catalog reader: one call returns an immutable [`Snapshot`] of a database, read in a
//! constant number of round trips (about a dozen, whatever the schema's size) inside one
//! `REPEATABLE READ READ ONLY` transaction.
//!
//! The round trips, in order (see `sql.rs` for the text):
//!  1. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
//!  2. server facts + schemas, extensions, roles, default privileges, migration tables and
//!     counts of extension-owned functions/types (small sets, as JSON arrays)
//!  3. relations: tables, partitioned tables, views (with `pg_get_viewdef`), materialized views,
//!     foreign tables and sequences (with `pg_sequence` and their owning column)
//!  4. columns  5. constraints  6. indexes  7. enums, domains and composite types
//!  8. functions and procedures  9. triggers  10. policies
//! 11. migration history: one `UNION ALL` over the migration tables found by query 2 (skipped
//!     when there are none)
//! 12. `COMMIT`

mod acl;
mod decode_info;
mod decode_objects;
mod decode_tables;
mod migrations;
pub mod model;
mod read;
mod snapshot;
mod sql;

pub use acl::{AclParseError, parse_aclitem};
pub use model::*;
pub use read::read_snapshot;
pub use snapshot::{Counts, is_managed_schema};

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Only these schemas; empty means every schema except `pg_catalog`,
    /// `information_schema`, `pg_toast*` and `pg_temp*` (which are read only when named here).
    /// Migration tables are looked for in every non-system schema whatever this says.
    pub schemas: Vec<String>,
    /// Let sqlx prepare and cache named statements. Set false behind a transaction-mode
    /// connection pooler (PgBouncer, Supavisor): every query then uses the unnamed statement.
    pub persistent_statements: bool,
    /// `SET LOCAL statement_timeout` inside the snapshot's transaction: for sessions whose
    /// startup settings a transaction pooler dropped. `None` keeps the session's own timeout.
    pub statement_timeout_ms: Option<u64>,
}

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("reading the catalog failed in step `{step}`: {source}")]
    Query {
        step: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("unexpected catalog data in step `{step}`: {detail}")]
    Decode { step: &'static str, detail: String },
    #[error(
        "the server's version (server_version_num {0}) is too old: pgmend reads PostgreSQL 14 \
         and newer"
    )]
    UnsupportedServer(i32),
}
