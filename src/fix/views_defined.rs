//! Views and materialized views from their definitions (`pg_get_viewdef`, as `checklist
//! snapshot` records them): created as they were, or replaced. `CREATE OR REPLACE VIEW` when
//! the new columns keep the old ones in front; otherwise the view is dropped and created again
//! with every view over it, in one transaction. A materialized view is always dropped and
//! created again, with its indexes.

use std::collections::HashMap;

use crate::check::Finding;
use crate::checklist::ViewItem;
use crate::db::catalog::{RelationKind, Table};
use crate::sql::lex::{name_chains, tokens};
use crate::sql::{guard, qualified};

use super::INVOKER_VERSION;
use crate::fix::build::{B, locks};
use crate::fix::cx::Cx;
use crate::fix::grants;
use crate::fix::plan::Plan;

/// `CREATE [MATERIALIZED] VIEW … AS …` for the item.
fn create_sql(cx: &Cx, spec: &ViewItem, vq: &str) -> Option<String> {
    let def = spec.definition.as_deref()?;
    guard::query(def, "the view's definition").ok()?;
    let body = guard::trim_statement(def);
    if spec.materialized {
        return Some(format!("CREATE MATERIALIZED VIEW {vq} AS\n{body}"));
    }
    // Options as stated; `false` is the default and is not written.
    let mut opts = Vec::new();
    if spec.security_invoker == Some(true) && cx.server_version() >= INVOKER_VERSION {
        opts.push("security_invoker = true");
    }
    if spec.security_barrier == Some(true) {
        opts.push("security_barrier = true");
    }
    let with = if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", opts.join(", "))
    };
    let check = match spec.check_option.as_deref() {
        Some("local") => "\nWITH LOCAL CHECK OPTION",
        Some("cascaded") => "\nWITH CASCADED CHECK OPTION",
        Some(_) => return None,
        None => "",
    };
    Some(format!("CREATE VIEW {vq}{with} AS\n{body}{check}"))
}

/// The view's query, analysed by the server (EXPLAIN) before the plan runs.
fn explain_query(b: &mut B, spec: &ViewItem, vq: &str) {
    if let Some(def) = &spec.definition {
        b.server_check(
            format!("the query of {vq}"),
            format!("EXPLAIN {}", guard::trim_statement(def)),
        );
    }
}

/// Indexes the checklist asks for on a materialized view created by this plan.
fn matview_indexes(cx: &Cx, b: &mut B, schema: &str, name: &str) {
    for &(cl, it) in cx.indexes_on(schema, name) {
        let (s, t) = cl.qualify(&it.table, it.schema.as_deref());
        let Some(def) = crate::fix::indexes::index_def(it, &s, &t, &[], &|_| false) else {
            continue;
        };
        let tq = qualified(&s, &t);
        b.tx(format!("create index {}", def.name), def.sql(false))
            .covers(crate::fix::indexes::item_id(it, &s, &tq));
    }
}

pub(crate) fn create(
    cx: &Cx,
    f: &Finding,
    spec: &ViewItem,
    schema: &str,
    name: &str,
) -> Option<Plan> {
    let vq = qualified(schema, name);
    let kind = if spec.materialized {
        "materialized view"
    } else {
        "view"
    };
    let mut b = B::new(&f.id, format!("create {kind} {vq}"));
    b.tx(format!("create {kind} {vq}"), create_sql(cx, spec, &vq)?);
    explain_query(&mut b, spec, &vq);
    if spec.materialized {
        matview_indexes(cx, &mut b, schema, name);
        b.hazard(format!(
            "{vq} is filled now; REFRESH MATERIALIZED VIEW keeps it current"
        ));
    }
    if let Some(c) = &spec.comment {
        let kw = if spec.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        b.tx(
            format!("comment on {kind} {vq}"),
            crate::sql::stmt::comment_on(kw, &vq, Some(c)),
        )
        .covers(format!("comment.mismatch:{kind} {vq}"));
    }
    grants::for_new_relation(cx, &mut b, schema, name);
    let drop = if spec.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    b.undo_tx(format!("drop {kind} {vq}"), format!("DROP {drop} {vq}"));
    Some(b.done())
}

/// Views (and materialized views) whose definitions mention `v`, and those over them, in the
/// order they can be created again.
fn dependents<'a>(cx: &Cx<'a>, v: &Table) -> Vec<&'a Table> {
    let mut out: Vec<usize> = Vec::new();
    let mut frontier = vec![(v.schema.clone(), v.name.clone())];
    while let Some((s, n)) = frontier.pop() {
        for &k in cx.views_naming(&s, &n) {
            let t = &cx.snap.tables[k];
            if (t.schema == v.schema && t.name == v.name) || out.contains(&k) {
                continue;
            }
            out.push(k);
            frontier.push((t.schema.clone(), t.name.clone()));
        }
    }
    out.into_iter().map(|k| &cx.snap.tables[k]).collect()
}

