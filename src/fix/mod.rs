//! Fix plans: for a finding, the SQL that mends it (with undo, locks, hazards and data
//! preconditions), built from the snapshot and the checklist item the finding came from.
//! Plans are data; `crate::apply` runs them.
//!
//! What has a plan (see each module): missing schemas, extensions, enum types and values,
//! tables (with their keys, indexes, RLS, policies, grants and triggers), columns, NOT NULL,
//! defaults, primary/unique keys, checks, foreign keys, indexes, views, row-level security,
//! policies, grants and revokes, triggers, function search paths, data items' seeds, and the lints
//! `unindexed_foreign_key`, `rls_disabled_in_exposed_schema`,
//! `api_role_privileges_on_user_data`, `view_without_security_invoker`,
//! `function_search_path_mutable`, `invalid_index` and `duplicate_index`.
//!
//! Nothing is ever generated inside a managed schema (`Snapshot::is_managed_schema`).
//!
//! Running plans: steps in order, the transactional steps of one group in one transaction,
//! autocommit steps alone. Preconditions are counted at preview, before any backup
//! (`crate::apply::preview`), and again just before the plan runs (after the plans before it,
//! which may add the columns they query); offending rows refuse the plan. What the engineer
//! must decide first (a backfill expression, what becomes of duplicate rows) is carried by the
//! plan as [`decide::Decision`]s. `undo` runs in its own order (it is written last step first).

mod access_grants;
mod alter;
pub(crate) mod build;
mod columns;
mod constraints;
mod cx;
mod data;
pub mod decide;
mod functions;
mod grants;
pub mod hand;
mod indexes;
mod items_on;
pub mod migration;
pub mod names;
mod not_null;
mod objects;
mod order;
pub mod plan;
mod policies;
pub mod problem;
pub mod script;
pub(crate) use policies::recreate as create_policy_sql;
mod rls;
mod sequences;
mod sqltype;
mod tables;
mod types;
mod views;

use std::collections::HashSet;

use crate::check::{Finding, Report};
use crate::checklist::Checklist;
use crate::db::catalog::Snapshot;
use crate::rules::{ItemRule, LintId, Rule};

pub use names::index_name;
pub use plan::{LockInfo, Plan, Precondition, Step, StepMode};

use cx::Cx;

/// The plan mending `finding`, or None when pgmend cannot build one (see the module docs).
pub fn plan(finding: &Finding, snap: &Snapshot, checklists: &[Checklist]) -> Option<Plan> {
    plan_in(&Cx::new(snap, checklists), finding)
}

/// A plan builder: the plan for one finding, or None when this finding's item lacks what the
/// plan needs (a type, an expression, a definition…).
pub(crate) type Builder = fn(&Cx, &Finding) -> Option<Plan>;

/// How a rule is answered: by a plan builder, or by words and a command for the engineer.
pub(crate) enum Answer {
    Build(Builder),
    /// No automatic fix: why, and what to do instead (SQL or a command to complete).
    Manual {
        why: &'static str,
        instead: &'static str,
    },
}

/// Why pgmend has no automatic fix for `rule`, and what to do instead; None when it has one
/// (the plan may still be impossible for one finding, e.g. a column without a type).
pub fn manual(rule: Rule) -> Option<(&'static str, &'static str)> {
    match answer(rule) {
        Answer::Build(_) => None,
        Answer::Manual { why, instead } => Some((why, instead)),
    }
}

