//! A foreign key with no index to find the referencing rows.
//!
//! An index covers the key when its leading key columns are exactly the key's columns, in any
//! order (`(b, a, c)` covers a key on `(a, b)`): PostgreSQL can use it for the equality lookups a
//! foreign key needs. The index must be valid and not partial; expression columns never match.
//! Keys cloned onto partitions from their parent are reported once, on the parent.

use std::collections::BTreeSet;

use super::{Lint, LintContext, constraint_object, table_object};
use crate::check::Finding;
use crate::db::catalog::{ConstraintKind, Index};
use crate::rules::Severity;
use crate::sql::{qualified, quote_ident};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::UnindexedForeignKey,
    severity: Severity::Medium,
    title: "Foreign key without an index",
    why: "Without an index on the referencing columns, every delete or key update on the \
          referenced table scans the whole referencing table (holding locks), and joins along \
          the key are slow.",
    remedy: "CREATE INDEX CONCURRENTLY ON <table> (<foreign key columns>);",
    run,
};

/// Whether the index's leading key columns are exactly `columns` (as a set).
pub fn covers(index: &Index, columns: &[String]) -> bool {
    if !index.is_valid || index.predicate.is_some() || index.columns.len() < columns.len() {
        return false;
    }
    let leading: Option<BTreeSet<&str>> = index.columns[..columns.len()]
        .iter()
        .map(|c| c.as_deref())
        .collect();
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    leading.is_some_and(|l| l == wanted)
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.app_tables() {
        for c in &t.constraints {
            let Some(fk) = &c.foreign_key else { continue };
            if c.kind != ConstraintKind::ForeignKey || !c.is_local || c.columns.is_empty() {
                continue;
            }
            if t.indexes.iter().any(|i| covers(i, &c.columns)) {
                continue;
            }
            let cols: Vec<String> = c.columns.iter().map(|n| quote_ident(n)).collect();
            let cols = cols.join(", ");
            let target = qualified(&fk.referenced_schema, &fk.referenced_table);
            out.push(
                lint.finding(
                    constraint_object(t, c),
                    format!(
                        "foreign key {} on {} ({cols}) referencing {target} has no index \
                         starting with its columns",
                        quote_ident(&c.name),
                        table_object(t)
                    ),
                )
                .expected(format!("an index on {} ({cols})", table_object(t)))
                .actual("no valid, non-partial index starts with these columns")
                .remedy(format!(
                    "CREATE INDEX CONCURRENTLY ON {} ({cols});",
                    table_object(t)
                )),
            );
        }
    }
    out
}
