//! A view in an exposed schema that reads Supabase's `auth.users`.
//!
//! Found by the qualified name `auth.users` in the view's definition (the `auth` schema is
//! never on the search path the snapshot is read with, so the server always qualifies it).

use super::sql_text::mentions_relation;
use super::{Lint, LintContext, exposure_text, table_object};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ViewExposesAuthUsers,
    severity: Severity::Critical,
    title: "View exposes auth.users",
    why: "auth.users holds every user's email, phone and metadata; a view over it in an \
          exposed schema hands that to API clients (and, running with its owner's rights, \
          bypasses the table's protection).",
    remedy: "Drop the view, or keep a profiles table in public filled by a trigger with only \
             the columns clients need; at least REVOKE SELECT ON <view> FROM anon, \
             authenticated, PUBLIC.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.app_relations(&[RelationKind::View, RelationKind::MaterializedView])
        .filter(|v| ctx.is_exposed(&v.schema))
        .filter(|v| {
            v.definition
                .as_deref()
                .is_some_and(|d| mentions_relation(d, "auth", "users", false))
        })
        .map(|v| {
            let object = table_object(v);
            let exposure = ctx.api_exposure(v);
            let (severity, who) = if exposure.is_empty() {
                (Severity::High, "no API role can read it yet".to_string())
            } else {
                let who = super::exposure::who(&exposure);
                (lint.severity, format!("{} can read it", who.join(", ")))
            };
            lint.finding_at(
                severity,
                object.clone(),
                format!("view {object} reads auth.users in an exposed schema: {who}"),
            )
            .expected("no view over auth.users in an exposed schema")
            .actual(if exposure.is_empty() {
                "reads auth.users".to_string()
            } else {
                format!("reads auth.users; {}", exposure_text(&exposure))
            })
        })
        .collect()
}
