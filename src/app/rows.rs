//! The rows of each tab, built from the snapshot and the report, and what each row says:
//! its label (shown, and matched by the filter), its name and its DDL (copied with y / Y).

use crate::check::Report;
use crate::db::catalog::{RelationKind, Snapshot, Table};
use crate::rules::Severity;
use crate::sql::{qualified, quote_ident};

use super::columns;
use super::state::Tab;

/// A row points into the snapshot or the report by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A group heading in the checklist (severity, or "passed").
    Heading(Heading),
    Item(usize),
    Lint(usize),
    Table(usize),
    View(usize),
    Enum(usize),
    Index {
        table: usize,
        index: usize,
    },
    /// A table's RLS line; its policies follow as `Policy` rows.
    Rls(usize),
    Policy {
        table: usize,
        policy: usize,
    },
    Function(usize),
    Trigger {
        table: usize,
        trigger: usize,
    },
    Role(usize),
    Migration(usize),
    Backup(usize),
    Journal(usize),
    /// A relation of the access matrix (`State::access`).
    Access(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    Failed(Severity),
    Lints,
    Passed,
}

fn is_table(t: &Table) -> bool {
    matches!(
        t.kind,
        RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
    )
}

/// Every row of `tab`, unfiltered. The checklist puts failing items first, worst first.
pub fn build(tab: Tab, snap: Option<&Snapshot>, report: Option<&Report>) -> Vec<Row> {
    let mut rows = Vec::new();
    if matches!(tab, Tab::Backups | Tab::Journal | Tab::Access) {
        return rows; // built from the files by `build_files`
    }
    if tab == Tab::Checklist {
        if let Some(r) = report {
            for sev in Severity::ALL {
                let failed: Vec<usize> = (0..r.items.len())
                    .filter(|&i| !r.items[i].passed() && r.items[i].worst() == sev)
                    .collect();
                if !failed.is_empty() {
                    rows.push(Row::Heading(Heading::Failed(sev)));
                    rows.extend(failed.into_iter().map(Row::Item));
                }
            }
            if !r.lint_findings.is_empty() {
                rows.push(Row::Heading(Heading::Lints));
                let mut lints: Vec<usize> = (0..r.lint_findings.len()).collect();
                lints.sort_by_key(|&i| std::cmp::Reverse(r.lint_findings[i].severity));
                rows.extend(lints.into_iter().map(Row::Lint));
            }
            let passed: Vec<usize> = (0..r.items.len())
                .filter(|&i| r.items[i].passed())
                .collect();
            if !passed.is_empty() {
                rows.push(Row::Heading(Heading::Passed));
                rows.extend(passed.into_iter().map(Row::Item));
            }
        }
        return rows;
    }
    let Some(s) = snap else { return rows };
    let tables = || s.tables.iter().enumerate();
    match tab {
        Tab::Checklist => unreachable!("handled above"),
        Tab::Tables => rows.extend(
            tables()
                .filter(|(_, t)| is_table(t))
                .map(|(i, _)| Row::Table(i)),
        ),
        Tab::Views => rows.extend(
            tables()
                .filter(|(_, t)| !is_table(t))
                .map(|(i, _)| Row::View(i)),
        ),
        Tab::Enums => rows.extend((0..s.enums.len()).map(Row::Enum)),
        Tab::Indexes => {
            for (ti, t) in tables() {
                rows.extend((0..t.indexes.len()).map(|index| Row::Index { table: ti, index }));
            }
        }
        Tab::Policies => {
            for (ti, t) in tables().filter(|(_, t)| is_table(t)) {
                rows.push(Row::Rls(ti));
                rows.extend((0..t.policies.len()).map(|policy| Row::Policy { table: ti, policy }));
            }
        }
        Tab::Functions => {
            rows.extend((0..s.functions.len()).map(Row::Function));
            for (ti, t) in tables() {
                rows.extend(
                    (0..t.triggers.len()).map(|trigger| Row::Trigger { table: ti, trigger }),
                );
            }
        }
        Tab::Roles => rows.extend(
            (0..s.roles.len())
                .filter(|&i| !s.roles[i].predefined)
                .map(Row::Role),
        ),
        Tab::Migrations => rows.extend((0..s.migrations.len()).map(Row::Migration)),
        Tab::Backups | Tab::Journal | Tab::Access => {}
    }
    rows
}

