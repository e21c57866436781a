//! Foreign-key columns take the type of the key they reference: the database's when the
//! referenced table exists, else the checklist's own spec of the referenced column (a chain of
//! new tables), with `serial` and `bigserial` read as the integers they are.

use super::{Adaptation, AdaptationKind};
use crate::checklist::{Checklist, parse_reference};
use crate::db::catalog::{ConstraintKind, Snapshot};
use crate::sql::types;

/// `integer` for `serial`, `bigint` for `bigserial`, `smallint` for `smallserial`.
fn stored_type(t: &str) -> String {
    match t.trim().to_ascii_lowercase().as_str() {
        "serial" | "serial4" => "integer".into(),
        "bigserial" | "serial8" => "bigint".into(),
        "smallserial" | "serial2" => "smallint".into(),
        _ => t.trim().to_string(),
    }
}

fn integer(t: &str, ds: &str) -> bool {
    matches!(
        types::parse(t, ds).base.as_str(),
        "smallint" | "integer" | "bigint"
    )
}

/// The type of column `col` of `schema.table` (its primary key's `k`-th column when `col` is
/// None): the database's, else the checklist's.
fn referenced_type(
    snap: &Snapshot,
    c: &Checklist,
    schema: &str,
    table: &str,
    col: Option<&str>,
    k: usize,
) -> Option<(String, String)> {
    if let Some(t) = snap.table(schema, table) {
        let name = match col {
            Some(c) => c.to_string(),
            None => t
                .constraints
                .iter()
                .find(|x| x.kind == ConstraintKind::PrimaryKey)?
                .columns
                .get(k)?
                .clone(),
        };
        let found = t.columns.iter().find(|x| x.name == name)?;
        return Some((name, found.data_type.to_string()));
    }
    let item = c.file.tables.iter().map(|t| t.get_ref()).find(|t| {
        c.qualify(&t.name, t.schema.as_deref()) == (schema.to_string(), table.to_string())
    })?;
    let name = match col {
        Some(c) => c.to_string(),
        None => item.primary_key.as_ref()?.get(k)?.clone(),
    };
    let spec = item.columns.iter().find(|x| x.get_ref().name == name)?;
    let ty = spec.get_ref().data_type.as_deref()?;
    Some((name, stored_type(ty)))
}

/// One change: table index, column name, the new type, whether its stated default goes (it
/// belongs to the stated type), and the note.
type Change = (usize, String, String, bool, Adaptation);

/// The checklist's table item `schema.table`, by index.
fn item_index(c: &Checklist, schema: &str, table: &str) -> Option<usize> {
    c.file.tables.iter().position(|t| {
        let t = t.get_ref();
        c.qualify(&t.name, t.schema.as_deref()) == (schema.to_string(), table.to_string())
    })
}

/// A key that exists keeps the database's type (ids are integer, bigint or uuid as the
/// database made them, and no fix can turn one into another): the checklist's spec of an
/// existing primary key or referenced column is written as the database has it, and a default
/// stated with the other type goes with it.
fn existing_keys(c: &Checklist, snap: &Snapshot, out: &mut Vec<Change>) {
    let ds = c.default_schema();
    let mut keys: Vec<(String, String, Vec<String>)> = Vec::new();
    for t in &c.file.tables {
        let (s, n) = c.qualify(&t.get_ref().name, t.get_ref().schema.as_deref());
        keys.push((s, n, Vec::new()));
        for fk in &t.get_ref().foreign_keys {
            if let Some((rs, rt, rcols)) = parse_reference(&fk.get_ref().references) {
                keys.push((rs.unwrap_or_else(|| ds.to_string()), rt, rcols));
            }
        }
    }
    for (rs, rt, rcols) in keys {
        let (Some(table), Some(ti)) = (snap.table(&rs, &rt), item_index(c, &rs, &rt)) else {
            continue;
        };
        let keys: Vec<String> = if rcols.is_empty() {
            table
                .constraints
                .iter()
                .find(|x| x.kind == ConstraintKind::PrimaryKey)
                .map(|x| x.columns.clone())
                .unwrap_or_default()
        } else {
            rcols
        };
        for key in keys {
            let Some(actual) = table.columns.iter().find(|x| x.name == key) else {
                continue;
            };
            let item = c.file.tables[ti].get_ref();
            let Some(spec) = item
                .columns
                .iter()
                .map(|s| s.get_ref())
                .find(|s| s.name == key)
            else {
                continue;
            };
            let Some(stated) = spec.data_type.as_deref() else {
                continue;
            };
            let stated_stored = stored_type(stated);
            if types::matches(&stated_stored, &actual.data_type, ds)
                || out.iter().any(|ch| ch.0 == ti && ch.1 == key)
            {
                continue;
            }
            let note = Adaptation {
                checklist: c.source.clone(),
                object: format!("column {rt}.{key}"),
                change: format!(
                    "{}, as the database has it: a key keeps its type (the checklist says {stated})",
                    actual.data_type
                ),
                kind: AdaptationKind::KeyType,
            };
            let clear = spec.default.is_some() || spec.identity.is_some();
            out.push((ti, key, actual.data_type.to_string(), clear, note));
        }
    }
}

