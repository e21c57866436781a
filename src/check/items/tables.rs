//! `[[table]]` items: the table, its columns, keys, constraints and RLS state.

use crate::checklist::assumed::{assumption, either};
use crate::checklist::{RlsState, TableItem, parse_fk_action, parse_reference};
use crate::db::catalog::{ConstraintKind, RelationKind, Table};
use crate::rules::{ItemKind, ItemRule};
use crate::sql::quote_ident;
use crate::sql::types;

use super::{Ctx, Item, q};
use crate::check::ItemResult;

pub(crate) fn rls_state(t: &Table) -> RlsState {
    match (t.rls_enabled, t.rls_forced) {
        (false, _) => RlsState::Disabled,
        (true, false) => RlsState::Enabled,
        (true, true) => RlsState::Forced,
    }
}

pub(crate) fn rls_word(s: RlsState) -> &'static str {
    match s {
        RlsState::Disabled => "disabled",
        RlsState::Enabled => "enabled",
        RlsState::Forced => "forced",
    }
}

/// A table (not a view) by schema and name.
pub(crate) fn find_table<'a>(ctx: &Ctx<'a>, schema: &str, name: &str) -> Option<&'a Table> {
    // `Snapshot::table` is a binary search; relation names are unique per schema.
    ctx.snap.table(schema, name).filter(|t| {
        matches!(
            t.kind,
            RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
        )
    })
}

pub(crate) fn tables(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for spanned in &ctx.cl.file.tables {
        let spec = spanned.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::Table,
            object.clone(),
            spanned.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        match find_table(ctx, &schema, &name) {
            None => {
                let other = ctx.snap.table(&schema, &name);
                let actual = match other {
                    Some(t) => format!("a {:?} of that name", t.kind).to_lowercase(),
                    None => "absent".to_string(),
                };
                let cols: Vec<String> = spec
                    .columns
                    .iter()
                    .map(|c| quote_ident(&c.get_ref().name))
                    .collect();
                item.fail(
                    ItemRule::TableMissing,
                    object.clone(),
                    format!("table {object} does not exist"),
                )
                .expected_actual(format!("table with columns {}", cols.join(", ")), actual);
            }
            Some(t) => check_table(ctx, spec, t, &mut item),
        }
        item.done(out);
    }
}

trait ExpectedActual {
    fn expected_actual(&mut self, e: String, a: String) -> &mut Self;
}

impl ExpectedActual for crate::check::Finding {
    fn expected_actual(&mut self, e: String, a: String) -> &mut Self {
        self.expected = Some(e);
        self.actual = Some(a);
        self
    }
}

fn check_table(ctx: &Ctx, spec: &TableItem, t: &Table, item: &mut Item) {
    let table = q(&t.schema, &t.name);
    let ds = ctx.cl.default_schema();
    for c in &spec.columns {
        let c = c.get_ref();
        let object = format!("{table}.{}", quote_ident(&c.name));
        let mark = item.mark();
        let Some(col) = t.columns.iter().find(|x| x.name == c.name) else {
            let ty = c.data_type.clone().unwrap_or_else(|| "any type".into());
            item.fail_with(
                ItemRule::ColumnMissing,
                object.clone(),
                format!("column {object} does not exist"),
                c.severity,
                c.why.as_deref(),
            )
            .expected_actual(ty.to_string(), "absent".into());
            item.assume_since(mark, assumption(&c.assumed));
            continue;
        };
        if let Some(ty) = &c.data_type
            && !types::matches(ty, &col.data_type, ds)
        {
            item.fail_with(
                ItemRule::ColumnType,
                object.clone(),
                format!("column {object} has type {}, expected {ty}", col.data_type),
                c.severity,
                c.why.as_deref(),
            )
            .expected_actual(ty.to_string(), col.data_type.to_string());
        }
        if let Some(nullable) = c.nullable
            && nullable == col.not_null
        {
            let word = |n: bool| if n { "nullable" } else { "NOT NULL" };
            item.fail_with(
                ItemRule::ColumnNullable,
                object.clone(),
                format!(
                    "column {object} is {}, expected {}",
                    word(!col.not_null),
                    word(nullable)
                ),
                c.severity,
                c.why.as_deref(),
            )
            .expected_actual(word(nullable).into(), word(!col.not_null).into());
        }
        if let Some(def) = &c.default {
            let actual = col
                .default
                .clone()
                .or_else(|| col.identity.map(|_| "identity".to_string()));
            let ok = actual
                .as_deref()
                .is_some_and(|a| types::normalize_default(a) == types::normalize_default(def));
            if !ok {
                let shown = actual.unwrap_or_else(|| "no default".into());
                item.fail_with(
                    ItemRule::ColumnDefault,
                    object.clone(),
                    format!("column {object} defaults to {shown}, expected {def}"),
                    c.severity,
                    c.why.as_deref(),
                )
                .expected_actual(def.to_string(), shown);
            }
        }
        item.assume_since(mark, either(&c.type_assumed, &c.assumed));
    }
    if let Some(pk) = &spec.primary_key {
        let actual = t
            .constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey);
        // `primary_key = []`: the table has none, deliberately.
        let differs = match actual {
            None => !pk.is_empty(),
            Some(c) => &c.columns != pk,
        };
        if differs {
            let shown = actual.map_or("no primary key".to_string(), |c| {
                format!("({})", c.columns.join(", "))
            });
            item.fail(
                ItemRule::TablePrimaryKey,
                table.clone(),
                format!(
                    "{table} primary key is {shown}, expected ({})",
                    pk.join(", ")
                ),
            )
            .expected_actual(format!("({})", pk.join(", ")), shown);
        }
    }
    foreign_keys(ctx, spec, t, item);
    super::lossless::table(ctx, spec, t, item);
    for u in &spec.unique {
        let u = u.get_ref();
        let mark = item.mark();
        let mut want = u.columns.clone();
        want.sort();
        let has = |cols: &[String]| {
            let mut c = cols.to_vec();
            c.sort();
            c == want
        };
        let by_constraint = t.constraints.iter().any(|c| {
            matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey) && has(&c.columns)
        });
        let by_index = t.indexes.iter().any(|i| {
            i.is_unique
                && i.is_valid
                && i.predicate.is_none()
                && i.columns.iter().all(Option::is_some)
                && has(&i.columns.iter().flatten().cloned().collect::<Vec<_>>())
        });
        if !by_constraint && !by_index {
            item.fail_with(
                ItemRule::UniqueMissing,
                table.clone(),
                format!(
                    "{table} has no unique constraint on ({})",
                    u.columns.join(", ")
                ),
                u.severity,
                u.why.as_deref(),
            )
            .expected_actual(format!("UNIQUE ({})", u.columns.join(", ")), "none".into())
            .id = format!("unique.missing:{table}({})", u.columns.join(", "));
        }
        item.assume_since(mark, assumption(&u.assumed));
    }
    for ch in &spec.checks {
        let ch = ch.get_ref();
        let mark = item.mark();
        let checks = || {
            t.constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::Check)
        };
        let found = match (&ch.name, &ch.expression) {
            (Some(n), _) => checks().any(|c| &c.name == n),
            (None, Some(e)) => {
                checks().any(|c| types::expr_key(&c.definition).contains(&types::expr_key(e)))
            }
            (None, None) => true,
        };
        if !found {
            let what = ch
                .name
                .clone()
                .or_else(|| ch.expression.clone())
                .unwrap_or_default();
            item.fail_with(
                ItemRule::CheckMissing,
                table.clone(),
                format!("{table} lacks CHECK {what}"),
                ch.severity,
                ch.why.as_deref(),
            )
            .expected_actual(what.clone(), "absent".into())
            .id = format!("check.missing:{table}/{what}");
        }
        item.assume_since(mark, assumption(&ch.assumed));
    }
    if let Some(want) = spec.rls {
        let have = rls_state(t);
        if have != want {
            item.fail_with(
                ItemRule::TableRls,
                table.clone(),
                format!(
                    "row-level security on {table} is {}, expected {}",
                    rls_word(have),
                    rls_word(want)
                ),
                Some(ItemKind::Rls.default_severity())
                    .filter(|_| want != RlsState::Disabled)
                    .or(spec.severity),
                None,
            )
            .expected_actual(rls_word(want).into(), rls_word(have).into());
        }
    }
}

