//! `table.missing`: the table as its `[[table]]` item describes it (columns with types, NOT
//! NULL, defaults, primary key, unique keys, checks with an expression, foreign keys), with
//! the checklist's indexes on it, its row-level security and policies, the grant items'
//! rules and its triggers, all in one transaction. The table is new and empty: nothing needs
//! CONCURRENTLY or NOT VALID.
//!
//! Columns the item names in `primary_key` without describing them get the type of the
//! columns that reference them in the checklist, or else of the same-named primary keys of
//! the schema's other tables (said as a hazard). A single-column key without a default gets
//! one: an identity for integers, `gen_random_uuid()` for uuids.

use std::collections::BTreeMap;

use crate::check::Finding;
use crate::checklist::rls_reach::RlsTarget;
use crate::checklist::{TableItem, parse_reference};
use crate::db::catalog::ConstraintKind;
use crate::sql::stmt::{Rls, alter_rls, comment_on};
use crate::sql::{guard, qualified, quote_ident};

use super::build::{B, locks};
use super::constraints::fk_clause;
use super::cx::Cx;
use super::functions;
use super::grants;
use super::indexes::{index_def, item_id, names_in};
use super::names;
use super::plan::Plan;
use super::policies::{self, Shape};
use super::sqltype;

struct Col {
    name: String,
    /// As written (checklist) or printed (catalog).
    ty: String,
    not_null: bool,
    default: Option<String>,
    identity: Option<String>,
    generated: Option<String>,
    collation: Option<String>,
}

/// The type of a key column the item does not describe: from the checklist's columns that
/// reference it, else from the same-named single-column primary keys of the schema's tables.
fn infer_key(
    cx: &Cx,
    schema: &str,
    table: &str,
    col: &str,
) -> Option<(String, Option<String>, String)> {
    for cl in cx.checklists {
        for t in cl.file.tables.iter().map(|t| t.get_ref()) {
            for fk in t.foreign_keys.iter().map(|f| f.get_ref()) {
                let Some((rs, rt, rc)) = parse_reference(&fk.references) else {
                    continue;
                };
                let rs = rs.unwrap_or_else(|| cl.default_schema().to_string());
                if rs != schema || rt != table || fk.columns.len() != 1 {
                    continue;
                }
                if !(rc == [col] || rc.is_empty()) {
                    continue;
                }
                let ty = t
                    .columns
                    .iter()
                    .map(|c| c.get_ref())
                    .find(|c| c.name == fk.columns[0])
                    .and_then(|c| c.data_type.as_ref().map(|t| t.to_string()));
                if let Some(ty) = ty {
                    return Some((
                        ty,
                        None,
                        format!(
                            "the type of {}.{} that references it",
                            quote_ident(&t.name),
                            quote_ident(&fk.columns[0])
                        ),
                    ));
                }
            }
        }
    }
    let mut seen: BTreeMap<String, (usize, Option<String>)> = BTreeMap::new();
    for t in cx.snap.tables.iter().filter(|t| t.schema == schema) {
        let Some(pk) = t
            .constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
        else {
            continue;
        };
        if pk.columns != [col] {
            continue;
        }
        let Some(c) = t.columns.iter().find(|c| c.name == col) else {
            continue;
        };
        let e = seen.entry(c.data_type.to_string()).or_insert((0, None));
        e.0 += 1;
        if !c.default.as_deref().is_some_and(|d| d.contains("nextval(")) {
            e.1 = e.1.take().or(c.default.clone());
        }
    }
    let (ty, (n, default)) = seen.into_iter().max_by_key(|(_, (n, _))| *n)?;
    Some((
        ty,
        default,
        format!(
            "the type of the primary key {} of {n} other table(s) in {}",
            quote_ident(col),
            quote_ident(schema)
        ),
    ))
}

fn columns(cx: &Cx, spec: &TableItem, schema: &str, name: &str, b: &mut B) -> Option<Vec<Col>> {
    let mut cols = Vec::new();
    for c in spec.columns.iter().map(|c| c.get_ref()) {
        cols.push(Col {
            name: c.name.to_string(),
            ty: c.data_type.as_ref()?.to_string(),
            not_null: c.nullable == Some(false),
            default: c.default.as_ref().map(|d| d.to_string()),
            identity: c.identity.clone(),
            generated: c.generated.clone(),
            collation: c.collation.clone(),
        });
    }
    for k in spec.primary_key.iter().flatten() {
        if cols.iter().any(|c| &c.name == k) {
            continue;
        }
        let (ty, default, from) = infer_key(cx, schema, name, k)?;
        b.hazard(format!(
            "the checklist names {} in the primary key without describing it: it gets {from} \
             ({ty}{})",
            quote_ident(k),
            default
                .as_ref()
                .map(|d| format!(" DEFAULT {d}"))
                .unwrap_or_default()
        ));
        cols.insert(
            0,
            Col {
                name: k.clone(),
                ty,
                not_null: true,
                default,
                identity: None,
                generated: None,
                collation: None,
            },
        );
    }
    Some(cols)
}

