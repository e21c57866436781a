//! A permissive write policy whose condition is always true: `true`, and any constant
//! condition that evaluates to true (`1 = 1`, `'a' = 'a'`, `true AND true`, `NOT false`:
//! `crate::sql::truth`).
//!
//! Deliberately unlike the reference linter: a missing condition is not "always true"
//! (PostgreSQL lets a permissive policy without USING, or an INSERT policy without WITH CHECK,
//! admit no row); policies on tables with row level security off, on partitioned tables, and
//! for any role (a custom role, not only PUBLIC, anon and authenticated) are reported.
//!
//! Policies only for `service_role` or for roles that bypass row level security anyway
//! (BYPASSRLS, superuser) are skipped: the policy changes nothing for them.

use super::{Lint, LintContext, policy_object};
use crate::check::Finding;
use crate::db::catalog::PolicyCommand;
use crate::rules::Severity;
use crate::sql::truth::always_true;

/// `(1 = 1)` as `1 = 1`, for `USING (1 = 1)`.
fn strip_parens(e: &str) -> &str {
    let t = e.trim();
    match t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if always_true(inner) => inner,
        _ => t,
    }
}

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::AlwaysTrueWritePolicy,
    severity: Severity::High,
    title: "Write policy that allows everything",
    why: "A permissive INSERT, UPDATE, DELETE or ALL policy whose USING or WITH CHECK is always \
          true (`true`, `1 = 1`…) lets every role it names write any row, which makes row level security on the \
          table meaningless for writes.",
    remedy: "Replace `true` with the condition that ties a row to its writer, e.g. \
             WITH CHECK (user_id = (select auth.uid())), or limit the policy TO service_role.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let privileged = |role: &str| {
        role == "service_role"
            || ctx
                .snapshot
                .roles
                .iter()
                .any(|r| r.name == role && (r.bypass_rls || r.superuser))
    };
    let mut out = Vec::new();
    for t in ctx.policy_tables() {
        for p in &t.policies {
            if p.command == PolicyCommand::Select {
                continue;
            }
            let command = p.command.sql();
            if !p.permissive || p.roles.iter().all(|r| privileged(r)) {
                continue;
            }
            let mut clauses = Vec::new();
            if let Some(e) = p.using_expr.as_deref().filter(|e| always_true(e)) {
                clauses.push(format!("USING ({})", strip_parens(e)));
            }
            if let Some(e) = p.with_check_expr.as_deref().filter(|e| always_true(e)) {
                clauses.push(format!("WITH CHECK ({})", strip_parens(e)));
            }
            if clauses.is_empty() {
                continue;
            }
            let object = policy_object(p);
            let roles: Vec<&str> = p
                .roles
                .iter()
                .map(|r| if r == "public" { "PUBLIC" } else { r.as_str() })
                .collect();
            out.push(
                lint.finding(
                    object.clone(),
                    format!(
                        "{object} ({command} TO {}) has {}: any of these roles may write any row",
                        roles.join(", "),
                        clauses.join(" and ")
                    ),
                )
                .expected("a condition restricting which rows may be written")
                .actual(clauses.join(" ")),
            );
        }
    }
    out
}
