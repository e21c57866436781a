//! Lints: checks that hold for any application database, run alongside the checklist. One file
//! per lint; each can be switched off (or its severity changed) in a checklist's `[lints]` table
//! or in config.toml's `[lints]`.
//!
//! A lint's `severity` is its default and its highest: a few lints report some findings lower
//! (e.g. `function_search_path_mutable` is high for SECURITY DEFINER functions, low otherwise).
//! Unless a lint says otherwise it looks only at application objects: relations and functions
//! outside managed schemas (`Snapshot::is_managed_schema`) that belong to no extension.

mod always_true_write_policy;
mod api_role_privileges_on_user_data;
mod auth_function_per_row;
pub(crate) mod authenticated_without_grant;
mod duplicate_index;
pub mod exposure;
mod extension_in_public;
mod failed_migrations;
mod fkey_to_auth_unique;
mod foreign_table_in_api;
mod function_search_path_mutable;
mod invalid_index;
mod materialized_view_in_api;
mod missing_snake_case_view;
mod multiple_permissive_policies;
mod no_primary_key;
mod pg_graphql_exposure;
mod policy_trusts_user_metadata;
mod policy_without_rls;
mod public_bucket_allows_listing;
mod queue_exposed_in_api;
mod rls_disabled_in_exposed_schema;
mod rls_without_policy;
mod security_definer_exposed;
mod sensitive_columns_exposed;
pub mod sql_text;
mod unindexed_foreign_key;
mod view_exposes_auth_users;
mod view_without_security_invoker;

use crate::checklist::Platform;
use crate::db::catalog::{
    Constraint, Function, FunctionKind, Index, Policy, RelationKind, Snapshot, Table,
};
use crate::rules::LintId;
use crate::sql::{qualified, quote_ident};

use super::Finding;
use crate::db::privileges;
use crate::rules::Severity;
pub use exposure::Exposure;

/// What a lint sees.
pub struct LintContext<'a> {
    pub snapshot: &'a Snapshot,
    /// Schemas an API exposes to clients (from the checklists; `public` by default).
    pub exposed_schemas: &'a [String],
    /// The platform the checklists are for, if they say.
    pub platform: Option<Platform>,
    /// The checklists ask for snake_case views over PascalCase tables.
    pub wants_snake_case_views: bool,
}

/// The Supabase (PostgREST) roles clients act as, most exposed first.
pub const API_ROLES: [&str; 2] = ["anon", "authenticated"];

impl LintContext<'_> {
    pub fn is_exposed(&self, schema: &str) -> bool {
        self.exposed_schemas.iter().any(|s| s == schema)
    }

    /// Supabase-style API roles exist in this database.
    pub fn has_api_roles(&self) -> bool {
        self.snapshot.roles.iter().any(|r| r.name == "anon")
    }

    /// The database is (or is checked as) a Supabase project.
    pub fn is_supabase(&self) -> bool {
        self.has_api_roles() || self.platform == Some(Platform::Supabase)
    }

    fn role_exists(&self, name: &str) -> bool {
        self.snapshot.roles.iter().any(|r| r.name == name)
    }

    /// Relations of these kinds that belong to the application (see the module doc).
    pub fn app_relations<'s>(
        &'s self,
        kinds: &'s [RelationKind],
    ) -> impl Iterator<Item = &'s Table> + 's {
        self.snapshot
            .tables
            .iter()
            .filter(move |t| self.is_app_relation(t, kinds))
    }

    /// `t` is one of [`Self::app_relations`]`(kinds)`.
    pub fn is_app_relation(&self, t: &Table, kinds: &[RelationKind]) -> bool {
        kinds.contains(&t.kind)
            && t.extension.is_none()
            && !self.snapshot.is_managed_schema(&t.schema)
    }

    /// Application tables (plain and partitioned, partitions included).
    pub fn app_tables(&self) -> impl Iterator<Item = &Table> + '_ {
        self.app_relations(&[RelationKind::Table, RelationKind::PartitionedTable])
    }

    /// Tables whose policies the policy lints read: the application's, and the `realtime`
    /// schema's (Realtime Authorization policies on `realtime.messages` are the user's own,
    /// although the schema is the platform's).
    pub fn policy_tables(&self) -> impl Iterator<Item = &Table> + '_ {
        const KINDS: [RelationKind; 2] = [RelationKind::Table, RelationKind::PartitionedTable];
        self.snapshot.tables.iter().filter(|t| {
            self.is_app_relation(t, &KINDS)
                || (t.schema == "realtime" && KINDS.contains(&t.kind) && t.extension.is_none())
        })
    }

    /// Application functions and procedures (not aggregates or window functions).
    pub fn app_functions(&self) -> impl Iterator<Item = &Function> + '_ {
        self.snapshot.functions.iter().filter(|f| {
            matches!(f.kind, FunctionKind::Function | FunctionKind::Procedure)
                && !self.snapshot.is_managed_schema(&f.schema)
        })
    }

    /// Who among PUBLIC and the API roles (those that exist) holds what on a relation: PUBLIC
    /// by its explicit grants, `anon` and `authenticated` by their effective privileges
    /// (PUBLIC's included), on the relation or on some of its columns. Only grantees holding
    /// something are listed.
    pub fn api_exposure(&self, t: &Table) -> Vec<Exposure> {
        let mut out = vec![exposure::of(self.snapshot, t, "PUBLIC")];
        for r in API_ROLES {
            if self.role_exists(r) {
                out.push(exposure::of(self.snapshot, t, r));
            }
        }
        out.retain(|e| !e.is_empty());
        out
    }

    /// PUBLIC and the API roles that may execute a function.
    pub fn api_executors(&self, f: &Function) -> Vec<&'static str> {
        let mut out = Vec::new();
        if privileges::function_executable_by_public(f) {
            out.push("PUBLIC");
        }
        for r in API_ROLES {
            if self.role_exists(r) && privileges::function_executable_by(self.snapshot, f, r) {
                out.push(r);
            }
        }
        out
    }
}