pub(crate) fn create(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.tables)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) || cx.snap.table(&schema, &name).is_some() {
        return None;
    }
    let tq = qualified(&schema, &name);
    if spec.partition_of.is_some() {
        return partition(cx, cl, spec, f, &schema, &name);
    }
    let mut b = B::new(&f.id, format!("create table {tq}"));
    b.table(&tq);
    let snapshot = cl.file.checklist.snapshot;
    let mut later: Vec<String> = Vec::new();
    let cols = columns(cx, spec, &schema, &name, &mut b)?;
    let pk = spec.primary_key.clone().unwrap_or_default();
    let mut lines = Vec::new();
    for c in &cols {
        let mut line = format!(
            "{} {}",
            quote_ident(&c.name),
            sqltype::checked(cx, cl, &c.ty)?
        );
        if let Some(coll) = &c.collation {
            line.push_str(&format!(" COLLATE {}", quote_ident(coll)));
        }
        let sole_key = pk == [c.name.clone()];
        match (&c.identity, &c.generated) {
            (Some(i), _) => {
                let how = if i == "always" {
                    "ALWAYS"
                } else {
                    "BY DEFAULT"
                };
                line.push_str(&format!(" GENERATED {how} AS IDENTITY"));
            }
            (None, Some(g)) => {
                guard::expression(g, "the generated expression").ok()?;
                line.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
            }
            (None, None) => {}
        }
        match &c.default {
            _ if c.identity.is_some() || c.generated.is_some() => {}
            Some(d) => {
                guard::expression(d, "the default").ok()?;
                line.push_str(&format!(" DEFAULT {d}"))
            }
            // A snapshot states every default: nothing is invented for it.
            None if snapshot => {}
            None if sole_key && sqltype::is_integer(&c.ty) => {
                line.push_str(" GENERATED BY DEFAULT AS IDENTITY");
                b.hazard(format!("{} has no default in the checklist: it is made an identity column so inserts without an id work", quote_ident(&c.name)));
            }
            None if sole_key && sqltype::is_uuid(&c.ty) => {
                line.push_str(" DEFAULT gen_random_uuid()");
                b.hazard(format!("{} has no default in the checklist: it defaults to gen_random_uuid() so inserts without an id work", quote_ident(&c.name)));
            }
            None => {}
        }
        if c.not_null {
            line.push_str(" NOT NULL");
        }
        lines.push(line);
    }
    let mut cnames: Vec<String> = Vec::new();
    let mut constraint = |base: String, body: String, lines: &mut Vec<String>| {
        let refs: Vec<&str> = cnames.iter().map(String::as_str).collect();
        let n = names::unique(base, &refs);
        lines.push(format!("CONSTRAINT {} {body}", quote_ident(&n)));
        cnames.push(n);
    };
    let col_list = |cs: &[String]| {
        cs.iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !pk.is_empty() {
        constraint(
            names::fit(&format!("{name}_pkey")),
            format!("PRIMARY KEY ({})", col_list(&pk)),
            &mut lines,
        );
    }
    for u in spec.unique.iter().map(|u| u.get_ref()) {
        constraint(
            u.name
                .clone()
                .unwrap_or_else(|| names::derived(&name, &u.columns, "key")),
            format!(
                "UNIQUE ({}){}",
                col_list(&u.columns),
                crate::checklist::timing_clause(u.deferrable, u.initially_deferred)
            ),
            &mut lines,
        );
    }
    for ch in spec.checks.iter().map(|c| c.get_ref()) {
        match (&ch.name, &ch.expression) {
            (n, Some(e)) => {
                guard::expression(e, "the CHECK expression").ok()?;
                let cn = n
                    .clone()
                    .unwrap_or_else(|| names::derived(&name, &[], "check"));
                if ch.not_valid == Some(true) {
                    later.push(format!(
                        "ALTER TABLE {tq} ADD CONSTRAINT {} CHECK ({e}) NOT VALID",
                        quote_ident(&cn)
                    ));
                } else {
                    constraint(cn, format!("CHECK ({e})"), &mut lines)
                }
            }
            (Some(n), None) => {
                b.hazard(format!(
                    "CHECK {} is named in the checklist without its expression: not created",
                    quote_ident(n)
                ));
            }
            (None, None) => {}
        }
    }
    for fk in spec.foreign_keys.iter().map(|x| x.get_ref()) {
        let Some((rs, rt, rcols)) = parse_reference(&fk.references) else {
            continue;
        };
        let rs = rs.unwrap_or_else(|| cl.default_schema().to_string());
        let rq = qualified(&rs, &rt);
        let target_cols = if !rcols.is_empty() {
            Some(rcols)
        } else if (rs.as_str(), rt.as_str()) == (schema.as_str(), name.as_str()) {
            Some(pk.clone())
        } else if let Some(t) = cx.table(&rs, &rt) {
            t.constraints
                .iter()
                .find(|c| c.kind == ConstraintKind::PrimaryKey)
                .map(|c| c.columns.clone())
        } else {
            cx.table_spec(&rs, &rt)
                .and_then(|(_, s)| s.primary_key.clone())
        };
        let exists = cx.table(&rs, &rt).is_some() || cx.table_spec(&rs, &rt).is_some();
        match target_cols {
            Some(rc) if exists && rc.len() == fk.columns.len() => {
                let fname = fk
                    .name
                    .clone()
                    .unwrap_or_else(|| names::derived(&name, &fk.columns, "fkey"));
                let clause = fk_clause(&fk.columns, &rq, &rc, fk);
                if fk.not_valid == Some(true) {
                    later.push(format!(
                        "ALTER TABLE {tq} ADD CONSTRAINT {} {clause} NOT VALID",
                        quote_ident(&fname)
                    ));
                } else {
                    constraint(fname, clause, &mut lines);
                }
                if cx.table(&rs, &rt).is_some() && rq != tq {
                    b.table(&rq).lock(
                        &rq,
                        locks::SHARE_ROW_EXCLUSIVE,
                        format!("blocks writes to {rq} until the transaction commits (brief)"),
                    );
                }
            }
            _ => {
                b.hazard(format!(
                    "foreign key ({}) → {}: the referenced table or key is unknown, not created",
                    col_list(&fk.columns),
                    fk.references
                ));
            }
        }
    }
    for x in spec.exclusions.iter().map(|x| x.get_ref()) {
        guard::element(&x.definition, &["exclude"], "the exclusion").ok()?;
        let body = format!(
            "{}{}",
            guard::trim_statement(&x.definition),
            crate::checklist::timing_clause(x.deferrable, x.initially_deferred)
        );
        match &x.name {
            Some(n) => {
                lines.push(format!("CONSTRAINT {} {body}", quote_ident(n)));
                cnames.push(n.clone());
            }
            None => lines.push(body),
        }
    }
    let unlogged = if spec.unlogged == Some(true) {
        "UNLOGGED "
    } else {
        ""
    };
    let mut tail = String::new();
    if let Some(parents) = &spec.inherits {
        let ps: Vec<String> = parents
            .iter()
            .map(|p| {
                let (s, n) = cl.qualify(p, None);
                qualified(&s, &n)
            })
            .collect();
        tail.push_str(&format!(" INHERITS ({})", ps.join(", ")));
    }
    if let Some(k) = &spec.partition_by {
        guard::expression(k, "the partition key").ok()?;
        tail.push_str(&format!(" PARTITION BY {k}"));
    }
    b.tx(
        format!("create table {tq}"),
        format!(
            "CREATE {unlogged}TABLE {tq} (\n    {}\n){tail}",
            lines.join(",\n    ")
        ),
    );
    for sql in later {
        b.tx("add a constraint NOT VALID, as the checklist states", sql);
    }
    comments(&mut b, spec, &tq);
    let known: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    // The schema's names, and those this plan has given so far.
    let schema_names = names_in(cx, &schema);
    let mut taken: Vec<String> = vec![name.clone()];
    taken.extend(cnames.iter().cloned());
    for item in cl_indexes(cx, &schema, &name) {
        let used = |n: &str| schema_names.contains(n) || taken.iter().any(|t| t == n);
        if item.name.as_ref().is_some_and(|n| used(n)) {
            b.hazard(format!(
                "index {} is not created: the name is taken",
                quote_ident(item.name.as_deref().unwrap_or_default())
            ));
            continue;
        }
        let Some(def) = index_def(item, &schema, &name, &known, &used) else {
            b.hazard(format!(
                "an index on {} is not created: a key or predicate is not valid SQL",
                quote_ident(&name)
            ));
            continue;
        };
        if def.columns.iter().any(|c| !known.contains(&c.as_str())) {
            b.hazard(format!(
                "index {} is not created: it names a column the table does not have",
                quote_ident(&def.name)
            ));
            continue;
        }
        b.tx(
            format!("create index {}", quote_ident(&def.name)),
            def.sql(false),
        )
        .covers(item_id(item, &schema, &tq));
        taken.push(def.name.clone());
    }
    let target = RlsTarget {
        schema: &schema,
        name: &name,
        columns: &known,
    };
    if let Some(want) = cx.wanted_rls(target) {
        rls(cx, &mut b, &schema, &name, &cols, want);
    }
    grants::for_new_relation(cx, &mut b, &schema, &name);
    for (tcl, item) in functions::triggers_on(cx, &schema, &name) {
        match functions::trigger_def(cx, tcl, item, &schema, &name, &[]) {
            Ok(d) => {
                b.tx(format!("create trigger {}", quote_ident(&d.name)), d.create)
                    .covers(d.fixes);
            }
            Err(why) => {
                b.hazard(format!(
                    "{} is not created: {why}",
                    functions::trigger_object(item, &tq)
                ));
            }
        }
    }
    b.undo_tx(
        format!("drop table {tq} (with any rows written since)"),
        format!("DROP TABLE {tq}"),
    );
    Some(b.done())
}

