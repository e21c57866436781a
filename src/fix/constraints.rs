//! Keys and constraints on existing tables: `table.primary_key`, `unique.missing`,
//! `check.missing`, `fk.missing`, `fk.action`.
//!
//! Checks and foreign keys are added `NOT VALID` (a brief lock, no scan) and validated in a
//! separate step, which scans without blocking reads or writes. Unique keys and primary keys
//! are built as an index CONCURRENTLY, then attached (`USING INDEX`). Each carries the
//! precondition that the data already satisfies it.

use super::problem::Problem;
use crate::check::Finding;
use crate::checklist::{Checklist, ForeignKeySpec, TableItem, parse_fk_action, parse_reference};
use crate::db::catalog::{ConstraintKind, FkAction, Table};
use crate::sql::stmt::drop_index_concurrently;
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
use super::indexes::{columns_exist, names_in, no_duplicates};
use super::names;
use super::plan::Plan;

fn table_of<'a>(cx: &Cx<'a>, f: &Finding) -> Option<(&'a Checklist, &'a TableItem, &'a Table)> {
    let (cl, spec) = cx.item(f, |c| &c.tables)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    Some((cl, spec, cx.table(&schema, &name)?))
}

fn list(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn constraint_names(t: &Table) -> Vec<&str> {
    t.constraints.iter().map(|c| c.name.as_str()).collect()
}

/// A key built as a unique index CONCURRENTLY, then attached as a constraint.
fn key_via_index(b: &mut B, t: &Table, cols: &[String], name: &str, primary: bool) {
    key_via_index_timed(b, t, cols, name, primary, "");
}

/// [`key_via_index`] with the constraint's timing (` DEFERRABLE INITIALLY DEFERRED`…).
fn key_via_index_timed(
    b: &mut B,
    t: &Table,
    cols: &[String],
    name: &str,
    primary: bool,
    timing: &str,
) {
    let tq = qualified(&t.schema, &t.name);
    let iq = qualified(&t.schema, name);
    let n = quote_ident(name);
    columns_exist(b, t, cols);
    if primary {
        let nulls: Vec<String> = cols
            .iter()
            .map(|c| format!("{} IS NULL", quote_ident(c)))
            .collect();
        let cond = nulls.join(" OR ");
        b.pre(
            format!("no row of {tq} has a NULL in ({})", list(cols)),
            format!("SELECT count(*) FROM {tq} WHERE {cond}"),
            format!("SELECT * FROM {tq} WHERE {cond} LIMIT 5"),
        )
        .problem(Problem::Nulls {
            table: tq.clone(),
            columns: format!("({})", list(cols)),
        });
    }
    no_duplicates(b, t, cols);
    let kind = if primary { "PRIMARY KEY" } else { "UNIQUE" };
    b.build_index(
        format!("build the unique index {iq} without blocking writes"),
        format!(
            "CREATE UNIQUE INDEX CONCURRENTLY {n} ON {tq} ({})",
            list(cols)
        ),
        iq.clone(),
    )
    .tx(
        format!("attach {iq} as the {kind} constraint"),
        format!("ALTER TABLE {tq} ADD CONSTRAINT {n} {kind} USING INDEX {n}{timing}"),
    )
    .undo_tx(
        format!("drop constraint {n} (and its index)"),
        format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {n}"),
    )
    .undo_auto(
        format!("drop {iq} if the constraint never got attached"),
        drop_index_concurrently(&iq),
    )
    .table(&tq)
    .lock(&tq, locks::SHARE_UPDATE_EXCLUSIVE, locks::concurrent(&tq))
    .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
    .hazard(format!(
        "from the index build on, writes that would duplicate ({}) fail",
        list(cols)
    ));
}

/// `table.primary_key`, when the table has none (changing an existing key would break the
/// foreign keys that reference it: left to the engineer).
pub(crate) fn primary_key(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec, t) = table_of(cx, f)?;
    let pk = spec.primary_key.as_ref()?;
    if pk.is_empty()
        || t.constraints
            .iter()
            .any(|c| c.kind == ConstraintKind::PrimaryKey)
    {
        return None;
    }
    let taken = names_in(cx, &t.schema);
    let name = names::unique_by(names::fit(&format!("{}_pkey", t.name)), &|n| {
        taken.contains(n)
    });
    let tq = qualified(&t.schema, &t.name);
    let mut b = B::new(&f.id, format!("add primary key ({}) to {tq}", list(pk)));
    key_via_index(&mut b, t, pk, &name, true);
    b.hazard(format!(
        "attaching the key sets ({}) NOT NULL, which scans {tq} under its ACCESS EXCLUSIVE lock",
        list(pk)
    ));
    Some(b.done())
}

