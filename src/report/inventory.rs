//! `pgmend inventory` as text: a summary a person reads top to bottom. Names are quoted as
//! PostgreSQL would quote them, so they can be pasted into SQL.

use std::fmt::Write;

use crate::db::catalog::{
    Grantee, Migration, ObjectKind, RelationKind, Snapshot, Table, TriggerEnabled, TriggerEvent,
};
use crate::sql::{qualified, quote_ident};

/// The whole inventory as text.
pub fn render(s: &Snapshot, target: &str) -> String {
    let mut out = String::new();
    header(&mut out, s, target);
    schemas(&mut out, s);
    tables(&mut out, s);
    views(&mut out, s);
    types(&mut out, s);
    indexes(&mut out, s);
    policies(&mut out, s);
    functions_and_triggers(&mut out, s);
    roles_and_grants(&mut out, s);
    extensions_and_migrations(&mut out, s);
    if !s.warnings.is_empty() {
        section(&mut out, "Warnings");
        for w in &s.warnings {
            let _ = writeln!(out, "  {w}");
        }
    }
    out
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn header(out: &mut String, s: &Snapshot, target: &str) {
    let v = s.server.version_num;
    let c = s.counts();
    let _ = writeln!(
        out,
        "{target} · PostgreSQL {}.{} · as {}{} · read in {} round trips, {} ms",
        v / 10000,
        v % 10000,
        s.server.current_user,
        if s.server.is_superuser {
            " (superuser)"
        } else {
            ""
        },
        s.round_trips,
        s.read_ms
    );
    let parts = [
        (c.schemas, "schemas"),
        (c.tables + c.partitioned_tables, "tables"),
        (c.views, "views"),
        (c.materialized_views, "materialized views"),
        (c.columns, "columns"),
        (c.indexes, "indexes"),
        (c.constraints, "constraints"),
        (c.enums, "enums"),
        (c.policies, "policies"),
        (
            c.functions + c.procedures + c.aggregates + c.window_functions,
            "functions",
        ),
        (c.triggers, "triggers"),
        (c.sequences, "sequences"),
        (c.roles, "roles"),
        (c.extensions, "extensions"),
        (c.migrations, "migrations"),
    ];
    let line: Vec<String> = parts
        .iter()
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    let _ = writeln!(out, "{}", line.join(" · "));
}

fn schemas(out: &mut String, s: &Snapshot) {
    section(out, "Schemas");
    for sc in &s.schemas {
        let tables = s.tables.iter().filter(|t| t.schema == sc.name).count();
        let managed = if sc.managed { ", managed" } else { "" };
        let _ = writeln!(
            out,
            "  {} (owner {}{managed}): {tables} relations",
            quote_ident(&sc.name),
            sc.owner
        );
    }
}

fn is_table(t: &Table) -> bool {
    matches!(
        t.kind,
        RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
    )
}

fn rls_label(t: &Table) -> &'static str {
    match (t.rls_enabled, t.rls_forced) {
        (false, _) => "off",
        (true, false) => "on",
        (true, true) => "forced",
    }
}

fn tables(out: &mut String, s: &Snapshot) {
    section(out, "Tables (rows are estimates)");
    let rows: Vec<[String; 6]> = s
        .tables
        .iter()
        .filter(|t| is_table(t))
        .map(|t| {
            [
                qualified(&t.schema, &t.name),
                if t.row_estimate < 0 {
                    "?".into()
                } else {
                    t.row_estimate.to_string()
                },
                t.columns.len().to_string(),
                t.indexes.len().to_string(),
                rls_label(t).to_string(),
                t.policies.len().to_string(),
            ]
        })
        .collect();
    table_out(
        out,
        ["table", "rows", "columns", "indexes", "RLS", "policies"],
        &rows,
    );
}

