//! `anon` or PUBLIC holding privileges on an application table in an exposed schema.
//!
//! `anon` counts only where it exists (Supabase); PUBLIC always. `authenticated` is not
//! reported: signed-in users are expected to hold grants, with policies deciding the rows.

use super::{Lint, LintContext, exposure_text, table_object};
use crate::check::Finding;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ApiRolePrivilegesOnUserData,
    severity: Severity::Critical,
    title: "Anonymous or PUBLIC privileges on an exposed table",
    why: "Privileges held by anon (anyone with the project's public key) or PUBLIC (every role) \
          let unauthenticated clients use the table, limited only by row level security, and \
          not at all when it is off.",
    remedy: "REVOKE ALL ON <table> FROM anon, PUBLIC; then GRANT back only what signed-out \
             clients need (often nothing), keeping row level security on.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.app_tables().filter(|t| ctx.is_exposed(&t.schema)) {
        let exposure: Vec<_> = ctx
            .api_exposure(t)
            .into_iter()
            .filter(|e| e.who != "authenticated")
            .collect();
        if exposure.is_empty() {
            continue;
        }
        let object = table_object(t);
        let who = super::exposure::who(&exposure);
        let (severity, limit) = if t.rls_enabled {
            (
                Severity::High,
                "row level security is on, so its policies decide which rows",
            )
        } else {
            (
                lint.severity,
                "row level security is off, so nothing limits which rows",
            )
        };
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "{} hold{} {} on {object} ({limit})",
                    who.join(" and "),
                    if who.len() == 1 { "s" } else { "" },
                    exposure_text(&exposure)
                ),
            )
            .expected("no privileges for anon or PUBLIC")
            .actual(exposure_text(&exposure))
            .remedy(format!("REVOKE ALL ON {object} FROM {};", who.join(", "))),
        );
    }
    out
}
