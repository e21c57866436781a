//! Hostile identifiers on the real server: objects named with them are read back under exactly
//! the names PostgreSQL stored (truncated to 63 bytes), survive the checklist snapshot round
//! trip, and the fixes pgmend generates for them run and act on exactly the intended objects.
//!
//! One database per property; each case works in a schema of its own, dropped at the end.

use std::cell::RefCell;

use crate::apply::apply_all;
use pgmend::apply::{ApplyOptions, ApplyOutcome};
use pgmend::check::{self, Report};
use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::{ReadOptions, Snapshot, Table, read_snapshot};
use sqlx::{AssertSqlSafe, PgConnection};

use super::{check, ident, pg_name};
use crate::support::TestDb;

/// An identifier, always double-quoted (the test's own quoting, not pgmend's).
pub fn qi(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string literal (standard_conforming_strings is on).
pub fn ql(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A TOML basic string.
pub fn ts(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

pub async fn exec(c: &mut PgConnection, sql: &str) -> Result<(), String> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *c)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e}\n{sql}"))
}

/// The names one case uses, derived from one generated identifier `g`: distinct whatever `g`
/// is (the marks never occur in generated names), and each as PostgreSQL will store it.
pub struct Names {
    pub schema: String,
    pub table: String,
    pub column: String,
    pub column2: String,
    pub enum_type: String,
    pub label: String,
    pub index: String,
    pub view: String,
    pub policy: String,
    pub function: String,
    pub role: String,
}

impl Names {
    pub fn new(g: &str, tag: &str) -> Names {
        let raw = pg_name(g);
        let schema_ok = !raw.starts_with("pg_")
            && raw != "public"
            && !pgmend::db::catalog::is_managed_schema(&raw);
        let system = ["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"];
        Names {
            schema: if schema_ok {
                raw.clone()
            } else {
                pg_name(&format!("§{g}"))
            },
            table: raw.clone(),
            column: if system.contains(&raw.as_str()) {
                pg_name(&format!("¤{g}"))
            } else {
                raw.clone()
            },
            column2: pg_name(&format!("¶{g}")),
            enum_type: pg_name(&format!("§{g}")),
            label: raw.clone(),
            index: pg_name(&format!("†{g}")),
            view: pg_name(&format!("¤{g}")),
            policy: raw.clone(),
            function: pg_name(&format!("¶{g}")),
            // Roles are cluster-wide: the tag keeps properties running together apart.
            role: pg_name(&format!("¤{tag}{g}")),
        }
    }
}

/// Snapshot of one schema.
pub async fn snap_of(c: &mut PgConnection, schema: &str) -> Result<Snapshot, String> {
    read_snapshot(
        c,
        &ReadOptions {
            schemas: vec![schema.to_string()],
            ..ReadOptions::default()
        },
    )
    .await
    .map_err(|e| format!("read_snapshot: {e}"))
}

/// Checks with every lint off: only the checklist's items.
pub async fn check_items(c: &mut PgConnection, snap: &Snapshot, cl: &Checklist) -> Report {
    let facts = check::gather_facts(c, std::slice::from_ref(cl)).await;
    check::run(
        snap,
        std::slice::from_ref(cl),
        &facts,
        &check::all_lints_off(),
    )
}

pub fn failed(r: &Report) -> Vec<String> {
    r.items
        .iter()
        .flat_map(|i| {
            i.findings
                .iter()
                .map(|f| format!("{} — {}", f.id, f.message))
        })
        .collect()
}

fn table<'a>(snap: &'a Snapshot, schema: &str, name: &str) -> Result<&'a Table, String> {
    snap.tables
        .iter()
        .find(|t| t.schema == schema && t.name == name)
        .ok_or_else(|| {
            let have: Vec<_> = snap.tables.iter().map(|t| (&t.schema, &t.name)).collect();
            format!("no relation {schema:?}.{name:?} in the snapshot; it has {have:?}")
        })
}

/// A per-property database and connection, used by one case after the other.
pub struct Db {
    pub rt: tokio::runtime::Runtime,
    pub db: TestDb,
    pub conn: RefCell<PgConnection>,
}

impl Db {
    pub fn new() -> Db {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (db, conn) = rt.block_on(async {
            let db = TestDb::new().await;
            let conn = db.connect().await;
            (db, conn)
        });
        Db {
            rt,
            db,
            conn: RefCell::new(conn),
        }
    }
}

async fn cleanup(c: &mut PgConnection, n: &Names) {
    let _ = exec(
        c,
        &format!(
            "DROP SCHEMA IF EXISTS {} CASCADE; DROP ROLE IF EXISTS {};",
            qi(&n.schema),
            qi(&n.role)
        ),
    )
    .await;
}

