//! Columns of existing tables: `column.missing`, `column.nullable`, `column.default`.

use crate::check::Finding;
use crate::checklist::{Checklist, ColumnSpec};
use crate::db::catalog::{Column, Table};
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
use super::names;
use super::plan::Plan;
use super::sqltype;

/// The table item, the existing table and the column spec a column finding is about.
pub(crate) fn column_of<'a>(
    cx: &Cx<'a>,
    f: &Finding,
) -> Option<(&'a Checklist, &'a Table, &'a ColumnSpec)> {
    let (cl, spec) = cx.item(f, |c| &c.tables)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let t = cx.table(&schema, &name)?;
    let tq = qualified(&schema, &name);
    let col = spec
        .columns
        .iter()
        .map(|c| c.get_ref())
        .find(|c| format!("{tq}.{}", quote_ident(&c.name)) == f.object)?;
    Some((cl, t, col))
}

/// `column.missing`: `ALTER TABLE … ADD COLUMN`. A NOT NULL column without a default can only
/// go on an empty table: the plan carries that precondition, so it is refused otherwise.
pub(crate) fn add(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, t, col) = column_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let ty = sqltype::checked(cx, cl, col.data_type.as_deref()?)?;
    let not_null = col.nullable == Some(false);
    let mut sql = format!("ALTER TABLE {tq} ADD COLUMN {c} {ty}");
    if let Some(coll) = &col.collation {
        sql.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    match (&col.identity, &col.generated, &col.default) {
        (Some(i), _, _) => {
            let how = if i == "always" {
                "ALWAYS"
            } else {
                "BY DEFAULT"
            };
            sql.push_str(&format!(" GENERATED {how} AS IDENTITY"));
        }
        (None, Some(g), _) => {
            crate::sql::guard::expression(g, "the generated expression").ok()?;
            sql.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
        }
        (None, None, Some(d)) => {
            crate::sql::guard::expression(d, "the default").ok()?;
            sql.push_str(&format!(" DEFAULT {d}"));
        }
        (None, None, None) => {}
    }
    // An identity or generated column gives every row a value: no refusal for NOT NULL.
    let computed = col.identity.is_some() || col.generated.is_some();
    if not_null {
        sql.push_str(" NOT NULL");
    }
    let mut b = B::new(&f.id, format!("add column {c} to {tq}"));
    b.table(&tq);
    let sql_keys = [
        ("default", col.default.as_deref()),
        ("generated expression", col.generated.as_deref()),
    ];
    for (what, e) in sql_keys {
        if let Some(e) = e.filter(|_| col.identity.is_none()) {
            b.server_check(
                format!("the {what} of {tq}.{c}"),
                format!("EXPLAIN SELECT ({e}) FROM {tq}"),
            );
        }
    }
    if not_null && col.default.is_none() && !computed {
        b.pre(
            format!("{tq} is empty: existing rows would have no value for NOT NULL column {c}"),
            format!("SELECT count(*) FROM {tq}"),
            format!("SELECT * FROM {tq} LIMIT 5"),
        )
        .problem(super::problem::Problem::NoValue {
            table: tq.clone(),
            column: c.clone(),
        })
        .hazard(format!(
            "{c} is NOT NULL without a default: refused unless {tq} is empty. Add it nullable, \
             fill it, then SET NOT NULL, or give the checklist a default"
        ));
    }
    let rewrite = col
        .default
        .as_deref()
        .is_some_and(sqltype::volatile_default);
    if rewrite {
        b.touches_data()
            .hazard(format!(
                "the default is computed per row: adding {c} rewrites all of {tq}, holding its \
                 lock for the whole rewrite"
            ))
            .lock(
                &tq,
                locks::ACCESS_EXCLUSIVE,
                format!("blocks every read and write of {tq} until the rewrite commits"),
            );
    } else {
        b.lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    }
    b.tx(format!("add column {c} {ty}"), sql).undo_tx(
        format!("drop column {c} (and whatever was written to it since)"),
        format!("ALTER TABLE {tq} DROP COLUMN {c}"),
    );
    // The item's comment goes with the new column (there was no column to compare it with).
    if let Some(comment) = &col.comment {
        let target = format!("{tq}.{c}");
        b.tx(
            format!("comment on column {target}"),
            format!(
                "COMMENT ON COLUMN {target} IS {}",
                crate::sql::quote_literal(comment)
            ),
        )
        .covers(format!("comment.mismatch:column {target}"));
    }
    Some(b.done())
}