/// `unique.missing`.
pub(crate) fn unique(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let u = spec
        .unique
        .iter()
        .map(|u| u.get_ref())
        .find(|u| f.id == format!("unique.missing:{tq}({})", u.columns.join(", ")))?;
    let taken = names_in(cx, &t.schema);
    let own = constraint_names(t);
    let used = |n: &str| taken.contains(n) || own.contains(&n);
    let name = match &u.name {
        Some(n) if !used(n) => n.clone(),
        _ => names::unique_by(names::derived(&t.name, &u.columns, "key"), &used),
    };
    let timing = crate::checklist::timing_clause(u.deferrable, u.initially_deferred);
    let mut b = B::new(&f.id, format!("add UNIQUE ({}) to {tq}", list(&u.columns)));
    key_via_index_timed(&mut b, t, &u.columns, &name, false, &timing);
    Some(b.done())
}

/// `check.missing` (only when the checklist gives the expression).
pub(crate) fn check(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let ch = spec.checks.iter().map(|c| c.get_ref()).find(|c| {
        let what = c
            .name
            .clone()
            .or_else(|| c.expression.clone())
            .unwrap_or_default();
        f.id == format!("check.missing:{tq}/{what}")
    })?;
    let expr = ch.expression.as_ref()?;
    crate::sql::guard::expression(expr, "the CHECK expression").ok()?;
    let name = match &ch.name {
        Some(n) => n.clone(),
        None => names::unique(names::derived(&t.name, &[], "check"), &constraint_names(t)),
    };
    let n = quote_ident(&name);
    let mut b = B::new(&f.id, format!("add CHECK ({expr}) to {tq}"));
    if ch.not_valid == Some(true) {
        // As the checklist states it: NOT VALID, the rows already there unchecked (the
        // expression is still analysed by the server first).
        b.server_check(
            format!("the CHECK expression on {tq}"),
            format!("EXPLAIN SELECT 1 FROM {tq} WHERE ({expr})"),
        );
        b.table(&tq)
            .tx(
                format!("add CHECK {n} NOT VALID (new rows only, as the checklist states)"),
                format!("ALTER TABLE {tq} ADD CONSTRAINT {n} CHECK ({expr}) NOT VALID"),
            )
            .undo_tx(
                format!("drop constraint {n}"),
                format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {n}"),
            )
            .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
            .hazard(format!(
                "writes violating ({expr}) fail from now on; rows already there are not checked"
            ));
        return Some(b.done());
    }
    b.table(&tq)
        .pre(
            format!("every row of {tq} satisfies ({expr})"),
            format!("SELECT count(*) FROM {tq} WHERE NOT ({expr})"),
            format!("SELECT * FROM {tq} WHERE NOT ({expr}) LIMIT 5"),
        )
        .problem(Problem::Violates {
            table: tq.clone(),
            expression: expr.clone(),
        })
        .tx(
            format!("add CHECK {n} NOT VALID (new rows only)"),
            format!("ALTER TABLE {tq} ADD CONSTRAINT {n} CHECK ({expr}) NOT VALID"),
        )
        .next()
        .tx(
            format!("validate {n} (reads and writes go on)"),
            format!("ALTER TABLE {tq} VALIDATE CONSTRAINT {n}"),
        )
        .undo_tx(
            format!("drop constraint {n}"),
            format!("ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {n}"),
        )
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
        .lock(
            &tq,
            locks::SHARE_UPDATE_EXCLUSIVE,
            format!("while validating: reads and writes of {tq} go on"),
        )
        .hazard(format!(
            "writes violating ({expr}) fail from the first step on"
        ));
    Some(b.done())
}

