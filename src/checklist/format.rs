//! The expected-schema checklist as written in TOML. Partial by design: it lists only what
//! matters, and objects it does not mention are never errors. Every item may carry `severity`,
//! `why` and `assumed` (see [`super::assumed`]). Unknown keys are rejected (with the closest valid key suggested).

use std::collections::BTreeMap;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::rules::Severity;

pub use super::assumed::Assumed;
pub use super::format_objects::*;

/// The platform a checklist is for; platform-aware lints use it (Supabase's anon role, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    Postgres,
    Supabase,
    /// PostgREST without Supabase: `public` is exposed to its anonymous and signed-in roles.
    Postgrest,
    Prisma,
    Typeorm,
    Drizzle,
    Knex,
}

impl Platform {
    /// As a checklist writes it (`supabase`, `typeorm`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Postgres => "postgres",
            Platform::Supabase => "supabase",
            Platform::Postgrest => "postgrest",
            Platform::Prisma => "prisma",
            Platform::Typeorm => "typeorm",
            Platform::Drizzle => "drizzle",
            Platform::Knex => "knex",
        }
    }
}

/// A whole checklist file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistFile {
    #[serde(default)]
    pub checklist: Meta,
    /// Lint switches: `lint_id = false`, or `lint_id = { enabled = true, severity = "high" }`.
    #[serde(default)]
    pub lints: BTreeMap<String, Spanned<LintSetting>>,
    #[serde(default, rename = "schema")]
    pub schemas: Vec<Spanned<SchemaItem>>,
    #[serde(default, rename = "extension")]
    pub extensions: Vec<Spanned<ExtensionItem>>,
    #[serde(default, rename = "enum")]
    pub enums: Vec<Spanned<EnumItem>>,
    #[serde(default, rename = "table")]
    pub tables: Vec<Spanned<TableItem>>,
    #[serde(default, rename = "index")]
    pub indexes: Vec<Spanned<IndexItem>>,
    #[serde(default, rename = "view")]
    pub views: Vec<Spanned<ViewItem>>,
    #[serde(default, rename = "rls")]
    pub rls: Vec<Spanned<RlsItem>>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<Spanned<PolicyItem>>,
    #[serde(default, rename = "trigger")]
    pub triggers: Vec<Spanned<TriggerItem>>,
    #[serde(default, rename = "function")]
    pub functions: Vec<Spanned<FunctionItem>>,
    #[serde(default, rename = "grant")]
    pub grants: Vec<Spanned<GrantItem>>,
    #[serde(default, rename = "data")]
    pub data: Vec<Spanned<DataItem>>,
    #[serde(default, rename = "credential")]
    pub credentials: Vec<Spanned<CredentialItem>>,
    #[serde(default, rename = "migration")]
    pub migrations: Vec<Spanned<MigrationItem>>,
    #[serde(default, rename = "sequence")]
    pub sequences: Vec<Spanned<SequenceItem>>,
    #[serde(default, rename = "domain")]
    pub domains: Vec<Spanned<DomainItem>>,
    /// Composite types.
    #[serde(default, rename = "type")]
    pub types: Vec<Spanned<TypeItem>>,
    #[serde(default, rename = "default_privilege")]
    pub default_privileges: Vec<Spanned<DefaultPrivilegeItem>>,
    /// Findings waived one by one, each with its reason.
    #[serde(default)]
    pub waive: Vec<Spanned<Waiver>>,
}

/// A finding waived on purpose: shown as waived, not counted, carried as a suppression in
/// SARIF. After `until` it counts again, and says so.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The finding's id, as `check` prints it (`lint.no_primary_key:public.audit_log`).
    pub id: String,
    /// Why it is waived: required, shown beside the finding and in SARIF.
    pub reason: String,
    /// The last day the waiver holds (`until = 2027-03-01`, a TOML date).
    pub until: Option<WaiveUntil>,
}

/// A waiver's last day, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiveUntil(pub String);

