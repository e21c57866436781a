//! Looking things up in a [`Snapshot`].

use serde::{Deserialize, Serialize};

use super::{
    AclItem, CompositeType, Domain, EnumType, Function, FunctionKind, Grant, ObjectKind,
    RelationKind, Sequence, ServerInfo, Snapshot, Table,
};

/// Schemas that belong to PostgreSQL itself or to a platform (Supabase) rather than to the
/// application: `pg_catalog`, `information_schema`, `pg_toast*`, `pg_temp*` and Supabase's
/// internal schemas (and RDS's `rdsadmin`).
pub fn is_managed_schema(name: &str) -> bool {
    const PLATFORM: &[&str] = &[
        "pg_catalog",
        "information_schema",
        "auth",
        "storage",
        "realtime",
        "extensions",
        "supabase_migrations",
        "supabase_functions",
        "graphql",
        "graphql_public",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "cron",
        "net",
        "pgbouncer",
        "_realtime",
        "_analytics",
        "rdsadmin",
        // Extensions' own schemas (the reference linter leaves them alone too).
        "pgmq",
        "pgroonga",
        "pgtle",
        "repack",
        "tiger",
        "tiger_data",
        "topology",
        "timescaledb_information",
        "timescaledb_experimental",
    ];
    PLATFORM.contains(&name)
        || name.starts_with("pg_toast")
        || name.starts_with("pg_temp")
        || name.starts_with("_timescaledb_")
}

/// How many of each kind of object a snapshot holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub schemas: usize,
    pub tables: usize,
    pub partitioned_tables: usize,
    pub views: usize,
    pub materialized_views: usize,
    pub foreign_tables: usize,
    pub columns: usize,
    pub constraints: usize,
    pub indexes: usize,
    pub triggers: usize,
    pub policies: usize,
    pub sequences: usize,
    pub enums: usize,
    pub domains: usize,
    pub composites: usize,
    pub functions: usize,
    pub procedures: usize,
    pub aggregates: usize,
    pub window_functions: usize,
    pub roles: usize,
    pub extensions: usize,
    pub migrations: usize,
}

impl super::model::Constraint {
    /// Its timing as SQL spells it: `DEFERRABLE INITIALLY DEFERRED`, `DEFERRABLE INITIALLY
    /// IMMEDIATE` or `NOT DEFERRABLE`.
    pub fn timing(&self) -> &'static str {
        if self.initially_deferred {
            "DEFERRABLE INITIALLY DEFERRED"
        } else if self.deferrable {
            "DEFERRABLE INITIALLY IMMEDIATE"
        } else {
            "NOT DEFERRABLE"
        }
    }
}

impl Table {
    /// A relation with only its name and kind: no columns, constraints, ACL or definition.
    pub fn bare(schema: &str, name: &str, kind: RelationKind) -> Table {
        Table {
            schema: schema.to_string(),
            name: name.to_string(),
            kind,
            owner: String::new(),
            rls_enabled: false,
            rls_forced: false,
            row_estimate: -1,
            size_bytes: 0,
            comment: None,
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            policies: Vec::new(),
            acl: Vec::new(),
            acl_is_default: true,
            options: Vec::new(),
            partition_of: None,
            partition_bound: None,
            unlogged: false,
            partition_key: None,
            inherits: Vec::new(),
            extension: None,
            definition: None,
            security_invoker: None,
            check_option: None,
        }
    }
}

impl Snapshot {
    /// A snapshot of `server` holding nothing yet.
    pub fn empty(server: ServerInfo) -> Snapshot {
        Snapshot {
            server,
            schemas: Vec::new(),
            tables: Vec::new(),
            enums: Vec::new(),
            domains: Vec::new(),
            composites: Vec::new(),
            sequences: Vec::new(),
            functions: Vec::new(),
            roles: Vec::new(),
            privileges: Vec::new(),
            default_privileges: Vec::new(),
            extensions: Vec::new(),
            migrations: Vec::new(),
            skipped_extension_members: Default::default(),
            warnings: Vec::new(),
            unreadable_migrations: Vec::new(),
            round_trips: 0,
            read_ms: 0,
            partial: false,
            public_buckets: None,
        }
    }

