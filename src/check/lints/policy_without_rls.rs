//! Policies written for a table whose row level security is off: they filter nothing.

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::rules::Severity;
use crate::sql::quote_ident;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::PolicyWithoutRls,
    severity: Severity::High,
    title: "Policies exist but row level security is off",
    why: "Policies only apply once row level security is enabled, so the rows they were written \
          to protect are open to every role with a grant on the table.",
    remedy: "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY (check first that the policies allow \
             what the application needs).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.policy_tables()
        .filter(|t| !t.rls_enabled && !t.policies.is_empty())
        .map(|t| {
            let object = table_object(t);
            let names: Vec<String> = t.policies.iter().map(|p| quote_ident(&p.name)).collect();
            lint.finding(
                object.clone(),
                format!(
                    "{object} has {} polic{} ({}) but row level security is disabled: they \
                     restrict nothing",
                    names.len(),
                    if names.len() == 1 { "y" } else { "ies" },
                    names.join(", ")
                ),
            )
            .expected("row level security enabled")
            .actual(format!(
                "row level security disabled; policies: {}",
                names.join(", ")
            ))
        })
        .collect()
}
