//! Alterations of what exists: a column's type, identity, generation and collation; a table's
//! persistence and inheritance; exclusion constraints; DEFERRABLE; comments. Each keeps the
//! safety rules: `lock_timeout` with retries (the apply engine), a data precondition where rows
//! decide, undo SQL, and hazards in words.

use crate::check::Finding;
use crate::sql::stmt::comment_on;
use crate::sql::{guard, qualified, quote_ident, quote_literal};

use super::build::{B, locks};
use super::columns::column_of;
use super::cx::Cx;
use super::plan::Plan;
use super::sqltype;

fn table_of<'a>(
    cx: &Cx<'a>,
    f: &Finding,
) -> Option<(
    &'a crate::checklist::Checklist,
    &'a crate::checklist::TableItem,
    &'a crate::db::catalog::Table,
)> {
    let (cl, spec) = cx.item(f, |c| &c.tables)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    Some((cl, spec, cx.table(&schema, &name)?))
}

/// `table.persistence`: `SET LOGGED` / `SET UNLOGGED` (rewrites the table).
pub(crate) fn persistence(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec, t) = table_of(cx, f)?;
    let want = spec
        .unlogged
        .or(cl.file.checklist.snapshot.then_some(false))?;
    let tq = qualified(&t.schema, &t.name);
    let (to, back) = if want {
        ("UNLOGGED", "LOGGED")
    } else {
        ("LOGGED", "UNLOGGED")
    };
    let mut b = B::new(&f.id, format!("make {tq} {}", to.to_lowercase()));
    b.table(&tq)
        .touches_data()
        .tx(
            format!("set {tq} {to}"),
            format!("ALTER TABLE {tq} SET {to}"),
        )
        .undo_tx(
            format!("set {tq} {back}"),
            format!("ALTER TABLE {tq} SET {back}"),
        )
        .lock(
            &tq,
            locks::ACCESS_EXCLUSIVE,
            format!("blocks every read and write of {tq} while the table is rewritten"),
        )
        .hazard(format!(
            "rewrites all of {tq} (and writes it to the WAL when made LOGGED)"
        ));
    if want {
        b.hazard("an unlogged table is emptied after a crash and is not replicated to standbys");
    }
    // Its serial sequences go with it (PostgreSQL 15+ has persistence for sequences).
    if cx.server_version() >= 150000 {
        for q in cx.snap.sequences.iter().filter(|q| {
            q.owned_by
                .as_ref()
                .is_some_and(|o| o.schema == t.schema && o.table == t.name && !o.identity)
        }) {
            let sq = qualified(&q.schema, &q.name);
            b.tx(
                format!("set sequence {sq} {to}"),
                format!("ALTER SEQUENCE {sq} SET {to}"),
            )
            .undo_tx(
                format!("set sequence {sq} {back}"),
                format!("ALTER SEQUENCE {sq} SET {back}"),
            );
        }
    }
    Some(b.done())
}

/// `table.inherits`: `INHERIT parent` for each parent the item names that the table lacks.
pub(crate) fn inherits(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let mut b = B::new(&f.id, format!("set the parents of {tq}"));
    b.table(&tq)
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    let mut any = false;
    for p in spec.inherits.as_ref()? {
        let (s, n) = cl.qualify(p, None);
        if t.inherits.iter().any(|h| h.schema == s && h.name == n) {
            continue;
        }
        let pq = qualified(&s, &n);
        b.tx(
            format!("{tq} inherits {pq}"),
            format!("ALTER TABLE {tq} INHERIT {pq}"),
        )
        .undo_tx(
            format!("{tq} no longer inherits {pq}"),
            format!("ALTER TABLE {tq} NO INHERIT {pq}"),
        );
        any = true;
    }
    b.hazard("the parent's queries include this table's rows from now on");
    any.then(|| b.done())
}