fn action_sql(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// The referenced table (quoted) and columns of a foreign-key spec; the columns default to the
/// target's primary key (from the snapshot, or the checklist when the target is still to come).
fn target(cx: &Cx, cl: &Checklist, fk: &ForeignKeySpec) -> Option<(String, String, Vec<String>)> {
    let (rs, rt, cols) = parse_reference(&fk.references)?;
    let rs = rs.unwrap_or_else(|| cl.default_schema().to_string());
    let cols = if !cols.is_empty() {
        cols
    } else if let Some(t) = cx.table(&rs, &rt) {
        t.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)?
            .columns
            .clone()
    } else {
        cx.table_spec(&rs, &rt)?.1.primary_key.clone()?
    };
    Some((rs, rt, cols))
}

/// Rows of `tq` whose key has no match in the referenced table.
fn orphans(b: &mut B, tq: &str, cols: &[String], rq: &str, rcols: &[String]) {
    let present: Vec<String> = cols
        .iter()
        .map(|c| format!("o.{} IS NOT NULL", quote_ident(c)))
        .collect();
    let join: Vec<String> = cols
        .iter()
        .zip(rcols)
        .map(|(c, r)| format!("r.{} = o.{}", quote_ident(r), quote_ident(c)))
        .collect();
    let cond = format!(
        "{} AND NOT EXISTS (SELECT 1 FROM {rq} AS r WHERE {})",
        present.join(" AND "),
        join.join(" AND ")
    );
    b.pre(
        format!("every ({}) of {tq} exists in {rq}", list(cols)),
        format!("SELECT count(*) FROM {tq} AS o WHERE {cond}"),
        format!("SELECT o.* FROM {tq} AS o WHERE {cond} LIMIT 5"),
    )
    .problem(Problem::Dangling {
        table: tq.to_string(),
        columns: list(cols),
        referenced: rq.to_string(),
    });
}

/// The `FOREIGN KEY … REFERENCES …` clause.
pub(crate) fn fk_clause(
    cols: &[String],
    rq: &str,
    rcols: &[String],
    fk: &ForeignKeySpec,
) -> String {
    let mut s = format!(
        "FOREIGN KEY ({}) REFERENCES {rq} ({})",
        list(cols),
        list(rcols)
    );
    for (what, a) in [("DELETE", &fk.on_delete), ("UPDATE", &fk.on_update)] {
        if let Some(a) = a.as_deref().and_then(parse_fk_action) {
            s.push_str(&format!(" ON {what} {}", action_sql(a)));
        }
    }
    s.push_str(&crate::checklist::timing_clause(
        fk.deferrable,
        fk.initially_deferred,
    ));
    s
}

fn add_validated(b: &mut B, tq: &str, rq: &str, name: &str, clause: &str) {
    let n = quote_ident(name);
    b.tx(
        format!("add foreign key {n} NOT VALID (new rows only)"),
        format!("ALTER TABLE {tq} ADD CONSTRAINT {n} {clause} NOT VALID"),
    )
    .next()
    .tx(
        format!("validate {n} (reads and writes go on)"),
        format!("ALTER TABLE {tq} VALIDATE CONSTRAINT {n}"),
    )
    .lock(
        tq,
        locks::SHARE_ROW_EXCLUSIVE,
        format!("while adding: blocks writes to {tq} (brief, no scan)"),
    )
    .lock(
        rq,
        locks::SHARE_ROW_EXCLUSIVE,
        format!("while adding: blocks writes to {rq} (brief)"),
    )
    .lock(
        tq,
        locks::SHARE_UPDATE_EXCLUSIVE,
        format!("while validating: reads and writes of {tq} go on"),
    );
}

