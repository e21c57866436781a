//! Decoding relations (query 2) and what hangs off them: columns, triggers and policies (keys
//! and indexes are in `decode_keys.rs`), row by row, matched to their table by oid. Rows come
//! unordered; [`Tables::finish`] sorts.

use std::collections::HashMap;

use sqlx::postgres::PgRow;

use super::decode_info::parse_acl;
use super::read::Row;
use super::{
    CatalogError, Column, IdentityKind, Policy, PolicyCommand, QualifiedName, RelationKind,
    Sequence, SequenceOwner, Snapshot, Table, Trigger, TriggerEnabled, TriggerEvent, TriggerLevel,
    TriggerTiming,
};

/// What the client needs of a column to spell index definitions (`deparse.rs`).
#[derive(Debug, Clone, Copy)]
pub(super) struct ColMeta {
    pub attnum: i64,
    pub type_oid: i64,
    pub collation_oid: i64,
    /// `b` base, `e` enum, `a` array, `r` range, `d` domain.
    pub class: u8,
}

/// Tables being assembled, found by oid.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) tables: Vec<Table>,
    by_oid: HashMap<i64, usize>,
    /// Per table, its columns' metadata, in the order of `Table::columns`.
    pub(super) meta: Vec<Vec<ColMeta>>,
}

impl Tables {
    /// Query 2: a table (kept here) or a sequence (pushed into the snapshot).
    pub(super) fn relation(
        &mut self,
        row: &PgRow,
        version_num: i32,
        snap: &mut Snapshot,
    ) -> Result<(), CatalogError> {
        let out = self;
        let r = Row::new(row, "relations");
        let schema: String = r.get("schema")?;
        let name: String = r.get("name")?;
        let what = || format!("relation {schema:?}.{name:?}");
        let (acl, acl_is_default) = parse_acl(r.opt_strings("acl")?, &what, &mut snap.warnings);
        let kind: String = r.get("kind")?;
        if kind == "S" {
            snap.sequences
                .push(sequence(r, schema, name, acl, acl_is_default)?);
            return Ok(());
        }
        let kind = relation_kind(&r, &kind)?;
        let options: Vec<String> = r.strings("options")?;
        let is_view = kind == RelationKind::View;
        // `security_invoker` is a view reloption from PostgreSQL 15; before, views always ran
        // with their owner's privileges.
        let security_invoker = is_view.then(|| {
            version_num >= 150000
                && option(&options, "security_invoker").is_some_and(reloption_bool)
        });
        let check_option = if is_view {
            option(&options, "check_option").map(str::to_string)
        } else {
            None
        };
        let parent_schema: Option<String> = r.get("parent_schema")?;
        let parent_name: Option<String> = r.get("parent_name")?;
        let reltuples: f64 = r.get("reltuples")?;
        out.by_oid.insert(r.get("oid")?, out.tables.len());
        // Columns arrive one by one: sized up front (dropped ones included), the lists do not
        // grow by doubling while everything else is being read (~9 MB at 10,000 tables).
        let natts = usize::try_from(r.get::<i32>("natts")?).unwrap_or(0);
        out.meta.push(Vec::with_capacity(natts));
        out.tables.push(Table {
            kind,
            owner: r.get("owner")?,
            rls_enabled: r.get("rls_enabled")?,
            rls_forced: r.get("rls_forced")?,
            row_estimate: reltuples as i64,
            size_bytes: r.get("size_bytes")?,
            comment: r.get("comment")?,
            columns: Vec::with_capacity(natts),
            constraints: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            policies: Vec::new(),
            acl,
            acl_is_default,
            partition_of: parent_schema
                .zip(parent_name)
                .map(|(schema, name)| QualifiedName { schema, name }),
            partition_bound: r.get("partition_bound")?,
            unlogged: r.get("unlogged")?,
            partition_key: r.get("partition_key")?,
            inherits: r
                .strings("inherits_schemas")?
                .into_iter()
                .zip(r.strings("inherits_names")?)
                .map(|(schema, name)| QualifiedName { schema, name })
                .collect(),
            extension: r.get("extension")?,
            definition: r.get("definition")?,
            security_invoker,
            check_option,
            options,
            schema,
            name,
        });
        Ok(())
    }
}

fn sequence(
    r: Row<'_>,
    schema: String,
    name: String,
    acl: Vec<super::AclItem>,
    acl_is_default: bool,
) -> Result<Sequence, CatalogError> {
    let owned_schema: Option<String> = r.get("owned_schema")?;
    let owned_by = match owned_schema {
        Some(owner_schema) => Some(SequenceOwner {
            schema: owner_schema,
            table: r.get("owned_table")?,
            column: r.get("owned_column")?,
            identity: r.get::<String>("owned_deptype")? == "i",
        }),
        None => None,
    };
    Ok(Sequence {
        schema,
        name,
        owner: r.get("owner")?,
        data_type: r.get("seq_type")?,
        start: r.get("seq_start")?,
        increment: r.get("seq_increment")?,
        min: r.get("seq_min")?,
        max: r.get("seq_max")?,
        cache: r.get("seq_cache")?,
        cycle: r.get("seq_cycle")?,
        owned_by,
        acl,
        acl_is_default,
        extension: r.get("extension")?,
        comment: r.get("comment")?,
    })
}

