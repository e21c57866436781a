//! With `pg_graphql` installed, the tables, views and materialized views anon or
//! authenticated may select from are described to them by GraphQL introspection: names,
//! columns, types and relationships, even where row level security hides every row.
//!
//! Quiet when the extension is not installed. One lint for both roles (the reference linter
//! has one per role): medium when anon may read the relation, low when only signed-in users
//! may.

use super::{Lint, LintContext, exposure, table_object};
use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::PgGraphqlExposure,
    severity: Severity::Medium,
    title: "Relation described by pg_graphql introspection",
    why: "pg_graphql's /graphql/v1 endpoint lists every relation the calling role may select \
          from, with its columns and relationships; for anon that is anyone with the project's \
          public key, whatever the policies let them read.",
    remedy: "REVOKE SELECT ON <relation> FROM anon; for relations signed-out clients need not \
             see, or drop pg_graphql when the application does not use GraphQL: DROP \
             EXTENSION pg_graphql;",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    if !ctx
        .snapshot
        .extensions
        .iter()
        .any(|e| e.name == "pg_graphql")
    {
        return Vec::new();
    }
    let kinds = [
        RelationKind::Table,
        RelationKind::PartitionedTable,
        RelationKind::View,
        RelationKind::MaterializedView,
    ];
    let mut out = Vec::new();
    for t in ctx.app_relations(&kinds) {
        let readers: Vec<exposure::Exposure> = exposure::readers(ctx, t)
            .into_iter()
            .filter(|e| e.who != "PUBLIC")
            .collect();
        if readers.is_empty() {
            continue;
        }
        let who = exposure::who(&readers);
        let severity = if exposure::signed_out(&who) {
            lint.severity
        } else {
            Severity::Low
        };
        let object = table_object(t);
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "pg_graphql is installed and {} may select from {object}: its name, columns \
                     and relationships show in GraphQL introspection",
                    who.join(", ")
                ),
            )
            .expected("not selectable by anon (or meant to be discoverable)")
            .actual(exposure::text(&readers)),
        );
    }
    out
}