fn views(out: &mut String, s: &Snapshot) {
    let views: Vec<&Table> = s.views().collect();
    if views.is_empty() {
        return;
    }
    section(out, "Views");
    for v in views {
        let kind = if v.kind == RelationKind::MaterializedView {
            "materialized, "
        } else {
            ""
        };
        let invoker = match v.security_invoker {
            Some(true) => "security_invoker",
            _ => "runs as owner",
        };
        let cols: Vec<String> = v.columns.iter().map(|c| quote_ident(&c.name)).collect();
        let _ = writeln!(
            out,
            "  {} ({kind}{invoker}): {}",
            qualified(&v.schema, &v.name),
            cols.join(", ")
        );
    }
}

fn types(out: &mut String, s: &Snapshot) {
    if s.enums.is_empty() && s.domains.is_empty() && s.composites.is_empty() {
        return;
    }
    section(out, "Enums and types");
    for e in &s.enums {
        let _ = writeln!(
            out,
            "  enum {}: {}",
            qualified(&e.schema, &e.name),
            e.labels.join(", ")
        );
    }
    for d in &s.domains {
        let _ = writeln!(
            out,
            "  domain {}: {}",
            qualified(&d.schema, &d.name),
            d.base_type
        );
    }
    for c in &s.composites {
        let attrs: Vec<String> = c
            .attributes
            .iter()
            .map(|a| format!("{} {}", quote_ident(&a.name), a.data_type))
            .collect();
        let _ = writeln!(
            out,
            "  type {}: ({})",
            qualified(&c.schema, &c.name),
            attrs.join(", ")
        );
    }
}

fn indexes(out: &mut String, s: &Snapshot) {
    section(out, "Indexes");
    for t in s.tables.iter().filter(|t| !t.indexes.is_empty()) {
        for i in &t.indexes {
            let flag = if !i.is_valid { "  [INVALID]" } else { "" };
            let _ = writeln!(out, "  {}{flag}", i.definition);
        }
    }
}

fn policies(out: &mut String, s: &Snapshot) {
    section(out, "RLS and policies");
    for t in s
        .tables
        .iter()
        .filter(|t| is_table(t) && (t.rls_enabled || !t.policies.is_empty()))
    {
        let _ = writeln!(
            out,
            "  {}: RLS {}",
            qualified(&t.schema, &t.name),
            rls_label(t)
        );
        for p in &t.policies {
            let cmd = p.command.sql();
            let kind = if p.permissive { "" } else { " RESTRICTIVE" };
            let _ = write!(
                out,
                "    {}{kind} {cmd} TO {}",
                quote_ident(&p.name),
                p.roles.join(", ")
            );
            if let Some(u) = &p.using_expr {
                let _ = write!(out, " USING ({u})");
            }
            if let Some(w) = &p.with_check_expr {
                let _ = write!(out, " WITH CHECK ({w})");
            }
            out.push('\n');
        }
    }
}

fn functions_and_triggers(out: &mut String, s: &Snapshot) {
    if !s.functions.is_empty() {
        section(out, "Functions");
        for f in &s.functions {
            let mut notes = vec![f.language.clone()];
            if f.security_definer {
                notes.push("SECURITY DEFINER".into());
            }
            notes.extend(f.config.iter().cloned());
            let _ = writeln!(
                out,
                "  {}({}) → {} [{}]",
                qualified(&f.schema, &f.name),
                f.identity_arguments,
                f.result.as_deref().unwrap_or("(procedure)"),
                notes.join(", ")
            );
        }
    }
    let triggers: Vec<_> = s.tables.iter().flat_map(|t| &t.triggers).collect();
    if !triggers.is_empty() {
        section(out, "Triggers");
        for t in triggers {
            let events: Vec<&str> = t
                .events
                .iter()
                .map(|e| match e {
                    TriggerEvent::Insert => "INSERT",
                    TriggerEvent::Update => "UPDATE",
                    TriggerEvent::Delete => "DELETE",
                    TriggerEvent::Truncate => "TRUNCATE",
                })
                .collect();
            let off = if t.enabled == TriggerEnabled::Disabled {
                "  [DISABLED]"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {} on {}: {:?} {} → {}(){off}",
                quote_ident(&t.name),
                qualified(&t.table.schema, &t.table.name),
                t.timing,
                events.join(" OR "),
                qualified(&t.function.schema, &t.function.name)
            );
        }
    }
}

