//! Capturing a database as a checklist (`pgmend checklist snapshot`): a known-good database
//! (staging, a scratch database built from migrations) becomes the expected schema. Checking
//! the same database against it gives no failed item; checking another lists every difference
//! in the covered kinds: schemas, extensions, enums, tables (columns, keys, constraints, RLS),
//! indexes, views, policies, triggers, functions, table grants and migration history.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::db::catalog::{
    ConstraintKind, FkAction, Grantee, MigrationSource, PolicyCommand, Privilege, RelationKind,
    Snapshot, Table, TriggerEvent, TriggerTiming,
};
use crate::db::privileges::table_privileges;
use crate::sql::{qualified, quote_ident};

/// A TOML basic string.
pub(super) fn s(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML array of strings.
pub(super) fn list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    format!(
        "[{}]",
        items
            .into_iter()
            .map(|i| s(i.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn fk_word(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "no action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set null",
        FkAction::SetDefault => "set default",
    }
}

const TABLE_PRIVILEGES: [Privilege; 7] = [
    Privilege::Select,
    Privilege::Insert,
    Privilege::Update,
    Privilege::Delete,
    Privilege::Truncate,
    Privilege::References,
    Privilege::Trigger,
];

/// The checklist TOML for `snap`. `source` is said in the header comment.
pub fn to_toml(snap: &Snapshot, source: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Captured by `pgmend checklist snapshot` from {source}");
    let _ = writeln!(
        o,
        "# PostgreSQL {}; every item below held when it was captured.\n",
        snap.server.version_num
    );
    let _ = writeln!(
        o,
        "[checklist]\nname = {}\nsnapshot = true\n",
        s(&format!("snapshot of {}", snap.server.database))
    );
    let user_schemas: Vec<&str> = snap
        .schemas
        .iter()
        .filter(|x| !x.managed)
        .map(|x| x.name.as_str())
        .collect();
    for sc in &user_schemas {
        let _ = writeln!(o, "[[schema]]\nname = {}\n", s(sc));
    }
    for e in snap.extensions.iter().filter(|e| e.name != "plpgsql") {
        let _ = writeln!(
            o,
            "[[extension]]\nname = {}\nschema = {}\nversion = {}\n",
            s(&e.name),
            s(&e.schema),
            s(&e.version)
        );
    }
    for e in snap
        .enums
        .iter()
        .filter(|e| !snap.is_managed_schema(&e.schema))
    {
        let _ = writeln!(
            o,
            "[[enum]]\nschema = {}\nname = {}\nvalues = {}\nexact = true\n",
            s(&e.schema),
            s(&e.name),
            list(e.labels.clone())
        );
    }
    super::snapshot_more::types(&mut o, snap);
    let tables: Vec<&Table> = snap
        .tables
        .iter()
        .filter(|t| !snap.is_managed_schema(&t.schema))
        .collect();
    for t in tables
        .iter()
        .filter(|t| matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable))
    {
        table(&mut o, t);
    }
    for t in &tables {
        for i in t
            .indexes
            .iter()
            .filter(|i| i.constraint.is_none() && i.is_valid)
        {
            let cols: Vec<String> = i
                .columns
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    super::snapshot_more::index_key(c.as_deref(), &expression_at(&i.definition, n))
                })
                .collect();
            let _ = writeln!(
                o,
                "[[index]]\nschema = {}\ntable = {}\nname = {}\ncolumns = [{}]\nunique = {}\nmethod = {}",
                s(&t.schema),
                s(&t.name),
                s(&i.name),
                cols.join(", "),
                i.is_unique,
                s(&i.method)
            );
            if !i.include_columns.is_empty() {
                let _ = writeln!(o, "include = {}", list(i.include_columns.clone()));
            }
            if let Some(p) = &i.predicate {
                let _ = writeln!(o, "where = {}", s(p));
            }
            o.push('\n');
        }
    }
    for v in tables
        .iter()
        .filter(|t| matches!(t.kind, RelationKind::View | RelationKind::MaterializedView))
    {
        let cols = list(v.columns.iter().map(|c| c.name.to_string()));
        let _ = writeln!(
            o,
            "[[view]]\nschema = {}\nname = {}\ncolumns = {cols}",
            s(&v.schema),
            s(&v.name)
        );
        if v.kind == RelationKind::View && snap.server.version_num >= 150000 {
            let _ = writeln!(
                o,
                "security_invoker = {}",
                v.security_invoker.unwrap_or(false)
            );
        }
        super::snapshot_more::view(&mut o, v);
        o.push('\n');
    }
    for t in &tables {
        for p in &t.policies {
            let cmd = match p.command {
                PolicyCommand::All => "all",
                PolicyCommand::Select => "select",
                PolicyCommand::Insert => "insert",
                PolicyCommand::Update => "update",
                PolicyCommand::Delete => "delete",
            };
            let _ = writeln!(
                o,
                "[[policy]]\nschema = {}\ntable = {}\nname = {}\ncommand = \"{cmd}\"\nroles = {}\npermissive = {}",
                s(&t.schema),
                s(&t.name),
                s(&p.name),
                list(p.roles.clone()),
                p.permissive
            );
            if let Some(u) = &p.using_expr {
                let _ = writeln!(o, "using = {}", s(u));
            }
            if let Some(w) = &p.with_check_expr {
                let _ = writeln!(o, "with_check = {}", s(w));
            }
            o.push('\n');
        }
        for g in t
            .triggers
            .iter()
            .filter(|g| !g.is_constraint_trigger && !g.is_clone)
        {
            let timing = match g.timing {
                TriggerTiming::Before => "before",
                TriggerTiming::After => "after",
                TriggerTiming::InsteadOf => "instead of",
            };
            let events = g.events.iter().map(|e| {
                match e {
                    TriggerEvent::Insert => "insert",
                    TriggerEvent::Update => "update",
                    TriggerEvent::Delete => "delete",
                    TriggerEvent::Truncate => "truncate",
                }
                .to_string()
            });
            let _ = writeln!(
                o,
                "[[trigger]]\nschema = {}\ntable = {}\nname = {}\nfunction = {}\ntiming = \"{timing}\"\nevents = {}\ndefinition = {}\n",
                s(&t.schema),
                s(&t.name),
                s(&g.name),
                s(&qualified(&g.function.schema, &g.function.name)),
                list(events),
                s(&g.definition)
            );
        }
    }
    for f in snap
        .functions
        .iter()
        .filter(|f| !snap.is_managed_schema(&f.schema))
    {
        let _ = writeln!(
            o,
            "[[function]]\nschema = {}\nname = {}\narguments = {}\nlanguage = {}\nsecurity_definer = {}",
            s(&f.schema),
            s(&f.name),
            s(&f.identity_arguments),
            s(&f.language),
            f.security_definer
        );
        if let Some(r) = &f.result {
            let _ = writeln!(o, "returns = {}", s(r));
        }
        if let Some(d) = &f.definition {
            let _ = writeln!(o, "definition = {}", s(d));
        }
        if let Some(c) = &f.comment {
            let _ = writeln!(o, "comment = {}", s(c));
        }
        o.push('\n');
    }
    grants(&mut o, snap, &tables);
    super::snapshot_more::default_privileges(&mut o, snap);
    for m in snap.migrations.iter().filter(|m| m.finished) {
        let tool = match m.source {
            MigrationSource::Prisma => "prisma",
            MigrationSource::TypeOrm => "typeorm",
            MigrationSource::Supabase => "supabase",
            MigrationSource::Drizzle => "drizzle",
            MigrationSource::Knex => "knex",
        };
        let _ = writeln!(
            o,
            "[[migration]]\ntool = \"{tool}\"\nname = {}\n",
            s(&m.name)
        );
    }
    o
}

