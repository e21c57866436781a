//! A foreign table in an exposed schema that PUBLIC or an API role may read.
//!
//! Unlike the reference linter, only exposed schemas count, and the column grants count too.

use super::{Lint, LintContext, exposure};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ForeignTableInApi,
    severity: Severity::High,
    title: "Foreign table readable through the API",
    why: "A foreign table has no row level security: every role allowed to select from it \
          reads every row the remote server returns to the table's user mapping.",
    remedy: "REVOKE ALL ON <table> FROM anon, authenticated, PUBLIC; or move it out of the \
             exposed schema (ALTER FOREIGN TABLE <table> SET SCHEMA private).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    exposure::unprotected_in_api(ctx, lint, RelationKind::ForeignTable, "foreign table")
}
