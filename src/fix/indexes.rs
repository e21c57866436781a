//! Indexes: `index.missing` and the lints `unindexed_foreign_key`, `invalid_index` and
//! `duplicate_index`. Indexes on existing tables are built and dropped CONCURRENTLY, each
//! step alone outside a transaction, so reads and writes go on.

use crate::check::Finding;
use crate::checklist::{Checklist, IndexItem, IndexKey};
use crate::db::catalog::{ConstraintKind, RelationKind, Table};
use crate::sql::lex::Tok;
use crate::sql::stmt::drop_index_concurrently;
use crate::sql::{qualified, quote_ident, quote_literal};

use super::build::{B, locks};
use super::cx::Cx;
use super::names;
use super::plan::Plan;

/// An index key as SQL: a column always quoted as a name, an expression (checked to be one
/// balanced fragment) in parentheses, then the key's options (names and words only). Returns
/// the key and the column it names (None for expressions); None when the text is refused.
fn key(k: &IndexKey) -> Option<(String, Option<String>)> {
    let opts = match k.options() {
        Some(o) => {
            let toks = crate::sql::lex::tokens(o).ok()?;
            let words = toks
                .iter()
                .all(|t| matches!(t, Tok::Ident { .. } | Tok::Dot));
            if !words {
                return None;
            }
            format!(" {o}")
        }
        None => String::new(),
    };
    match (k.column(), k.expression()) {
        (Some(c), _) => Some((format!("{}{opts}", quote_ident(c)), Some(c.to_string()))),
        (None, Some(e)) => {
            crate::sql::guard::expression(e, "the index expression").ok()?;
            Some((format!("({e}){opts}"), None))
        }
        (None, None) => None,
    }
}

/// Names of relations and indexes in a schema (they share one namespace).
pub(crate) fn names_in(cx: &Cx, schema: &str) -> std::rc::Rc<std::collections::HashSet<String>> {
    cx.names_in(schema)
}

/// The finding id the index check gives an item.
pub(crate) fn item_id(item: &IndexItem, schema: &str, tq: &str) -> String {
    match &item.name {
        Some(n) => format!("index.missing:{}", qualified(schema, n)),
        None => format!("index.missing:index on {tq} ({})", item.labels().join(", ")),
    }
}