fn existing<'a>(t: &'a Table, name: &str) -> Option<&'a Column> {
    t.columns.iter().find(|c| c.name == name)
}

/// `column.nullable`. To NOT NULL without a long lock: a `CHECK (c IS NOT NULL) NOT VALID`,
/// validated separately (reads and writes go on), lets `SET NOT NULL` skip its scan; the
/// check is then dropped. Refused while NULLs remain.
pub(crate) fn nullable(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, t, spec) = column_of(cx, f)?;
    let col = existing(t, &spec.name)?;
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let want_null = spec.nullable?;
    let mut b = B::new(
        &f.id,
        format!(
            "make {tq}.{c} {}",
            if want_null { "nullable" } else { "NOT NULL" }
        ),
    );
    b.table(&tq);
    if want_null {
        let in_pk = t.constraints.iter().any(|k| {
            k.kind == crate::db::catalog::ConstraintKind::PrimaryKey
                && k.columns.iter().any(|k| *k == col.name)
        });
        if in_pk || col.identity.is_some() {
            return None;
        }
        b.tx(
            format!("drop NOT NULL from {c}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP NOT NULL"),
        )
        .undo_tx(
            format!("set {c} NOT NULL again (fails if NULLs were written since)"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} SET NOT NULL"),
        )
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
        .hazard(format!(
            "the application may now write NULL into {c}; code reading it must cope"
        ));
        return Some(b.done());
    }
    let taken: Vec<&str> = t.constraints.iter().map(|k| k.name.as_str()).collect();
    let check = names::unique(
        names::derived(&t.name, &[col.name.to_string()], "not_null"),
        &taken,
    );
    let k = quote_ident(&check);
    b.pre(
        format!("no row of {tq} has {c} NULL"),
        format!("SELECT count(*) FROM {tq} WHERE {c} IS NULL"),
        format!("SELECT * FROM {tq} WHERE {c} IS NULL LIMIT 5"),
    )
    .problem(super::problem::Problem::Nulls {
        table: tq.clone(),
        columns: c.clone(),
    })
    .tx(
        format!("add CHECK ({c} IS NOT NULL) NOT VALID"),
        format!("ALTER TABLE {tq} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID"),
    )
    .next()
    .tx(
        format!("validate {k} (reads and writes go on)"),
        format!("ALTER TABLE {tq} VALIDATE CONSTRAINT {k}"),
    )
    .next()
    .tx(
        format!("set {c} NOT NULL (the validated check spares the scan)"),
        format!("ALTER TABLE {tq} ALTER COLUMN {c} SET NOT NULL"),
    )
    .tx(
        format!("drop the helper check {k}"),
        format!("ALTER TABLE {tq} DROP CONSTRAINT {k}"),
    )
    .undo_tx(
        format!("drop NOT NULL from {c}"),
        format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP NOT NULL"),
    )
    .undo_tx(
        format!("drop the helper check {k} if a partial run left it"),
        format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {k}"),
    )
    .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
    .lock(
        &tq,
        locks::SHARE_UPDATE_EXCLUSIVE,
        format!("while validating: reads and writes of {tq} go on, other DDL waits"),
    )
    .hazard(format!(
        "inserts and updates writing NULL into {c} fail from the first step on"
    ));
    Some(b.done())
}

/// `column.default`: `SET DEFAULT` (undo restores the old default or drops it).
pub(crate) fn default(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, t, spec) = column_of(cx, f)?;
    let col = existing(t, &spec.name)?;
    if col.identity.is_some() || col.generated.is_some() {
        return None;
    }
    let want = spec.default.as_ref()?;
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let alter = |what: String| format!("ALTER TABLE {tq} ALTER COLUMN {c} {what}");
    let mut b = B::new(&f.id, format!("set the default of {tq}.{c}"));
    b.table(&tq)
        .tx(
            format!("default {c} to {want}"),
            alter(format!("SET DEFAULT {want}")),
        )
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
        .hazard(
            "only rows inserted from now on get the new default; existing rows keep their values",
        );
    match &col.default {
        Some(old) => b.undo_tx(
            format!("restore the default {old}"),
            alter(format!("SET DEFAULT {old}")),
        ),
        None => b.undo_tx("drop the default", alter("DROP DEFAULT".into())),
    };
    Some(b.done())
}
