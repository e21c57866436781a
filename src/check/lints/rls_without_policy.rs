//! Row level security on, no policy: only the owner and BYPASSRLS roles see any row.
//!
//! Partitions are skipped: they are normally reached through their parent, whose policies then
//! apply.

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::RlsWithoutPolicy,
    severity: Severity::Info,
    title: "Row level security is on but no policy exists",
    why: "With row level security on and no policy, every role except the table's owner and \
          BYPASSRLS roles sees no rows and cannot write any: the application gets empty results \
          rather than an error.",
    remedy: "CREATE POLICY ... ON <table> for the rows each role may use, or leave it as is if \
             only the owner or a BYPASSRLS role (Supabase's service_role) uses the table.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.app_tables()
        .filter(|t| t.rls_enabled && t.policies.is_empty() && t.partition_of.is_none())
        .map(|t| {
            let object = table_object(t);
            let who = if t.rls_forced {
                "any role but BYPASSRLS roles (the owner too: row level security is forced)"
                    .to_string()
            } else {
                format!(
                    "any role but its owner ({}) and BYPASSRLS roles",
                    crate::sql::quote_ident(&t.owner)
                )
            };
            lint.finding(
                object.clone(),
                format!(
                    "row level security is enabled on {object} but it has no policy: queries \
                     by {who} return no rows"
                ),
            )
            .expected("at least one policy")
            .actual("row level security enabled, no policies")
        })
        .collect()
}
