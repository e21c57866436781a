//! Names that close the statement, end to end: a good database B whose every object carries a
//! generated hostile name ([`super::closing`] among [`super::ident`]), `pgmend checklist
//! snapshot B`, then `pgmend fix A --checklist … --all --yes` on a database that lacks all of it
//! (or has the tables but lacks their columns, constraints and indexes). Every plan applies, a
//! re-check finds nothing, A's canary keeps its rows, and A's snapshot holds B's with nothing
//! beyond the canary: no statement ran but the ones the plans name.
//!
//! And the negative: a checklist whose SQL-valued keys carry injected text (`x) ; drop table
//! canary; --`, `, DROP COLUMN keep`) gets no plan for them: the text never reaches the server
//! (the journal holds no step with it), the canary and the column survive, and the same key
//! with clean text next to it is mended (the key does reach SQL).
//!
//! The exclusion constraint is over an `int4range` column with GiST, which needs no extension
//! (btree_gist is never required, so no piece is skipped). Cases: 24 for the end-to-end
//! property (each creates two databases and runs the binary four times), 64 for the negative
//! one; `PGMEND_PROPTEST_CASES` raises both.

use std::path::Path;

use proptest::prelude::*;

use super::idents::{exec, qi, ql, ts};
use super::{check, closing, ident, pg_name};
use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// `prefix` + `g` as PostgreSQL stores it (the prefixes are marks, which `g` never holds, so
/// different prefixes give different names).
fn nm(prefix: &str, g: &str) -> String {
    pg_name(&format!("{prefix}{g}"))
}

struct Names {
    schema: String,
    table: String,
    child: String,
    view: String,
    mview: String,
    seq: String,
    index: String,
    expr_index: String,
    unique: String,
    exclusion: String,
    enum_type: String,
    domain: String,
    composite: String,
    id: String,
    ident_col: String,
    col: String,
    generated: String,
    enum_col: String,
    range: String,
    domain_col: String,
    composite_col: String,
    check: String,
    fk: String,
    function: String,
    trigger_fn: String,
    trigger: String,
    policy: String,
    label: String,
}

impl Names {
    fn new(g: &str) -> Names {
        let raw = pg_name(g);
        let schema_ok = !raw.starts_with("pg_")
            && raw != "public"
            && !pgmend::db::catalog::is_managed_schema(&raw);
        let system = ["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"];
        Names {
            schema: if schema_ok { raw.clone() } else { nm("§", g) },
            table: raw.clone(),
            child: nm("¤", g),
            view: nm("§", g),
            mview: nm("¶", g),
            seq: nm("†", g),
            index: nm("¤¤", g),
            expr_index: nm("¤§", g),
            unique: nm("¤¶", g),
            exclusion: nm("¤†", g),
            enum_type: nm("§§", g),
            domain: nm("§¶", g),
            composite: nm("§†", g),
            id: nm("¶¶", g),
            ident_col: nm("¶†", g),
            col: if system.contains(&raw.as_str()) {
                nm("†¤", g)
            } else {
                raw.clone()
            },
            generated: nm("†§", g),
            enum_col: nm("†¶", g),
            range: nm("††", g),
            domain_col: nm("¤¤¤", g),
            composite_col: nm("¤¤§", g),
            check: raw.clone(),
            fk: nm("§¤", g),
            function: nm("¶¤", g),
            trigger_fn: nm("¶§", g),
            trigger: raw.clone(),
            policy: raw.clone(),
            label: raw,
        }
    }
}

