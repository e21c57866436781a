//! The snapshot model: everything pgmend reasons about, as read from `pg_catalog`.
//!
//! Identifiers are kept exactly as the catalog spells them (never case-folded, never quoted).
//! Expressions and definitions (`definition`, `default`, `data_type`, ...) are the server's own
//! deparsed SQL text (`pg_get_*def`, `pg_get_expr`, `format_type`), which does quote as needed.
//!
//! Views, materialized views, foreign tables and partitioned tables live in [`Snapshot::tables`]
//! next to plain tables, told apart by [`Table::kind`]; sequences have a list of their own.

use serde::{Deserialize, Serialize};

pub use super::acl::{AclItem, Grantee, Privilege, PrivilegeGrant};

/// A consistent, immutable picture of one database (read in one REPEATABLE READ transaction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub server: ServerInfo,
    pub schemas: Vec<Schema>,
    /// Tables, partitioned tables, views, materialized views and foreign tables, ordered by
    /// (schema, name) in byte order.
    pub tables: Vec<Table>,
    pub enums: Vec<EnumType>,
    pub domains: Vec<Domain>,
    pub composites: Vec<CompositeType>,
    pub sequences: Vec<Sequence>,
    /// Functions, procedures, aggregates and window functions that do not belong to an
    /// extension (those are only counted, in `skipped_extension_members`).
    pub functions: Vec<Function>,
    pub roles: Vec<Role>,
    /// Every explicit grant on schemas, relations, sequences and functions, flattened.
    /// Objects whose ACL is NULL (`acl_is_default`) contribute nothing here.
    pub privileges: Vec<Grant>,
    pub default_privileges: Vec<DefaultPrivilege>,
    pub extensions: Vec<Extension>,
    /// Migration history from every migration table found (in any non-system schema, whatever
    /// the schema filter), in the order each tool applied them.
    pub migrations: Vec<Migration>,
    pub skipped_extension_members: ExtensionMembers,
    /// Things that could not be read or parsed (e.g. an unreadable migration table).
    pub warnings: Vec<String>,
    /// Migration tables the current user cannot read: (tool, quoted table). Their history is
    /// not visible to the role, which is not the same as absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable_migrations: Vec<(MigrationSource, String)>,
    /// Network round trips of this snapshot, BEGIN and COMMIT included: 3, or 4 when the
    /// database has a migration table, an index pgmend cannot spell itself or a readable
    /// `storage.buckets`, whatever the
    /// schema's size (every catalog query travels in one simple-protocol batch).
    pub round_trips: u32,
    /// Wall-clock time of `read_snapshot`, BEGIN to COMMIT.
    pub read_ms: u64,
    /// A preview ([`super::read_relation_list`]): only the relations' names, kinds, RLS flags
    /// and row estimates, shown while the full snapshot is read. Never set by `read_snapshot`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Ids of the Supabase Storage buckets marked public (`storage.buckets.public`); `None`
    /// when there is no such table or the connected role may not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_buckets: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// `server_version_num`, e.g. 150004.
    pub version_num: i32,
    /// `version()`.
    pub version: String,
    pub database: String,
    pub current_user: String,
    pub is_superuser: bool,
}