/// `fk.missing`.
pub(crate) fn fk_missing(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let fk = spec
        .foreign_keys
        .iter()
        .map(|x| x.get_ref())
        .find(|x| f.id == format!("fk.missing:{tq}({})", x.columns.join(", ")))?;
    let (rs, rt, rcols) = target(cx, cl, fk)?;
    if rcols.len() != fk.columns.len() {
        return None;
    }
    let rq = qualified(&rs, &rt);
    let name = match &fk.name {
        Some(n) if !constraint_names(t).contains(&n.as_str()) => n.clone(),
        _ => names::unique(
            names::derived(&t.name, &fk.columns, "fkey"),
            &constraint_names(t),
        ),
    };
    let mut b = B::new(
        &f.id,
        format!("add foreign key ({}) → {rq}", list(&fk.columns)),
    );
    b.table(&tq).table(&rq);
    columns_exist(&mut b, t, &fk.columns);
    let clause = fk_clause(&fk.columns, &rq, &rcols, fk);
    if fk.not_valid == Some(true) {
        let n = quote_ident(&name);
        b.tx(
            format!("add foreign key {n} NOT VALID (new rows only, as the checklist states)"),
            format!("ALTER TABLE {tq} ADD CONSTRAINT {n} {clause} NOT VALID"),
        )
        .lock(
            &tq,
            locks::SHARE_ROW_EXCLUSIVE,
            format!("blocks writes to {tq} (brief, no scan)"),
        )
        .lock(
            &rq,
            locks::SHARE_ROW_EXCLUSIVE,
            format!("blocks writes to {rq} (brief)"),
        );
    } else {
        orphans(&mut b, &tq, &fk.columns, &rq, &rcols);
        add_validated(&mut b, &tq, &rq, &name, &clause);
    }
    b.undo_tx(
        format!("drop constraint {}", quote_ident(&name)),
        format!(
            "ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {}",
            quote_ident(&name)
        ),
    )
    .hazard(format!(
        "writes to {tq} whose ({}) has no match in {rq} fail from the first step on",
        list(&fk.columns)
    ));
    if fk.on_delete.as_deref().and_then(parse_fk_action) == Some(FkAction::Cascade) {
        b.hazard(format!(
            "ON DELETE CASCADE: deleting a row of {rq} deletes the rows of {tq} referencing it"
        ));
    }
    Some(b.done())
}

/// `fk.action`: the same key re-created with the expected actions, NOT VALID then validated.
pub(crate) fn fk_action(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let c = t.constraints.iter().find(|c| {
        c.foreign_key.is_some() && format!("{tq}.{}", quote_ident(&c.name)) == f.object
    })?;
    let have = c.foreign_key.as_ref()?;
    let fk = spec
        .foreign_keys
        .iter()
        .map(|x| x.get_ref())
        .find(|x| x.columns == c.columns)?;
    let (rs, rt, _) = target(cx, cl, fk)?;
    if rs != have.referenced_schema || rt != have.referenced_table {
        return None;
    }
    let rq = qualified(&rs, &rt);
    let word = |a: FkAction| action_sql(a).to_ascii_lowercase();
    let merged = ForeignKeySpec {
        on_delete: fk.on_delete.clone().or(Some(word(have.on_delete))),
        on_update: fk.on_update.clone().or(Some(word(have.on_update))),
        ..fk.clone()
    };
    let n = quote_ident(&c.name);
    let old = c.definition.trim_end_matches(" NOT VALID").to_string();
    let mut b = B::new(
        &f.id,
        format!("change the actions of foreign key {n} on {tq}"),
    );
    b.table(&tq).tx(
        format!("drop {n}"),
        format!("ALTER TABLE {tq} DROP CONSTRAINT {n}"),
    );
    orphans(&mut b, &tq, &c.columns, &rq, &have.referenced_columns);
    add_validated(
        &mut b,
        &tq,
        &rq,
        &c.name,
        &fk_clause(&c.columns, &rq, &have.referenced_columns, &merged),
    );
    b.undo_tx(
        format!("restore {n} as it was"),
        format!(
            "ALTER TABLE {tq} DROP CONSTRAINT IF EXISTS {n}, ADD CONSTRAINT {n} {old} NOT VALID"
        ),
    );
    if c.validated {
        b.undo_next().undo_tx(
            format!("validate {n}"),
            format!("ALTER TABLE {tq} VALIDATE CONSTRAINT {n}"),
        );
    }
    b.hazard(format!(
        "deletes and key updates on {rq} behave differently from then on ({})",
        f.expected.clone().unwrap_or_default()
    ));
    Some(b.done())
}