/// B: every object kind, named from `g`.
fn good_sql(n: &Names, g: &str) -> String {
    let s = qi(&n.schema);
    let t = format!("{s}.{}", qi(&n.table));
    let c = qi(&n.col);
    format!(
        "CREATE SCHEMA {s};
         CREATE TYPE {s}.{e} AS ENUM ({label}, '¤');
         CREATE DOMAIN {s}.{d} AS text CONSTRAINT {ck} CHECK (VALUE <> {lit});
         CREATE TYPE {s}.{ct} AS ({c} int, {id} text);
         CREATE SEQUENCE {s}.{q} START 5 INCREMENT 2;
         CREATE TABLE {t} (
           {id} serial PRIMARY KEY,
           {ic} int GENERATED ALWAYS AS IDENTITY,
           {c} text,
           {gc} int GENERATED ALWAYS AS (length({c})) STORED,
           {ec} {s}.{e} DEFAULT {label},
           {r} int4range,
           {dc} {s}.{d},
           {cc} {s}.{ct},
           CONSTRAINT {ck} CHECK ({c} <> {lit}),
           CONSTRAINT {uq} UNIQUE ({c}),
           CONSTRAINT {ex} EXCLUDE USING gist ({r} WITH &&));
         CREATE TABLE {s}.{child} ({id} int PRIMARY KEY, {c} text,
           CONSTRAINT {fk} FOREIGN KEY ({c}) REFERENCES {t} ({c}));
         CREATE INDEX {ix} ON {t} ({ec});
         CREATE INDEX {ixe} ON {t} (lower({c}));
         CREATE VIEW {s}.{v} AS SELECT {id}, {c} FROM {t};
         CREATE MATERIALIZED VIEW {s}.{mv} AS SELECT {id}, {c} FROM {t};
         CREATE FUNCTION {s}.{f}({c} int) RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$;
         CREATE FUNCTION {s}.{tf}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN RETURN NEW; END $fn$;
         CREATE TRIGGER {tr} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {s}.{tf}();
         ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
         CREATE POLICY {po} ON {t} FOR SELECT USING ({c} <> {lit});
         COMMENT ON TABLE {t} IS {lit};
         COMMENT ON COLUMN {t}.{c} IS {lit};
         COMMENT ON VIEW {s}.{v} IS {lit};
         COMMENT ON FUNCTION {s}.{f}(int) IS {lit};",
        e = qi(&n.enum_type),
        label = ql(&n.label),
        d = qi(&n.domain),
        ck = qi(&n.check),
        lit = ql(g),
        ct = qi(&n.composite),
        id = qi(&n.id),
        q = qi(&n.seq),
        ic = qi(&n.ident_col),
        gc = qi(&n.generated),
        ec = qi(&n.enum_col),
        r = qi(&n.range),
        dc = qi(&n.domain_col),
        cc = qi(&n.composite_col),
        uq = qi(&n.unique),
        ex = qi(&n.exclusion),
        child = qi(&n.child),
        fk = qi(&n.fk),
        ix = qi(&n.index),
        ixe = qi(&n.expr_index),
        v = qi(&n.view),
        mv = qi(&n.mview),
        f = qi(&n.function),
        tf = qi(&n.trigger_fn),
        tr = qi(&n.trigger),
        po = qi(&n.policy),
    )
}

const CANARY: &str = "public.\"¤canary\"";

/// A: the canary, and with `tables` the schema and both tables with only their keys (one row in
/// the table) but none of their other columns, constraints, indexes, policies or triggers.
fn broken_sql(n: &Names, tables: bool) -> String {
    let mut sql = format!(
        "CREATE TABLE {CANARY} (id int PRIMARY KEY, v text);
         INSERT INTO {CANARY} SELECT i, 'v' || i FROM generate_series(1, 3) AS i;"
    );
    if tables {
        let s = qi(&n.schema);
        sql.push_str(&format!(
            "CREATE SCHEMA {s};
             CREATE TABLE {s}.{t} ({id} serial PRIMARY KEY);
             CREATE TABLE {s}.{child} ({id} int PRIMARY KEY);
             INSERT INTO {s}.{t} DEFAULT VALUES;",
            t = qi(&n.table),
            child = qi(&n.child),
            id = qi(&n.id),
        ));
    }
    sql
}

/// The binary's output, off the async workers.
async fn run(mut cmd: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run pgmend"))
        .await
        .expect("join")
}

async fn snapshot(data: &Path, url: &str) -> Result<String, String> {
    let mut cmd = pgmend(data);
    cmd.args(["checklist", "snapshot", url]);
    let out = run(cmd).await;
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(format!("snapshot of {url}: {}", text(&out.stderr)))
    }
}

