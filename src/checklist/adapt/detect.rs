//! The naming convention a database already uses, read from its own tables: separately for
//! table names (`chat_members`, `chatMembers`, `ChatMembers`) and for column names
//! (`organization_id` or TypeORM's and Prisma's `organizationId`).

use std::fmt;

use serde::Serialize;

use crate::db::catalog::{RelationKind, Snapshot, Table};

/// A naming convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    Snake,
    Camel,
    Pascal,
}

impl Case {
    /// `name` written in this convention.
    pub fn spell(self, name: &str) -> String {
        use crate::checklist::naming::{camel_case, pascal_case, snake_case};
        match self {
            Case::Snake => snake_case(name),
            Case::Camel => camel_case(name),
            Case::Pascal => pascal_case(name),
        }
    }

    /// The convention a single name shows, when it shows one: `user_id` is snake_case, `userId`
    /// camelCase, `UserId` PascalCase; `users`, `id`, `A` and `_x` show none.
    pub fn of(name: &str) -> Option<Case> {
        if name.starts_with('_') || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let upper = name.chars().any(char::is_uppercase);
        let lower = name.chars().any(char::is_lowercase);
        let underscore = name.contains('_');
        match (upper, lower, underscore) {
            (false, true, true) => Some(Case::Snake),
            (true, true, false) if name.starts_with(char::is_uppercase) => Some(Case::Pascal),
            (true, true, false) => Some(Case::Camel),
            _ => None,
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Case::Snake => "snake_case",
            Case::Camel => "camelCase",
            Case::Pascal => "PascalCase",
        })
    }
}

/// The conventions of a database; `None` where it has too few names to tell, or mixes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Conventions {
    pub tables: Option<Case>,
    pub columns: Option<Case>,
}

/// Names that decide less than this many votes, or whose winner has less than three quarters
/// of them, are not a convention.
const MIN_VOTES: usize = 2;

/// The convention most of `names` show: at least [`MIN_VOTES`] names that show one, and three
/// quarters of those showing the same.
pub fn majority<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Case> {
    let mut votes = [0usize; 3];
    for n in names {
        if let Some(c) = Case::of(n) {
            votes[c as usize] += 1;
        }
    }
    let total: usize = votes.iter().sum();
    let (best, &count) = votes.iter().enumerate().max_by_key(|&(_, v)| *v)?;
    if total < MIN_VOTES || count * 4 < total * 3 {
        return None;
    }
    Some([Case::Snake, Case::Camel, Case::Pascal][best])
}

/// Tables whose names say something about the application's convention: plain and
/// partitioned tables in schemas the application owns (not a platform's `auth`, not the
/// system's), that no extension brought and that are not a migration tool's own bookkeeping.
pub fn user_tables(snap: &Snapshot) -> impl Iterator<Item = &Table> {
    snap.tables.iter().filter(move |t| {
        matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
            && t.extension.is_none()
            && t.partition_of.is_none()
            && !is_tool_table(&t.name)
            && !snap.schemas.iter().any(|s| s.name == t.schema && s.managed)
            && !t.schema.starts_with("pg_")
            && t.schema != "information_schema"
    })
}

/// A migration tool's or session store's table, named by the tool, not by the application.
fn is_tool_table(name: &str) -> bool {
    matches!(
        name,
        "_prisma_migrations"
            | "migrations"
            | "typeorm_metadata"
            | "schema_migrations"
            | "__drizzle_migrations"
            | "knex_migrations"
            | "knex_migrations_lock"
    )
}

/// The conventions `snap`'s own tables follow.
pub fn conventions(snap: &Snapshot) -> Conventions {
    Conventions {
        tables: majority(user_tables(snap).map(|t| t.name.as_str())),
        columns: majority(
            user_tables(snap)
                .flat_map(|t| &t.columns)
                .map(|c| c.name.as_str()),
        ),
    }
}

/// The convention of one existing table's columns, when they show one.
pub fn table_columns(t: &Table) -> Option<Case> {
    majority(t.columns.iter().map(|c| c.name.as_str()))
}
