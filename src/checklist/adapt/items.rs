//! Walking a checklist's items: every name they state is resolved ([`Names`]) and written back
//! as the database spells it, then every SQL text is rewritten with what was resolved.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::AdaptationKind;
use super::names::{Names, quoted};
use super::rewrite::Maps;
use crate::checklist::{Checklist, IndexKey, parse_reference, split_path};
use crate::db::catalog::RelationKind;
use crate::sql::quote_ident;

/// The columns resolved per table: (schema, actual table) → stated → actual.
type Local = BTreeMap<(String, String), BTreeMap<String, String>>;

/// A name part as the checklist's own name syntax reads it back (quoted only when it must be).
pub(super) fn part(name: &str) -> String {
    if name.contains(['.', '"', '(', ')', ',']) || name.contains(char::is_whitespace) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    }
}

/// `written` (a relation's name as the item writes it) respelled with the actual name.
fn respell(
    written: &str,
    separate_schema: bool,
    schema: &str,
    stated: &str,
    actual: &str,
) -> String {
    if stated == actual {
        written.to_string()
    } else if !separate_schema && split_path(written).len() == 2 {
        format!("{}.{}", part(schema), part(actual))
    } else if separate_schema {
        actual.to_string()
    } else {
        part(actual)
    }
}

/// Resolves a relation name as an item writes it (`name` with an optional separate schema):
/// (schema, actual name, the name respelled).
fn relation(
    c: &Checklist,
    names: &mut Names,
    written: &str,
    schema: Option<&str>,
) -> (String, String, String) {
    let (s, n) = c.qualify(written, schema);
    let actual = names.table(&s, &n);
    let spelled = respell(written, schema.is_some(), &s, &n, &actual);
    (s, actual, spelled)
}

struct Walk<'c, 'n, 's> {
    c: &'c Checklist,
    names: &'n mut Names<'s>,
    local: Local,
}

impl Walk<'_, '_, '_> {
    fn column(&mut self, schema: &str, table: &str, label: &str, name: &str) -> String {
        let actual = self.names.column(schema, table, label, name);
        self.local
            .entry((schema.to_string(), table.to_string()))
            .or_default()
            .insert(name.to_string(), actual.clone());
        actual
    }

    fn columns(&mut self, schema: &str, table: &str, label: &str, cols: &mut [String]) {
        for col in cols {
            *col = self.column(schema, table, label, col);
        }
    }

    /// `table(col, …)` of a foreign key, resolved.
    fn reference(&mut self, written: &str) -> String {
        let Some((rs, rt, rcols)) = parse_reference(written) else {
            return written.to_string();
        };
        let schema = rs
            .clone()
            .unwrap_or_else(|| self.c.default_schema().to_string());
        let actual = self.names.table(&schema, &rt);
        let cols: Vec<String> = rcols
            .iter()
            .map(|col| part(&self.column(&schema, &actual, &rt, col)))
            .collect();
        if actual == rt && cols.iter().zip(&rcols).all(|(a, b)| a == b) {
            return written.to_string();
        }
        let prefix = rs.map(|s| format!("{}.", part(&s))).unwrap_or_default();
        if cols.is_empty() {
            format!("{prefix}{}", part(&actual))
        } else {
            format!("{prefix}{}({})", part(&actual), cols.join(", "))
        }
    }
}