/// `pgmend fix URL --checklist FILE --all --yes --no-backup`: (output, journal).
async fn fix(
    data: &Path,
    url: &str,
    file: &Path,
) -> (std::process::Output, Vec<pgmend::journal::Entry>) {
    let mut cmd = pgmend(data);
    cmd.args(["fix", url, "--checklist"])
        .arg(file)
        .args(["--all", "--yes", "--no-backup"]);
    let out = run(cmd).await;
    let journal = pgmend::journal::read(&data.join("journal.jsonl")).unwrap_or_default();
    (out, journal)
}

/// The findings `pgmend check --no-lints` still reports.
async fn recheck(data: &Path, url: &str, file: &Path) -> Result<Vec<String>, String> {
    let mut cmd = pgmend(data);
    cmd.args(["check", url, "--checklist"])
        .arg(file)
        .args(["--no-lints", "--format", "json"]);
    let out = run(cmd).await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("check --format json: {e}: {}", text(&out.stderr)))?;
    Ok(doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| i["findings"].as_array().into_iter().flatten())
        .map(|f| format!("{} ({})", f["id"], f["message"]))
        .collect())
}

async fn canary(db: &TestDb) -> Result<Vec<(i32, String)>, String> {
    let mut c = db.connect().await;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, v FROM {CANARY} ORDER BY id"
    )))
    .fetch_all(&mut c)
    .await
    .map_err(|e| format!("the canary is gone: {e}"))
}

fn journal_text(journal: &[pgmend::journal::Entry]) -> String {
    journal
        .iter()
        .map(|e| {
            let steps: Vec<String> = e
                .steps
                .iter()
                .map(|s| format!("  [{}] {}", s.result, s.sql))
                .collect();
            format!(
                "{} {} {}{}\n{}",
                e.result,
                e.finding_id,
                e.error.clone().unwrap_or_default(),
                e.refused.join("; "),
                steps.join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn mend_case(g: &str, tables: bool) -> Result<(), String> {
    let n = Names::new(g);
    let (a, b) = (TestDb::new().await, TestDb::new().await);
    let result = mend_checks(&a, &b, &n, g, tables).await;
    tokio::task::spawn_blocking(move || drop((a, b)))
        .await
        .expect("drop the databases");
    result
}

async fn mend_checks(
    a: &TestDb,
    b: &TestDb,
    n: &Names,
    g: &str,
    tables: bool,
) -> Result<(), String> {
    let mut cb = b.connect().await;
    exec(&mut cb, &good_sql(n, g)).await?;
    let mut ca = a.connect().await;
    exec(&mut ca, &broken_sql(n, tables)).await?;
    let canary_before = canary(a).await?;

    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("b.toml");
    let b_snap = snapshot(&data, b.url()).await?;
    std::fs::write(&file, &b_snap).unwrap();
    let (out, journal) = fix(&data, a.url(), &file).await;
    let log = || {
        format!(
            "{}\n{}\n{}\n--- checklist:\n{b_snap}",
            text(&out.stdout),
            text(&out.stderr),
            journal_text(&journal)
        )
    };
    // Every plan applied: the journal holds only fixed entries, each step ok.
    if journal.is_empty() || !matches!(out.status.code(), Some(0) | Some(1)) {
        return Err(format!(
            "fix exit {:?}, no plan applied\n{}",
            out.status.code(),
            log()
        ));
    }
    if journal
        .iter()
        .any(|e| e.result != "fixed" || e.steps.iter().any(|s| s.result != "ok"))
    {
        return Err(format!("not every plan applied:\n{}", log()));
    }
    let left = recheck(&data, a.url(), &file).await?;
    if !left.is_empty() {
        return Err(format!("re-check fails:\n{}\n{}", left.join("\n"), log()));
    }
    let canary_after = canary(a).await?;
    if canary_after != canary_before {
        return Err(format!("the canary changed: {canary_after:?}\n{}", log()));
    }
    if tables {
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {}.{}",
            qi(&n.schema),
            qi(&n.table)
        )))
        .fetch_one(&mut ca)
        .await
        .map_err(|e| e.to_string())?;
        if rows != 1 {
            return Err(format!("the table holds {rows} rows, not 1\n{}", log()));
        }
    }
    // A now holds all of B, and nothing but the canary besides: no statement ran beyond the
    // objects the plans name.
    let a_snap = snapshot(&data, a.url()).await?;
    let (missing, extra) = crate::corpus::normalise::snapshot_diff(&a_snap, &b_snap);
    if !missing.is_empty() {
        return Err(format!("A lacks:\n{}\n{}", missing.join("\n"), log()));
    }
    let extra: Vec<String> = extra
        .into_iter()
        .filter(|x| !x.contains("¤canary"))
        .collect();
    if !extra.is_empty() {
        return Err(format!(
            "A holds more than B and the canary: {extra:?}\n{}",
            log()
        ));
    }
    Ok(())
}

#[test]
fn closing_names_on_every_plan_kind_mend_exactly() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    check(
        "closing names on every plan kind",
        super::cases(24),
        (prop_oneof![2 => closing(), 1 => ident()], any::<bool>()),
        |(g, tables)| rt.block_on(mend_case(&g, tables)),
    );
}