/// Creates one object of every kind named after `g`, checks the names read back, and the
/// snapshot round trip.
async fn roundtrip_case(c: &mut PgConnection, g: &str) -> Result<(), String> {
    let n = Names::new(g, "r");
    cleanup(c, &n).await;
    let (s, t) = (qi(&n.schema), qi(&n.table));
    let sql = format!(
        "CREATE SCHEMA {s};
         CREATE ROLE {role} NOLOGIN;
         CREATE TYPE {s}.{e} AS ENUM ('¤', {label});
         CREATE TABLE {s}.{t} (\"†id\" int PRIMARY KEY, {col} text NOT NULL DEFAULT {lit},
                               {col2} {s}.{e});
         COMMENT ON TABLE {s}.{t} IS {lit};
         COMMENT ON COLUMN {s}.{t}.{col} IS {lit};
         CREATE INDEX {idx} ON {s}.{t} ({col});
         CREATE VIEW {s}.{view} AS SELECT {col} FROM {s}.{t};
         ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY;
         CREATE POLICY {pol} ON {s}.{t} FOR SELECT TO {role} USING ({col} <> {lit});
         CREATE FUNCTION {s}.{f}({col} int) RETURNS int LANGUAGE sql
           SET search_path = pg_catalog AS $fn$ SELECT 1 $fn$;
         CREATE FUNCTION {s}.\"†trg\"() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN RETURN NEW; END $fn$;
         CREATE TRIGGER {pol} BEFORE INSERT ON {s}.{t} FOR EACH ROW EXECUTE FUNCTION {s}.\"†trg\"();
         GRANT USAGE ON SCHEMA {s} TO {role};
         GRANT SELECT, UPDATE ON {s}.{t} TO {role};",
        role = qi(&n.role),
        e = qi(&n.enum_type),
        label = ql(&n.label),
        col = qi(&n.column),
        col2 = qi(&n.column2),
        lit = ql(g),
        idx = qi(&n.index),
        view = qi(&n.view),
        pol = qi(&n.policy),
        f = qi(&n.function),
    );
    exec(c, &sql).await?;
    let result = roundtrip_checks(c, g, &n).await;
    cleanup(c, &n).await;
    result
}

async fn roundtrip_checks(c: &mut PgConnection, g: &str, n: &Names) -> Result<(), String> {
    let snap = snap_of(c, &n.schema).await?;
    // Read back under exactly the stored names.
    let t = table(&snap, &n.schema, &n.table)?;
    table(&snap, &n.schema, &n.view)?;
    let col = t
        .columns
        .iter()
        .find(|x| x.name == n.column)
        .ok_or_else(|| format!("no column {:?}: {:?}", n.column, t.columns))?;
    if t.comment.as_deref() != Some(g) || col.comment.as_deref() != Some(g) {
        return Err(format!(
            "comments changed: {:?} / {:?}",
            t.comment, col.comment
        ));
    }
    if !t.indexes.iter().any(|i| i.name == n.index) {
        return Err(format!("no index {:?}", n.index));
    }
    if !t
        .policies
        .iter()
        .any(|p| p.name == n.policy && p.roles == [n.role.clone()])
    {
        return Err(format!(
            "no policy {:?} to {:?}: {:?}",
            n.policy, n.role, t.policies
        ));
    }
    if !t.triggers.iter().any(|x| x.name == n.policy) {
        return Err(format!("no trigger {:?}", n.policy));
    }
    let e = snap
        .enums
        .iter()
        .find(|x| x.name == n.enum_type)
        .ok_or_else(|| format!("no enum {:?}", n.enum_type))?;
    if e.labels != ["¤".to_string(), n.label.clone()] {
        return Err(format!("enum labels: {:?}", e.labels));
    }
    if !snap.functions.iter().any(|f| f.name == n.function) {
        return Err(format!("no function {:?}", n.function));
    }

    // The checklist snapshot parses and the database passes it.
    let toml = snapshot::to_toml(&snap, "prop");
    let cl = Checklist::parse(&toml, "prop.toml").map_err(|e| format!("{e}\n{toml}"))?;
    let r = check_items(c, &snap, &cl).await;
    let bad = failed(&r);
    if !bad.is_empty() {
        return Err(format!("own snapshot fails:\n{}\n{toml}", bad.join("\n")));
    }
    if r.items.len() < 6 {
        return Err(format!("only {} items:\n{toml}", r.items.len()));
    }
    Ok(())
}

#[test]
fn hostile_identifiers_read_back_and_round_trip() {
    let db = Db::new();
    check(
        "hostile identifiers round trip",
        super::cases(64),
        ident(),
        |g| {
            let mut c = db.conn.borrow_mut();
            db.rt.block_on(roundtrip_case(&mut c, &g))
        },
    );
}