/// Resolves every name `c` states (pass 1), then rewrites its SQL texts (pass 2).
pub(super) fn adapt_names(c: &mut Checklist, names: &mut Names) {
    let read = c.clone();
    let mut w = Walk {
        c: &read,
        names,
        local: Local::new(),
    };
    let ds = read.default_schema().to_string();
    for v in &read.file.views {
        let v = v.get_ref();
        w.names
            .views
            .insert(read.qualify(&v.name, v.schema.as_deref()));
    }
    for e in &mut c.file.enums {
        let e = e.get_mut();
        let (s, n) = read.qualify(&e.name, e.schema.as_deref());
        let actual = w.names.enum_type(&s, &n);
        e.name = respell(&e.name, e.schema.is_some(), &s, &n, &actual);
    }
    let enums = w.names.enums.clone();
    for t in &mut c.file.tables {
        let t = t.get_mut();
        let (_, label) = read.qualify(&t.name, t.schema.as_deref());
        let (s, actual, spelled) = relation(&read, w.names, &t.name, t.schema.as_deref());
        t.name = spelled;
        for col in &mut t.columns {
            let col = col.get_mut();
            col.name = w.column(&s, &actual, &label, &col.name).into();
            if let Some(ty) = col.data_type.as_mut() {
                let base = ty.trim_end_matches("[]");
                if let Some(a) = enums.get(&(ds.clone(), base.replace('"', ""))) {
                    *ty = format!("{}{}", quote_ident(a), &ty[base.len()..]).into();
                }
            }
        }
        if let Some(pk) = t.primary_key.as_mut() {
            w.columns(&s, &actual, &label, pk);
        }
        for fk in &mut t.foreign_keys {
            let fk = fk.get_mut();
            w.columns(&s, &actual, &label, &mut fk.columns);
            fk.references = w.reference(&fk.references);
        }
        for u in &mut t.unique {
            w.columns(&s, &actual, &label, &mut u.get_mut().columns);
        }
        for parent in t.inherits.iter_mut().flatten() {
            *parent = relation(&read, w.names, parent, None).2;
        }
        if let Some(p) = t.partition_of.as_mut() {
            *p = relation(&read, w.names, p, None).2;
        }
    }
    for i in &mut c.file.indexes {
        let i = i.get_mut();
        let (_, label) = read.qualify(&i.table, i.schema.as_deref());
        let (s, actual, spelled) = relation(&read, w.names, &i.table, i.schema.as_deref());
        i.table = spelled.into();
        for key in &mut i.columns {
            match key {
                IndexKey::Column(col) => *col = w.column(&s, &actual, &label, col),
                IndexKey::Detailed(d) if d.expression.is_none() => {
                    if let Some(col) = d.column.as_mut() {
                        *col = w.column(&s, &actual, &label, col);
                    }
                }
                IndexKey::Detailed(_) => {}
            }
        }
        if let Some(inc) = i.include.as_mut() {
            w.columns(&s, &actual, &label, inc);
        }
    }
    let mut served = Vec::new();
    for (k, v) in c.file.views.iter_mut().enumerate() {
        let v = v.get_mut();
        let (_, label) = read.qualify(&v.name, v.schema.as_deref());
        let (s, actual, spelled) = relation(&read, w.names, &v.name, v.schema.as_deref());
        v.name = spelled;
        if let Some(over) = v.over.as_mut() {
            let (os, oa, spelled) = relation(&read, w.names, over, v.schema.as_deref());
            *over = spelled;
            // The table the view renames already has the view's name (`"DailyMood"` is
            // `daily_mood` in this database): nothing is left for the view to do.
            let table = w.names.snap.table(&os, &oa);
            if (&os, &oa) == (&s, &actual)
                && table.is_some_and(|t| {
                    !matches!(t.kind, RelationKind::View | RelationKind::MaterializedView)
                })
            {
                served.push(k);
                w.names.note(
                    AdaptationKind::LeftOut,
                    format!("view {label}"),
                    format!(
                        "left out: the table it reads is named {} itself",
                        quoted(&oa)
                    ),
                );
            }
        }
        if !v.snake_case
            && let Some(cols) = v.columns.as_mut()
        {
            w.columns(&s, &actual, &label, cols);
        }
    }
    for k in served.into_iter().rev() {
        c.file.views.remove(k);
    }
    for r in &mut c.file.rls {
        let r = r.get_mut();
        if let Some(t) = r.table.as_mut() {
            *t = relation(&read, w.names, t, r.schema.as_deref()).2;
        }
        for e in &mut r.except {
            *e = relation(&read, w.names, e, r.schema.as_deref()).2;
        }
    }
    for p in &mut c.file.policies {
        let p = p.get_mut();
        let (_, label) = read.qualify(&p.table, p.schema.as_deref());
        let (s, actual, spelled) = relation(&read, w.names, &p.table, p.schema.as_deref());
        p.table = spelled.into();
        if let Some(col) = p.column.as_mut() {
            *col = w.column(&s, &actual, &label, col);
        }
    }
    for t in &mut c.file.triggers {
        let t = t.get_mut();
        t.table = relation(&read, w.names, &t.table, t.schema.as_deref()).2;
    }
    for g in &mut c.file.grants {
        for on in &mut g.get_mut().on {
            if !crate::checklist::is_wildcard(on) {
                *on = relation(&read, w.names, on, None).2;
            }
        }
    }
    for cr in &mut c.file.credentials {
        let cr = cr.get_mut();
        let (_, label) = read.qualify(&cr.table, cr.schema.as_deref());
        let (s, actual, spelled) = relation(&read, w.names, &cr.table, cr.schema.as_deref());
        cr.table = spelled;
        cr.user_column = w.column(&s, &actual, &label, &cr.user_column);
        cr.hash_column = w.column(&s, &actual, &label, &cr.hash_column);
    }
    for q in &mut c.file.sequences {
        let q = q.get_mut();
        let own = read.qualify(&q.name, q.schema.as_deref()).0;
        if let Some((s, t, col)) = q.owner(&own) {
            let actual = w.names.table(&s, &t);
            let col = w.column(&s, &actual, &t, &col);
            let tc = format!("{}.{}", quote_ident(&actual), quote_ident(&col));
            q.owned_by = Some(if s == own {
                tc
            } else {
                format!("{}.{tc}", quote_ident(&s))
            });
        }
    }
    let local = std::mem::take(&mut w.local);
    let found = RefCell::new(BTreeSet::new());
    rewrite_sql(c, &read, w.names, &local, &found);
    for (object, actual) in found.into_inner() {
        w.names.note(
            AdaptationKind::Name,
            format!("{object} (in SQL)"),
            format!("the database names it {}", quoted(&actual)),
        );
    }
}

