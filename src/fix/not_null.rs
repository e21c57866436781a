//! The safe way to NOT NULL on a table with rows, shared by `column.missing` (a new column) and
//! `column.nullable` (an existing one):
//! 1. (the caller adds the column nullable);
//! 2. backfill: `UPDATE … SET col = <expression> WHERE col IS NULL`, the expression prefilled
//!    from a known default, else a marked placeholder the engineer replaces in the preview (or
//!    with `fix --backfill`); the plan does not run on a table with rows until then;
//! 3. `ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID` (brief lock, no scan), then
//!    `VALIDATE CONSTRAINT` (scans; reads and writes go on);
//! 4. `SET NOT NULL`, which skips its scan thanks to the validated check (PostgreSQL 12+);
//! 5. the helper check dropped.
//!
//! The backfill is one statement, not batches: batching needs many transactions and a way to
//! resume, which an apply step does not have. The plan's hazards say so, with the table's size
//! in the preview beside it; on a large table the engineer runs batches first, and the step
//! then finds nothing left to fill.

use crate::db::catalog::{ConstraintKind, Table};
use crate::sql::stmt::keep_private;
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::decide::{Backfill, Decision, placeholder};
use super::names;

fn primary_key(t: &Table) -> Option<&Vec<String>> {
    t.constraints
        .iter()
        .find(|k| k.kind == ConstraintKind::PrimaryKey)
        .map(|k| &k.columns)
}

/// Where the keys of the backfilled rows are kept (so undo can empty them again).
fn saved_q(t: &Table) -> String {
    super::decide::backfilled_q(&t.schema, &t.name)
}

/// Steps 2 to 5 (each group its own transaction), the decision the preview counts, locks and
/// hazards. Returns the helper check's name, quoted, for the caller's undo.
pub(crate) fn sequence(
    b: &mut B,
    t: &Table,
    column: &str,
    prefill: Option<&str>,
    new_column: bool,
) -> String {
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(column);
    let taken: Vec<&str> = t.constraints.iter().map(|k| k.name.as_str()).collect();
    let check = names::unique(
        names::derived(&t.name, &[column.to_string()], "not_null"),
        &taken,
    );
    let k = quote_ident(&check);
    let expr = prefill.map_or_else(placeholder, str::to_string);
    let count_sql = if new_column {
        format!("SELECT count(*) FROM {tq}")
    } else {
        format!("SELECT count(*) FROM {tq} WHERE {c} IS NULL")
    };
    b.decide(Decision::Backfill(Backfill {
        schema: t.schema.clone(),
        table: t.name.clone(),
        column: column.to_string(),
        new_column,
        count_sql,
        rows: None,
    }));
    b.next();
    if let (false, Some(pk)) = (new_column, primary_key(t)) {
        let key: Vec<String> = pk.iter().map(|k| quote_ident(k)).collect();
        let saved = saved_q(t);
        b.tx(
            format!("remember which rows of {tq} have no {c} (in {saved}, for undo)"),
            format!(
                "CREATE TABLE {saved} AS SELECT {} FROM {tq} WHERE {c} IS NULL;\n{}",
                key.join(", "),
                keep_private(&saved)
            ),
        );
    }
    b.tx(
        format!("backfill {c}: give each row without a value one"),
        format!("UPDATE {tq} SET {c} = {expr} WHERE {c} IS NULL"),
    )
    .next()
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
    .touches_data()
    .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
    .lock(
        &tq,
        "ROW EXCLUSIVE",
        "while backfilling: each row updated stays locked against other writers until the \
             backfill commits; reads go on",
    )
    .lock(
        &tq,
        locks::SHARE_UPDATE_EXCLUSIVE,
        format!("while validating: reads and writes of {tq} go on, other DDL waits"),
    )
    .hazard(format!(
        "the backfill is one UPDATE of every row without a value, in one transaction (under \
         the statement timeout): on a large table, fill {c} in batches first (UPDATE {tq} SET \
         {c} = … WHERE ctid IN (SELECT ctid FROM {tq} WHERE {c} IS NULL LIMIT 10000), \
         repeated); the step then finds nothing left"
    ))
    .hazard(format!(
        "rows written with no {c} between the backfill and the check make the validation fail \
         (nothing after it runs; undo drops the check)"
    ))
    .hazard(format!(
        "inserts and updates writing NULL into {c} fail from the check on"
    ));
    if prefill.is_none() {
        b.hazard(format!(
            "no default is known for {c}: the plan does not run on a table with rows until the \
             placeholder {} in the backfill is replaced by an expression",
            placeholder()
        ));
    }
    k
}

/// Undo of the backfill of an existing column: the remembered rows get NULL again (run after
/// NOT NULL is dropped). Without a primary key nothing remembers them: a hazard says so.
pub(crate) fn undo_backfill(b: &mut B, t: &Table, column: &str) {
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(column);
    let Some(pk) = primary_key(t) else {
        b.hazard(format!(
            "{tq} has no primary key, so the backfilled rows cannot be told apart afterwards: \
             undo keeps their new values (the backup has the old ones)"
        ));
        return;
    };
    let key: Vec<String> = pk.iter().map(|k| quote_ident(k)).collect();
    let key = key.join(", ");
    let saved = saved_q(t);
    b.undo_tx(
        format!("empty {c} again in the rows the backfill filled"),
        format!("UPDATE {tq} SET {c} = NULL WHERE ({key}) IN (SELECT {key} FROM {saved})"),
    )
    .undo_tx(
        format!("drop {saved}"),
        format!("DROP TABLE IF EXISTS {saved}"),
    )
    .hazard(format!(
        "the keys of the backfilled rows are kept in {saved} (row-level security on, no \
         policy), for undo; drop it when the fix is settled"
    ));
}
