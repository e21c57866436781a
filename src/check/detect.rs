//! What the database says about itself when no checklist does: the platform (Supabase's `auth`
//! schema and API roles, a migration tool's history table) and the built-in preset whose tables
//! best match it. A suggestion is only shown: a preset is never applied unless asked for.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::checklist::naming::normalized;
use crate::checklist::{Checklist, Platform, presets};
use crate::db::catalog::{MigrationSource, RelationKind, Snapshot, Table};

/// The platform the checks assume, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformGuess {
    pub platform: Platform,
    /// `checklist` when a checklist says it, `database` when detected.
    pub from: &'static str,
    /// What gave it away ("schema auth and roles anon, authenticated").
    pub evidence: String,
}

/// A built-in preset that looks like this database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub preset: String,
    /// Its tables found in the database (as the database names them).
    pub matched: Vec<String>,
    /// How many tables the preset names.
    pub total: usize,
}

impl Suggestion {
    /// "this looks like the mood-journal app (9 of 14 of its tables are here): check it with
    /// --preset mood-journal".
    pub fn describe(&self) -> String {
        format!(
            "this looks like the {} app ({} of {} of its tables are here: {}): check it with --preset {}",
            self.preset,
            self.matched.len(),
            self.total,
            shorten(&self.matched, 5),
            self.preset
        )
    }
}

fn shorten(names: &[String], n: usize) -> String {
    let mut s = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        s.push_str(&format!(", … {} more", names.len() - n));
    }
    s
}

/// The platform a checklist states, else the one the database shows (plain PostgreSQL when
/// nothing does).
pub fn platform(snapshot: &Snapshot, checklists: &[Checklist]) -> PlatformGuess {
    if let Some(c) = checklists
        .iter()
        .find(|c| c.file.checklist.platform.is_some())
    {
        return PlatformGuess {
            platform: c.file.checklist.platform.expect("found by is_some"),
            from: "checklist",
            evidence: format!("{} says so", c.source),
        };
    }
    let (platform, evidence) = detect(snapshot);
    PlatformGuess {
        platform,
        from: "database",
        evidence,
    }
}

fn detect(s: &Snapshot) -> (Platform, String) {
    let role = |n: &str| s.roles.iter().any(|r| r.name == n);
    if s.schemas.iter().any(|x| x.name == "auth") && role("anon") && role("authenticated") {
        return (
            Platform::Supabase,
            "schema auth and roles anon, authenticated".into(),
        );
    }
    // PostgREST's anonymous role holds privileges in this database (a role of that name in the
    // cluster alone says nothing: roles are cluster-wide).
    for anon in ["anon", "web_anon"] {
        let named = crate::db::catalog::Grantee::Role(anon.to_string());
        if role(anon) && s.privileges.iter().any(|g| g.grantee == named) {
            return (
                Platform::Postgrest,
                format!("role {anon} holds privileges in this database"),
            );
        }
    }
    let tool = |m: MigrationSource| match m {
        MigrationSource::Prisma => Platform::Prisma,
        MigrationSource::TypeOrm => Platform::Typeorm,
        MigrationSource::Drizzle => Platform::Drizzle,
        MigrationSource::Knex => Platform::Knex,
        MigrationSource::Supabase => Platform::Supabase,
    };
    let recorded = s
        .migrations
        .iter()
        .map(|m| (m.source, format!("{}.{}", m.table.schema, m.table.name)))
        .chain(s.unreadable_migrations.iter().cloned());
    if let Some((source, table)) = recorded.into_iter().next() {
        return (tool(source), format!("migration table {table}"));
    }
    // An empty history table: its name alone, as the catalog reader recognises it (Supabase's
    // is not enough without its schema and roles, above), or TypeORM's metadata table.
    for t in s.tables.iter().filter(|t| t.kind == RelationKind::Table) {
        let has = |c: &str| t.columns.iter().any(|x| x.name == c);
        let p = match crate::db::catalog::history_table(&t.schema, &t.name, has) {
            Some(MigrationSource::Supabase) => None,
            Some(m) => Some(tool(m)),
            None => (t.name == "typeorm_metadata").then_some(Platform::Typeorm),
        };
        if let Some(p) = p {
            return (p, format!("table {}.{}", t.schema, t.name));
        }
    }
    (
        Platform::Postgres,
        "no platform schema, role or migration table".into(),
    )
}

/// The built-in preset whose tables are here, each with one of the columns the preset states
/// for it besides `id` (a generic `users (id)` table alone is no evidence): chosen when at least
/// two of them match and either three do or they are at least 40% of the preset's tables. The
/// most matches win, then the larger share.
pub fn suggest(snapshot: &Snapshot) -> Option<Suggestion> {
    let here: HashMap<(&str, String), &Table> = snapshot
        .tables
        .iter()
        .map(|t| ((t.schema.as_str(), normalized(&t.name)), t))
        .collect();
    let mut best: Option<Suggestion> = None;
    for name in presets::names() {
        let Ok(c) = Checklist::preset(name) else {
            continue;
        };
        let tables = &c.file.tables;
        let matched: Vec<String> = tables
            .iter()
            .filter_map(|t| {
                let t = t.get_ref();
                let schema = t.schema.as_deref().unwrap_or("public");
                let found = here.get(&(schema, normalized(&t.name)))?;
                let cols: HashSet<String> =
                    found.columns.iter().map(|c| normalized(&c.name)).collect();
                let mut stated = t.columns.iter().map(|c| normalized(&c.get_ref().name));
                let mut stated = stated.by_ref().filter(|c| c != "id").peekable();
                let evidence = stated.peek().is_none() || stated.any(|c| cols.contains(&c));
                evidence.then(|| found.name.clone())
            })
            .collect();
        let (n, total) = (matched.len(), tables.len());
        if n < 2 || (n < 3 && n * 5 < total * 2) {
            continue;
        }
        let better = best.as_ref().is_none_or(|b| {
            n > b.matched.len() || (n == b.matched.len() && n * b.total > b.matched.len() * total)
        });
        if better {
            best = Some(Suggestion {
                preset: name.to_string(),
                matched,
                total,
            });
        }
    }
    best
}
