//! Fix plans against the real server: every fix kind is applied with a small executor of our
//! own (the real apply engine lives in `pgmend::apply`), the finding must be gone, `undo` must
//! bring it back, and no row of any table may change.

mod constraints;
mod end_to_end;
mod kinds;
mod lint_fixes;
mod partitions;
mod policies;
mod scenarios;
mod security;
mod server_checks;

use std::collections::BTreeMap;

use pgmend::check::{self, Finding, LintOverrides, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, RelationKind, Snapshot, read_snapshot};
use pgmend::fix::{self, Plan, Step, StepMode};
use pgmend::sql::{qualified, quote_ident};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::support::TestDb;

// Hostile identifiers, used by every fix kind.
/// A schema with a double quote and a space.
pub const S: &str = "Sch \"ema";
/// Keywords.
pub const SELECT: &str = "select";
pub const USER: &str = "user";
/// Unicode, quotes of both kinds, a space.
pub const UNI: &str = "Tåble ☃ \"q\" it's";

/// 63 bytes (PostgreSQL's limit) with multibyte characters: `L` and 31 × `é`.
pub fn long63() -> String {
    let s = format!("L{}", "é".repeat(31));
    assert_eq!(s.len(), 63);
    s
}

/// A TOML basic string.
pub fn ts(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `"schema"."name"` as a checklist path (each part double-quoted, inner quotes doubled).
pub fn path(schema: &str, name: &str) -> String {
    format!(
        "\"{}\".\"{}\"",
        schema.replace('"', "\"\""),
        name.replace('"', "\"\"")
    )
}

pub fn q(schema: &str, name: &str) -> String {
    qualified(schema, name)
}

pub fn qi(name: &str) -> String {
    quote_ident(name)
}

/// A database with `setup` run in it (after the Supabase stand-in when `standin`).
pub async fn db_with(setup: &str, standin: bool) -> TestDb {
    let db = TestDb::new().await;
    if standin {
        db.exec(pgmend::scenarios::SUPABASE_STANDIN).await;
    }
    if !setup.is_empty() {
        db.exec(setup).await;
    }
    db
}

pub fn checklist(toml: &str) -> Checklist {
    Checklist::parse(toml, "fix.toml").unwrap_or_else(|e| panic!("{e}\n{toml}"))
}

pub async fn snapshot(db: &TestDb) -> Snapshot {
    let mut c = db.connect().await;
    read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("read_snapshot: {e:?}"))
}

/// The snapshot and the report of checking it (lints on).
pub async fn check(db: &TestDb, cls: &[Checklist]) -> (Snapshot, Report) {
    let snap = snapshot(db).await;
    let mut c = db.connect().await;
    let facts = check::gather_facts(&mut c, cls).await;
    let mut report = check::run(&snap, cls, &facts, &LintOverrides::default());
    pgmend::fix::mark_fixable(&mut report, &snap, cls);
    (snap, report)
}

pub fn ids(r: &Report) -> Vec<String> {
    r.findings().map(|f| f.id.clone()).collect()
}

pub fn finding<'a>(r: &'a Report, id: &str) -> &'a Finding {
    r.findings()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}; findings:\n{}", ids(r).join("\n")))
}

/// Why the executor did not apply a plan.
#[derive(Debug)]
pub enum NotApplied {
    /// A precondition counted offending rows.
    Refused {
        description: String,
        count: i64,
        sample: Vec<String>,
    },
    Failed(String),
}

