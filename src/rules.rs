//! The vocabulary of findings: every checklist rule and every lint, typed, the kinds of items,
//! `Severity` and the table of default severities. A leaf module: it depends on nothing else in
//! the crate, so the checklist, the checker, the fixer, the reports and the app all speak of
//! rules the same way. The string ids (`table.missing`, `lint.no_primary_key`) are
//! stable: they appear in JSON and SARIF output, finding ids, `--only` and `[lints]` tables.
//!
//! Whether pgmend can mend a rule is decided in one exhaustive match (`crate::fix::answer`):
//! adding a rule here without saying how it is mended, or why it is not, does not compile.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

macro_rules! ids {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The stable id.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }

            /// The rule (or lint) with this id (`as_str`'s inverse).
            pub fn parse(id: &str) -> Option<$name> {
                match id { $($s => Some($name::$v),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

ids! {
    /// A lint (its id without the `lint.` prefix).
    pub enum LintId {
        AlwaysTrueWritePolicy => "always_true_write_policy",
        ApiRolePrivilegesOnUserData => "api_role_privileges_on_user_data",
        AuthFunctionPerRow => "auth_function_per_row",
        AuthenticatedWithoutGrant => "authenticated_without_grant",
        DuplicateIndex => "duplicate_index",
        ExtensionInPublic => "extension_in_public",
        FailedMigrations => "failed_migrations",
        FkeyToAuthUnique => "fkey_to_auth_unique",
        ForeignTableInApi => "foreign_table_in_api",
        FunctionSearchPathMutable => "function_search_path_mutable",
        InvalidIndex => "invalid_index",
        MaterializedViewInApi => "materialized_view_in_api",
        MissingSnakeCaseView => "missing_snake_case_view",
        MultiplePermissivePolicies => "multiple_permissive_policies",
        NoPrimaryKey => "no_primary_key",
        PgGraphqlExposure => "pg_graphql_exposure",
        PolicyTrustsUserMetadata => "policy_trusts_user_metadata",
        PolicyWithoutRls => "policy_without_rls",
        PublicBucketAllowsListing => "public_bucket_allows_listing",
        QueueExposedInApi => "queue_exposed_in_api",
        RlsDisabledInExposedSchema => "rls_disabled_in_exposed_schema",
        RlsWithoutPolicy => "rls_without_policy",
        SecurityDefinerExposed => "security_definer_exposed",
        SensitiveColumnsExposed => "sensitive_columns_exposed",
        UnindexedForeignKey => "unindexed_foreign_key",
        ViewExposesAuthUsers => "view_exposes_auth_users",
        ViewWithoutSecurityInvoker => "view_without_security_invoker",
    }
}

ids! {
    /// A checklist rule: what an item found wrong (its subject, then the aspect).
    pub enum ItemRule {
        SchemaMissing => "schema.missing",
        ExtensionMissing => "extension.missing",
        ExtensionSchema => "extension.schema",
        ExtensionVersion => "extension.version",
        EnumMissing => "enum.missing",
        EnumValueMissing => "enum.value_missing",
        EnumOrder => "enum.order",
        DomainMissing => "domain.missing",
        DomainShape => "domain.shape",
        TypeMissing => "type.missing",
        TypeShape => "type.shape",
        SequenceMissing => "sequence.missing",
        SequenceShape => "sequence.shape",
        SequenceOwnedBy => "sequence.owned_by",
        SequenceGrant => "sequence.grant",
        TableMissing => "table.missing",
        TablePrimaryKey => "table.primary_key",
        TableRls => "table.rls",
        TablePersistence => "table.persistence",
        TableInherits => "table.inherits",
        TablePartition => "table.partition",
        ColumnMissing => "column.missing",
        ColumnType => "column.type",
        ColumnNullable => "column.nullable",
        ColumnDefault => "column.default",
        ColumnIdentity => "column.identity",
        ColumnGenerated => "column.generated",
        ColumnCollation => "column.collation",
        ColumnGrant => "column.grant",
        UniqueMissing => "unique.missing",
        CheckMissing => "check.missing",
        ExclusionMissing => "exclusion.missing",
        ConstraintDeferrable => "constraint.deferrable",
        FkMissing => "fk.missing",
        FkAction => "fk.action",
        IndexMissing => "index.missing",
        ViewMissing => "view.missing",
        ViewColumns => "view.columns",
        ViewDefinition => "view.definition",
        ViewSecurityInvoker => "view.security_invoker",
        ViewCheckOption => "view.check_option",
        RlsTableMissing => "rls.table_missing",
        RlsState => "rls.state",
        PolicyTableMissing => "policy.table_missing",
        PolicyMissing => "policy.missing",
        PolicyShape => "policy.shape",
        PolicyOwnerMissing => "policy.owner_missing",
        GrantTableMissing => "grant.table_missing",
        GrantExcess => "grant.excess",
        GrantMissing => "grant.missing",
        DefaultPrivilegeMissing => "default_privilege.missing",
        TriggerMissing => "trigger.missing",
        TriggerDisabled => "trigger.disabled",
        FunctionMissing => "function.missing",
        FunctionReturns => "function.returns",
        FunctionLanguage => "function.language",
        FunctionSecurity => "function.security",
        FunctionSearchPath => "function.search_path",
        FunctionDefinition => "function.definition",
        CommentMismatch => "comment.mismatch",
        DataFalse => "data.false",
        /// The query could not be evaluated: never a pass.
        DataUnknown => "data.unknown",
        /// The connected role may not read what the query reads.
        DataNotVisible => "data.not_visible",
        CredentialDefaultPassword => "credential.default_password",
        /// The stored value could not be read or verified: never a pass.
        CredentialUnknown => "credential.unknown",
        CredentialNotVisible => "credential.not_visible",
        MigrationMissing => "migration.missing",
        MigrationFailed => "migration.failed",
        /// The connected role may not read the migration history table.
        MigrationNotVisible => "migration.not_visible",
    }
}

ids! {
    /// What a checklist item is about: an item result's `kind`.
    pub enum ItemKind {
        Schema => "schema",
        Extension => "extension",
        Enum => "enum",
        Domain => "domain",
        Type => "type",
        Sequence => "sequence",
        Table => "table",
        Index => "index",
        View => "view",
        Rls => "rls",
        Policy => "policy",
        Grant => "grant",
        DefaultPrivilege => "default_privilege",
        Trigger => "trigger",
        Function => "function",
        Data => "data",
        Credential => "credential",
        Migration => "migration",
    }
}

impl ItemKind {
    /// The severity of a failed item whose checklist entry states none: the one table of
    /// default severities (a lint's is its `Lint::severity`). Exposure of rows is critical;
    /// a missing object high; a shape, a data check or a history medium.
    pub fn default_severity(self) -> Severity {
        use ItemKind::*;
        match self {
            Rls | Credential => Severity::Critical,
            Schema | Extension | Enum | Table | View | Policy | Grant => Severity::High,
            Domain | Type | Sequence | Index | DefaultPrivilege | Trigger | Function | Data
            | Migration => Severity::Medium,
        }
    }
}

/// A `[[grant]]` item that denies privileges: what it keeps from a role is an exposure when
/// held, as critical as row-level security.
pub const DENYING_GRANT_SEVERITY: Severity = Severity::Critical;

impl ItemRule {
    /// The rules whose findings default to a severity of their own rather than their item's
    /// (a column's type matters less than its table's absence). `None`: the item's.
    pub fn default_severity(self) -> Option<Severity> {
        match self {
            ItemRule::ColumnType | ItemRule::ColumnNullable | ItemRule::FkAction => {
                Some(Severity::Medium)
            }
            ItemRule::ColumnDefault => Some(Severity::Low),
            _ => None,
        }
    }
}

/// The rule a finding was raised by: a checklist item's or a lint's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Item(ItemRule),
    Lint(LintId),
}

impl Rule {
    /// The stable id: `table.missing`, `lint.no_primary_key`.
    pub fn id(self) -> String {
        match self {
            Rule::Item(r) => r.as_str().to_string(),
            Rule::Lint(l) => format!("lint.{}", l.as_str()),
        }
    }

    pub fn parse(id: &str) -> Option<Rule> {
        match id.strip_prefix("lint.") {
            Some(l) => LintId::parse(l).map(Rule::Lint),
            None => ItemRule::parse(id).map(Rule::Item),
        }
    }

    pub fn is_lint(self) -> bool {
        matches!(self, Rule::Lint(_))
    }

    /// The finding says its item could not be evaluated (`data.unknown`,
    /// `credential.unknown`): neither passed nor failed on the facts, but unknown.
    pub fn is_unknown(self) -> bool {
        matches!(
            self,
            Rule::Item(ItemRule::DataUnknown | ItemRule::CredentialUnknown)
        )
    }

    /// Every rule, checklist rules first.
    pub fn all() -> impl Iterator<Item = Rule> {
        ItemRule::ALL
            .iter()
            .map(|r| Rule::Item(*r))
            .chain(LintId::ALL.iter().map(|l| Rule::Lint(*l)))
    }
}

impl From<ItemRule> for Rule {
    fn from(r: ItemRule) -> Self {
        Rule::Item(r)
    }
}

impl From<LintId> for Rule {
    fn from(l: LintId) -> Self {
        Rule::Lint(l)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Item(r) => f.write_str(r.as_str()),
            Rule::Lint(l) => write!(f, "lint.{}", l.as_str()),
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        match (self, other.strip_prefix("lint.")) {
            (Rule::Lint(l), Some(id)) => l.as_str() == id,
            (Rule::Item(r), None) => r.as_str() == *other,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for r in Rule::all() {
            let id = r.id();
            assert!(seen.insert(id.clone()), "duplicate id {id}");
            assert_eq!(Rule::parse(&id), Some(r));
            assert_eq!(r.to_string(), id);
            assert!(r == id.as_str());
        }
        assert_eq!(Rule::parse("lint.nope"), None);
        assert_eq!(Rule::parse("table.nope"), None);
    }
}

/// How much a failed item matters. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