fn changes(c: &Checklist, snap: &Snapshot) -> Vec<Change> {
    let ds = c.default_schema();
    let mut out = Vec::new();
    existing_keys(c, snap, &mut out);
    for (ti, t) in c.file.tables.iter().enumerate() {
        let t = t.get_ref();
        let (schema, name) = c.qualify(&t.name, t.schema.as_deref());
        let existing = snap.table(&schema, &name);
        for fk in &t.foreign_keys {
            let fk = fk.get_ref();
            let Some((rs, rt, rcols)) = parse_reference(&fk.references) else {
                continue;
            };
            let rs = rs.unwrap_or_else(|| ds.to_string());
            for (k, col) in fk.columns.iter().enumerate() {
                let Some(spec) = t
                    .columns
                    .iter()
                    .map(|s| s.get_ref())
                    .find(|s| s.name == col)
                else {
                    continue;
                };
                let Some(stated) = spec.data_type.as_deref() else {
                    continue;
                };
                let Some((rcol, rtype)) =
                    referenced_type(snap, c, &rs, &rt, rcols.get(k).map(String::as_str), k)
                else {
                    continue;
                };
                if types::matches(stated, &rtype, ds) || types::matches(&rtype, stated, ds) {
                    continue;
                }
                // An existing column of another integer width references the key as it is.
                let actual = existing
                    .and_then(|e| e.columns.iter().find(|x| x.name == col))
                    .map(|x| x.data_type.to_string());
                let new = match actual {
                    Some(a) if integer(&a, ds) && integer(&rtype, ds) => a,
                    _ => rtype.clone(),
                };
                if types::matches(stated, &new, ds) {
                    continue;
                }
                let note = Adaptation {
                    checklist: c.source.clone(),
                    object: format!("column {name}.{col}"),
                    change: format!(
                        "{new}, the type of the referenced key {rt}.{rcol} (the checklist says {stated})"
                    ),
                    kind: AdaptationKind::ForeignKeyType,
                };
                out.push((ti, col.clone(), new, false, note));
            }
        }
    }
    out
}

/// Gives every foreign-key column of `c` its referenced key's type; the changes in words.
pub(super) fn type_foreign_keys(c: &mut Checklist, snap: &Snapshot) -> Vec<Adaptation> {
    let mut notes: Vec<Adaptation> = Vec::new();
    // A chain of new tables settles in as many rounds as it is long.
    for _ in 0..16 {
        let found = changes(c, snap);
        if found.is_empty() {
            break;
        }
        for (ti, col, new, clear, note) in found {
            let t = c.file.tables[ti].get_mut();
            if let Some(spec) = t.columns.iter_mut().find(|s| s.get_ref().name == col) {
                let spec = spec.get_mut();
                spec.data_type = Some(new.into());
                if clear {
                    spec.default = None;
                    spec.identity = None;
                }
            }
            notes.retain(|n| n.object != note.object);
            notes.push(note);
        }
    }
    notes
}