fn cl_indexes<'a>(cx: &Cx<'a>, schema: &str, name: &str) -> Vec<&'a crate::checklist::IndexItem> {
    cx.indexes_on(schema, name)
        .iter()
        .map(|(_, i)| *i)
        .collect()
}

fn rls(
    cx: &Cx,
    b: &mut B,
    schema: &str,
    name: &str,
    cols: &[Col],
    want: crate::checklist::RlsState,
) {
    use crate::checklist::RlsState;
    let tq = qualified(schema, name);
    if want == RlsState::Disabled {
        return;
    }
    let shape = Shape {
        schema,
        name,
        columns: cols
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect(),
        existing: &[],
        new: true,
    };
    let (built, not) = policies::expected(cx, &shape);
    b.tx("enable row level security", alter_rls(&tq, Rls::Enable));
    if want == RlsState::Forced {
        b.tx("force row level security", alter_rls(&tq, Rls::Force));
    }
    b.covers(format!("rls.table_missing:{tq}"));
    for p in &built {
        b.tx(format!("create policy {}", quote_ident(&p.name)), &p.create)
            .covers(&p.fixes);
    }
    if built.is_empty() {
        b.hazard(format!("no policy can be built for {tq}: with row level security on, only its owner and roles with BYPASSRLS reach its rows"));
    }
    for n in not {
        b.hazard(n);
    }
}

