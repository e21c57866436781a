//! Queue tables of `pgmq` without row level security, reachable through the API because
//! Supabase's `pgmq_public` schema exposes the queue functions.
//!
//! `pgmq_public` counts as exposed when the checklists expose it, or when API roles may
//! execute its functions (what Supabase's "Expose Queues via PostgREST" switch grants). Its
//! functions run as their caller, so what anon and authenticated hold on `pgmq.q_<queue>`
//! decides who reads, sends and deletes messages. The reference linter asks the API's
//! configuration (`pgrst.db_schemas`), which pgmend cannot read.

use super::{Lint, LintContext, exposure, table_object};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::QueueExposedInApi,
    severity: Severity::Critical,
    title: "Queue exposed through pgmq_public without row level security",
    why: "pgmq_public's functions (send, read, pop, archive, delete) run with the caller's \
          privileges: with row level security off on the queue table, any client holding the \
          role's key reads and deletes every message of the queue.",
    remedy: "ALTER TABLE pgmq.q_<queue> ENABLE ROW LEVEL SECURITY; then add policies for the \
             roles that may use the queue (or REVOKE ALL ON pgmq.q_<queue> FROM anon, \
             authenticated).",
    run,
};

fn pgmq_public_exposed(ctx: &LintContext<'_>) -> bool {
    if !ctx.snapshot.schemas.iter().any(|s| s.name == "pgmq_public") {
        return false;
    }
    ctx.is_exposed("pgmq_public")
        || ctx
            .snapshot
            .functions
            .iter()
            .filter(|f| f.schema == "pgmq_public")
            .any(|f| ctx.api_executors(f).iter().any(|w| *w != "PUBLIC"))
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    if !pgmq_public_exposed(ctx) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for t in &ctx.snapshot.tables {
        let queue = t.schema == "pgmq"
            && t.name.starts_with("q_")
            && matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable);
        if !queue || t.rls_enabled {
            continue;
        }
        let reach = ctx.api_exposure(t);
        if reach.is_empty() {
            continue;
        }
        let object = table_object(t);
        out.push(
            lint.finding(
                object.clone(),
                format!(
                    "queue table {object} has row level security off and pgmq_public exposes \
                     it: {} may use every message",
                    exposure::who(&reach).join(", ")
                ),
            )
            .expected("row level security enabled on the queue table")
            .actual(format!(
                "row level security disabled; {}",
                exposure::text(&reach)
            )),
        );
    }
    out
}