/// `column.type`: `ALTER COLUMN … TYPE … USING col::type`, refused when a row's value would
/// not survive the cast unchanged (checked first, on every row).
pub(crate) fn column_type(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, t, col) = column_of(cx, f)?;
    let now = t.columns.iter().find(|c| c.name == col.name)?;
    let ty = sqltype::checked(cx, cl, col.data_type.as_deref()?)?;
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    // A value survives when converting it and back gives it again.
    let changed = format!(
        "(({c}::{ty})::{})::text IS DISTINCT FROM {c}::text",
        now.data_type
    );
    let bad = if cx.server_version() >= 160000 {
        format!(
            "CASE WHEN NOT pg_input_is_valid({c}::text, {}) THEN true ELSE {changed} END",
            quote_literal(&ty)
        )
    } else {
        changed
    };
    let mut b = B::new(&f.id, format!("change the type of {tq}.{c} to {ty}"));
    b.table(&tq)
        .touches_data()
        .pre(
            format!("rows of {tq} whose {c} would not convert to {ty} unchanged"),
            format!("SELECT count(*) FROM {tq} WHERE {c} IS NOT NULL AND {bad}"),
            format!("SELECT {c} FROM {tq} WHERE {c} IS NOT NULL AND {bad} LIMIT 5"),
        )
        .tx(
            format!("change the type of {c} to {ty}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}"),
        )
        .undo_tx(
            format!("change the type of {c} back to {}", now.data_type),
            format!(
                "ALTER TABLE {tq} ALTER COLUMN {c} TYPE {} USING {c}::{}",
                now.data_type, now.data_type
            ),
        )
        .lock(
            &tq,
            locks::ACCESS_EXCLUSIVE,
            format!(
                "blocks every read and write of {tq} while the table and its indexes are rewritten"
            ),
        )
        .hazard(format!(
            "rewrites {tq} and rebuilds its indexes unless the types are binary compatible; \
             views using {c} must be dropped first (PostgreSQL refuses otherwise)"
        ));
    Some(b.done())
}

/// `column.identity`: `ADD GENERATED … AS IDENTITY` (after dropping a serial default, and
/// continuing after the largest value), or `SET GENERATED …`.
pub(crate) fn identity(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, t, col) = column_of(cx, f)?;
    let now = t.columns.iter().find(|c| c.name == col.name)?;
    let want = match col.identity.as_deref()? {
        "always" => "ALWAYS",
        "by default" => "BY DEFAULT",
        _ => return None,
    };
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let mut b = B::new(&f.id, format!("make {tq}.{c} an identity column"));
    b.table(&tq)
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    if now.identity.is_some() {
        b.tx(
            format!("set {c} GENERATED {want}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} SET GENERATED {want}"),
        );
        return Some(b.done());
    }
    if let Some(d) = &now.default {
        b.tx(
            format!("drop the default {d} of {c}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP DEFAULT"),
        );
        b.undo_tx(
            format!("restore the default of {c}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} SET DEFAULT {d}"),
        );
    }
    if !now.not_null {
        b.pre(
            format!("rows of {tq} with no value in {c}"),
            format!("SELECT count(*) FROM {tq} WHERE {c} IS NULL"),
            format!("SELECT * FROM {tq} WHERE {c} IS NULL LIMIT 5"),
        )
        .tx(
            format!("set {c} NOT NULL"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} SET NOT NULL"),
        );
    }
    b.tx(
        format!("make {c} GENERATED {want} AS IDENTITY"),
        format!("ALTER TABLE {tq} ALTER COLUMN {c} ADD GENERATED {want} AS IDENTITY"),
    )
    .tx(
        format!("continue the identity after the largest {c}"),
        format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({c}), 0) + 1, false) FROM {tq}",
            quote_literal(&tq),
            quote_literal(&col.name)
        ),
    )
    .undo_tx(
        format!("drop the identity of {c}"),
        format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP IDENTITY IF EXISTS"),
    );
    Some(b.done())
}

/// `column.generated`: `SET EXPRESSION` (PostgreSQL 17+) for a generated column, else the
/// column dropped and added back as `GENERATED ALWAYS AS (…) STORED` in one transaction (its
/// values are computed again from the expression).
pub(crate) fn generated(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, t, col) = column_of(cx, f)?;
    let now = t.columns.iter().find(|c| c.name == col.name)?;
    let expr = col.generated.as_deref()?;
    guard::expression(expr, "the generated expression").ok()?;
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let mut b = B::new(&f.id, format!("generate {tq}.{c} from an expression"));
    b.server_check(
        format!("the generated expression of {tq}.{c}"),
        format!("EXPLAIN SELECT ({expr}) FROM {tq}"),
    );
    b.table(&tq).touches_data().lock(
        &tq,
        locks::ACCESS_EXCLUSIVE,
        format!("blocks every read and write of {tq} while the table is rewritten"),
    );
    if now.generated.is_some() && cx.server_version() >= 170000 {
        b.tx(
            format!("set the expression of {c}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} SET EXPRESSION AS ({expr})"),
        );
    } else {
        let ty = match &col.data_type {
            Some(w) => sqltype::checked(cx, cl, w)?,
            None => now.data_type.to_string(),
        };
        b.tx(
            format!("drop column {c}"),
            format!("ALTER TABLE {tq} DROP COLUMN {c}"),
        )
        .tx(
            format!("add {c} GENERATED ALWAYS AS ({expr}) STORED"),
            format!("ALTER TABLE {tq} ADD COLUMN {c} {ty} GENERATED ALWAYS AS ({expr}) STORED"),
        )
        .hazard(format!(
            "{c}'s stored values are replaced by the expression's; indexes and views on {c} \
             must be dropped first (PostgreSQL refuses otherwise); the column moves to the end"
        ));
    }
    Some(b.done())
}