/// The value of `key=value` in a reloptions list.
fn option<'a>(options: &'a [String], key: &str) -> Option<&'a str> {
    options
        .iter()
        .find_map(|o| o.strip_prefix(key)?.strip_prefix('='))
}

/// PostgreSQL's boolean spellings for reloptions (`parse_bool`): on, true, yes, 1 and prefixes.
fn reloption_bool(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    v == "1" || v == "on" || (!v.is_empty() && ("true".starts_with(&v) || "yes".starts_with(&v)))
}

impl Tables {
    /// The index of the table a row belongs to (rows of relations outside the snapshot are
    /// errors).
    pub(super) fn owner_index(&self, r: Row<'_>) -> Result<usize, CatalogError> {
        let oid: i64 = r.get("relid")?;
        self.index_of(oid)
            .ok_or_else(|| r.bad(format!("row for unknown relation oid {oid}")))
    }

    pub(super) fn index_of(&self, oid: i64) -> Option<usize> {
        self.by_oid.get(&oid).copied()
    }

    fn owner(&mut self, r: Row<'_>) -> Result<&mut Table, CatalogError> {
        let i = self.owner_index(r)?;
        Ok(&mut self.tables[i])
    }

    /// The name of column `attnum` of table `t`.
    pub(super) fn column_name(&self, t: usize, attnum: i64) -> Option<&str> {
        let i = self.meta[t].iter().position(|m| m.attnum == attnum)?;
        Some(&self.tables[t].columns[i].name)
    }

    /// Query 3: one column.
    pub(super) fn column(
        &mut self,
        row: &PgRow,
        warnings: &mut Vec<String>,
    ) -> Result<(), CatalogError> {
        let r = Row::new(row, "columns");
        let expr: Option<String> = r.get("expr")?;
        let generated = r.get::<String>("generated")? == "s";
        let identity = match r.get::<String>("identity")?.as_str() {
            "a" => Some(IdentityKind::Always),
            "d" => Some(IdentityKind::ByDefault),
            _ => None,
        };
        let position: i32 = r.get("position")?;
        let class: String = r.get("type_class")?;
        let meta = ColMeta {
            attnum: i64::from(position),
            type_oid: r.get("type_oid")?,
            collation_oid: r.get("collation_oid")?,
            class: class.bytes().next().unwrap_or(b'b'),
        };
        let (default, generated) = if generated {
            (None, expr)
        } else {
            (expr, None)
        };
        let column = Column {
            name: r.get::<&str>("name")?.into(),
            position,
            data_type: r.get::<&str>("data_type")?.into(),
            not_null: r.get("not_null")?,
            default,
            identity,
            generated,
            collation: r.get("collation")?,
            comment: r.get("comment")?,
            acl: Vec::new(),
        };
        let acl = r.opt_strings("acl")?;
        let t = self.owner_index(r)?;
        let mut column = column;
        if acl.is_some() {
            let table = &self.tables[t];
            let what = || {
                format!(
                    "column {:?}.{:?}.{:?}",
                    table.schema, table.name, column.name
                )
            };
            column.acl = parse_acl(acl, &what, warnings).0;
        }
        self.tables[t].columns.push(column);
        self.meta[t].push(meta);
        Ok(())
    }

    /// Query 8: one trigger.
    pub(super) fn trigger(&mut self, row: &PgRow) -> Result<(), CatalogError> {
        let r = Row::new(row, "triggers");
        let tgtype: i32 = r.get("tgtype")?;
        let enabled = match r.get::<String>("enabled")?.as_str() {
            "O" => TriggerEnabled::Origin,
            "A" => TriggerEnabled::Always,
            "R" => TriggerEnabled::Replica,
            "D" => TriggerEnabled::Disabled,
            other => return Err(r.bad(format!("unknown tgenabled {other:?}"))),
        };
        let name: String = r.get("name")?;
        let function = QualifiedName {
            schema: r.get("fn_schema")?,
            name: r.get("fn_name")?,
        };
        let definition: String = r.get("definition")?;
        let is_constraint_trigger: bool = r.get("is_constraint")?;
        let is_clone: bool = r.get("is_clone")?;
        let table = self.owner(r)?;
        let (timing, events, level) = decode_tgtype(tgtype);
        table.triggers.push(Trigger {
            name,
            table: QualifiedName {
                schema: table.schema.clone(),
                name: table.name.clone(),
            },
            timing,
            events,
            level,
            function,
            enabled,
            definition,
            is_constraint_trigger,
            is_clone,
        });
        Ok(())
    }