fn mark(f: bool) -> &'static str {
    if f { "✔" } else { "✘" }
}

/// The text of a row in the app, fitted to the list's width: the Checklist's columns say
/// which findings the last preview refused; backup and journal rows come from the state's
/// files, with a database column when every database's are shown.
pub fn label_in(s: &super::state::State, row: Row) -> String {
    let report = s.report.as_deref();
    let inner = super::layout::list_width(s.width, s.height) as usize;
    let object_w = columns::object_width(inner);
    let refused = |id: &str| s.refused.contains(id);
    let file = |f: Option<&super::action::FileEntry>| {
        f.map_or_else(String::new, |f| {
            if s.files_all {
                format!("{:<12} {}", f.database, f.label)
            } else {
                f.label.clone()
            }
        })
    };
    match row {
        Row::Backup(i) => file(s.backups.get(i)),
        Row::Journal(i) => file(s.journal.get(i)),
        Row::Access(i) => super::update_access::label(s, i),
        Row::Heading(h) => heading(h, report, object_w),
        Row::Item(i) => report
            .and_then(|r| r.items.get(i))
            .map_or_else(String::new, |it| columns::item(it, &refused, object_w)),
        Row::Lint(i) => report
            .and_then(|r| r.lint_findings.get(i))
            .map_or_else(String::new, |f| columns::lint(f, &refused, object_w)),
        _ => label(row, s.snapshot.as_deref(), report),
    }
}

/// A group's heading, ruled to where the object column starts, with the columns named.
fn heading(h: Heading, report: Option<&Report>, object_w: usize) -> String {
    let (name, n) = match h {
        Heading::Failed(sev) => (
            sev.as_str().to_uppercase(),
            report.map_or(0, |r| {
                r.items
                    .iter()
                    .filter(|i| !i.passed() && i.worst() == sev)
                    .count()
            }),
        ),
        Heading::Lints => ("LINTS".into(), report.map_or(0, |r| r.lint_findings.len())),
        Heading::Passed => (
            "PASSED".into(),
            report.map_or(0, |r| r.items.iter().filter(|i| i.passed()).count()),
        ),
    };
    let unit = match (h, n) {
        (Heading::Lints, 1) => "finding",
        (Heading::Lints, _) => "findings",
        (_, 1) => "item",
        _ => "items",
    };
    let head = columns::header(object_w);
    let object_at = head.find("object").unwrap_or(0);
    let title = format!("── {name} · {n} {unit} ");
    let rule = object_at.saturating_sub(title.chars().count());
    format!("{title}{}{}", "─".repeat(rule), &head[object_at..])
}

/// The text of a row, as shown and as the filter matches it.
pub fn label(row: Row, snap: Option<&Snapshot>, report: Option<&Report>) -> String {
    match row {
        Row::Heading(Heading::Failed(s)) => format!("── {} ──", s.as_str().to_uppercase()),
        Row::Heading(Heading::Lints) => "── LINTS ──".into(),
        Row::Heading(Heading::Passed) => "── PASSED ──".into(),
        Row::Item(i) => report
            .and_then(|r| r.items.get(i))
            .map_or_else(String::new, |it| {
                columns::item(it, &|_| false, columns::OBJECT_W)
            }),
        Row::Lint(i) => report
            .and_then(|r| r.lint_findings.get(i))
            .map_or_else(String::new, |f| {
                columns::lint(f, &|_| false, columns::OBJECT_W)
            }),
        _ => snap.map_or_else(String::new, |s| object_label(row, s)),
    }
}

