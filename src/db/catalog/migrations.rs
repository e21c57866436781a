//! Migration history from whichever migration tools' tables exist: one `UNION ALL` query.
//!
//! Each branch reads `to_jsonb(t)` for its table's rows, so a column missing from some
//! version of a tool yields NULL instead of an error.

use sqlx::postgres::PgRow;

use super::decode_info::MigrationTable;
use super::read::Row;
use super::{CatalogError, Migration, MigrationSource, QualifiedName};

/// A migration table and the tool it belongs to.
pub(super) struct Source {
    pub table: MigrationTable,
    pub source: MigrationSource,
}

/// The migration tool whose history table this is, by its name and, where the name is
/// generic, its columns (`has`). Also what platform detection reads an empty table by.
pub fn history_table(
    schema: &str,
    name: &str,
    has: impl Fn(&str) -> bool,
) -> Option<MigrationSource> {
    Some(match name {
        "_prisma_migrations" => MigrationSource::Prisma,
        "migrations" if has("timestamp") && has("name") => MigrationSource::TypeOrm,
        "schema_migrations" if schema == "supabase_migrations" => MigrationSource::Supabase,
        "__drizzle_migrations" => MigrationSource::Drizzle,
        "knex_migrations" => MigrationSource::Knex,
        _ => return None,
    })
}

/// Recognises each tool's table by name and, where the name is generic, by columns:
/// Prisma `_prisma_migrations`, TypeORM `migrations` (with `timestamp` and `name` columns),
/// Supabase `supabase_migrations.schema_migrations`, Drizzle `__drizzle_migrations`,
/// Knex `knex_migrations`. Tables the current user cannot read become warnings.
pub(super) fn classify(
    tables: Vec<MigrationTable>,
    warnings: &mut Vec<String>,
    unreadable: &mut Vec<(MigrationSource, String)>,
) -> Vec<Source> {
    let mut out = Vec::new();
    for table in tables {
        let has = |c: &str| table.columns.iter().any(|x| x == c);
        let Some(source) = history_table(&table.schema, &table.name, has) else {
            continue;
        };
        if !table.readable {
            warnings.push(format!(
                "{source:?} migration table {} is not readable by the current user",
                table.quoted
            ));
            unreadable.push((source, table.quoted.clone()));
            continue;
        }
        out.push(Source { table, source });
    }
    out
}

/// How to read one tool's rows, given `j` (a row as jsonb): the ORDER BY keys that give the
/// order the tool applied them in, and the output columns (name, applied_at, finished,
/// checksum).
fn projection(source: MigrationSource) -> (&'static str, &'static str) {
    match source {
        MigrationSource::Prisma => (
            "j->'started_at', j->'migration_name'",
            "j->>'migration_name', coalesce(j->>'finished_at', j->>'started_at'), \
             (j->>'finished_at') IS NOT NULL AND (j->>'rolled_back_at') IS NULL, j->>'checksum'",
        ),
        MigrationSource::TypeOrm => (
            "j->'id', j->'timestamp'",
            "j->>'name', NULL::text, true, NULL::text",
        ),
        MigrationSource::Supabase => (
            "j->'version'",
            "coalesce((j->>'version') || '_' || nullif(j->>'name', ''), j->>'version'), \
             NULL::text, true, NULL::text",
        ),
        MigrationSource::Drizzle => (
            "j->'id', j->'created_at'",
            "j->>'hash', \
             CASE WHEN (j->>'created_at') ~ '^[0-9]{1,15}$' \
               THEN to_jsonb(to_timestamp((j->>'created_at')::float8 / 1000)) #>> '{}' END, \
             true, j->>'hash'",
        ),
        MigrationSource::Knex => (
            "j->'id', j->'name'",
            "j->>'name', j->>'migration_time', true, NULL::text",
        ),
    }
}

/// The one query over every migration table, or None when there are none.
pub(super) fn query(sources: &[Source]) -> Option<String> {
    if sources.is_empty() {
        return None;
    }
    let branches: Vec<String> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (order, out) = projection(s.source);
            format!(
                "SELECT {i}::int4, row_number() OVER (ORDER BY {order})::int8, {out} \
                 FROM (SELECT to_jsonb(t) AS j FROM {table} t) s",
                table = s.table.quoted,
            )
        })
        .collect();
    Some(format!(
        "SELECT m.* FROM ({}) AS m(branch, ord, name, applied_at, finished, checksum) \
         ORDER BY m.branch, m.ord",
        branches.join(" UNION ALL ")
    ))
}

/// One row of the history query.
pub(super) fn decode_row(row: &PgRow, sources: &[Source]) -> Result<Migration, CatalogError> {
    let r = Row::new(row, "migrations");
    let branch: i32 = r.get("branch")?;
    let s = usize::try_from(branch)
        .ok()
        .and_then(|b| sources.get(b))
        .ok_or_else(|| r.bad(format!("unknown branch {branch}")))?;
    Ok(Migration {
        source: s.source,
        table: QualifiedName {
            schema: s.table.schema.clone(),
            name: s.table.name.clone(),
        },
        name: r.get::<Option<String>>("name")?.unwrap_or_default(),
        applied_at: r.get("applied_at")?,
        finished: r.get::<Option<bool>>("finished")?.unwrap_or(false),
        checksum: r.get("checksum")?,
    })
}