/// The SQL-valued keys the negative property injects into.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Check,
    Default,
    Generated,
    ColumnType,
    IndexExpression,
    IndexPredicate,
    View,
    MaterializedView,
    Function,
    Trigger,
    PolicyUsing,
    PolicyCheck,
    DomainType,
    DomainDefault,
    DomainCheck,
    AttributeType,
    Exclusion,
}

const KEYS: &[Key] = &[
    Key::Check,
    Key::Default,
    Key::Generated,
    Key::ColumnType,
    Key::IndexExpression,
    Key::IndexPredicate,
    Key::View,
    Key::MaterializedView,
    Key::Function,
    Key::Trigger,
    Key::PolicyUsing,
    Key::PolicyCheck,
    Key::DomainType,
    Key::DomainDefault,
    Key::DomainCheck,
    Key::AttributeType,
    Key::Exclusion,
];

impl Key {
    /// Written bare into a list (`ALTER TABLE … ADD COLUMN c <type> DEFAULT <text>`, `ADD
    /// CONSTRAINT n <text>`, `CREATE TYPE … AS (a <type>, …)`): a `,` would start a new element.
    fn in_list(self) -> bool {
        matches!(
            self,
            Key::Default | Key::ColumnType | Key::Exclusion | Key::AttributeType
        )
    }
}

const SETUP: &str = r#"DROP SCHEMA IF EXISTS "¤inj" CASCADE;
CREATE SCHEMA "¤inj";
CREATE TABLE "¤inj".canary (id int PRIMARY KEY);
INSERT INTO "¤inj".canary SELECT generate_series(1, 3);
CREATE TABLE "¤inj".t (id int PRIMARY KEY, keep text, r int4range);
INSERT INTO "¤inj".t VALUES (1, 'kept', NULL);
CREATE FUNCTION "¤inj".tf() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN RETURN NEW; END $fn$;"#;

