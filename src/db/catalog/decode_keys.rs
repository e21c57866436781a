//! Decoding constraints (query 4) and indexes (query 5) row by row: column numbers named from
//! the columns already read, definitions assembled by `deparse.rs` when the server did not
//! send one. Indexes neither side could spell wait for the follow-up exchange.

use sqlx::postgres::PgRow;

use super::decode_tables::Tables;
use super::deparse::{Deparser, ForeignParts, IndexParts, KeyParts};
use super::read::Row;
use super::{CatalogError, Constraint, ConstraintKind, FkAction, FkMatch, ForeignKey, Index};

/// An index whose definition the follow-up exchange asks the server for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Unspelled {
    pub oid: i64,
    pub table: usize,
    pub index: usize,
}

/// The names of `attnums` in table `t`.
fn names(
    tables: &Tables,
    t: usize,
    attnums: &[i64],
    r: Row<'_>,
) -> Result<Vec<String>, CatalogError> {
    attnums
        .iter()
        .map(|&n| {
            tables
                .column_name(t, n)
                .map(str::to_string)
                .ok_or_else(|| r.bad(format!("no column number {n}")))
        })
        .collect()
}

pub(super) fn constraint(
    tables: &mut Tables,
    d: &Deparser,
    row: &PgRow,
) -> Result<(), CatalogError> {
    let r = Row::new(row, "constraints");
    let t = tables.owner_index(r)?;
    let code: String = r.get("kind")?;
    let kind = match code.as_str() {
        "p" => ConstraintKind::PrimaryKey,
        "f" => ConstraintKind::ForeignKey,
        "u" => ConstraintKind::Unique,
        "c" => ConstraintKind::Check,
        "x" => ConstraintKind::Exclusion,
        "n" => ConstraintKind::NotNull,
        other => return Err(r.bad(format!("unknown contype {other:?}"))),
    };
    let columns = names(tables, t, &r.numbers("conkey")?, r)?;
    let foreign_key = if kind == ConstraintKind::ForeignKey {
        let ref_oid: i64 = r.get("ref_oid")?;
        let confkey = r.numbers("confkey")?;
        // Named by the server when the referenced table is outside the snapshot.
        let referenced_columns = match (r.opt_strings("ref_columns")?, tables.index_of(ref_oid)) {
            (Some(n), _) => n,
            (None, Some(rt)) => names(tables, rt, &confkey, r)?,
            (None, None) => return Err(r.bad(format!("no columns for relation oid {ref_oid}"))),
        };
        Some(ForeignKey {
            referenced_schema: r.get("ref_schema")?,
            referenced_table: r.get("ref_table")?,
            referenced_columns,
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
    let validated: bool = r.get("validated")?;
    let deferrable: bool = r.get("deferrable")?;
    let deferred: bool = r.get("deferred")?;
    let definition = match r.get::<Option<String>>("definition")? {
        Some(def) => def,
        None => {
            let key = r.numbers("index_key")?;
            let nkey =
                usize::try_from(r.get::<Option<i32>>("index_nkey")?.unwrap_or(0)).unwrap_or(0);
            let include = names(tables, t, key.get(nkey..).unwrap_or_default(), r)?;
            let visible = r.get::<Option<bool>>("ref_visible")?.unwrap_or(false);
            let foreign = foreign_key.as_ref().map(|f| ForeignParts {
                schema: &f.referenced_schema,
                table: &f.referenced_table,
                visible,
                columns: &f.referenced_columns,
                on_update: f.on_update,
                on_delete: f.on_delete,
                match_type: f.match_type,
            });
            d.key(&KeyParts {
                kind: &code,
                columns: &columns,
                include: &include,
                nulls_not_distinct: r.get("nulls_not_distinct")?,
                deferrable,
                deferred,
                validated,
                foreign,
            })
            .ok_or_else(|| r.bad(format!("no definition for a {code:?} constraint")))?
        }
    };
    tables.tables[t].constraints.push(Constraint {
        name: r.get("name")?,
        kind,
        columns,
        definition,
        validated,
        deferrable,
        initially_deferred: deferred,
        is_local: r.get("is_local")?,
        foreign_key,
        comment: r.get("comment")?,
    });
    Ok(())
}

/// One index; `Some` when its definition is still to be asked for.
pub(super) fn index(
    tables: &mut Tables,
    d: &Deparser,
    row: &PgRow,
) -> Result<Option<Unspelled>, CatalogError> {
    let r = Row::new(row, "indexes");
    let t = tables.owner_index(r)?;
    let keys = r.numbers("indkey")?;
    let nkey = usize::try_from(r.get::<i32>("nkey")?)
        .unwrap_or(0)
        .min(keys.len());
    let named = |attnums: &[i64]| -> Vec<Option<String>> {
        attnums
            .iter()
            .map(|&n| tables.column_name(t, n).map(str::to_string))
            .collect()
    };
    let columns = named(&keys[..nkey]);
    let include_columns: Vec<String> = named(&keys[nkey..]).into_iter().flatten().collect();
    let name: String = r.get("name")?;
    let method: String = r.get("method")?;
    let is_unique: bool = r.get("is_unique")?;
    let nulls_not_distinct: bool = r.get("nulls_not_distinct")?;
    let mut unspelled = false;
    let definition = match r.get::<Option<String>>("definition")? {
        Some(def) => def,
        None => {
            let table = &tables.tables[t];
            let parts = IndexParts {
                name: &name,
                schema: &table.schema,
                table: &table.name,
                method: &method,
                am: r.get("am_oid")?,
                unique: is_unique,
                nulls_not_distinct,
                keys: &keys,
                nkey,
                classes: &r.numbers("indclass")?,
                collations: &r.numbers("indcollation")?,
            };
            d.index(&parts, &tables.meta[t], |i| table.columns[i].name.as_str())
                .unwrap_or_else(|| {
                    unspelled = true;
                    String::new()
                })
        }
    };
    let index = Index {
        name,
        definition,
        columns,
        include_columns,
        expressions: r.get("expressions")?,
        is_unique,
        is_primary: r.get("is_primary")?,
        nulls_not_distinct,
        predicate: r.get("predicate")?,
        method,
        is_valid: r.get("is_valid")?,
        is_ready: r.get("is_ready")?,
        constraint: r.get("constraint_name")?,
    };
    let oid: i64 = r.get("oid")?;
    let indexes = &mut tables.tables[t].indexes;
    indexes.push(index);
    Ok(unspelled.then_some(Unspelled {
        oid,
        table: t,
        index: indexes.len() - 1,
    }))
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