fn foreign_keys(ctx: &Ctx, spec: &TableItem, t: &Table, item: &mut Item) {
    let table = q(&t.schema, &t.name);
    for fk in &spec.foreign_keys {
        let fk = fk.get_ref();
        let mark = item.mark();
        let Some((ref_schema, ref_table, ref_cols)) = parse_reference(&fk.references) else {
            continue; // rejected when the checklist was loaded
        };
        let ref_schema = ref_schema.unwrap_or_else(|| ctx.cl.default_schema().to_string());
        let ref_cols = if ref_cols.is_empty() {
            ctx.snap
                .table(&ref_schema, &ref_table)
                .and_then(|rt| {
                    rt.constraints
                        .iter()
                        .find(|c| c.kind == ConstraintKind::PrimaryKey)
                })
                .map(|c| c.columns.clone())
                .unwrap_or_default()
        } else {
            ref_cols
        };
        let label = format!(
            "({}) REFERENCES {}({})",
            fk.columns.join(", "),
            q(&ref_schema, &ref_table),
            ref_cols.join(", ")
        );
        let found = t
            .constraints
            .iter()
            .filter_map(|c| c.foreign_key.as_ref().map(|f| (c, f)))
            .find(|(c, f)| {
                c.columns == fk.columns
                    && f.referenced_schema == ref_schema
                    && f.referenced_table == ref_table
                    && (ref_cols.is_empty() || f.referenced_columns == ref_cols)
            });
        let Some((c, f)) = found else {
            item.fail_with(
                ItemRule::FkMissing,
                table.clone(),
                format!("{table} lacks FOREIGN KEY {label}"),
                fk.severity,
                fk.why.as_deref(),
            )
            .expected_actual(format!("FOREIGN KEY {label}"), "absent".into())
            .id = format!("fk.missing:{table}({})", fk.columns.join(", "));
            item.assume_since(mark, assumption(&fk.assumed));
            continue;
        };
        for (want, have, what) in [
            (&fk.on_delete, f.on_delete, "ON DELETE"),
            (&fk.on_update, f.on_update, "ON UPDATE"),
        ] {
            if let Some(want) = want
                && parse_fk_action(want) != Some(have)
            {
                let have_word = format!("{have:?}").to_ascii_uppercase();
                item.fail_with(
                    ItemRule::FkAction,
                    format!("{table}.{}", quote_ident(&c.name)),
                    format!(
                        "foreign key {} on {table} is {what} {have_word}, expected {what} {}",
                        quote_ident(&c.name),
                        want.to_uppercase()
                    ),
                    fk.severity,
                    fk.why.as_deref(),
                )
                .expected_actual(
                    format!("{what} {}", want.to_uppercase()),
                    format!("{what} {have_word}"),
                );
            }
        }
        item.assume_since(mark, assumption(&fk.assumed));
    }
}
