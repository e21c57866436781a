//! Two valid indexes on one table that are the same index under two names.
//!
//! Identical means the same `pg_get_indexdef` text once the name is removed: same key columns
//! and expressions in the same order, with the same operator classes, collations and sort
//! order, the same INCLUDE columns, predicate, access method, uniqueness and NULLS NOT DISTINCT.
//! Among identical indexes the one backing a constraint (else the first by name) is kept and
//! every other one is reported once, naming the one kept. Partitions are skipped: a duplicate
//! on a partitioned table is cloned onto every partition, and is reported once, on the parent.

use std::collections::BTreeMap;

use super::{Lint, LintContext, index_object};
use crate::check::Finding;
use crate::db::catalog::{Index, RelationKind};
use crate::rules::Severity;
use crate::sql::quote_ident;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::DuplicateIndex,
    severity: Severity::Low,
    title: "Duplicate index",
    why: "An identical second index serves no query the first does not, yet every write updates \
          both and it takes the same disk and memory again.",
    remedy: "DROP INDEX CONCURRENTLY <duplicate>; (if it backs a constraint, drop the \
             constraint instead).",
    run,
};

/// The index definition without its name.
fn signature(i: &Index) -> String {
    let named = format!(" INDEX {} ON ", quote_ident(&i.name));
    i.definition.replacen(&named, " INDEX ON ", 1)
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let kinds = [
        RelationKind::Table,
        RelationKind::PartitionedTable,
        RelationKind::MaterializedView,
    ];
    let mut out = Vec::new();
    for t in ctx
        .app_relations(&kinds)
        .filter(|t| t.partition_of.is_none())
    {
        let mut groups: BTreeMap<String, Vec<&Index>> = BTreeMap::new();
        for i in t.indexes.iter().filter(|i| i.is_valid) {
            groups.entry(signature(i)).or_default().push(i);
        }
        for mut same in groups.into_values().filter(|g| g.len() > 1) {
            // Keep the primary key, else a constraint's index, else the first by name.
            same.sort_by_key(|i| (!i.is_primary, i.constraint.is_none(), i.name.clone()));
            let kept = same[0];
            for dup in &same[1..] {
                let object = index_object(t, dup);
                let kept_name = index_object(t, kept);
                let remedy = match &dup.constraint {
                    Some(c) => format!(
                        "ALTER TABLE {} DROP CONSTRAINT {};",
                        super::table_object(t),
                        quote_ident(c)
                    ),
                    None => format!("DROP INDEX CONCURRENTLY {object};"),
                };
                out.push(
                    lint.finding(
                        object.clone(),
                        format!("index {object} duplicates {kept_name}"),
                    )
                    .expected("one index per definition")
                    .actual(format!("{object} and {kept_name}: {}", dup.definition))
                    .remedy(remedy),
                );
            }
        }
    }
    out
}