fn table(o: &mut String, t: &Table) {
    let _ = writeln!(
        o,
        "[[table]]\nschema = {}\nname = {}",
        s(&t.schema),
        s(&t.name)
    );
    let rls = match (t.rls_enabled, t.rls_forced) {
        (false, _) => "disabled",
        (true, false) => "enabled",
        (true, true) => "forced",
    };
    let _ = writeln!(o, "rls = \"{rls}\"");
    super::snapshot_more::table_head(o, t);
    if let Some(pk) = t
        .constraints
        .iter()
        .find(|c| c.kind == ConstraintKind::PrimaryKey)
    {
        let _ = writeln!(o, "primary_key = {}", list(pk.columns.clone()));
    } else if t.kind == RelationKind::Table && t.partition_of.is_none() {
        let _ = writeln!(o, "primary_key = []");
    }
    let _ = writeln!(o, "columns = [");
    for c in &t.columns {
        let mut parts = vec![
            format!("name = {}", s(&c.name)),
            format!("type = {}", s(&c.data_type)),
            format!("nullable = {}", !c.not_null),
        ];
        if let Some(d) = &c.default {
            parts.push(format!("default = {}", s(d)));
        }
        super::snapshot_more::column(&mut parts, c);
        let _ = writeln!(o, "  {{ {} }},", parts.join(", "));
    }
    let _ = writeln!(o, "]");
    for c in &t.constraints {
        match (&c.kind, &c.foreign_key) {
            (ConstraintKind::ForeignKey, Some(fk)) if c.is_local => {
                let cols: Vec<String> = fk
                    .referenced_columns
                    .iter()
                    .map(|x| quote_ident(x))
                    .collect();
                let reference = format!(
                    "{}({})",
                    qualified(&fk.referenced_schema, &fk.referenced_table),
                    cols.join(", ")
                );
                let _ = writeln!(
                    o,
                    "[[table.foreign_keys]]\ncolumns = {}\nreferences = {}\non_delete = \"{}\"\non_update = \"{}\"",
                    list(c.columns.clone()),
                    s(&reference),
                    fk_word(fk.on_delete),
                    fk_word(fk.on_update)
                );
                super::snapshot_more::named(o, c);
                super::snapshot_more::deferral(o, c);
            }
            (ConstraintKind::Unique, _) if c.is_local => {
                let _ = writeln!(
                    o,
                    "[[table.unique]]\ncolumns = {}\nname = {}",
                    list(c.columns.clone()),
                    s(&c.name)
                );
                super::snapshot_more::deferral(o, c);
            }
            (ConstraintKind::Check, _) if c.is_local => {
                let _ = writeln!(o, "[[table.checks]]\nname = {}", s(&c.name));
                super::snapshot_more::check(o, c);
            }
            (ConstraintKind::Exclusion, _) if c.is_local => {
                super::snapshot_more::exclusion(o, c);
            }
            _ => {}
        }
    }
    o.push('\n');
}