/// Every rule's answer: one exhaustive match, so a new rule cannot be added without saying how
/// it is mended or why it is not.
pub(crate) fn answer(rule: Rule) -> Answer {
    use Answer::{Build, Manual};
    use ItemRule as R;
    let item = match rule {
        Rule::Lint(l) => return lint_answer(l),
        Rule::Item(r) => r,
    };
    match item {
        R::SchemaMissing => Build(objects::schema),
        R::ExtensionMissing => Build(objects::extension),
        R::ExtensionSchema => Build(objects::extension_schema),
        R::ExtensionVersion => Build(objects::extension_version),
        R::EnumMissing => Build(objects::create_enum),
        R::EnumValueMissing => Build(objects::add_enum_value),
        R::EnumOrder => Manual {
            why: "PostgreSQL cannot reorder or remove the labels of an enum type",
            instead: "CREATE TYPE <type>_new AS ENUM (<labels in order>);\nALTER TABLE <table> ALTER COLUMN <column> TYPE <type>_new USING <column>::text::<type>_new;\nDROP TYPE <type>;\nALTER TYPE <type>_new RENAME TO <type>;",
        },
        R::DomainMissing => Build(types::create_domain),
        R::DomainShape => Manual {
            why: "a domain's base type, default or constraints differ; changing them can fail on stored values",
            instead: "ALTER DOMAIN <domain> SET DEFAULT …; ALTER DOMAIN <domain> ADD CONSTRAINT … NOT VALID; ALTER DOMAIN <domain> VALIDATE CONSTRAINT …;",
        },
        R::TypeMissing => Build(types::create_composite),
        R::TypeShape => Manual {
            why: "a composite type's attributes differ; columns of that type would be rewritten",
            instead: "ALTER TYPE <type> ADD ATTRIBUTE <name> <type>; (or DROP / ALTER ATTRIBUTE … TYPE …)",
        },
        R::SequenceMissing => Build(sequences::create),
        R::SequenceShape => Build(sequences::alter),
        R::SequenceOwnedBy => Build(sequences::owned_by),
        R::SequenceGrant => Build(sequences::grant),
        R::TableMissing => Build(tables::create),
        R::TablePrimaryKey => Build(constraints::primary_key),
        R::TableRls | R::RlsState => Build(rls::rls_finding),
        R::TablePersistence => Build(alter::persistence),
        R::TableInherits => Build(alter::inherits),
        R::TablePartition => Manual {
            why: "a table's partitioning is fixed when it is created; changing it means copying its rows into a new table",
            instead: "CREATE TABLE <table>_new (LIKE <table> INCLUDING ALL) PARTITION BY …; create the partitions; INSERT INTO <table>_new SELECT * FROM <table>; swap the names in one transaction",
        },
        R::ColumnMissing => Build(columns::add),
        R::ColumnType => Build(alter::column_type),
        R::ColumnNullable => Build(columns::nullable),
        R::ColumnDefault => Build(columns::default),
        R::ColumnIdentity => Build(alter::identity),
        R::ColumnGenerated => Build(alter::generated),
        R::ColumnCollation => Build(alter::collation),
        R::ColumnGrant => Build(alter::column_grant),
        R::UniqueMissing => Build(constraints::unique),
        R::CheckMissing => Build(constraints::check),
        R::ExclusionMissing => Build(alter::exclusion),
        R::ConstraintDeferrable => Build(alter::deferrable),
        R::FkMissing => Build(constraints::fk_missing),
        R::FkAction => Build(constraints::fk_action),
        R::IndexMissing => Build(indexes::index_missing),
        R::ViewMissing => Build(views::create),
        R::ViewColumns | R::ViewDefinition | R::ViewCheckOption => Build(views::replace),
        R::ViewSecurityInvoker => Build(views::security_invoker),
        R::RlsTableMissing | R::PolicyTableMissing | R::GrantTableMissing => Manual {
            why: "the table this item is about does not exist",
            instead: "create the table first (its own [[table]] item has the plan), then check again",
        },
        R::PolicyMissing | R::PolicyOwnerMissing => Build(rls::policy_finding),
        R::PolicyShape => Build(rls::reshape),
        R::GrantExcess => Build(grants::excess),
        R::GrantMissing => Build(grants::missing),
        R::DefaultPrivilegeMissing => Build(grants::default_privileges),
        R::TriggerMissing => Build(functions::trigger_missing),
        R::TriggerDisabled => Build(functions::trigger_disabled),
        R::FunctionMissing | R::FunctionDefinition => Build(functions::define),
        R::FunctionReturns | R::FunctionLanguage | R::FunctionSecurity => Build(functions::define),
        R::FunctionSearchPath => Build(functions::search_path),
        R::CommentMismatch => Build(alter::comment),
        // With the item's `seed` (idempotent SQL); without one, the finding's remedy says
        // what to do.
        R::DataFalse => Build(data::seed),
        R::DataUnknown => Manual {
            why: "the query could not be evaluated, so nothing is known about the rows",
            instead: "run the item's query by hand (psql) and mend the error it reports: a missing table or column, a privilege",
        },
        R::CredentialDefaultPassword => Manual {
            why: "only the application can set a password the way it verifies it; pgmend never writes credentials",
            instead: "log in as that user and change the password in the application (or write a new hash with the application's own hashing)",
        },
        R::CredentialUnknown => Manual {
            why: "the stored value could not be read or verified, so the default password may still work",
            instead: "read the user's stored hash by hand and verify it with the application's scheme",
        },
        R::DataNotVisible | R::CredentialNotVisible | R::MigrationNotVisible => Manual {
            why: "the connected role may not read what this item reads, so nothing is known of it",
            instead: "check it as a role that may read it (the table's owner, or one granted SELECT), or GRANT SELECT on it to this role",
        },
        R::MigrationMissing | R::MigrationFailed => Manual {
            why: "a migration tool's history records what its own runs applied; pgmend never fakes a record",
            instead: "apply the migration with the tool, or, when the schema already has it, mark it applied: prisma migrate resolve --applied <name> / supabase migration repair --status applied <version> / INSERT INTO migrations(timestamp, name) VALUES (…) for TypeORM",
        },
    }
}