/// Items for `key`: a clean one (`ok…`, which must be mended) and one carrying `bad` (`bad…`,
/// which must get no plan).
fn injected_toml(key: Key, bad: &str) -> String {
    let s = "schema = \"¤inj\"";
    let pair = |ok: &str| [ts(ok), ts(&format!("{ok}{bad}"))];
    match key {
        Key::Check => {
            let [o, b] = pair("id > 0");
            format!(
                "[[table]]\n{s}\nname = \"t\"\n[[table.checks]]\nname = \"ok_c\"\nexpression = {o}\n\
                 [[table.checks]]\nname = \"bad_c\"\nexpression = {b}\n"
            )
        }
        Key::Default | Key::Generated | Key::ColumnType => {
            let (k, ok, ty) = match key {
                Key::Default => ("default", "'a'", "text"),
                Key::Generated => ("generated", "length(keep)", "integer"),
                _ => ("type", "text", ""),
            };
            let [o, b] = pair(ok);
            let ty = if ty.is_empty() {
                String::new()
            } else {
                format!("type = \"{ty}\", ")
            };
            format!(
                "[[table]]\n{s}\nname = \"t\"\ncolumns = [\n  {{ name = \"ok_col\", {ty}{k} = {o} }},\n  \
                 {{ name = \"bad_col\", {ty}{k} = {b} }},\n]\n\
                 [[table]]\n{s}\nname = \"t2\"\ncolumns = [\n  {{ name = \"id\", type = \"integer\" }},\n  \
                 {{ name = \"bad_col\", {ty}{k} = {b} }},\n]\n"
            )
        }
        Key::IndexExpression => {
            let [o, b] = pair("lower(keep)");
            format!(
                "[[index]]\n{s}\ntable = \"t\"\nname = \"ok_i\"\ncolumns = [{{ expression = {o} }}]\n\n\
                 [[index]]\n{s}\ntable = \"t\"\nname = \"bad_i\"\ncolumns = [{{ expression = {b} }}]\n"
            )
        }
        Key::IndexPredicate => {
            let [o, b] = pair("keep IS NOT NULL");
            format!(
                "[[index]]\n{s}\ntable = \"t\"\nname = \"ok_i\"\ncolumns = [\"id\"]\nwhere = {o}\n\n\
                 [[index]]\n{s}\ntable = \"t\"\nname = \"bad_i\"\ncolumns = [\"keep\"]\nwhere = {b}\n"
            )
        }
        Key::View | Key::MaterializedView => {
            let m = if key == Key::View {
                ""
            } else {
                "materialized = true\n"
            };
            let [o, b] = pair("SELECT 1 AS a");
            format!(
                "[[view]]\n{s}\nname = \"ok_v\"\n{m}definition = {o}\n\n\
                 [[view]]\n{s}\nname = \"bad_v\"\n{m}definition = {b}\n"
            )
        }
        Key::Function => {
            let def = |name: &str| {
                format!(
                    "CREATE OR REPLACE FUNCTION \"¤inj\".{name}() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$"
                )
            };
            format!(
                "[[function]]\n{s}\nname = \"ok_f\"\narguments = \"\"\ndefinition = {}\n\n\
                 [[function]]\n{s}\nname = \"bad_f\"\narguments = \"\"\ndefinition = {}\n",
                ts(&def("ok_f")),
                ts(&format!("{}{bad}", def("bad_f")))
            )
        }
        Key::Trigger => {
            let def = |name: &str| {
                format!(
                    "CREATE TRIGGER {name} BEFORE INSERT ON \"¤inj\".t FOR EACH ROW EXECUTE FUNCTION \"¤inj\".tf()"
                )
            };
            let item = |name: &str, d: &str| {
                format!(
                    "[[trigger]]\n{s}\ntable = \"t\"\nname = \"{name}\"\nfunction = '\"¤inj\".tf'\n\
                     timing = \"before\"\nevents = [\"insert\"]\ndefinition = {}\n\n",
                    ts(d)
                )
            };
            item("ok_tr", &def("ok_tr")) + &item("bad_tr", &format!("{}{bad}", def("bad_tr")))
        }
        Key::PolicyUsing | Key::PolicyCheck => {
            let (cmd, k) = if key == Key::PolicyUsing {
                ("select", "using")
            } else {
                ("insert", "with_check")
            };
            let [o, b] = pair("keep <> 'x'");
            format!(
                "[[policy]]\n{s}\ntable = \"t\"\nname = \"ok_p\"\ncommand = \"{cmd}\"\n{k} = {o}\n\n\
                 [[policy]]\n{s}\ntable = \"t\"\nname = \"bad_p\"\ncommand = \"{cmd}\"\n{k} = {b}\n"
            )
        }
        Key::DomainType | Key::DomainDefault | Key::DomainCheck => {
            let item = |name: &str, bad: &str| {
                let (ty, d, c) = match key {
                    Key::DomainType => (format!("text{bad}"), "'a'".into(), "VALUE <> ''".into()),
                    Key::DomainDefault => {
                        ("text".into(), format!("'a'{bad}"), "VALUE <> ''".into())
                    }
                    _ => ("text".into(), "'a'".into(), format!("VALUE <> ''{bad}")),
                };
                format!(
                    "[[domain]]\n{s}\nname = \"{name}\"\ntype = {}\ndefault = {}\n\
                     checks = [{{ name = \"dc\", expression = {} }}]\n\n",
                    ts(&ty),
                    ts(&d),
                    ts(&c)
                )
            };
            item("ok_d", "") + &item("bad_d", bad)
        }
        Key::AttributeType => {
            let [o, b] = pair("integer");
            format!(
                "[[type]]\n{s}\nname = \"ok_ty\"\nattributes = [{{ name = \"a\", type = {o} }}]\n\n\
                 [[type]]\n{s}\nname = \"bad_ty\"\nattributes = [{{ name = \"a\", type = {b} }}]\n"
            )
        }
        Key::Exclusion => {
            let [o, b] = pair("EXCLUDE USING gist (r WITH &&)");
            format!(
                "[[table]]\n{s}\nname = \"t\"\n[[table.exclusions]]\nname = \"ok_x\"\ndefinition = {o}\n\
                 [[table.exclusions]]\nname = \"bad_x\"\ndefinition = {b}\n"
            )
        }
    }
}