    /// The relation `schema.name` (any kind). A binary search: the reader keeps `tables` in
    /// (schema, name) byte order; a snapshot built otherwise is still searched, linearly, when
    /// the binary search misses.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        let key = (schema, name);
        match self
            .tables
            .binary_search_by(|t| (t.schema.as_str(), t.name.as_str()).cmp(&key))
        {
            Ok(i) => Some(&self.tables[i]),
            Err(_) => self
                .tables
                .iter()
                .find(|t| t.schema == schema && t.name == name),
        }
    }

    /// Views and materialized views (they live in `tables`).
    pub fn views(&self) -> impl Iterator<Item = &Table> {
        self.tables
            .iter()
            .filter(|t| matches!(t.kind, RelationKind::View | RelationKind::MaterializedView))
    }

    pub fn enum_(&self, schema: &str, name: &str) -> Option<&EnumType> {
        self.enums
            .iter()
            .find(|e| e.schema == schema && e.name == name)
    }

    pub fn domain(&self, schema: &str, name: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .find(|d| d.schema == schema && d.name == name)
    }

    pub fn composite(&self, schema: &str, name: &str) -> Option<&CompositeType> {
        self.composites
            .iter()
            .find(|c| c.schema == schema && c.name == name)
    }

    /// A sequence by schema and name: a binary search (the read sorts them; a linear look when
    /// a snapshot built otherwise misses).
    pub fn sequence(&self, schema: &str, name: &str) -> Option<&Sequence> {
        let key = (schema, name);
        match self
            .sequences
            .binary_search_by(|s| (s.schema.as_str(), s.name.as_str()).cmp(&key))
        {
            Ok(i) => Some(&self.sequences[i]),
            Err(_) => self
                .sequences
                .iter()
                .find(|s| s.schema == schema && s.name == name),
        }
    }

    /// Every overload of `schema.name`.
    pub fn functions_named<'a>(
        &'a self,
        schema: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions
            .iter()
            .filter(move |f| f.schema == schema && f.name == name)
    }

    /// Whether `name` is a managed schema: as flagged when read, else by [`is_managed_schema`].
    pub fn is_managed_schema(&self, name: &str) -> bool {
        match self.schemas.iter().find(|s| s.name == name) {
            Some(s) => s.managed,
            None => is_managed_schema(name),
        }
    }

    pub fn counts(&self) -> Counts {
        let rel = |k: RelationKind| self.tables.iter().filter(|t| t.kind == k).count();
        let func = |k: FunctionKind| self.functions.iter().filter(|f| f.kind == k).count();
        let sum = |f: fn(&Table) -> usize| self.tables.iter().map(f).sum();
        Counts {
            schemas: self.schemas.len(),
            tables: rel(RelationKind::Table),
            partitioned_tables: rel(RelationKind::PartitionedTable),
            views: rel(RelationKind::View),
            materialized_views: rel(RelationKind::MaterializedView),
            foreign_tables: rel(RelationKind::ForeignTable),
            columns: sum(|t| t.columns.len()),
            constraints: sum(|t| t.constraints.len()),
            indexes: sum(|t| t.indexes.len()),
            triggers: sum(|t| t.triggers.len()),
            policies: sum(|t| t.policies.len()),
            sequences: self.sequences.len(),
            enums: self.enums.len(),
            domains: self.domains.len(),
            composites: self.composites.len(),
            functions: func(FunctionKind::Function),
            procedures: func(FunctionKind::Procedure),
            aggregates: func(FunctionKind::Aggregate),
            window_functions: func(FunctionKind::Window),
            roles: self.roles.len(),
            extensions: self.extensions.len(),
            migrations: self.migrations.len(),
        }
    }

    /// Every explicit grant on schemas, relations, sequences and functions, one per privilege.
    pub(super) fn flatten_privileges(&self) -> Vec<Grant> {
        let mut out = Vec::new();
        for s in &self.schemas {
            push_grants(&mut out, ObjectKind::Schema, &s.name, &s.name, &s.acl);
        }
        for t in &self.tables {
            let kind = match t.kind {
                RelationKind::Table => ObjectKind::Table,
                RelationKind::PartitionedTable => ObjectKind::PartitionedTable,
                RelationKind::View => ObjectKind::View,
                RelationKind::MaterializedView => ObjectKind::MaterializedView,
                RelationKind::ForeignTable => ObjectKind::ForeignTable,
            };
            push_grants(&mut out, kind, &t.schema, &t.name, &t.acl);
        }
        for s in &self.sequences {
            push_grants(&mut out, ObjectKind::Sequence, &s.schema, &s.name, &s.acl);
        }
        for f in &self.functions {
            let kind = match f.kind {
                FunctionKind::Function => ObjectKind::Function,
                FunctionKind::Procedure => ObjectKind::Procedure,
                FunctionKind::Aggregate => ObjectKind::Aggregate,
                FunctionKind::Window => ObjectKind::Window,
            };
            let name = format!("{}({})", f.name, f.identity_arguments);
            push_grants(&mut out, kind, &f.schema, &name, &f.acl);
        }
        out
    }
}

fn push_grants(out: &mut Vec<Grant>, kind: ObjectKind, schema: &str, name: &str, acl: &[AclItem]) {
    for item in acl {
        for p in &item.privileges {
            out.push(Grant {
                object_kind: kind,
                schema: schema.to_string(),
                name: name.to_string(),
                grantee: item.grantee.clone(),
                privilege: p.privilege,
                grantable: p.grantable,
                grantor: item.grantor.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_managed_schema;

    #[test]
    fn managed_schemas() {
        for m in [
            "pg_catalog",
            "pg_toast",
            "pgmq",
            "_timescaledb_internal",
            "topology",
            "pg_temp_3",
            "pg_toast_temp_3",
            "auth",
            "storage",
        ] {
            assert!(is_managed_schema(m), "{m}");
        }
        for app in ["public", "Auth", "app", "auth ", "extensions2"] {
            assert!(!is_managed_schema(app), "{app}");
        }
    }
}