/// An index item as SQL.
pub(crate) struct IndexDef {
    pub name: String,
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON …`, without the CONCURRENTLY word in
    /// place of `{}`.
    template: String,
    /// The key columns in order (None for an expression).
    pub keys: Vec<Option<String>>,
    /// Columns the keys name.
    pub columns: Vec<String>,
    pub unique: bool,
    pub partial: bool,
}

impl IndexDef {
    pub fn sql(&self, concurrently: bool) -> String {
        // Only the first `{}`, right after INDEX: names and predicates may hold `{}` too.
        self.template
            .replacen("{}", if concurrently { " CONCURRENTLY" } else { "" }, 1)
    }
}

pub(crate) fn index_def(
    item: &IndexItem,
    schema: &str,
    table: &str,
    _known: &[&str],
    taken: &dyn Fn(&str) -> bool,
) -> Option<IndexDef> {
    let tq = qualified(schema, table);
    let keys: Vec<(String, Option<String>)> =
        item.columns.iter().map(key).collect::<Option<_>>()?;
    let name = match &item.name {
        Some(n) => n.to_string(),
        None => names::unique_by(names::index_name(table, &item.labels()), taken),
    };
    if let Some(p) = &item.predicate {
        crate::sql::guard::expression(p, "the index predicate").ok()?;
    }
    let include = match &item.include {
        Some(cols) if !cols.is_empty() => format!(
            " INCLUDE ({})",
            cols.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    let unique = item.unique == Some(true);
    let method = item
        .method
        .as_ref()
        .map(|m| format!(" USING {}", quote_ident(&m.to_ascii_lowercase())))
        .unwrap_or_default();
    let pred = item
        .predicate
        .as_ref()
        .map(|p| format!(" WHERE ({p})"))
        .unwrap_or_default();
    let list: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    Some(IndexDef {
        template: format!(
            "CREATE {}INDEX{{}} {} ON {tq}{method} ({}){include}{pred}",
            if unique { "UNIQUE " } else { "" },
            quote_ident(&name),
            list.join(", ")
        ),
        columns: keys.iter().filter_map(|(_, c)| c.clone()).collect(),
        keys: keys.into_iter().map(|(_, c)| c).collect(),
        name,
        unique,
        partial: item.predicate.is_some(),
    })
}

/// Preconditions that the columns exist (when the snapshot lacks them: another plan adds them).
pub(crate) fn columns_exist(b: &mut B, t: &Table, cols: &[String]) {
    for c in cols
        .iter()
        .filter(|c| !t.columns.iter().any(|x| x.name == **c))
    {
        let tq = qualified(&t.schema, &t.name);
        let cond = format!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {} AND c.relname = {} AND a.attname = {} \
             AND a.attnum > 0 AND NOT a.attisdropped)",
            quote_literal(&t.schema),
            quote_literal(&t.name),
            quote_literal(c)
        );
        b.pre(
            format!(
                "column {tq}.{} exists (the plan adding it runs first)",
                quote_ident(c)
            ),
            format!("SELECT count(*) FROM (SELECT 1) AS one WHERE {cond}"),
            format!(
                "SELECT {} AS missing_column WHERE {cond}",
                quote_literal(&format!("{tq}.{}", quote_ident(c)))
            ),
        )
        .problem(super::problem::Problem::MissingColumn {
            column: format!("{tq}.{}", quote_ident(c)),
        });
    }
}

/// Preconditions that no two rows share a key (rows with a NULL key never clash), and the
/// decision the engineer makes when some do (the preview shows the groups).
pub(crate) fn no_duplicates(b: &mut B, t: &Table, cols: &[String]) {
    let tq = qualified(&t.schema, &t.name);
    let list: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
    let list = list.join(", ");
    let not_null: Vec<String> = cols
        .iter()
        .map(|c| format!("{} IS NOT NULL", quote_ident(c)))
        .collect();
    let body = format!(
        "FROM {tq} WHERE {} GROUP BY {list} HAVING count(*) > 1",
        not_null.join(" AND ")
    );
    b.pre(
        format!("no two rows of {tq} share ({list})"),
        format!("SELECT count(*) FROM (SELECT 1 {body}) AS dup"),
        format!("SELECT {list}, count(*) AS rows {body} ORDER BY count(*) DESC LIMIT 5"),
    )
    .problem(super::problem::Problem::Duplicates {
        table: tq.clone(),
        columns: list.clone(),
    })
    .decide(super::decide::Decision::Duplicates(
        super::decide::Duplicates {
            schema: t.schema.clone(),
            table: t.name.clone(),
            columns: cols.to_vec(),
            order_by: newest_by(t),
            key: t
                .constraints
                .iter()
                .find(|c| c.kind == ConstraintKind::PrimaryKey)
                .map(|c| c.columns.clone())
                .unwrap_or_default(),
            groups: Vec::new(),
            group_count: 0,
            chosen: None,
        },
    ));
}

/// The column telling which row is newest: a creation time, else a single-column key that
/// grows (an integer).
fn newest_by(t: &Table) -> Option<String> {
    const CREATED: [&str; 6] = [
        "created_at",
        "createdAt",
        "inserted_at",
        "created",
        "creation_date",
        "created_on",
    ];
    if let Some(c) = CREATED
        .iter()
        .find_map(|n| t.columns.iter().find(|c| c.name == *n))
    {
        return Some(c.name.to_string());
    }
    let pk = t
        .constraints
        .iter()
        .find(|c| c.kind == ConstraintKind::PrimaryKey)?;
    let [k] = pk.columns.as_slice() else {
        return None;
    };
    let col = t.columns.iter().find(|c| c.name == *k)?;
    matches!(col.data_type.as_str(), "integer" | "bigint" | "smallint").then(|| k.clone())
}

/// The `lint.unindexed_foreign_key` findings an index mends (its leading keys are exactly the
/// key's columns, in any order, and it is not partial).
pub(crate) fn fk_lints_covered(b: &mut B, t: &Table, def: &IndexDef) {
    if def.partial {
        return;
    }
    let tq = qualified(&t.schema, &t.name);
    for c in t
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
    {
        let mut want = c.columns.clone();
        want.sort();
        let lead: Option<Vec<String>> = def.keys.iter().take(want.len()).cloned().collect();
        let lead = lead.map(|mut l| {
            l.sort();
            l
        });
        if !want.is_empty() && def.keys.len() >= want.len() && lead == Some(want) {
            b.covers(format!(
                "lint.unindexed_foreign_key:constraint {} on {tq}",
                quote_ident(&c.name)
            ));
        }
    }
}

/// `CREATE INDEX CONCURRENTLY` of `def` on existing table `t`, with its preconditions.
fn build_on(b: &mut B, t: &Table, def: &IndexDef) {
    let tq = qualified(&t.schema, &t.name);
    let iq = qualified(&t.schema, &def.name);
    if let Some(old) = t.indexes.iter().find(|i| i.name == def.name && !i.is_valid) {
        b.auto(
            format!("drop the invalid index {iq} left by a failed build"),
            drop_index_concurrently(&qualified(&t.schema, &old.name)),
        );
    }
    columns_exist(b, t, &def.columns);
    if def.unique {
        no_duplicates(b, t, &def.columns);
    }
    b.build_index(
        format!("build index {iq} without blocking writes"),
        def.sql(true),
        iq.clone(),
    )
    .undo_auto(format!("drop index {iq}"), drop_index_concurrently(&iq))
    .table(&tq)
    .lock(&tq, locks::SHARE_UPDATE_EXCLUSIVE, locks::concurrent(&tq))
    .hazard(format!(
        "the build reads all of {tq} and waits for transactions already writing it; if it \
         fails it leaves an INVALID index, which is dropped before a retry"
    ));
    fk_lints_covered(b, t, def);
}

/// `index.missing` on an existing table (on a missing table the table's plan creates it).
pub(crate) fn index_missing(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, item) = cx.item(f, |c| &c.indexes)?;
    let (schema, table) = cl.qualify(&item.table, item.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let t = cx.snap.table(&schema, &table)?;
    if !matches!(t.kind, RelationKind::Table | RelationKind::MaterializedView) {
        return None;
    }
    if item.name.as_ref().is_some_and(|n| {
        t.indexes.iter().any(|i| i.name == *n && i.is_valid) || cx.snap.table(&schema, n).is_some()
    }) {
        return None; // the name is taken by something else
    }
    let taken = names_in(cx, &schema);
    let known: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    let def = index_def(item, &schema, &table, &known, &|n| taken.contains(n))?;
    let mut b = B::new(
        &f.id,
        format!("create index {}", qualified(&schema, &def.name)),
    );
    build_on(&mut b, t, &def);
    // The checklist's expressions and predicate, analysed by the server on the table.
    let exprs: Vec<String> = item
        .columns
        .iter()
        .filter_map(|k| k.expression())
        .map(|e| format!("({e})"))
        .collect();
    if !exprs.is_empty() || item.predicate.is_some() {
        let tq = qualified(&schema, &table);
        let list = if exprs.is_empty() {
            "1".to_string()
        } else {
            exprs.join(", ")
        };
        let pred = item
            .predicate
            .as_ref()
            .map(|p| format!(" WHERE ({p})"))
            .unwrap_or_default();
        b.server_check(
            "the index's expressions and predicate",
            format!("EXPLAIN SELECT {list} FROM {tq}{pred}"),
        );
    }
    Some(b.done())
}

/// A checklist index on exactly these columns of the table (plain btree, not partial).
fn checklist_index<'a>(
    cx: &Cx<'a>,
    t: &Table,
    cols: &[String],
) -> Option<(&'a Checklist, &'a IndexItem)> {
    cx.indexes_on(&t.schema, &t.name)
        .iter()
        .find_map(|&(cl, i)| {
            (i.columns.len() == cols.len()
                && i.columns
                    .iter()
                    .zip(cols)
                    .all(|(k, c)| k.column() == Some(c.as_str()))
                && i.predicate.is_none()
                && i.unique != Some(true)
                && i.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case("btree")))
            .then_some((cl, i))
        })
}

/// `lint.unindexed_foreign_key`: an index on the key's columns (named as the checklist names
/// one on them, when it does).
pub(crate) fn unindexed_fk(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (t, c) = cx.constraint_by_object(&f.object)?;
    if cx.managed(&t.schema) || t.kind != RelationKind::Table {
        return None;
    }
    let taken = names_in(cx, &t.schema);
    let free = |n: &str| taken.contains(n);
    let known: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    let (def, id) = match checklist_index(cx, t, &c.columns) {
        Some((_, item))
            if item
                .name
                .as_ref()
                .is_none_or(|n| !taken.contains(n.as_str())) =>
        {
            (
                index_def(item, &t.schema, &t.name, &known, &free)?,
                Some(item_id(item, &t.schema, &qualified(&t.schema, &t.name))),
            )
        }
        _ => {
            let item = IndexItem {
                table: t.name.as_str().into(),
                schema: Some(t.schema.as_str().into()),
                columns: c.columns.iter().cloned().map(IndexKey::Column).collect(),
                include: None,
                name: None,
                unique: None,
                predicate: None,
                method: None,
                severity: None,
                why: None,
                assumed: None,
            };
            (index_def(&item, &t.schema, &t.name, &known, &free)?, None)
        }
    };
    let mut b = B::new(
        &f.id,
        format!(
            "index foreign key {} with {}",
            quote_ident(&c.name),
            qualified(&t.schema, &def.name)
        ),
    );
    build_on(&mut b, t, &def);
    if let Some(id) = id {
        b.covers(id);
    }
    Some(b.done())
}

/// `CREATE INDEX …` from `pg_get_indexdef` text, made CONCURRENTLY.
fn concurrently(def: &str) -> Option<String> {
    for head in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] {
        if let Some(rest) = def.strip_prefix(head) {
            return Some(format!("{head}CONCURRENTLY {rest}"));
        }
    }
    None
}

fn index_by_object<'a>(
    cx: &Cx<'a>,
    f: &Finding,
) -> Option<(&'a Table, &'a crate::db::catalog::Index)> {
    cx.index_by_object(&f.object)
}

/// `lint.invalid_index`: drop it and build it again, both CONCURRENTLY. Nothing to undo: the
/// invalid index was never used.
pub(crate) fn invalid_index(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (t, i) = index_by_object(cx, f)?;
    if cx.managed(&t.schema) || t.kind != RelationKind::Table || i.constraint.is_some() {
        return None;
    }
    let create = concurrently(&i.definition)?;
    let tq = qualified(&t.schema, &t.name);
    let iq = qualified(&t.schema, &i.name);
    let mut b = B::new(&f.id, format!("rebuild invalid index {iq}"));
    b.table(&tq).auto(
        format!("drop the invalid index {iq}"),
        drop_index_concurrently(&iq),
    );
    if i.is_unique && i.columns.iter().all(Option::is_some) && i.predicate.is_none() {
        let cols: Vec<String> = i.columns.iter().flatten().cloned().collect();
        no_duplicates(&mut b, t, &cols);
    }
    b.build_index(format!("build {iq} again"), create, iq.clone())
        .lock(&tq, locks::SHARE_UPDATE_EXCLUSIVE, locks::concurrent(&tq))
        .hazard(
            "nothing to undo: the invalid index was maintained on writes but never used; if the \
             build fails again (duplicates for a unique index), it is left invalid again",
        );
    Some(b.done())
}

/// `lint.duplicate_index`: drop the redundant index CONCURRENTLY (not one backing a
/// constraint). Undo builds it again.
pub(crate) fn duplicate_index(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (t, i) = index_by_object(cx, f)?;
    if cx.managed(&t.schema)
        || !matches!(t.kind, RelationKind::Table | RelationKind::MaterializedView)
        || i.constraint.is_some()
        || i.is_primary
    {
        return None;
    }
    let create = concurrently(&i.definition)?;
    let tq = qualified(&t.schema, &t.name);
    let iq = qualified(&t.schema, &i.name);
    let mut b = B::new(&f.id, format!("drop duplicate index {iq}"));
    b.table(&tq)
        .auto(
            format!("drop {iq} (an identical index remains)"),
            drop_index_concurrently(&iq),
        )
        .undo_build_index(format!("build {iq} again"), create, iq.clone())
        .lock(&tq, locks::SHARE_UPDATE_EXCLUSIVE, locks::concurrent(&tq))
        .hazard("queries or hints naming this index by name (rare) must use the remaining one");
    Some(b.done())
}
