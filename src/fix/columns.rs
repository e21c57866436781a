//! Columns of existing tables: `column.missing`, `column.nullable`, `column.default`.

use crate::check::Finding;
use crate::checklist::{Checklist, ColumnSpec};
use crate::db::catalog::{Column, Table};
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
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

/// `column.missing`: `ALTER TABLE … ADD COLUMN`. A NOT NULL column without a default is added
/// nullable, backfilled with the engineer's expression and then made NOT NULL
/// ([`super::not_null::sequence`]).
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
    // An identity or generated column gives every row a value. Without one and without a
    // default, existing rows have no value: the column is added nullable and made NOT NULL
    // after a backfill the engineer writes.
    let computed = col.identity.is_some() || col.generated.is_some();
    let backfill = not_null && col.default.is_none() && !computed;
    if not_null && !backfill {
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
    if backfill {
        b.tx(format!("add column {c} {ty}, nullable for now"), sql);
    } else {
        b.tx(format!("add column {c} {ty}"), sql).undo_tx(
            format!("drop column {c} (and whatever was written to it since)"),
            format!("ALTER TABLE {tq} DROP COLUMN {c}"),
        );
    }
    // The item's comment goes with the new column (there was no column to compare it with).
    if let Some(comment) = &col.comment {
        let target = format!("{tq}.{c}");
        b.tx(
            format!("comment on column {target}"),
            crate::sql::stmt::comment_on("COLUMN", &target, Some(comment)),
        )
        .covers(format!("comment.mismatch:column {target}"));
    }
    if backfill {
        // The checklist's backfill, when it gives one, prefills the step (still editable).
        let prefill = col
            .backfill
            .as_deref()
            .filter(|e| crate::sql::guard::expression(e, "the backfill").is_ok());
        let check = super::not_null::sequence(&mut b, t, &col.name, prefill, true);
        b.undo_tx(
            format!("drop the helper check {check} if a partial run left it"),
            format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {check}"),
        )
        .undo_tx(
            format!("drop column {c} (its backfilled values with it)"),
            format!("ALTER TABLE {tq} DROP COLUMN IF EXISTS {c}"),
        );
    }
    Some(b.done())
}

fn existing<'a>(t: &'a Table, name: &str) -> Option<&'a Column> {
    t.columns.iter().find(|c| c.name == name)
}

/// `column.nullable`. To NOT NULL without a long lock: the NULLs backfilled (with the default,
/// else the engineer's expression), then [`super::not_null::sequence`].
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
    // The value rows without one get: the checklist's backfill, else its default, else the
    // column's own.
    let prefill = spec
        .backfill
        .as_deref()
        .or(spec.default.as_deref())
        .or(col.default.as_deref())
        .filter(|d| crate::sql::guard::expression(d, "the default").is_ok());
    let check = super::not_null::sequence(&mut b, t, &col.name, prefill, false);
    b.undo_tx(
        format!("drop the helper check {check} if a partial run left it"),
        format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {check}"),
    )
    .undo_tx(
        format!("drop NOT NULL from {c}"),
        format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP NOT NULL"),
    );
    super::not_null::undo_backfill(&mut b, t, &col.name);
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