/// The fixes for a table whose column, index, RLS and enum value are missing, next to a decoy
/// with a similar name that must not change; plus a missing table.
async fn fix_case(db: &TestDb, c: &mut PgConnection, g: &str) -> Result<(), String> {
    let n = Names::new(g, "f");
    cleanup(c, &n).await;
    let (s, t) = (qi(&n.schema), qi(&n.table));
    // The decoy shares the table's columns and a name that differs only by a mark.
    let decoy = pg_name(&format!("¤{}", n.table));
    let missing_table = pg_name(&format!("†{g}"));
    let new_label = pg_name(&format!("†{g}"));
    exec(
        c,
        &format!(
            "CREATE SCHEMA {s};
             CREATE TYPE {s}.{e} AS ENUM ({label});
             CREATE TABLE {s}.{t} (\"†id\" int PRIMARY KEY, {col} text);
             CREATE TABLE {s}.{d} (\"†id\" int PRIMARY KEY, {col} text);
             INSERT INTO {s}.{t} VALUES (1, {lit});
             INSERT INTO {s}.{d} VALUES (1, {lit});",
            e = qi(&n.enum_type),
            label = ql(&n.label),
            col = qi(&n.column),
            d = qi(&decoy),
            lit = ql(g),
        ),
    )
    .await?;
    let result = fix_checks(db, c, &n, &decoy, &missing_table, &new_label).await;
    cleanup(c, &n).await;
    result
}

async fn fix_checks(
    db: &TestDb,
    c: &mut PgConnection,
    n: &Names,
    decoy: &str,
    missing_table: &str,
    new_label: &str,
) -> Result<(), String> {
    let (s, t) = (ts(&n.schema), ts(&n.table));
    let toml = format!(
        "[[table]]\nschema = {s}\nname = {t}\nrls = \"enabled\"\n\
         columns = [{{ name = {c1}, type = \"text\" }}, {{ name = {c2}, type = \"integer\" }}]\n\n\
         [[index]]\nschema = {s}\ntable = {t}\ncolumns = [{c1}]\n\n\
         [[enum]]\nschema = {s}\nname = {e}\nvalues = [{l1}, {l2}]\n\n\
         [[table]]\nschema = {s}\nname = {mt}\ncolumns = [{{ name = {c1}, type = \"text\" }}]\n",
        c1 = ts(&n.column),
        c2 = ts(&n.column2),
        e = ts(&n.enum_type),
        l1 = ts(&n.label),
        l2 = ts(new_label),
        mt = ts(missing_table),
    );
    let cl = Checklist::parse(&toml, "fix.toml").map_err(|e| format!("{e}\n{toml}"))?;
    let before = snap_of(c, &n.schema).await?;
    let decoy_before = format!("{:?}", table(&before, &n.schema, decoy)?);
    let report = check_items(c, &before, &cl).await;
    let findings = failed(&report);
    if findings.len() < 5 {
        return Err(format!("expected 5+ findings, got {findings:?}"));
    }
    let plans = pgmend::fix::plans(&report, &before, std::slice::from_ref(&cl));
    let mut w = crate::apply::writer(db).await;
    let outcomes = apply_all(&mut w, &plans, &ApplyOptions::default(), |_| {}).await;
    for o in &outcomes {
        if !matches!(o.outcome, ApplyOutcome::Applied { .. }) {
            let script: Vec<String> = plans.iter().map(|p| p.script()).collect();
            return Err(format!(
                "{}: {:?}\n{}",
                o.finding_id,
                o.outcome,
                script.join("\n")
            ));
        }
    }
    let after = snap_of(c, &n.schema).await?;
    let left = failed(&check_items(c, &after, &cl).await);
    if !left.is_empty() {
        let script: Vec<String> = plans.iter().map(|p| p.script()).collect();
        return Err(format!("not fixed: {left:?}\n{}", script.join("\n")));
    }
    // Exactly the intended objects: the decoy is as it was, and the schema gained only the
    // missing table (and its row type, sequence-free) besides what the target table got.
    let decoy_after = format!("{:?}", table(&after, &n.schema, decoy)?);
    if decoy_before != decoy_after {
        return Err(format!("the decoy changed:\n{decoy_before}\n{decoy_after}"));
    }
    let names = |s: &Snapshot| {
        let mut v: Vec<String> = s.tables.iter().map(|t| t.name.clone()).collect();
        v.sort();
        v
    };
    let mut expected = names(&before);
    expected.push(missing_table.to_string());
    expected.sort();
    if names(&after) != expected {
        return Err(format!(
            "relations: {:?}, expected {expected:?}",
            names(&after)
        ));
    }
    let target = table(&after, &n.schema, &n.table)?;
    let rows: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {}.{}",
        qi(&n.schema),
        qi(&n.table)
    )))
    .fetch_one(&mut *c)
    .await
    .map_err(|e| e.to_string())?;
    if rows != 1 || !target.rls_enabled {
        return Err(format!("target rows {rows}, rls {}", target.rls_enabled));
    }
    Ok(())
}

#[test]
fn fixes_for_hostile_identifiers_act_on_exactly_their_object() {
    let db = Db::new();
    check(
        "fixes for hostile identifiers",
        super::cases(64),
        ident(),
        |g| {
            let mut c = db.conn.borrow_mut();
            db.rt.block_on(fix_case(&db.db, &mut c, &g))
        },
    );
}