/// `column.collation`: `ALTER COLUMN … TYPE <same type> COLLATE …` (rebuilds its indexes).
pub(crate) fn collation(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, t, col) = column_of(cx, f)?;
    let now = t.columns.iter().find(|c| c.name == col.name)?;
    // A collation's name as the catalog spells it (`C`, `en-x-icu`).
    let coll = quote_ident(col.collation.as_deref()?);
    let tq = qualified(&t.schema, &t.name);
    let c = quote_ident(&col.name);
    let ty = &now.data_type;
    let back = match &now.collation {
        Some(o) => format!(" COLLATE {}", quote_ident(o)),
        None => String::new(),
    };
    let mut b = B::new(&f.id, format!("set the collation of {tq}.{c}"));
    b.table(&tq)
        .tx(
            format!("collate {c} by {coll}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} TYPE {ty} COLLATE {coll}"),
        )
        .undo_tx(
            format!("restore the collation of {c}"),
            format!("ALTER TABLE {tq} ALTER COLUMN {c} TYPE {ty}{back}"),
        )
        .lock(
            &tq,
            locks::ACCESS_EXCLUSIVE,
            format!("blocks every read and write of {tq} while its indexes on {c} are rebuilt"),
        )
        .hazard("ordering and uniqueness of the column's text follow the new collation");
    Some(b.done())
}

/// What follows `rule:<table>/` in a finding id: a constraint's name (or definition), which may
/// hold `/` itself (`"x/*a"`), so it is never split at the last `/`.
fn after_table<'a>(id: &'a str, tq: &str) -> Option<&'a str> {
    id.split_once(':')?.1.strip_prefix(tq)?.strip_prefix('/')
}

/// `exclusion.missing`: `ADD CONSTRAINT … EXCLUDE USING …` (refused by the server when rows
/// conflict: an exclusion constraint cannot be added NOT VALID).
pub(crate) fn exclusion(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let want = after_table(&f.id, &tq)?;
    let x = spec
        .exclusions
        .iter()
        .map(|x| x.get_ref())
        .find(|x| x.name.as_deref().unwrap_or(&x.definition) == want)?;
    guard::element(&x.definition, &["exclude"], "the exclusion").ok()?;
    let name = x
        .name
        .as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote_ident(n)));
    let mut b = B::new(&f.id, format!("add an exclusion constraint to {tq}"));
    b.table(&tq)
        .tx(
            format!("add {}", x.definition),
            format!(
                "ALTER TABLE {tq} ADD {}{}{}",
                name.clone().unwrap_or_default(),
                guard::trim_statement(&x.definition),
                crate::checklist::timing_clause(x.deferrable, x.initially_deferred)
            ),
        )
        .lock(
            &tq,
            locks::ACCESS_EXCLUSIVE,
            format!("blocks every read and write of {tq} while its index builds"),
        )
        .hazard("fails, changing nothing, when existing rows conflict");
    if let Some(n) = &x.name {
        b.undo_tx(
            format!("drop constraint {}", quote_ident(n)),
            format!("ALTER TABLE {tq} DROP CONSTRAINT {}", quote_ident(n)),
        );
    }
    Some(b.done())
}

