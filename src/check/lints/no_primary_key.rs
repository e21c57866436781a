//! A table without a primary key.
//!
//! Plain tables and partitioned parents are checked; partitions are not (a primary key on the
//! parent gives every partition one, so the parent is where it is missing).

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::db::catalog::ConstraintKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::NoPrimaryKey,
    severity: Severity::Medium,
    title: "Table without a primary key",
    why: "Without a primary key rows cannot be addressed reliably: ORMs and admin tools cannot \
          update or delete a single row, duplicates creep in, and logical replication (Supabase \
          Realtime included) cannot publish its updates and deletes.",
    remedy: "ALTER TABLE <table> ADD PRIMARY KEY (<column>); (add an identity column first if no \
             column is unique and not null).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.app_tables()
        .filter(|t| t.partition_of.is_none())
        .filter(|t| {
            !t.constraints
                .iter()
                .any(|c| c.kind == ConstraintKind::PrimaryKey)
        })
        .map(|t| {
            let object = table_object(t);
            lint.finding(object.clone(), format!("{object} has no primary key"))
                .expected("a primary key")
                .actual("no primary key")
        })
        .collect()
}