fn lint_answer(l: LintId) -> Answer {
    use Answer::{Build, Manual};
    use LintId as L;
    match l {
        L::UnindexedForeignKey => Build(indexes::unindexed_fk),
        L::InvalidIndex => Build(indexes::invalid_index),
        L::DuplicateIndex => Build(indexes::duplicate_index),
        L::RlsDisabledInExposedSchema => Build(rls::rls_finding),
        L::ApiRolePrivilegesOnUserData => Build(grants::lint_api_roles),
        L::AuthenticatedWithoutGrant => Build(access_grants::lint_authenticated),
        L::ViewWithoutSecurityInvoker => Build(views::lint_invoker),
        L::MaterializedViewInApi | L::ForeignTableInApi => Build(grants::lint_api_read),
        L::FunctionSearchPathMutable => Build(functions::search_path),
        L::AlwaysTrueWritePolicy
        | L::MultiplePermissivePolicies
        | L::AuthFunctionPerRow
        | L::PolicyWithoutRls
        | L::RlsWithoutPolicy
        | L::PolicyTrustsUserMetadata
        | L::PublicBucketAllowsListing => Manual {
            why: "which rows each role may see is the application's decision; pgmend does not guess a policy",
            instead: "write the policy you mean (ALTER POLICY … USING (…) WITH CHECK (…)), or state it in a checklist [[policy]] item with its expressions and let pgmend create it",
        },
        L::SecurityDefinerExposed | L::ViewExposesAuthUsers => Manual {
            why: "revoking access can break the application's calls; the owner must choose who keeps it",
            instead: "REVOKE EXECUTE ON FUNCTION <function> FROM anon, authenticated; (or move the object out of the exposed schema)",
        },
        L::SensitiveColumnsExposed | L::QueueExposedInApi => Manual {
            why: "which rows each role may read is the application's decision; pgmend does not guess a policy, and revoking may break the application's reads",
            instead: "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY; and write the policies for each role, or REVOKE SELECT ON <table> FROM anon; GRANT SELECT (<other columns>) ON <table> TO anon",
        },
        L::PgGraphqlExposure => Manual {
            why: "whether a relation is meant to be discoverable by signed-out clients is the application's decision",
            instead: "REVOKE SELECT ON <relation> FROM anon; or DROP EXTENSION pg_graphql; when GraphQL is not used",
        },
        L::FkeyToAuthUnique => Manual {
            why: "re-pointing a foreign key changes the referencing column's meaning and its data",
            instead: "add a column REFERENCES auth.users (id), fill it from the old one, then drop the old foreign key",
        },
        L::NoPrimaryKey => Manual {
            why: "which columns identify a row is the application's decision",
            instead: "ALTER TABLE <table> ADD PRIMARY KEY (<column>); (add an identity column first if no column is unique and not null)",
        },
        L::FailedMigrations => Manual {
            why: "a failed migration must be finished or rolled back with its own tool",
            instead: "prisma migrate resolve --rolled-back <name> (or --applied after finishing it by hand)",
        },
        L::ExtensionInPublic => Manual {
            why: "moving an extension changes the names the application calls",
            instead: "ALTER EXTENSION <extension> SET SCHEMA extensions;",
        },
        L::MissingSnakeCaseView => Manual {
            why: "the view's column names are the application's choice",
            instead: "CREATE VIEW <snake_name> WITH (security_invoker = true) AS SELECT \"camelCol\" AS camel_col, … FROM <table>; or add a [[view]] item with over = and snake_case = true",
        },
    }
}

