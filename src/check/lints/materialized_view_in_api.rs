//! A materialized view in an exposed schema that PUBLIC or an API role may read.
//!
//! Unlike the reference linter, only exposed schemas count (a materialized view in a schema
//! the API does not serve is not reachable through it), and the column grants count too.

use super::{Lint, LintContext, exposure};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::MaterializedViewInApi,
    severity: Severity::High,
    title: "Materialized view readable through the API",
    why: "A materialized view has no row level security: every role allowed to select from it \
          reads every row it holds, whatever the policies of the tables it was built from; \
          Supabase's default privileges grant it to anon and authenticated.",
    remedy: "REVOKE ALL ON <view> FROM anon, authenticated, PUBLIC; or move it out of the \
             exposed schema (ALTER MATERIALIZED VIEW <view> SET SCHEMA private) and read it \
             through a security-invoker view or a function.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    exposure::unprotected_in_api(
        ctx,
        lint,
        RelationKind::MaterializedView,
        "materialized view",
    )
}