/// `constraint.deferrable`: a foreign key altered in place (`ALTER CONSTRAINT`); a unique,
/// primary key or exclusion constraint dropped and added back with the stated timing, in one
/// statement.
pub(crate) fn deferrable(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, _, t) = table_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let name = after_table(&f.id, &tq)?;
    let con = t.constraints.iter().find(|c| c.name == name)?;
    let want = f.expected.as_deref()?;
    let clause = match want {
        "DEFERRABLE INITIALLY DEFERRED" | "DEFERRABLE INITIALLY IMMEDIATE" | "NOT DEFERRABLE" => {
            want
        }
        _ => return None,
    };
    let was = con.timing();
    let n = quote_ident(name);
    let mut b = B::new(
        &f.id,
        format!("make constraint {n} on {tq} {}", want.to_lowercase()),
    );
    b.table(&tq)
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    if con.foreign_key.is_some() {
        b.tx(
            format!("constraint {n}: {clause}"),
            format!("ALTER TABLE {tq} ALTER CONSTRAINT {n} {clause}"),
        )
        .undo_tx(
            format!("constraint {n}: {was}"),
            format!("ALTER TABLE {tq} ALTER CONSTRAINT {n} {was}"),
        );
    } else {
        let base = strip_deferral(&con.definition);
        guard::expression(&base, "the constraint's definition").ok()?;
        b.tx(
            format!("re-create constraint {n} {clause}"),
            format!("ALTER TABLE {tq} DROP CONSTRAINT {n}, ADD CONSTRAINT {n} {base} {clause}"),
        )
        .undo_tx(
            format!("re-create constraint {n} {was}"),
            format!("ALTER TABLE {tq} DROP CONSTRAINT {n}, ADD CONSTRAINT {n} {base} {was}"),
        )
        .hazard(format!(
            "the constraint's index is rebuilt while {tq} is locked; foreign keys that reference \
             it make PostgreSQL refuse the drop"
        ));
    }
    Some(b.done())
}

/// A constraint definition without its DEFERRABLE / INITIALLY clauses.
fn strip_deferral(def: &str) -> String {
    let mut d = def.to_string();
    for w in [
        " INITIALLY DEFERRED",
        " INITIALLY IMMEDIATE",
        " NOT DEFERRABLE",
        " DEFERRABLE",
    ] {
        if let Some(stripped) = d.strip_suffix(w) {
            d = stripped.to_string();
        }
    }
    d.trim_end().to_string()
}

/// `comment.mismatch`: `COMMENT ON … IS …` for a table, view, column or function.
pub(crate) fn comment(_cx: &Cx, f: &Finding) -> Option<Plan> {
    let text = f.expected.as_deref()?;
    let (what, target) = f.object.split_once(' ')?;
    let keyword = match what {
        "table" => "TABLE",
        "view" => "VIEW",
        "materialized" => "MATERIALIZED VIEW",
        "column" => "COLUMN",
        "constraint" => "CONSTRAINT",
        "function" => "FUNCTION",
        _ => return None,
    };
    let target = target.strip_prefix("view ").unwrap_or(target);
    // The target is pgmend's own quoted rendering of a catalog name: check it is names only.
    let toks = crate::sql::lex::tokens(target).ok()?;
    let names_only = toks.iter().all(|t| {
        matches!(
            t,
            crate::sql::lex::Tok::Ident { .. }
                | crate::sql::lex::Tok::Dot
                | crate::sql::lex::Tok::Comma
                | crate::sql::lex::Tok::Open
                | crate::sql::lex::Tok::Close
                | crate::sql::lex::Tok::OpenBracket
                | crate::sql::lex::Tok::CloseBracket
        )
    });
    if !names_only {
        return None;
    }
    let before = f.actual.as_deref().filter(|a| *a != "no comment");
    let mut b = B::new(&f.id, format!("comment on {what} {target}"));
    b.tx(
        format!("set the comment of {target}"),
        comment_on(keyword, target, Some(text)),
    )
    .undo_tx(
        format!("restore the comment of {target}"),
        comment_on(keyword, target, before),
    );
    Some(b.done())
}

/// `column.grant`: `GRANT … (column) ON TABLE … TO …`.
pub(crate) fn column_grant(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, t, col) = column_of(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let role = f.id.rsplit_once('/').map(|(_, r)| r)?;
    let g = col.grants.iter().find(|g| g.role == role)?;
    let c = quote_ident(&col.name);
    let (sql, undo) = column_grant_pair(&g.allow, &tq, &c, role)?;
    let mut b = B::new(
        &f.id,
        format!("grant {} ({c}) on {tq} to {role}", g.allow.join(", ")),
    );
    b.table(&tq)
        .tx(format!("grant on column {tq}.{c}"), sql)
        .undo_tx(format!("revoke on column {tq}.{c}"), undo)
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    Some(b.done())
}

/// `GRANT list (col) ON TABLE t TO role` and its undo (known privilege keywords only).
pub(crate) fn column_grant_pair(
    privileges: &[String],
    tq: &str,
    c: &str,
    role: &str,
) -> Option<(String, String)> {
    super::grants::grant_pair(privileges, &format!("TABLE {tq}"), role, Some(c))
}
