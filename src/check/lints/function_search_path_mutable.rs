//! A function that resolves names through the caller's `search_path`.
//!
//! Functions and procedures in application schemas are checked; C and internal functions are
//! not (they do not look names up in SQL text the way SQL and PL functions do).

use super::{Lint, LintContext, function_object, routine_keyword};
use crate::check::Finding;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::FunctionSearchPathMutable,
    severity: Severity::High,
    title: "Function without a fixed search_path",
    why: "A function without its own search_path resolves table and function names through the \
          caller's, so a caller able to create objects in a schema on that path can substitute \
          their own; for SECURITY DEFINER functions that runs the caller's code with the \
          owner's rights.",
    remedy: "ALTER FUNCTION <function> SET search_path = ''; and schema-qualify the names it \
             uses (or SET search_path = pg_catalog, <schema>).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.app_functions()
        .filter(|f| !matches!(f.language.as_str(), "c" | "internal"))
        .filter(|f| !f.config.iter().any(|c| c.starts_with("search_path=")))
        .map(|f| {
            let object = function_object(f);
            let (severity, kind) = if f.security_definer {
                (lint.severity, "SECURITY DEFINER function")
            } else {
                (Severity::Low, "function")
            };
            lint.finding_at(
                severity,
                object.clone(),
                format!("{kind} {object} does not set search_path: it uses the caller's"),
            )
            .expected("search_path set on the function")
            .actual("no search_path setting")
            .remedy(format!(
                "ALTER {} {object} SET search_path = '';",
                routine_keyword(f)
            ))
        })
        .collect()
}