fn object_label(row: Row, s: &Snapshot) -> String {
    match row {
        Row::Table(i) => {
            let t = &s.tables[i];
            let rls = if t.rls_forced {
                "RLS forced"
            } else if t.rls_enabled {
                "RLS on"
            } else {
                "RLS off"
            };
            let rows = if t.row_estimate < 0 {
                "?".to_string()
            } else {
                t.row_estimate.to_string()
            };
            if s.partial {
                // A preview: columns are not read yet.
                return format!("{}  {} rows · {rls}", qualified(&t.schema, &t.name), rows);
            }
            format!(
                "{}  {} cols · {} rows · {rls}",
                qualified(&t.schema, &t.name),
                t.columns.len(),
                rows
            )
        }
        Row::View(i) => {
            let v = &s.tables[i];
            let kind = if v.kind == RelationKind::MaterializedView {
                "materialized"
            } else {
                "view"
            };
            let inv = if v.security_invoker == Some(true) {
                " · security_invoker"
            } else {
                ""
            };
            format!("{}  {kind}{inv}", qualified(&v.schema, &v.name))
        }
        Row::Enum(i) => {
            let e = &s.enums[i];
            format!(
                "{}  ({})",
                qualified(&e.schema, &e.name),
                e.labels.join(", ")
            )
        }
        Row::Index { table, index } => {
            let t = &s.tables[table];
            let ix = &t.indexes[index];
            let mut flags = String::new();
            if ix.is_primary {
                flags.push_str(" · primary key");
            } else if ix.is_unique {
                flags.push_str(" · unique");
            }
            if ix.predicate.is_some() {
                flags.push_str(" · partial");
            }
            if !ix.is_valid {
                flags.push_str(" · INVALID");
            }
            format!(
                "{} {}  {}{flags}",
                qualified(&t.schema, &t.name),
                index_keys(ix),
                quote_ident(&ix.name)
            )
        }
        Row::Rls(i) => {
            let t = &s.tables[i];
            let rls = if t.rls_forced {
                "forced"
            } else if t.rls_enabled {
                "on"
            } else {
                "OFF"
            };
            format!(
                "{}  RLS {rls} · {} policies",
                qualified(&t.schema, &t.name),
                t.policies.len()
            )
        }
        Row::Policy { table, policy } => {
            let p = &s.tables[table].policies[policy];
            format!(
                "    {} {:?} to {}",
                quote_ident(&p.name),
                p.command,
                p.roles.join(", ")
            )
        }
        Row::Function(i) => {
            let f = &s.functions[i];
            let sd = if f.security_definer {
                " · SECURITY DEFINER"
            } else {
                ""
            };
            format!(
                "{}({}) {}{sd}",
                qualified(&f.schema, &f.name),
                f.identity_arguments,
                f.language
            )
        }
        Row::Trigger { table, trigger } => {
            let t = &s.tables[table];
            let g = &t.triggers[trigger];
            format!(
                "trigger {} on {}",
                quote_ident(&g.name),
                qualified(&t.schema, &t.name)
            )
        }
        Row::Role(i) => {
            let r = &s.roles[i];
            let mut a = vec![if r.can_login { "login" } else { "nologin" }];
            if r.superuser {
                a.push("superuser");
            }
            if r.bypass_rls {
                a.push("bypassrls");
            }
            format!("{}  {}", quote_ident(&r.name), a.join(", "))
        }
        Row::Migration(i) => {
            let m = &s.migrations[i];
            format!("{} {:?} {}", mark(m.finished), m.source, m.name)
        }
        _ => String::new(),
    }
}