impl<'de> Deserialize<'de> for WaiveUntil {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dt = toml::value::Datetime::deserialize(d)?;
        match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => Ok(WaiveUntil(date.to_string())),
            _ => Err(serde::de::Error::custom(format!(
                "until must be a date such as 2027-03-01, not {dt}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: Option<String>,
    pub description: Option<String>,
    pub platform: Option<Platform>,
    /// Schema of names written without one (default `public`).
    pub default_schema: Option<String>,
    /// Schemas an API exposes to clients: RLS and grant lints look here. Default: `public` on
    /// Supabase and PostgREST (`platform`, or an `anon` role in the database), none otherwise.
    pub exposed_schemas: Option<Vec<String>>,
    /// Written by `pgmend checklist snapshot`: the file records a whole database as it was, so
    /// lint findings about the objects it records are accepted.
    #[serde(default)]
    pub snapshot: bool,
    /// Adapt the items to the database they meet before checking (the built-in presets say
    /// so): names follow the database's naming convention, foreign-key columns take the type of
    /// the key they reference. See `checklist::adapt`.
    #[serde(default)]
    pub adapt: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LintSetting {
    Enabled(bool),
    Detailed(LintDetail),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintDetail {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub severity: Option<Severity>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaItem {
    pub name: String,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionItem {
    pub name: String,
    /// The schema the extension must be installed in, when it matters.
    pub schema: Option<String>,
    /// The installed version, when it matters (`ALTER EXTENSION … UPDATE TO` mends it).
    pub version: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumItem {
    /// `name` or `schema.name` (or give `schema` separately).
    pub name: String,
    pub schema: Option<String>,
    /// Labels that must exist.
    pub values: Vec<String>,
    /// Labels the checklist's source does not state: checked (and created with the type) like
    /// `values`, after them, but a missing one is an assumed finding, and so is `exact`'s
    /// order once any are listed.
    #[serde(default)]
    pub assumed_values: Vec<String>,
    /// The labels must be exactly these, in this order.
    #[serde(default)]
    pub exact: bool,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableItem {
    pub name: String,
    pub schema: Option<String>,
    #[serde(default)]
    pub columns: Vec<Spanned<ColumnSpec>>,
    pub primary_key: Option<Vec<String>>,
    #[serde(default)]
    pub foreign_keys: Vec<Spanned<ForeignKeySpec>>,
    #[serde(default)]
    pub unique: Vec<Spanned<UniqueSpec>>,
    #[serde(default)]
    pub checks: Vec<Spanned<CheckSpec>>,
    /// Row-level security: `enabled`, `forced` or `disabled`.
    pub rls: Option<RlsState>,
    #[serde(default)]
    pub exclusions: Vec<Spanned<ExclusionSpec>>,
    /// `UNLOGGED` (true) or logged (false).
    pub unlogged: Option<bool>,
    /// Parents by plain inheritance (`INHERITS`): `table` or `schema.table`.
    pub inherits: Option<Vec<String>>,
    /// A partitioned table's key as PostgreSQL prints it (`RANGE (created_at)`): SQL.
    pub partition_by: Option<String>,
    /// The partitioned parent of a partition (`table` or `schema.table`).
    pub partition_of: Option<String>,
    /// The partition's bound as PostgreSQL prints it (`FOR VALUES FROM ('2024-01-01') TO …`,
    /// `DEFAULT`): SQL.
    pub partition_bound: Option<String>,
    pub comment: Option<String>,
    /// Comments on the table's constraints, by constraint name (`{ users_pkey = "…" }`).
    #[serde(default)]
    pub constraint_comments: BTreeMap<String, String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RlsState {
    Disabled,
    Enabled,
    Forced,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub name: CompactString,
    /// The type as written in SQL (`varchar(50)`, `timestamptz`, `user_role`, `text[]`).
    /// Aliases are understood; a type without a length matches any length.
    #[serde(rename = "type")]
    pub data_type: Option<CompactString>,
    pub nullable: Option<bool>,
    /// The default expression (compared after normalising casts and case): SQL.
    pub default: Option<CompactString>,
    /// The value the existing rows get when the column is added (or made) NOT NULL without a
    /// default: an SQL expression over the row (`(SELECT a."v" FROM apps a WHERE a.id =
    /// rooms."appId")`). It prefills the backfill step, which the preview still lets the
    /// engineer edit. Never compared with the database.
    pub backfill: Option<String>,
    /// An identity column: `always` or `by default`.
    pub identity: Option<String>,
    /// A stored generated column's expression, as PostgreSQL prints it: SQL.
    pub generated: Option<String>,
    /// The column's collation when not its type's default (`C`, `en-x-icu`).
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// Column-level grants (`GRANT SELECT (col) ON table TO role`).
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// The column is stated, but its type, nullability and default are not: `true` or the
    /// assumption in words. A column created with its table gets them; an existing column that
    /// differs is an assumed finding.
    #[serde(default)]
    pub type_assumed: Option<Assumed>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKeySpec {
    pub columns: Vec<String>,
    /// `table(col, …)` or `schema.table(col, …)`; columns default to the target's primary key.
    pub references: String,
    /// `no action`, `restrict`, `cascade`, `set null` or `set default`.
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    /// The constraint's name (a generated one when absent).
    pub name: Option<String>,
    /// The key exists but was added `NOT VALID` (rows before it are not checked).
    pub not_valid: Option<bool>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniqueSpec {
    pub columns: Vec<String>,
    /// The constraint's name (a generated one when absent).
    pub name: Option<String>,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Constraint name; or give `expression`, found in any CHECK constraint's definition.
    pub name: Option<String>,
    /// The condition as PostgreSQL prints it (without `CHECK`): SQL.
    pub expression: Option<String>,
    /// The constraint exists but was added `NOT VALID` (rows before it are not checked).
    pub not_valid: Option<bool>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// An exclusion constraint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionSpec {
    pub name: Option<String>,
    /// `pg_get_constraintdef`: `EXCLUDE USING gist (room WITH =, during WITH &&)`: SQL.
    pub definition: String,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

impl EnumItem {
    /// The labels in the checklist's order: the stated ones, then the assumed ones.
    pub fn all_values(&self) -> Vec<String> {
        self.values
            .iter()
            .chain(&self.assumed_values)
            .cloned()
            .collect()
    }
}

impl IndexItem {
    /// The labels of the keys (`email`, `lower(email)`).
    pub fn labels(&self) -> Vec<String> {
        self.columns.iter().map(IndexKey::label).collect()
    }
}

/// The timing a constraint item states (`deferrable`, `initially_deferred`):
/// `DEFERRABLE INITIALLY DEFERRED`, `DEFERRABLE INITIALLY IMMEDIATE` or `NOT DEFERRABLE`, as a
/// constraint's timing is spelled in SQL; None when it states neither key.
pub fn stated_timing(
    deferrable: Option<bool>,
    initially_deferred: Option<bool>,
) -> Option<&'static str> {
    match (deferrable, initially_deferred) {
        (None, None) => None,
        (_, Some(true)) => Some("DEFERRABLE INITIALLY DEFERRED"),
        (Some(true), _) => Some("DEFERRABLE INITIALLY IMMEDIATE"),
        _ => Some("NOT DEFERRABLE"),
    }
}

/// What to append to a constraint being created for that timing (nothing for the default).
pub fn timing_clause(deferrable: Option<bool>, initially_deferred: Option<bool>) -> String {
    match stated_timing(deferrable, initially_deferred) {
        Some(t) if t != "NOT DEFERRABLE" => format!(" {t}"),
        _ => String::new(),
    }
}

/// One key of an index: a column (always quoted as a name), or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IndexKey {
    /// A column by name.
    Column(String),
    /// `{ column = "name", options = "gin_trgm_ops DESC" }` or `{ expression = "lower(email)" }`.
    Detailed(IndexKeySpec),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKeySpec {
    pub column: Option<String>,
    /// An expression as PostgreSQL prints it: SQL.
    pub expression: Option<String>,
    /// Operator class, collation and order after the key (`text_pattern_ops`, `DESC NULLS
    /// LAST`, `COLLATE "C"`): words and names only.
    pub options: Option<String>,
}

impl IndexKey {
    /// The column this key is, when it is a plain column.
    pub fn column(&self) -> Option<&str> {
        match self {
            IndexKey::Column(c) => Some(c),
            IndexKey::Detailed(d) if d.expression.is_none() => d.column.as_deref(),
            IndexKey::Detailed(_) => None,
        }
    }

    pub fn expression(&self) -> Option<&str> {
        match self {
            IndexKey::Detailed(d) => d.expression.as_deref(),
            IndexKey::Column(_) => None,
        }
    }

    pub fn options(&self) -> Option<&str> {
        match self {
            IndexKey::Detailed(d) => d.options.as_deref(),
            IndexKey::Column(_) => None,
        }
    }

    /// As shown to the engineer: the column's name, or the expression.
    pub fn label(&self) -> String {
        self.column()
            .or(self.expression())
            .unwrap_or_default()
            .to_string()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexItem {
    pub table: CompactString,
    pub schema: Option<CompactString>,
    /// Key columns in order: a name is always a column (`"email"`); an expression is written
    /// `{ expression = "lower(email)" }`, as PostgreSQL prints it.
    pub columns: Vec<IndexKey>,
    /// `INCLUDE (…)` columns.
    pub include: Option<Vec<String>>,
    /// Optional: an index with these columns under any name satisfies the item.
    pub name: Option<CompactString>,
    pub unique: Option<bool>,
    /// Partial index predicate, as PostgreSQL prints it.
    #[serde(rename = "where")]
    pub predicate: Option<String>,
    pub method: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewItem {
    pub name: String,
    pub schema: Option<String>,
    /// Columns the view must expose.
    pub columns: Option<Vec<String>>,
    /// The table the view reads (`"ChatMessage"`): with `snake_case = true` the view must expose
    /// every column of that table under its snake_case name (`userId AS user_id`).
    pub over: Option<String>,
    #[serde(default)]
    pub snake_case: bool,
    pub security_invoker: Option<bool>,
    /// The query, as `pg_get_viewdef` prints it: SQL (one SELECT/WITH/VALUES statement).
    pub definition: Option<String>,
    /// A materialized view.
    #[serde(default)]
    pub materialized: bool,
    /// `local` or `cascaded` (`WITH CHECK OPTION`).
    pub check_option: Option<String>,
    /// The `security_barrier` option.
    pub security_barrier: Option<bool>,
    pub comment: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// RLS for one table, or a rule over many: every table in `schema` (that has column
/// `having_column`, when given).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RlsItem {
    pub table: Option<String>,
    pub schema: Option<String>,
    pub having_column: Option<String>,
    /// `enabled` (default) or `forced`.
    pub state: Option<RlsState>,
    /// Tables the rule leaves out.
    #[serde(default)]
    pub except: Vec<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl From<Command> for crate::db::catalog::PolicyCommand {
    fn from(c: Command) -> Self {
        use crate::db::catalog::PolicyCommand as P;
        match c {
            Command::All => P::All,
            Command::Select => P::Select,
            Command::Insert => P::Insert,
            Command::Update => P::Update,
            Command::Delete => P::Delete,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyTemplate {
    /// One policy per command for `roles` (default authenticated) comparing `column` with the
    /// user's id (`auth.uid()` on Supabase).
    Owner,
    /// A policy letting `service_role` do everything.
    ServiceRoleBypass,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyItem {
    pub table: CompactString,
    pub schema: Option<CompactString>,
    /// By name; or leave it out and describe the shape.
    pub name: Option<CompactString>,
    pub command: Option<Command>,
    pub roles: Option<Vec<String>>,
    pub permissive: Option<bool>,
    /// Text the USING expression must contain (as PostgreSQL prints it).
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub template: Option<PolicyTemplate>,
    /// Owner template: the column holding the owner's id.
    pub column: Option<String>,
    /// Owner template: the commands to cover (default all four).
    pub commands: Option<Vec<Command>>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
    /// `using` / `with_check` are written from the seed's words, not given by it: the fix creates
    /// the policy with them, but an existing policy is not held to them (its expression is the
    /// engineer's choice; the check asks only for its name, command and roles).
    #[serde(default)]
    pub suggested: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerItem {
    pub table: String,
    pub schema: Option<String>,
    pub name: Option<String>,
    /// `function` or `schema.function`.
    pub function: Option<String>,
    /// `before`, `after` or `instead of`.
    pub timing: Option<String>,
    /// `insert`, `update`, `delete`, `truncate`.
    pub events: Option<Vec<String>>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `pg_get_triggerdef`: the whole `CREATE TRIGGER` statement: SQL.
    pub definition: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionItem {
    pub name: String,
    pub schema: Option<String>,
    /// Identity arguments as PostgreSQL prints them (`uuid, text`); any overload when absent.
    pub arguments: Option<String>,
    pub returns: Option<String>,
    pub language: Option<String>,
    pub security_definer: Option<bool>,
    /// The function must pin its search_path (`SET search_path = …`).
    pub search_path_set: Option<bool>,
    /// `pg_get_functiondef`: the whole `CREATE OR REPLACE FUNCTION` statement: SQL.
    pub definition: Option<String>,
    /// The definition is written from words, not given: the fix creates a missing function with
    /// it, an existing one is not held to it.
    #[serde(default)]
    pub suggested: bool,
    pub comment: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// What a role may (`allow`) or must not (`deny`, `["ALL"]` for any) do on tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantItem {
    pub role: String,
    /// Tables: `name`, `schema.name`, or `schema.*`.
    pub on: Vec<String>,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// A read-only query that must return true (seed rows, invariants).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataItem {
    pub name: String,
    pub query: String,
    /// Idempotent SQL that makes the query true (`INSERT … ON CONFLICT DO NOTHING` for seed
    /// rows): the fix of a false query, shown in the preview like any plan, run in one
    /// transaction with the query checked after it (the transaction rolls back when the
    /// query is still false).
    pub seed: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// A known default password that must no longer work: the stored hash is read and verified.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialItem {
    pub table: String,
    pub schema: Option<String>,
    pub user_column: String,
    pub user: String,
    pub hash_column: String,
    pub password: String,
    /// `auto` (the default: the scheme is read from the stored value), or one of `bcrypt`
    /// (also what pgcrypto's `crypt(…, gen_salt('bf'))` writes), `scrypt` (Node's
    /// `<hex key>.<salt>`), `argon2id`, `pbkdf2_sha256` (Django's form), `plain`.
    #[serde(default)]
    pub algorithm: Option<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationTool {
    Prisma,
    Typeorm,
    Supabase,
    Drizzle,
    Knex,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationItem {
    pub tool: MigrationTool,
    /// The recorded name (Prisma's folder name, TypeORM's class name, Supabase's version…).
    pub name: String,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}