/// The n-th key of an index definition (for expression keys), as PostgreSQL printed it.
fn expression_at(definition: &str, n: usize) -> String {
    let Some(start) = definition
        .find(" USING ")
        .and_then(|u| definition[u..].find('(').map(|p| u + p + 1))
    else {
        return String::new();
    };
    let mut depth = 0;
    let mut keys = vec![String::new()];
    let mut quoted = false;
    for c in definition[start..].chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth == 0 => break,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                keys.push(String::new());
                continue;
            }
            _ => {}
        }
        keys.last_mut().expect("non-empty").push(c);
    }
    keys.get(n)
        .map(|k| k.trim().to_string())
        .unwrap_or_default()
}

/// Exact table privileges of every role that holds any (and of anon/authenticated/PUBLIC when
/// present): what it holds is allowed, the rest denied.
fn grants(o: &mut String, snap: &Snapshot, tables: &[&Table]) {
    let mut roles: BTreeSet<String> = snap
        .privileges
        .iter()
        .filter_map(|g| match &g.grantee {
            Grantee::Role(r) => Some(r.clone()),
            Grantee::Public => None,
        })
        .collect();
    for api in ["anon", "authenticated"] {
        if snap.roles.iter().any(|r| r.name == api) {
            roles.insert(api.to_string());
        }
    }
    roles.retain(|r| {
        !snap
            .roles
            .iter()
            .any(|x| &x.name == r && (x.superuser || x.predefined))
    });
    for t in tables.iter().filter(|t| t.partition_of.is_none()) {
        for role in &roles {
            if *role == t.owner {
                continue;
            }
            let have = table_privileges(snap, t, role);
            let allow: Vec<String> = TABLE_PRIVILEGES
                .iter()
                .filter(|p| have.contains(p))
                .map(|p| p.as_sql().to_string())
                .collect();
            let deny: Vec<String> = TABLE_PRIVILEGES
                .iter()
                .filter(|p| !have.contains(p))
                .map(|p| p.as_sql().to_string())
                .collect();
            let on = qualified(&t.schema, &t.name);
            let _ = writeln!(
                o,
                "[[grant]]\nrole = {}\non = {}\nallow = {}\ndeny = {}\n",
                s(role),
                list([on]),
                list(allow),
                list(deny)
            );
        }
    }
}