/// A partition: `CREATE TABLE … PARTITION OF parent bound` (its columns, keys and indexes
/// come from the parent).
fn partition(
    cx: &Cx,
    cl: &crate::checklist::Checklist,
    spec: &TableItem,
    f: &Finding,
    schema: &str,
    name: &str,
) -> Option<Plan> {
    let tq = qualified(schema, name);
    let (ps, pn) = cl.qualify(spec.partition_of.as_deref()?, None);
    let pq = qualified(&ps, &pn);
    let bound = spec.partition_bound.as_deref()?;
    guard::expression(bound, "the partition bound").ok()?;
    let mut tail = String::new();
    if let Some(k) = &spec.partition_by {
        guard::expression(k, "the partition key").ok()?;
        tail.push_str(&format!(" PARTITION BY {k}"));
    }
    let mut b = B::new(&f.id, format!("create partition {tq} of {pq}"));
    b.table(&tq)
        .tx(
            format!("create partition {tq} of {pq}"),
            format!("CREATE TABLE {tq} PARTITION OF {pq} {bound}{tail}"),
        )
        .undo_tx(format!("drop partition {tq}"), format!("DROP TABLE {tq}"))
        .lock(
            &pq,
            locks::SHARE_UPDATE_EXCLUSIVE,
            format!("on {pq} while the partition is attached (reads and writes go on)"),
        );
    for item in cl_indexes(cx, schema, name) {
        let id = item_id(item, schema, &tq);
        b.covers(id);
    }
    Some(b.done())
}

/// The comments a new table's item gives it and its columns.
fn comments(b: &mut B, spec: &TableItem, tq: &str) {
    if let Some(c) = &spec.comment {
        b.tx(
            format!("comment on table {tq}"),
            comment_on("TABLE", tq, Some(c)),
        )
        .covers(format!("comment.mismatch:table {tq}"));
    }
    for (name, text) in &spec.constraint_comments {
        let target = format!("{} on {tq}", quote_ident(name));
        b.tx(
            format!("comment on constraint {target}"),
            comment_on("CONSTRAINT", &target, Some(text)),
        )
        .covers(format!("comment.mismatch:constraint {target}"));
    }
    for col in spec.columns.iter().map(|c| c.get_ref()) {
        if let Some(c) = &col.comment {
            let target = format!("{tq}.{}", quote_ident(&col.name));
            b.tx(
                format!("comment on column {target}"),
                comment_on("COLUMN", &target, Some(c)),
            )
            .covers(format!("comment.mismatch:column {target}"));
        }
        for g in &col.grants {
            let c = quote_ident(&col.name);
            if let Some((sql, undo)) = super::alter::column_grant_pair(&g.allow, tq, &c, &g.role) {
                b.tx(format!("grant on column {tq}.{c} to {}", g.role), sql)
                    .undo_tx(format!("revoke on column {tq}.{c}"), undo);
            }
        }
    }
}
