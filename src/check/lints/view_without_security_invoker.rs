//! A view the API roles can read that runs with its owner's rights over tables with row level
//! security: it hands every row to anyone who may select from it.
//!
//! Which tables a view reads is read from its definition (`sql_text::mentions_relation`): a
//! relation is matched qualified, or unqualified when the server may have written it so (it is
//! in `public` or the reading user's schema, the default search path, or its name is unique). A view over row-level-secured tables is reported; a view whose definition names no
//! relation of the snapshot at all (tables outside the schemas read, set-returning functions)
//! is reported too, lower, since it might.

use super::sql_text::mentions_relation;
use super::{Lint, LintContext, exposure_text, table_object};
use crate::check::Finding;
use crate::check::finding::Severity;
use crate::db::catalog::{RelationKind, Table};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ViewWithoutSecurityInvoker,
    severity: Severity::High,
    title: "View bypasses row level security",
    why: "A view runs with its owner's privileges unless it has security_invoker = true, so \
          clients reading it get every row of the tables beneath, whatever their policies say.",
    remedy: "ALTER VIEW <view> SET (security_invoker = true); (PostgreSQL 15+), or REVOKE SELECT \
             ON <view> FROM anon, authenticated, PUBLIC;",
    run,
};

/// Whether the server may have written `t` without its schema: it is in `public` or the
/// reading user's schema (the default search path), or no other relation has its name.
fn may_be_unqualified(ctx: &LintContext<'_>, t: &Table) -> bool {
    let s = ctx.snapshot;
    t.schema == "public"
        || t.schema == s.server.current_user
        || s.tables.iter().filter(|o| o.name == t.name).count() == 1
}

/// Relations of the snapshot the view's definition names, and through the views among them,
/// the relations those read (a view over a view over a table reads the table).
fn reads<'a>(ctx: &'a LintContext<'_>, view: &'a Table) -> Vec<&'a Table> {
    let mut seen: Vec<&Table> = vec![view];
    let mut todo = vec![view];
    while let Some(v) = todo.pop() {
        let def = v.definition.as_deref().unwrap_or_default();
        for t in &ctx.snapshot.tables {
            if seen.iter().any(|s| std::ptr::eq(*s, t))
                || !mentions_relation(def, &t.schema, &t.name, may_be_unqualified(ctx, t))
            {
                continue;
            }
            seen.push(t);
            if t.kind == RelationKind::View {
                todo.push(t);
            }
        }
    }
    seen.remove(0);
    seen
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let pre15 = ctx.snapshot.server.version_num < 150000;
    let mut out = Vec::new();
    for v in ctx.app_relations(&[RelationKind::View]) {
        if !ctx.is_exposed(&v.schema) || v.security_invoker == Some(true) {
            continue;
        }
        let exposure = ctx.api_exposure(v);
        if exposure.is_empty() {
            continue;
        }
        let read = reads(ctx, v);
        let rls: Vec<String> = read
            .iter()
            .filter(|t| t.rls_enabled)
            .map(|t| table_object(t))
            .collect();
        let object = table_object(v);
        let who: Vec<&str> = exposure.iter().map(|(w, _)| *w).collect();
        let (severity, what) = if !rls.is_empty() {
            (
                lint.severity,
                format!("bypasses row level security on {}", rls.join(", ")),
            )
        } else if read.is_empty() {
            (
                Severity::Medium,
                "reads relations pgmend cannot identify, which may have row level security"
                    .to_string(),
            )
        } else {
            continue;
        };
        let (expected, remedy) = if pre15 {
            (
                "not selectable by API roles (security_invoker needs PostgreSQL 15)",
                format!(
                    "security_invoker does not exist before PostgreSQL 15: REVOKE SELECT ON \
                     {object} FROM {}; and read the tables directly or through a function",
                    who.join(", ")
                ),
            )
        } else {
            (
                "security_invoker = true",
                format!("ALTER VIEW {object} SET (security_invoker = true);"),
            )
        };
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "view {object} runs with its owner's rights and {what}: {} can read it",
                    who.join(", ")
                ),
            )
            .expected(expected)
            .actual(format!(
                "security_invoker not set; {}",
                exposure_text(&exposure)
            ))
            .remedy(remedy),
        );
    }
    out
}