    /// Query 9: one policy.
    pub(super) fn policy(&mut self, row: &PgRow) -> Result<(), CatalogError> {
        let r = Row::new(row, "policies");
        let command = match r.get::<String>("command")?.as_str() {
            "*" => PolicyCommand::All,
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            other => return Err(r.bad(format!("unknown polcmd {other:?}"))),
        };
        let name: String = r.get("name")?;
        let permissive: bool = r.get("permissive")?;
        let roles = r.array("roles")?.unwrap_or_default();
        let using_expr: Option<String> = r.get("using_expr")?;
        let with_check_expr: Option<String> = r.get("with_check_expr")?;
        let table = self.owner(r)?;
        table.policies.push(Policy {
            name,
            table: QualifiedName {
                schema: table.schema.clone(),
                name: table.name.clone(),
            },
            permissive,
            command,
            // A role dropped concurrently cannot appear (the snapshot is consistent).
            roles: roles.into_iter().flatten().collect(),
            using_expr,
            with_check_expr,
        });
        Ok(())
    }

    /// The tables in (schema, name) order, and what hangs off each in its own order: columns
    /// by position, the rest by name (byte order, as `COLLATE "C"`).
    pub(super) fn finish(self) -> Vec<Table> {
        let mut tables = self.tables;
        for t in &mut tables {
            t.columns.sort_by_key(|c| c.position);
            t.constraints.sort_by(|a, b| a.name.cmp(&b.name));
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            t.triggers.sort_by(|a, b| a.name.cmp(&b.name));
            t.policies.sort_by(|a, b| a.name.cmp(&b.name));
            // Rows arrive one by one: without this, growth leaves a third of the lists
            // unused (~10 MB at 10,000 tables).
            t.columns.shrink_to_fit();
            t.constraints.shrink_to_fit();
            t.indexes.shrink_to_fit();
            t.triggers.shrink_to_fit();
            t.policies.shrink_to_fit();
        }
        tables.shrink_to_fit();
        tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        tables
    }
}

/// `pg_class.relkind` of a table-like relation.
pub(super) fn relation_kind(r: &Row<'_>, relkind: &str) -> Result<RelationKind, CatalogError> {
    Ok(match relkind {
        "r" => RelationKind::Table,
        "p" => RelationKind::PartitionedTable,
        "v" => RelationKind::View,
        "m" => RelationKind::MaterializedView,
        "f" => RelationKind::ForeignTable,
        other => return Err(r.bad(format!("unknown relkind {other:?}"))),
    })
}

/// Splits `pg_trigger.tgtype` (see `TRIGGER_TYPE_*` in PostgreSQL's `pg_trigger.h`).
fn decode_tgtype(t: i32) -> (TriggerTiming, Vec<TriggerEvent>, TriggerLevel) {
    let level = if t & 1 != 0 {
        TriggerLevel::Row
    } else {
        TriggerLevel::Statement
    };
    let timing = if t & 2 != 0 {
        TriggerTiming::Before
    } else if t & 64 != 0 {
        TriggerTiming::InsteadOf
    } else {
        TriggerTiming::After
    };
    let events = [
        (4, TriggerEvent::Insert),
        (16, TriggerEvent::Update),
        (8, TriggerEvent::Delete),
        (32, TriggerEvent::Truncate),
    ]
    .into_iter()
    .filter(|(bit, _)| t & bit != 0)
    .map(|(_, e)| e)
    .collect();
    (timing, events, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgtype_bits() {
        // BEFORE INSERT OR UPDATE ... FOR EACH ROW = ROW | BEFORE | INSERT | UPDATE.
        let (timing, events, level) = decode_tgtype(1 | 2 | 4 | 16);
        assert_eq!(timing, TriggerTiming::Before);
        assert_eq!(events, vec![TriggerEvent::Insert, TriggerEvent::Update]);
        assert_eq!(level, TriggerLevel::Row);
        let (timing, events, level) = decode_tgtype(64 | 8 | 1);
        assert_eq!(timing, TriggerTiming::InsteadOf);
        assert_eq!(events, vec![TriggerEvent::Delete]);
        assert_eq!(level, TriggerLevel::Row);
        let (timing, events, level) = decode_tgtype(32);
        assert_eq!(timing, TriggerTiming::After);
        assert_eq!(events, vec![TriggerEvent::Truncate]);
        assert_eq!(level, TriggerLevel::Statement);
    }

    #[test]
    fn reloption_booleans() {
        for yes in ["true", "on", "1", "yes", "t", "TRUE", "y"] {
            assert!(reloption_bool(yes), "{yes}");
        }
        for no in ["false", "off", "0", "no", "f", ""] {
            assert!(!reloption_bool(no), "{no}");
        }
        let opts = vec![
            "check_option=local".to_string(),
            "security_invoker=on".into(),
        ];
        assert_eq!(option(&opts, "security_invoker"), Some("on"));
        assert_eq!(option(&opts, "check_option"), Some("local"));
        assert_eq!(option(&opts, "security"), None);
    }
}