/// The views and materialized views of the snapshot by the relations their definitions may
/// name (`schema.name` in a chain, or a bare `name` read as `public.name`), each lexed once
/// (issue 15: a scan lexing every view per replaced view was quadratic).
pub(crate) fn readers(
    snap: &crate::db::catalog::Snapshot,
) -> HashMap<(String, String), Vec<usize>> {
    let mut m: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (k, t) in snap.tables.iter().enumerate() {
        if !matches!(t.kind, RelationKind::View | RelationKind::MaterializedView) {
            continue;
        }
        let Some(def) = &t.definition else { continue };
        let Ok(toks) = tokens(def) else { continue };
        for c in name_chains(&toks) {
            let mut keys = Vec::new();
            if let [a, b, ..] = &c[..] {
                keys.push((a.clone(), b.clone()));
            }
            if let Some(a) = c.first() {
                keys.push(("public".to_string(), a.clone()));
            }
            for key in keys {
                let at = m.entry(key).or_default();
                if at.last() != Some(&k) {
                    at.push(k);
                }
            }
        }
    }
    m
}

/// The current statement creating `t` again (from the server's own definition).
fn recreate(t: &Table) -> Option<String> {
    let q = qualified(&t.schema, &t.name);
    let def = guard::trim_statement(t.definition.as_deref()?).to_string();
    if t.kind == RelationKind::MaterializedView {
        return Some(format!("CREATE MATERIALIZED VIEW {q} AS\n{def}"));
    }
    let mut opts: Vec<String> = t.options.clone();
    opts.retain(|o| !o.starts_with("check_option="));
    let with = if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", opts.join(", "))
    };
    let check = match t.check_option.as_deref() {
        Some("local") => "\nWITH LOCAL CHECK OPTION",
        Some("cascaded") => "\nWITH CASCADED CHECK OPTION",
        _ => "",
    };
    Some(format!("CREATE VIEW {q}{with} AS\n{def}{check}"))
}

fn drop_sql(t: &Table) -> String {
    let q = qualified(&t.schema, &t.name);
    match t.kind {
        RelationKind::MaterializedView => format!("DROP MATERIALIZED VIEW {q}"),
        _ => format!("DROP VIEW {q}"),
    }
}

/// `view.definition`, `view.columns`, `view.check_option`: the view as the item defines it.
pub(crate) fn replace(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.views)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let v = cx.snap.table(&schema, &name)?;
    let vq = qualified(&schema, &name);
    let new = create_sql(cx, spec, &vq)?;
    let mut b = B::new(&f.id, format!("replace view {vq}"));
    explain_query(&mut b, spec, &vq);
    b.lock(&vq, locks::ACCESS_EXCLUSIVE, locks::brief(&vq));
    let keeps_columns = spec.columns.as_ref().is_some_and(|cols| {
        v.columns.len() <= cols.len()
            && v.columns
                .iter()
                .zip(cols)
                .all(|(old, new)| old.name == new.as_str())
    });
    let same_kind = (v.kind == RelationKind::MaterializedView) == spec.materialized;
    if keeps_columns && same_kind && !spec.materialized && v.kind == RelationKind::View {
        b.tx(
            format!("replace the definition of {vq}"),
            new.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1),
        );
        if let Some(old) = recreate(v) {
            b.undo_tx(
                format!("restore the old definition of {vq}"),
                old.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1),
            );
        }
        return Some(b.done());
    }
    // Drop the views over it (outermost first), the view, then create them all again.
    let deps = dependents(cx, v);
    for d in deps.iter().rev() {
        b.tx(
            format!(
                "drop {} (over {vq}; created again below)",
                qualified(&d.schema, &d.name)
            ),
            drop_sql(d),
        );
    }
    b.tx(format!("drop {vq}"), drop_sql(v));
    b.tx(format!("create {vq} as the checklist defines it"), new);
    if spec.materialized {
        matview_indexes(cx, &mut b, &schema, &name);
    }
    for d in &deps {
        let dq = qualified(&d.schema, &d.name);
        b.tx(format!("create {dq} again"), recreate(d)?);
        for i in &d.indexes {
            b.tx(
                format!("create index {} again", i.name),
                i.definition.clone(),
            );
        }
    }
    grants::for_new_relation(cx, &mut b, &schema, &name);
    b.hazard(format!(
        "{vq} is dropped and created again with the {} view(s) over it, in one transaction; \
         grants on them that no checklist item states must be given again",
        deps.len()
    ));
    Some(b.done())
}
