//! A table clients can reach through the API with row level security off.
//!
//! Partitions count too: the API can address a partition directly, and the parent's policies
//! do not apply then.

use super::{Lint, LintContext, exposure_text, table_object};
use crate::check::Finding;
use crate::db::catalog::Privilege;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::RlsDisabledInExposedSchema,
    severity: Severity::Critical,
    title: "Row level security is off on a table the API exposes",
    why: "Without row level security every role with a grant on the table (for Supabase: anyone \
          holding the public anon key) reads and changes every row through the API.",
    remedy: "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY; then add policies for the rows each \
             role may see (or move the table to a schema the API does not expose).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.app_tables()
        .filter(|t| !t.rls_enabled && ctx.is_exposed(&t.schema))
        .map(|t| {
            let object = table_object(t);
            let exposure = ctx.api_exposure(t);
            let Some(first) = exposure.first() else {
                return lint
                    .finding_at(
                        Severity::High,
                        object.clone(),
                        format!(
                            "row level security is disabled on {object}, in exposed schema {}; \
                             neither PUBLIC nor an API role holds a privilege on it yet, but \
                             any future grant exposes every row",
                            crate::sql::quote_ident(&t.schema)
                        ),
                    )
                    .expected("row level security enabled")
                    .actual("row level security disabled");
            };
            let who = first.who;
            let reach = if first.holds(Privilege::Select) {
                "can read every row"
            } else {
                "can change rows without any check"
            };
            lint.finding(
                object.clone(),
                format!("row level security is disabled on {object}: {who} {reach}"),
            )
            .expected("row level security enabled")
            .actual(format!(
                "row level security disabled; {}",
                exposure_text(&exposure)
            ))
        })
        .collect()
}