fn roles_and_grants(out: &mut String, s: &Snapshot) {
    section(out, "Roles");
    for r in s.roles.iter().filter(|r| !r.predefined) {
        let mut attrs = vec![if r.can_login { "login" } else { "nologin" }];
        for (on, word) in [
            (r.superuser, "superuser"),
            (r.bypass_rls, "bypassrls"),
            (r.create_role, "createrole"),
            (r.create_db, "createdb"),
        ] {
            if on {
                attrs.push(word);
            }
        }
        let member = if r.member_of.is_empty() {
            String::new()
        } else {
            format!("; member of {}", r.member_of.join(", "))
        };
        let _ = writeln!(
            out,
            "  {} ({}){member}",
            quote_ident(&r.name),
            attrs.join(", ")
        );
    }
    if s.privileges.is_empty() {
        return;
    }
    section(
        out,
        "Grants (explicit; objects with default ACLs are not listed)",
    );
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    for g in &s.privileges {
        let grantee = match &g.grantee {
            Grantee::Public => "PUBLIC".to_string(),
            Grantee::Role(r) => quote_ident(r),
        };
        let kind = format!("{:?}", g.object_kind).to_lowercase();
        let object = match g.object_kind {
            ObjectKind::Schema => format!("schema {}", quote_ident(&g.name)),
            ObjectKind::Function
            | ObjectKind::Procedure
            | ObjectKind::Aggregate
            | ObjectKind::Window => {
                // The name already carries its argument list: quote only the schema.
                format!("{kind} {}.{}", quote_ident(&g.schema), g.name)
            }
            _ => format!("{kind} {}", qualified(&g.schema, &g.name)),
        };
        let privilege = g.privilege.as_sql().to_string();
        match rows.last_mut() {
            Some((gr, ob, privs)) if *gr == grantee && *ob == object => privs.push(privilege),
            _ => rows.push((grantee, object, vec![privilege])),
        }
    }
    for (grantee, object, privs) in rows {
        let _ = writeln!(out, "  {grantee}: {} on {object}", privs.join(", "));
    }
}

fn extensions_and_migrations(out: &mut String, s: &Snapshot) {
    if !s.extensions.is_empty() {
        section(out, "Extensions");
        for e in &s.extensions {
            let _ = writeln!(
                out,
                "  {} {} (schema {})",
                e.name,
                e.version,
                quote_ident(&e.schema)
            );
        }
    }
    section(out, "Migration history");
    if s.migrations.is_empty() {
        let _ = writeln!(
            out,
            "  no migration table found (Prisma, TypeORM, Supabase, Drizzle, Knex)"
        );
    }
    for m in &s.migrations {
        let _ = writeln!(out, "  {}", migration_line(m));
    }
}

fn migration_line(m: &Migration) -> String {
    let state = if m.finished {
        "applied"
    } else {
        "NOT FINISHED"
    };
    format!(
        "{:?} {} {state}{}",
        m.source,
        m.name,
        m.applied_at
            .as_deref()
            .map(|a| format!(" at {a}"))
            .unwrap_or_default()
    )
}

/// Left-aligned first column, right-aligned numbers.
fn table_out<const N: usize>(out: &mut String, head: [&str; N], rows: &[[String; N]]) {
    if rows.is_empty() {
        let _ = writeln!(out, "  none");
        return;
    }
    let mut w = head.map(|h| h.chars().count());
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut l = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i == 0 {
                l.push(' ');
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str("  ");
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(head.to_vec()));
    for r in rows {
        let _ = writeln!(out, "{}", line(r.iter().map(String::as_str).collect()));
    }
}