async fn run_group(c: &mut PgConnection, steps: &[&Step]) -> Result<(), String> {
    let err = |s: &Step, e: sqlx::Error| format!("{}: {e}\n{}", s.description, s.sql);
    if steps[0].mode == StepMode::Autocommit {
        return sqlx::raw_sql(AssertSqlSafe(steps[0].sql.clone()))
            .execute(&mut *c)
            .await
            .map(|_| ())
            .map_err(|e| err(steps[0], e));
    }
    let mut tx = c.begin().await.map_err(|e| e.to_string())?;
    for s in steps {
        sqlx::raw_sql(AssertSqlSafe(s.sql.clone()))
            .execute(&mut *tx)
            .await
            .map_err(|e| err(s, e))?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

/// Runs steps in order: the transactional steps of a group in one transaction, autocommit
/// steps alone.
pub async fn run_steps(db: &TestDb, steps: &[Step]) -> Result<(), String> {
    let mut c = db.connect().await;
    let mut i = 0;
    while i < steps.len() {
        let s = &steps[i];
        let mut group = vec![s];
        if s.mode == StepMode::Transactional {
            while let Some(n) = steps.get(i + group.len()) {
                if n.mode != StepMode::Transactional || n.group != s.group {
                    break;
                }
                group.push(n);
            }
        }
        i += group.len();
        run_group(&mut c, &group).await?;
    }
    Ok(())
}

/// Checks the preconditions in order (the first that counts rows refuses the plan), then runs
/// the steps.
pub async fn apply(db: &TestDb, plan: &Plan) -> Result<(), NotApplied> {
    let mut c = db.connect().await;
    for p in &plan.preconditions {
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(p.count_sql.clone()))
            .fetch_one(&mut c)
            .await
            .map_err(|e| NotApplied::Failed(format!("{}: {e}\n{}", p.description, p.count_sql)))?;
        if count > 0 {
            let sample: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT to_jsonb(s)::text FROM ({}) AS s",
                p.sample_sql
            )))
            .fetch_all(&mut c)
            .await
            .map_err(|e| NotApplied::Failed(format!("sample: {e}\n{}", p.sample_sql)))?;
            return Err(NotApplied::Refused {
                description: p.description.clone(),
                count,
                sample,
            });
        }
    }
    // A backfill whose expression was never written refuses the plan on rows that need one.
    if let Some(b) = plan.backfill().filter(|_| plan.backfill_pending()) {
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(b.count_sql.clone()))
            .fetch_one(&mut c)
            .await
            .map_err(|e| NotApplied::Failed(format!("backfill count: {e}")))?;
        if count > 0 {
            return Err(NotApplied::Refused {
                description: b.problem(count),
                count,
                sample: Vec::new(),
            });
        }
    }
    run_steps(db, &plan.steps).await.map_err(NotApplied::Failed)
}

/// `(rows, md5 of the rows)` of every table, over the columns it had in `snap`.
pub async fn checksums(db: &TestDb, snap: &Snapshot) -> BTreeMap<String, (i64, String)> {
    let mut c = db.connect().await;
    let mut out = BTreeMap::new();
    for t in snap.tables.iter().filter(|t| t.kind == RelationKind::Table) {
        let cols: Vec<String> = t.columns.iter().map(|c| qi(&c.name)).collect();
        let tq = q(&t.schema, &t.name);
        let sql = format!(
            "SELECT count(*), coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') \
             FROM (SELECT {} FROM {tq}) AS r",
            if cols.is_empty() {
                "1".into()
            } else {
                cols.join(", ")
            }
        );
        let row: (i64, String) = sqlx::query_as(AssertSqlSafe(sql.clone()))
            .fetch_one(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.insert(tq, row);
    }
    out
}

/// The full round trip for one finding: plan, apply (finding and everything the plan says it
/// mends gone), undo (finding back), with every row unchanged throughout. Returns the plan.
pub async fn roundtrip(db: &TestDb, cls: &[Checklist], id: &str) -> Plan {
    roundtrip_edited(db, cls, id, |_| {}).await
}

/// [`roundtrip`], with the plan edited first as the engineer would (a backfill expression…).
pub async fn roundtrip_edited(
    db: &TestDb,
    cls: &[Checklist],
    id: &str,
    edit: impl FnOnce(&mut Plan),
) -> Plan {
    let (snap, report) = check(db, cls).await;
    let f = finding(&report, id);
    assert!(f.fixable, "{id} is not marked fixable");
    let mut plan = fix::plan(f, &snap, cls).unwrap_or_else(|| panic!("no plan for {id}"));
    edit(&mut plan);
    let sums = checksums(db, &snap).await;
    if let Err(e) = apply(db, &plan).await {
        panic!("{id}: {e:?}\n{}", plan.script());
    }
    let (_, after) = check(db, cls).await;
    let left: Vec<String> = plan
        .fixes()
        .filter(|i| after.findings().any(|f| f.id == *i))
        .map(str::to_string)
        .collect();
    assert!(
        left.is_empty(),
        "{id}: still found after the fix: {left:?}\n{}",
        plan.script()
    );
    assert_eq!(
        sums,
        checksums(db, &snap).await,
        "{id}: rows changed by the fix"
    );
    if plan.reversible() {
        run_steps(db, &plan.undo)
            .await
            .unwrap_or_else(|e| panic!("{id}: undo failed: {e}"));
        let (_, undone) = check(db, cls).await;
        assert!(
            undone.findings().any(|f| f.id == id),
            "{id}: undo did not bring the finding back\n{}",
            ids(&undone).join("\n")
        );
        assert_eq!(
            sums,
            checksums(db, &snap).await,
            "{id}: rows changed by undo"
        );
    }
    plan
}

/// Every SQL text of a plan, for assertions on quoting.
pub fn all_sql(p: &Plan) -> String {
    let mut s: Vec<&str> = p
        .steps
        .iter()
        .chain(&p.undo)
        .map(|s| s.sql.as_str())
        .collect();
    for pre in &p.preconditions {
        s.push(&pre.count_sql);
        s.push(&pre.sample_sql);
    }
    s.join("\n")
}