/// Functions and types that belong to extensions and were left out of the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtensionMembers {
    pub functions: u32,
    pub types: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    pub owner: String,
    pub comment: Option<String>,
    /// A system schema or a schema managed by a platform (Supabase's `auth`, `storage`, ...).
    pub managed: bool,
    pub acl: Vec<AclItem>,
    /// The ACL is NULL: the owner holds the default privileges and nothing else is granted.
    pub acl_is_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RelationKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub kind: RelationKind,
    pub owner: String,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// `reltuples`: -1 when the relation was never vacuumed or analyzed (and for views).
    pub row_estimate: i64,
    /// `relpages * block_size`: the heap size as of the last VACUUM/ANALYZE, without TOAST and
    /// indexes (0 for views and partitioned tables).
    pub size_bytes: i64,
    pub comment: Option<String>,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub triggers: Vec<Trigger>,
    pub policies: Vec<Policy>,
    pub acl: Vec<AclItem>,
    pub acl_is_default: bool,
    /// Raw `reloptions`, e.g. `fillfactor=70`, `security_invoker=true`.
    pub options: Vec<String>,
    /// The parent when this is a partition, and its bound (`FOR VALUES ...`).
    pub partition_of: Option<QualifiedName>,
    pub partition_bound: Option<String>,
    /// `UNLOGGED` (`relpersistence = 'u'`).
    #[serde(default)]
    pub unlogged: bool,
    /// A partitioned table's key, `pg_get_partkeydef` (`RANGE (created_at)`).
    #[serde(default)]
    pub partition_key: Option<String>,
    /// Parents by plain inheritance (`INHERITS (…)`), in order; partitions have none here.
    #[serde(default)]
    pub inherits: Vec<QualifiedName>,
    /// The extension this relation belongs to, if any.
    pub extension: Option<String>,
    /// Views and materialized views: `pg_get_viewdef`.
    pub definition: Option<String>,
    /// Views only: the `security_invoker` option (always `Some(false)` before PostgreSQL 15).
    pub security_invoker: Option<bool>,
    /// Views only: `local` or `cascaded` for `WITH CHECK OPTION`.
    pub check_option: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityKind {
    Always,
    ByDefault,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: compact_str::CompactString,
    /// `attnum` (1-based; gaps remain where columns were dropped).
    pub position: i32,
    /// `format_type` output, e.g. `character varying(20)`, `public."Mood"[]`.
    pub data_type: compact_str::CompactString,
    pub not_null: bool,
    /// Default expression (None for generated columns: see `generated`).
    pub default: Option<String>,
    pub identity: Option<IdentityKind>,
    /// The expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<String>,
    /// The collation's name when it differs from the type's default.
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// Column-level grants (`GRANT SELECT (col) ON …`): `attacl`, empty when NULL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acl: Vec<AclItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConstraintKind {
    PrimaryKey,
    ForeignKey,
    Unique,
    Check,
    Exclusion,
    /// Stored in `pg_constraint` from PostgreSQL 18 on.
    NotNull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkMatch {
    Simple,
    Full,
    Partial,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    /// Constrained columns, in key order.
    pub columns: Vec<String>,
    /// `pg_get_constraintdef`.
    pub definition: String,
    pub validated: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False when inherited only (e.g. cloned onto a partition from its parent).
    pub is_local: bool,
    pub foreign_key: Option<ForeignKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub referenced_schema: String,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub match_type: FkMatch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    /// `pg_get_indexdef`.
    pub definition: String,
    /// Key columns in order; `None` marks an expression (see `expressions`).
    pub columns: Vec<Option<String>>,
    /// `INCLUDE (...)` columns.
    pub include_columns: Vec<String>,
    /// The key expressions, comma-separated, as `pg_get_expr` deparses them.
    pub expressions: Option<String>,
    pub is_unique: bool,
    pub is_primary: bool,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15+; always false before).
    pub nulls_not_distinct: bool,
    /// A partial index's `WHERE` clause.
    pub predicate: Option<String>,
    /// Access method: `btree`, `gin`, `gist`, `hash`, `brin`, ...
    pub method: String,
    pub is_valid: bool,
    pub is_ready: bool,
    /// The primary key, unique or exclusion constraint this index backs.
    pub constraint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerEvent {
    Insert,
    Update,
    Delete,
    Truncate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerLevel {
    Row,
    Statement,
}

/// `tgenabled`: when the trigger fires with respect to `session_replication_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerEnabled {
    Origin,
    Always,
    Replica,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    pub table: QualifiedName,
    pub timing: TriggerTiming,
    pub events: Vec<TriggerEvent>,
    pub level: TriggerLevel,
    pub function: QualifiedName,
    pub enabled: TriggerEnabled,
    /// `pg_get_triggerdef`.
    pub definition: String,
    pub is_constraint_trigger: bool,
    /// Cloned onto a partition from a trigger on its parent.
    pub is_clone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    /// The keyword of `CREATE POLICY … FOR`: `ALL`, `SELECT`, …
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    pub table: QualifiedName,
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Role names; `public` stands for PUBLIC.
    pub roles: Vec<String>,
    pub using_expr: Option<String>,
    pub with_check_expr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumType {
    pub schema: String,
    pub name: String,
    pub owner: String,
    /// Labels in `enumsortorder` order.
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub name: String,
    /// `pg_get_constraintdef`, e.g. `CHECK ((VALUE > 0))`.
    pub definition: String,
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub schema: String,
    pub name: String,
    pub owner: String,
    /// `format_type` of the base type.
    pub base_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub checks: Vec<DomainCheck>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeAttribute {
    pub name: String,
    pub data_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeType {
    pub schema: String,
    pub name: String,
    pub owner: String,
    pub attributes: Vec<CompositeAttribute>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceOwner {
    pub schema: String,
    pub table: String,
    pub column: String,
    /// The sequence backs an identity column (rather than `OWNED BY`, as `serial` does).
    pub identity: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    pub schema: String,
    pub name: String,
    pub owner: String,
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    pub owned_by: Option<SequenceOwner>,
    pub acl: Vec<AclItem>,
    pub acl_is_default: bool,
    pub extension: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub schema: String,
    pub name: String,
    pub kind: FunctionKind,
    /// `pg_get_function_identity_arguments`, e.g. `a integer, b text`.
    pub identity_arguments: String,
    /// `pg_get_function_result` (None for procedures).
    pub result: Option<String>,
    pub language: String,
    pub security_definer: bool,
    pub volatility: Volatility,
    /// `proconfig`, e.g. `["search_path=public"]`.
    pub config: Vec<String>,
    pub owner: String,
    pub acl: Vec<AclItem>,
    pub acl_is_default: bool,
    pub comment: Option<String>,
    /// Functions and procedures: `pg_get_functiondef`, the whole `CREATE OR REPLACE` statement.
    #[serde(default)]
    pub definition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub can_login: bool,
    pub superuser: bool,
    pub bypass_rls: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub inherit: bool,
    /// Roles this role is a direct member of.
    pub member_of: Vec<String>,
    /// A predefined `pg_*` role (`pg_read_all_data`, ...).
    pub predefined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ObjectKind {
    Schema,
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
    Sequence,
    Function,
    Procedure,
    Aggregate,
    Window,
}

/// One privilege on one object, flattened from the object's ACL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub object_kind: ObjectKind,
    /// The object's schema (for a schema: its own name).
    pub schema: String,
    /// The object's name; for functions `name(identity arguments)`.
    pub name: String,
    pub grantee: Grantee,
    pub privilege: Privilege,
    pub grantable: bool,
    pub grantor: String,
}

/// `pg_default_acl.defaclobjtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DefaultAclObject {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] ...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefaultPrivilege {
    pub role: String,
    pub schema: Option<String>,
    pub object_type: DefaultAclObject,
    pub grants: Vec<AclItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub version: String,
    pub schema: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MigrationSource {
    Prisma,
    TypeOrm,
    Supabase,
    Drizzle,
    Knex,
}

/// One applied (or attempted) migration from a migration tool's history table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    pub source: MigrationSource,
    /// The history table it was read from.
    pub table: QualifiedName,
    /// Prisma/TypeORM/Knex: the migration's name; Supabase: `version_name` (or `version` when
    /// the table has no name column); Drizzle: the hash (Drizzle stores no name).
    pub name: String,
    /// As JSON renders the timestamp (ISO 8601). Prisma: `finished_at`, else `started_at`;
    /// Knex: `migration_time`; Drizzle: `created_at` (the migration's journal time);
    /// TypeORM and Supabase store no time.
    pub applied_at: Option<String>,
    /// Prisma: finished and not rolled back; always true for the other tools.
    pub finished: bool,
    /// Prisma: `checksum`; Drizzle: `hash`.
    pub checksum: Option<String>,
}