/// Injected text: a closer, a statement end and a DROP of the canary, and a tail that tries to
/// neutralise what follows; or (for keys written into a list) a `,` starting a DROP COLUMN.
fn payload(key: Key) -> BoxedStrategy<String> {
    let closers = &[
        ")", "))", "", " ", ") ", "')", "\")", "$$", "*/", "'", "x) ",
    ][..];
    let seps = &[";", " ; ", ";\n", "; ", ";;"][..];
    let tails = &[
        "",
        ";",
        "; --",
        " --",
        "(",
        "/*",
        "$$",
        "'",
        "--'",
        "; SELECT (",
    ][..];
    let drop = (
        prop::sample::select(closers),
        prop::sample::select(seps),
        prop::sample::select(tails),
    )
        .prop_map(|(c, s, t)| format!("{c}{s}DROP TABLE \"¤inj\".canary{t}"));
    if key.in_list() {
        let comma = prop::sample::select(tails).prop_map(|t| format!(", DROP COLUMN keep{t}"));
        prop_oneof![drop, comma].boxed()
    } else {
        drop.boxed()
    }
}

/// Opens a quote the rest of the text may stay inside: then the guard may pass the text with the
/// DROP inside one inert literal.
fn quoting(p: &str) -> bool {
    p.contains(['\'', '"', '$'])
}

async fn injected_case(db: &TestDb, key: Key, bad: &str) -> Result<(), String> {
    let mut c = db.connect().await;
    exec(&mut c, SETUP).await?;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("inj.toml");
    let toml = injected_toml(key, bad);
    std::fs::write(&file, &toml).unwrap();
    let (out, journal) = fix(&data, db.url(), &file).await;
    let log = || {
        format!(
            "{}\n{}\n{}\n--- checklist:\n{toml}",
            text(&out.stdout),
            text(&out.stderr),
            journal_text(&journal)
        )
    };
    let n: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM "¤inj".canary"#)
        .fetch_one(&mut c)
        .await
        .map_err(|e| format!("the canary is gone: {e}\n{}", log()))?;
    let keep: Option<String> = sqlx::query_scalar(r#"SELECT keep FROM "¤inj".t WHERE id = 1"#)
        .fetch_one(&mut c)
        .await
        .map_err(|e| format!("the column keep is gone: {e}\n{}", log()))?;
    if n != 3 || keep.as_deref() != Some("kept") {
        return Err(format!("canary rows {n}, keep {keep:?}\n{}", log()));
    }
    // The clean item was mended: the key does reach SQL.
    let ok_fixed = journal
        .iter()
        .any(|e| e.result == "fixed" && e.steps.iter().any(|s| s.sql.contains("ok_")));
    if !ok_fixed {
        return Err(format!("the clean item was not mended\n{}", log()));
    }
    // The injected text is never sent, unless it opens a quote of its own: then the guard may
    // take it as one literal (`keep <> 'x';DROP TABLE …'` compares with a string), which the
    // server either refuses or keeps as data; the canary and `keep` above are the proof.
    for e in &journal {
        for s in &e.steps {
            if s.sql.contains(bad) && !quoting(bad) {
                return Err(format!("the injected text reached the server:\n{}", log()));
            }
        }
    }
    Ok(())
}

#[test]
fn injected_sql_keys_never_reach_the_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let strategy = prop::sample::select(KEYS).prop_flat_map(|k| (Just(k), payload(k)));
    check(
        "injected SQL-valued keys",
        super::cases(64),
        strategy,
        |(key, bad)| rt.block_on(injected_case(&db, key, &bad)),
    );
    rt.block_on(async { drop(db) });
}