/// `PUBLIC: SELECT; anon: SELECT, UPDATE (secret)`.
pub fn exposure_text(exposure: &[Exposure]) -> String {
    exposure::text(exposure)
}

/// `public.notes`.
pub fn table_object(t: &Table) -> String {
    qualified(&t.schema, &t.name)
}

/// `public.notes_user_id_idx` (an index lives in its table's schema).
pub fn index_object(t: &Table, i: &Index) -> String {
    qualified(&t.schema, &i.name)
}

/// `constraint notes_user_id_fkey on public.notes`.
pub fn constraint_object(t: &Table, c: &Constraint) -> String {
    format!("constraint {} on {}", quote_ident(&c.name), table_object(t))
}

/// `policy "Owner can read" on public.notes`.
pub fn policy_object(p: &Policy) -> String {
    format!(
        "policy {} on {}",
        quote_ident(&p.name),
        qualified(&p.table.schema, &p.table.name)
    )
}

/// `public.f(a integer, b text)`.
pub fn function_object(f: &Function) -> String {
    format!(
        "{}({})",
        qualified(&f.schema, &f.name),
        f.identity_arguments
    )
}

/// `FUNCTION` or `PROCEDURE`, for ALTER / GRANT statements about `f`.
pub fn routine_keyword(f: &Function) -> &'static str {
    match f.kind {
        FunctionKind::Procedure => "PROCEDURE",
        _ => "FUNCTION",
    }
}

/// A lint's identity and behaviour.
pub struct Lint {
    /// Stable id (`snake_case`), used in `[lints]` and as the rule `lint.<id>`.
    pub id: LintId,
    pub severity: Severity,
    pub title: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// What to do about it.
    pub remedy: &'static str,
    /// Findings carry rule `lint.<id>`, this lint's severity (the runner applies overrides),
    /// why and remedy.
    pub run: fn(&LintContext<'_>, &Lint) -> Vec<Finding>,
}

impl Lint {
    /// A finding of this lint on `object`.
    pub fn finding(&self, object: String, message: String) -> Finding {
        Finding::new(self.id, self.severity, object, message)
            .why_static(self.why)
            .remedy(self.remedy)
    }

    /// A finding at a severity other than the lint's default.
    pub fn finding_at(&self, severity: Severity, object: String, message: String) -> Finding {
        let mut f = self.finding(object, message);
        f.severity = severity;
        f
    }
}

/// Every lint, in the order they are reported.
pub const ALL: &[&Lint] = &[
    &failed_migrations::LINT,
    &rls_disabled_in_exposed_schema::LINT,
    &api_role_privileges_on_user_data::LINT,
    &sensitive_columns_exposed::LINT,
    &queue_exposed_in_api::LINT,
    &authenticated_without_grant::LINT,
    &policy_without_rls::LINT,
    &view_without_security_invoker::LINT,
    &view_exposes_auth_users::LINT,
    &materialized_view_in_api::LINT,
    &foreign_table_in_api::LINT,
    &security_definer_exposed::LINT,
    &always_true_write_policy::LINT,
    &policy_trusts_user_metadata::LINT,
    &fkey_to_auth_unique::LINT,
    &public_bucket_allows_listing::LINT,
    &pg_graphql_exposure::LINT,
    &function_search_path_mutable::LINT,
    &rls_without_policy::LINT,
    &auth_function_per_row::LINT,
    &multiple_permissive_policies::LINT,
    &unindexed_foreign_key::LINT,
    &no_primary_key::LINT,
    &duplicate_index::LINT,
    &invalid_index::LINT,
    &extension_in_public::LINT,
    &missing_snake_case_view::LINT,
];

#[cfg(test)]
mod tests {
    use crate::rules::LintId;

    /// The checklist, the config and `--lints` accept the ids of `LintId::ALL`: each must name
    /// exactly one lint here, and each lint here one of them.
    #[test]
    fn every_lint_id_has_exactly_one_lint() {
        for id in LintId::ALL {
            let n = super::ALL.iter().filter(|l| l.id == *id).count();
            assert_eq!(n, 1, "lint {id} is in lints::ALL {n} times");
        }
        assert_eq!(super::ALL.len(), LintId::ALL.len());
    }
}
