//! An index left invalid, usually by a failed `CREATE INDEX CONCURRENTLY` or `REINDEX
//! CONCURRENTLY`.

use super::{Lint, LintContext, index_object};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::InvalidIndex,
    severity: Severity::Medium,
    title: "Invalid index",
    why: "An invalid index (left by a failed CREATE INDEX CONCURRENTLY) is still updated on \
          every write but never used by queries, and a unique one may still reject rows.",
    remedy: "DROP INDEX CONCURRENTLY <index>; then create it again, or REINDEX INDEX \
             CONCURRENTLY <index>;",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let kinds = [
        RelationKind::Table,
        RelationKind::PartitionedTable,
        RelationKind::MaterializedView,
    ];
    let mut out = Vec::new();
    for t in ctx.app_relations(&kinds) {
        for i in t.indexes.iter().filter(|i| !i.is_valid) {
            let object = index_object(t, i);
            let (message, remedy) = if t.kind == RelationKind::PartitionedTable {
                (
                    format!(
                        "index {object} on partitioned table {} is invalid: not every \
                         partition has an index attached to it",
                        super::table_object(t)
                    ),
                    format!(
                        "create the missing partitions' indexes and ALTER INDEX {object} \
                         ATTACH PARTITION each of them"
                    ),
                )
            } else {
                (
                    format!(
                        "index {object} is invalid (a failed CREATE INDEX CONCURRENTLY?): \
                         writes maintain it, queries never use it"
                    ),
                    format!("REINDEX INDEX CONCURRENTLY {object};"),
                )
            };
            out.push(
                lint.finding(object, message)
                    .expected("valid index")
                    .actual(format!("invalid: {}", i.definition))
                    .remedy(remedy),
            );
        }
    }
    out
}
