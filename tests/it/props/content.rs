//! Catalog content that tries injection — comments, defaults, check and policy expressions and
//! enum labels holding `';--`, `$$`, newlines, backslashes, TOML syntax — is data: it reads
//! back unchanged, round-trips through checklist snapshots, and fixes carry it as literals
//! (a canary table that a breakout would drop is still there).

use crate::apply::apply_all;
use pgmend::apply::{ApplyOptions, ApplyOutcome};
use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::Snapshot;
use sqlx::PgConnection;

use super::idents::{Db, check_items, exec, failed, ql, snap_of, ts};
use super::{check, hostile_text, pg_name};
use crate::support::TestDb;

const SCHEMA: &str = "¤content";

/// A label PostgreSQL accepts (1 to 63 bytes) made of `x`.
fn label(x: &str) -> String {
    let l = pg_name(x);
    if l.is_empty() { "¶".into() } else { l }
}

async fn canary_alive(c: &mut PgConnection) -> Result<(), String> {
    let n: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM "¤content".x"#)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| format!("the canary table is gone: {e}"))?;
    if n == 1 {
        Ok(())
    } else {
        Err(format!("the canary holds {n} rows"))
    }
}

fn table<'a>(snap: &'a Snapshot, name: &str) -> &'a pgmend::db::catalog::Table {
    snap.tables.iter().find(|t| t.name == name).unwrap()
}

async fn setup(c: &mut PgConnection, x: &str) -> Result<(), String> {
    exec(
        c,
        &format!(
            r#"DROP SCHEMA IF EXISTS "¤content" CASCADE;
               CREATE SCHEMA "¤content";
               CREATE TABLE "¤content".x (id int PRIMARY KEY);
               INSERT INTO "¤content".x VALUES (1);
               CREATE TYPE "¤content".mood AS ENUM ({l}, '§');
               CREATE TABLE "¤content".t (
                 id int PRIMARY KEY,
                 body text NOT NULL DEFAULT {lit} CHECK (body <> {lit} || '§'),
                 mood "¤content".mood);
               COMMENT ON TABLE "¤content".t IS {lit};
               COMMENT ON COLUMN "¤content".t.body IS {lit};
               ALTER TABLE "¤content".t ENABLE ROW LEVEL SECURITY;
               CREATE POLICY p ON "¤content".t FOR SELECT USING (body <> {lit});"#,
            l = ql(&label(x)),
            lit = ql(x),
        ),
    )
    .await
}

async fn roundtrip_case(c: &mut PgConnection, x: &str) -> Result<(), String> {
    setup(c, x).await?;
    let snap = snap_of(c, SCHEMA).await?;
    let t = table(&snap, "t");
    let body = t.columns.iter().find(|c| c.name == "body").unwrap();
    if t.comment.as_deref() != Some(x) || body.comment.as_deref() != Some(x) {
        return Err(format!("comments: {:?} / {:?}", t.comment, body.comment));
    }
    let e = snap.enums.iter().find(|e| e.name == "mood").unwrap();
    if e.labels != [label(x), "§".to_string()] {
        return Err(format!("labels: {:?}", e.labels));
    }
    // The deparsed default evaluates back to the text itself.
    let def = body.default.clone().unwrap_or_default();
    let back: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT ({def})::text")))
        .fetch_one(&mut *c)
        .await
        .map_err(|e| format!("default {def:?}: {e}"))?;
    if back != x {
        return Err(format!("default {def:?} evaluates to {back:?}"));
    }
    let toml = snapshot::to_toml(&snap, "content");
    let cl = Checklist::parse(&toml, "content.toml").map_err(|e| format!("{e}\n{toml}"))?;
    // The TOML holds the catalog's text unchanged.
    let en = cl
        .file
        .enums
        .iter()
        .find(|e| e.get_ref().name == "mood")
        .unwrap();
    if en.get_ref().values != e.labels {
        return Err(format!("labels in TOML: {:?}", en.get_ref().values));
    }
    let bad = failed(&check_items(c, &snap, &cl).await);
    if !bad.is_empty() {
        return Err(format!("own snapshot fails:\n{}\n{toml}", bad.join("\n")));
    }
    canary_alive(c).await
}

#[test]
fn injection_content_round_trips_as_data() {
    let db = Db::new();
    check(
        "injection content round trip",
        super::cases(64),
        hostile_text(),
        |x| {
            let mut c = db.conn.borrow_mut();
            db.rt.block_on(roundtrip_case(&mut c, &x))
        },
    );
}

async fn fix_case(db: &TestDb, c: &mut PgConnection, x: &str) -> Result<(), String> {
    setup(c, x).await?;
    // A column with the text as its default, and the text as a new enum value.
    let new_label = label(&format!("†{x}"));
    let toml = format!(
        "[[table]]\nschema = {s}\nname = \"t\"\ncolumns = [{{ name = \"note\", type = \"text\", default = {d} }}]\n\n\
         [[enum]]\nschema = {s}\nname = \"mood\"\nvalues = [{l}]\n",
        s = ts(SCHEMA),
        d = ts(&ql(x)),
        l = ts(&new_label),
    );
    let cl = Checklist::parse(&toml, "content-fix.toml").map_err(|e| format!("{e}\n{toml}"))?;
    let snap = snap_of(c, SCHEMA).await?;
    let report = check_items(c, &snap, &cl).await;
    let plans = pgmend::fix::plans(&report, &snap, std::slice::from_ref(&cl));
    if plans.len() != 2 {
        return Err(format!(
            "expected 2 plans for {:?}, got {plans:#?}",
            failed(&report)
        ));
    }
    let mut w = crate::apply::writer(db).await;
    for o in apply_all(&mut w, &plans, &ApplyOptions::default(), |_| {}).await {
        if !matches!(o.outcome, ApplyOutcome::Applied { .. }) {
            return Err(format!("{}: {:?}", o.finding_id, o.outcome));
        }
    }
    let after = snap_of(c, SCHEMA).await?;
    let left = failed(&check_items(c, &after, &cl).await);
    if !left.is_empty() {
        return Err(format!("not fixed: {left:?}"));
    }
    let e = after.enums.iter().find(|e| e.name == "mood").unwrap();
    if !e.labels.contains(&new_label) {
        return Err(format!("labels after fix: {:?}", e.labels));
    }
    let back: String =
        sqlx::query_scalar(r#"INSERT INTO "¤content".t (id, body) VALUES (7, 'y') RETURNING note"#)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| e.to_string())?;
    if back != x {
        return Err(format!("the new column's default gives {back:?}"));
    }
    canary_alive(c).await
}

#[test]
fn injection_content_in_fixes_stays_data() {
    let db = Db::new();
    check(
        "injection content in fixes",
        super::cases(64),
        hostile_text(),
        |x| {
            let mut c = db.conn.borrow_mut();
            db.rt.block_on(fix_case(&db.db, &mut c, &x))
        },
    );
}
