//! Decoding relations (query 2) and what hangs off them: columns, constraints, indexes,
//! triggers and policies, matched to their table by oid.

use std::collections::HashMap;

use sqlx::postgres::PgRow;

use super::decode_info::parse_acl;
use super::read::Row;
use super::{
    CatalogError, Column, Constraint, ConstraintKind, FkAction, FkMatch, ForeignKey, IdentityKind,
    Index, Policy, PolicyCommand, QualifiedName, RelationKind, Sequence, SequenceOwner, Snapshot,
    Table, Trigger, TriggerEnabled, TriggerEvent, TriggerLevel, TriggerTiming,
};

/// Tables being assembled, found by oid.
pub(super) struct Tables {
    tables: Vec<Table>,
    by_oid: HashMap<i64, usize>,
}

/// Splits query 2 into tables (kept here) and sequences (pushed into the snapshot).
pub(super) fn relations(
    rows: &[PgRow],
    version_num: i32,
    snap: &mut Snapshot,
) -> Result<Tables, CatalogError> {
    let mut out = Tables {
        tables: Vec::new(),
        by_oid: HashMap::new(),
    };
    for row in rows {
        let r = Row::new(row, "relations");
        let schema: String = r.get("schema")?;
        let name: String = r.get("name")?;
        let what = || format!("relation {schema:?}.{name:?}");
        let (acl, acl_is_default) = parse_acl(r.get("acl")?, &what, &mut snap.warnings);
        let kind: String = r.get("kind")?;
        if kind == "S" {
            snap.sequences
                .push(sequence(r, schema, name, acl, acl_is_default)?);
            continue;
        }
        let kind = match kind.as_str() {
            "r" => RelationKind::Table,
            "p" => RelationKind::PartitionedTable,
            "v" => RelationKind::View,
            "m" => RelationKind::MaterializedView,
            "f" => RelationKind::ForeignTable,
            other => return Err(r.bad(format!("unknown relkind {other:?}"))),
        };
        let options: Vec<String> = r.get::<Option<Vec<String>>>("options")?.unwrap_or_default();
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
        out.tables.push(Table {
            kind,
            owner: r.get("owner")?,
            rls_enabled: r.get("rls_enabled")?,
            rls_forced: r.get("rls_forced")?,
            row_estimate: reltuples as i64,
            size_bytes: r.get("size_bytes")?,
            comment: r.get("comment")?,
            columns: Vec::new(),
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
            extension: r.get("extension")?,
            definition: r.get("definition")?,
            security_invoker,
            check_option,
            options,
            schema,
            name,
        });
    }
    Ok(out)
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
    /// The table a row belongs to (rows of relations outside the snapshot are errors).
    fn owner(&mut self, r: Row<'_>) -> Result<&mut Table, CatalogError> {
        let oid: i64 = r.get("relid")?;
        let i = *self
            .by_oid
            .get(&oid)
            .ok_or_else(|| r.bad(format!("row for unknown relation oid {oid}")))?;
        Ok(&mut self.tables[i])
    }

    pub(super) fn columns(&mut self, rows: &[PgRow]) -> Result<(), CatalogError> {
        for row in rows {
            let r = Row::new(row, "columns");
            let expr: Option<String> = r.get("expr")?;
            let generated = r.get::<String>("generated")? == "s";
            let identity = match r.get::<String>("identity")?.as_str() {
                "a" => Some(IdentityKind::Always),
                "d" => Some(IdentityKind::ByDefault),
                _ => None,
            };
            let column = Column {
                name: r.get("name")?,
                position: r.get("position")?,
                data_type: r.get("data_type")?,
                not_null: r.get("not_null")?,
                default: if generated { None } else { expr.clone() },
                identity,
                generated: if generated { expr } else { None },
                collation: r.get("collation")?,
                comment: r.get("comment")?,
            };
            self.owner(r)?.columns.push(column);
        }
        Ok(())
    }

    pub(super) fn constraints(&mut self, rows: &[PgRow]) -> Result<(), CatalogError> {
        for row in rows {
            let r = Row::new(row, "constraints");
            let kind = match r.get::<String>("kind")?.as_str() {
                "p" => ConstraintKind::PrimaryKey,
                "f" => ConstraintKind::ForeignKey,
                "u" => ConstraintKind::Unique,
                "c" => ConstraintKind::Check,
                "x" => ConstraintKind::Exclusion,
                "n" => ConstraintKind::NotNull,
                other => return Err(r.bad(format!("unknown contype {other:?}"))),
            };
            let foreign_key = if kind == ConstraintKind::ForeignKey {
                Some(ForeignKey {
                    referenced_schema: r.get("ref_schema")?,
                    referenced_table: r.get("ref_table")?,
                    referenced_columns: r.get("ref_columns")?,
                    on_delete: fk_action(r, "on_delete")?,
                    on_update: fk_action(r, "on_update")?,
                    match_type: match r.get::<String>("match_type")?.as_str() {
                        "f" => FkMatch::Full,
                        "p" => FkMatch::Partial,
                        _ => FkMatch::Simple,
                    },
                })
            } else {
                None
            };
            let constraint = Constraint {
                name: r.get("name")?,
                kind,
                columns: r.get("columns")?,
                definition: r.get("definition")?,
                validated: r.get("validated")?,
                deferrable: r.get("deferrable")?,
                initially_deferred: r.get("deferred")?,
                is_local: r.get("is_local")?,
                foreign_key,
            };
            self.owner(r)?.constraints.push(constraint);
        }
        Ok(())
    }

    pub(super) fn indexes(&mut self, rows: &[PgRow]) -> Result<(), CatalogError> {
        for row in rows {
            let r = Row::new(row, "indexes");
            let include: Vec<Option<String>> = r.get("include_columns")?;
            let index = Index {
                name: r.get("name")?,
                definition: r.get("definition")?,
                columns: r.get("key_columns")?,
                include_columns: include.into_iter().flatten().collect(),
                expressions: r.get("expressions")?,
                is_unique: r.get("is_unique")?,
                is_primary: r.get("is_primary")?,
                nulls_not_distinct: r.get("nulls_not_distinct")?,
                predicate: r.get("predicate")?,
                method: r.get("method")?,
                is_valid: r.get("is_valid")?,
                is_ready: r.get("is_ready")?,
                constraint: r.get("constraint_name")?,
            };
            self.owner(r)?.indexes.push(index);
        }
        Ok(())
    }

    pub(super) fn triggers(&mut self, rows: &[PgRow]) -> Result<(), CatalogError> {
        for row in rows {
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
        }
        Ok(())
    }

    pub(super) fn policies(&mut self, rows: &[PgRow]) -> Result<(), CatalogError> {
        for row in rows {
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
            let roles: Vec<Option<String>> = r.get("roles")?;
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
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Vec<Table> {
        self.tables
    }
}

fn fk_action(r: Row<'_>, column: &str) -> Result<FkAction, CatalogError> {
    Ok(match r.get::<String>(column)?.as_str() {
        "a" => FkAction::NoAction,
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        other => return Err(r.bad(format!("unknown foreign key action {other:?}"))),
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