/// The selected object's name, quoted for SQL (what `y` copies).
pub fn name(row: Row, snap: Option<&Snapshot>, report: Option<&Report>) -> Option<String> {
    let s = snap;
    Some(match row {
        Row::Item(i) => report?.items.get(i)?.object.clone(),
        Row::Lint(i) => report?.lint_findings.get(i)?.object.clone(),
        Row::Table(i) | Row::View(i) | Row::Rls(i) => {
            let t = s?.tables.get(i)?;
            qualified(&t.schema, &t.name)
        }
        Row::Enum(i) => {
            let e = s?.enums.get(i)?;
            qualified(&e.schema, &e.name)
        }
        Row::Index { table, index } => {
            let t = s?.tables.get(table)?;
            qualified(&t.schema, &t.indexes.get(index)?.name)
        }
        Row::Policy { table, policy } => {
            quote_ident(&s?.tables.get(table)?.policies.get(policy)?.name)
        }
        Row::Function(i) => {
            let f = s?.functions.get(i)?;
            format!(
                "{}({})",
                qualified(&f.schema, &f.name),
                f.identity_arguments
            )
        }
        Row::Trigger { table, trigger } => {
            quote_ident(&s?.tables.get(table)?.triggers.get(trigger)?.name)
        }
        Row::Role(i) => quote_ident(&s?.roles.get(i)?.name),
        Row::Migration(i) => s?.migrations.get(i)?.name.clone(),
        Row::Backup(_) | Row::Journal(_) | Row::Access(_) => return None,
        Row::Heading(_) => return None,
    })
}

/// The selected object's DDL (what `Y` copies): PostgreSQL's own definition where the catalog
/// has one, otherwise a CREATE statement assembled from the catalog.
pub fn ddl(row: Row, snap: Option<&Snapshot>) -> Option<String> {
    let s = snap?;
    Some(match row {
        Row::Table(i) => super::ddl::create_table(s.tables.get(i)?),
        Row::View(i) => super::ddl::create_view(s.tables.get(i)?),
        Row::Enum(i) => {
            let e = s.enums.get(i)?;
            let labels: Vec<String> = e
                .labels
                .iter()
                .map(|l| crate::sql::quote_literal(l))
                .collect();
            format!(
                "CREATE TYPE {} AS ENUM ({});",
                qualified(&e.schema, &e.name),
                labels.join(", ")
            )
        }
        Row::Index { table, index } => {
            format!("{};", s.tables.get(table)?.indexes.get(index)?.definition)
        }
        Row::Policy { table, policy } => super::ddl::create_policy(s.tables.get(table)?, policy)?,
        Row::Trigger { table, trigger } => format!(
            "{};",
            s.tables.get(table)?.triggers.get(trigger)?.definition
        ),
        Row::Rls(i) => {
            let t = s.tables.get(i)?;
            let mut out = format!(
                "ALTER TABLE {} {} ROW LEVEL SECURITY;",
                qualified(&t.schema, &t.name),
                if t.rls_enabled { "ENABLE" } else { "DISABLE" }
            );
            for p in 0..t.policies.len() {
                out.push('\n');
                out.push_str(&super::ddl::create_policy(t, p)?);
            }
            out
        }
        _ => return None,
    })
}

/// An index's keys as its definition writes them: `(user_id, created_at DESC)`, `USING gin
/// (doc)`; the column names when the definition has no parenthesised keys.
fn index_keys(ix: &crate::db::catalog::Index) -> String {
    let def = &ix.definition;
    let from = def.find(" USING ").map(|u| u + " USING ".len());
    let keys = from.and_then(|f| {
        let open = f + def[f..].find('(')?;
        let mut depth = 0;
        for (i, c) in def[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(def[open..=open + i].to_string());
                    }
                }
                _ => {}
            }
        }
        None
    });
    let keys = keys.unwrap_or_else(|| {
        let cols: Vec<&str> = ix
            .columns
            .iter()
            .map(|c| c.as_deref().unwrap_or("…"))
            .collect();
        format!("({})", cols.join(", "))
    });
    if ix.method == "btree" {
        keys
    } else {
        format!("{} {keys}", ix.method)
    }
}
