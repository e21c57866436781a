//! A SECURITY DEFINER function the API roles can call.
//!
//! Trigger and event-trigger functions are skipped: they cannot be called directly.

use super::{Lint, LintContext, function_object, routine_keyword};
use crate::check::Finding;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::SecurityDefinerExposed,
    severity: Severity::High,
    title: "SECURITY DEFINER function callable through the API",
    why: "A SECURITY DEFINER function runs with its owner's rights (usually bypassing row level \
          security), and one in an exposed schema that anon, authenticated or PUBLIC may execute \
          can be called by any client as an RPC.",
    remedy: "REVOKE EXECUTE ON FUNCTION <function> FROM PUBLIC, anon; (grant it back only to \
             the roles that need it), make it SECURITY INVOKER, or move it to a schema the API \
             does not expose.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in ctx.app_functions() {
        if !f.security_definer || !ctx.is_exposed(&f.schema) {
            continue;
        }
        if matches!(f.result.as_deref(), Some("trigger" | "event_trigger")) {
            continue;
        }
        let who = ctx.api_executors(f);
        if who.is_empty() {
            continue;
        }
        let object = function_object(f);
        out.push(
            lint.finding(
                object.clone(),
                format!(
                    "SECURITY DEFINER function {object} runs as {} and {} can execute it",
                    crate::sql::quote_ident(&f.owner),
                    who.join(", ")
                ),
            )
            .expected("not executable by PUBLIC or the API roles")
            .actual(format!("EXECUTE held by {}", who.join(", ")))
            .remedy(format!(
                "REVOKE EXECUTE ON {} {object} FROM {};",
                routine_keyword(f),
                who.join(", ")
            )),
        );
    }
    out
}