/// Pass 2: the SQL texts.
fn rewrite_sql(
    c: &mut Checklist,
    read: &Checklist,
    names: &Names,
    local: &Local,
    found: &RefCell<BTreeSet<(String, String)>>,
) {
    let columns = names.column_map();
    let ds = read.default_schema();
    let maps = |table: Option<(&str, Option<&str>)>| {
        let local = table.and_then(|(t, s)| local.get(&read.qualify(t, s)));
        Maps {
            names,
            default_schema: ds,
            columns: &columns,
            local,
            found,
        }
    };
    let fix = |m: &Maps, text: &mut Option<String>| {
        if let Some(t) = text.as_mut() {
            *t = m.rewrite(t);
        }
    };
    for t in &mut c.file.tables {
        let t = t.get_mut();
        let m = maps(Some((&t.name, t.schema.as_deref())));
        for col in &mut t.columns {
            let col = col.get_mut();
            if let Some(d) = col.default.as_mut() {
                *d = m.rewrite(d).into();
            }
            fix(&m, &mut col.generated);
            fix(&m, &mut col.backfill);
        }
        for ch in &mut t.checks {
            fix(&m, &mut ch.get_mut().expression);
        }
        for x in &mut t.exclusions {
            let x = x.get_mut();
            x.definition = m.rewrite(&x.definition);
        }
        fix(&m, &mut t.partition_by);
    }
    for i in &mut c.file.indexes {
        let i = i.get_mut();
        let m = maps(Some((&i.table, i.schema.as_deref())));
        for key in &mut i.columns {
            if let IndexKey::Detailed(d) = key {
                fix(&m, &mut d.expression);
            }
        }
        fix(&m, &mut i.predicate);
    }
    let global = maps(None);
    for v in &mut c.file.views {
        fix(&global, &mut v.get_mut().definition);
    }
    for p in &mut c.file.policies {
        let p = p.get_mut();
        let m = maps(Some((&p.table, p.schema.as_deref())));
        fix(&m, &mut p.using);
        fix(&m, &mut p.with_check);
    }
    for t in &mut c.file.triggers {
        let t = t.get_mut();
        let m = maps(Some((&t.table, t.schema.as_deref())));
        fix(&m, &mut t.definition);
    }
    for f in &mut c.file.functions {
        fix(&global, &mut f.get_mut().definition);
    }
    for d in &mut c.file.data {
        let d = d.get_mut();
        d.query = global.rewrite(&d.query);
        fix(&global, &mut d.seed);
    }
    for r in &mut c.file.rls {
        let r = r.get_mut();
        if let Some(h) = r.having_column.as_mut()
            && let Some(a) = columns.get(h.as_str())
        {
            *h = a.clone();
        }
    }
}