fn plan_in(cx: &Cx, f: &Finding) -> Option<Plan> {
    match answer(f.rule) {
        Answer::Build(build) => build(cx, f),
        Answer::Manual { .. } => None,
    }
}

/// Plans for every finding of the report that has one, ordered by the dependency graph over
/// the objects they create, alter and mention ([`order`]). A finding another plan already
/// mends (`Plan::also_fixes`: a table's indexes, the same RLS state found twice…) gets no plan
/// of its own.
pub fn plans(report: &Report, snap: &Snapshot, checklists: &[Checklist]) -> Vec<Plan> {
    plans_for(report.findings(), snap, checklists)
}

/// Plans for these findings (in this order where nothing else orders them).
pub fn plans_for<'f>(
    findings: impl IntoIterator<Item = &'f Finding>,
    snap: &Snapshot,
    checklists: &[Checklist],
) -> Vec<Plan> {
    let cx = Cx::new(snap, checklists);
    let kept = chosen(&cx, findings);
    order::order(&cx, kept)
}

/// The plans for these findings, less those another plan already mends (unordered).
fn chosen<'f>(
    cx: &Cx,
    findings: impl IntoIterator<Item = &'f Finding>,
) -> Vec<(&'f Finding, Plan)> {
    let candidates: Vec<(&Finding, Plan)> = findings
        .into_iter()
        .filter_map(|f| plan_in(cx, f).map(|p| (f, p)))
        .collect();
    let keep = kept(candidates.iter().map(|(_, p)| p.fixes()));
    candidates
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// Which plans to keep, given what each mends (its own finding first, then `also_fixes`): the
/// plans mending most go first, so the narrower ones they include are left out.
fn kept<'p, I: Iterator<Item = &'p str>>(fixes: impl Iterator<Item = I>) -> Vec<bool> {
    let fixes: Vec<Vec<&str>> = fixes.map(Iterator::collect).collect();
    let mut by_breadth: Vec<usize> = (0..fixes.len()).collect();
    by_breadth.sort_by_key(|&k| std::cmp::Reverse(fixes[k].len()));
    let mut covered: HashSet<&str> = HashSet::new();
    let mut keep = vec![false; fixes.len()];
    for k in by_breadth {
        if covered.contains(fixes[k][0]) {
            continue;
        }
        covered.extend(fixes[k].iter().copied());
        keep[k] = true;
    }
    keep
}

/// Sets `Finding::fixable` on every finding of the report: true when a plan mends it (the
/// plans are chosen as for [`plans`], but not ordered: that needs their SQL lexed). Each plan
/// is dropped as soon as it is built; only the ids of what it mends are kept, so the memory
/// this takes does not hold every plan's SQL at once (issue 15: 37,500 lint findings).
pub fn mark_fixable(report: &mut Report, snap: &Snapshot, checklists: &[Checklist]) {
    let cx = Cx::new(snap, checklists);
    let mends: Vec<Vec<String>> = report
        .findings()
        .filter_map(|f| plan_in(&cx, f))
        .map(|p| {
            let mut ids = vec![p.finding_id];
            ids.extend(p.also_fixes);
            ids
        })
        .collect();
    let keep = kept(mends.iter().map(|m| m.iter().map(String::as_str)));
    let fixed: HashSet<&str> = mends
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .flat_map(|(m, _)| m.iter().map(String::as_str))
        .collect();
    for item in &mut report.items {
        for f in &mut item.findings {
            f.fixable = fixed.contains(f.id.as_str());
        }
    }
    for f in &mut report.lint_findings {
        f.fixable = fixed.contains(f.id.as_str());
    }
}
