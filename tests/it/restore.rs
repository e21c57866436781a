//! The way back, on the real server with the real binary: `pgmend restore` of the backup a fix
//! took (into a new database, or chosen tables into a side schema), `pgmend fix --undo ID`,
//! and hand-written fixes (`fix --sql`), journaled as such. Rows are compared by checksum
//! (md5 of each table's ordered rows), catalogs by a fingerprint of their columns, constraints
//! and indexes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlx::{Connection, PgConnection};

use crate::apply::fix_cli::{pgmend, text};
use crate::support::{Created, TestDb, url_for};

/// md5 of each user table's rows, ordered (`schema.table` → md5).
pub async fn checksums(url: &str, schema: &str) -> BTreeMap<String, String> {
    let mut c = PgConnection::connect(url).await.unwrap();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = $1 ORDER BY 1, 2",
    )
    .bind(schema)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for (s, t) in tables {
        let q = format!(
            "SELECT coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), 'empty') FROM \"{s}\".\"{t}\" x"
        );
        let sum: String = sqlx::query_scalar(sqlx::AssertSqlSafe(q))
            .fetch_one(&mut c)
            .await
            .unwrap();
        out.insert(t, sum);
    }
    let _ = c.close().await;
    out
}

/// The catalog of schema public in words: columns (type, null, default), constraints,
/// indexes, enum labels.
async fn fingerprint(url: &str) -> Vec<String> {
    let mut c = PgConnection::connect(url).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT format('col %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) \
           FROM information_schema.columns WHERE table_schema = 'public' \
         UNION ALL SELECT format('con %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint \
           WHERE connamespace = 'public'::regnamespace \
         UNION ALL SELECT format('idx %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' \
         UNION ALL SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) \
           FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname \
         ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let _ = c.close().await;
    rows
}

/// A checklist the test database misses: a column (fixable, with undo) and an enum's label
/// order (no automatic fix).
const CHECKLIST: &str = r#"
[[table]]
name = "notes"
columns = [
    { name = "id", type = "integer", nullable = false },
    { name = "body", type = "text" },
    { name = "mood", type = "text" },
]

[[enum]]
name = "level"
values = ["low", "mid", "high"]
exact = true
"#;

async fn broken_db() -> TestDb {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TYPE level AS ENUM ('high', 'low', 'mid');
         CREATE TABLE notes (id integer NOT NULL PRIMARY KEY, body text, lvl level);
         INSERT INTO notes SELECT g, md5(g::text), (ARRAY['low','mid','high'])[1 + g % 3]::level
           FROM generate_series(1, 3000) g;
         CREATE TABLE \"Orders\" (id serial PRIMARY KEY, note text NOT NULL);
         INSERT INTO \"Orders\" (note) SELECT 'order ' || g FROM generate_series(1, 500) g;",
    )
    .await;
    db
}

/// The finding ids `check` reports for the checklist.
fn finding(data: &Path, url: &str, list: &Path, prefix: &str) -> String {
    let out = pgmend(data)
        .args([
            "check",
            url,
            "--no-lints",
            "--format",
            "json",
            "--checklist",
        ])
        .arg(list)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap())
        .map(|f| f["id"].as_str().unwrap().to_string())
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no finding {prefix}… in {doc}"))
}

fn journal(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The id `pgmend journal` prints for the last entry.
fn last_id(data: &Path) -> String {
    let out = pgmend(data).arg("journal").output().unwrap();
    let t = text(&out.stdout);
    t.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("id: "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no id in {t}"))
}

/// The broken database, a data directory, and the checklist in it.
async fn setup() -> (TestDb, tempfile::TempDir, PathBuf) {
    let db = broken_db().await;
    let tmp = tempfile::tempdir().unwrap();
    let list = checklist_file(tmp.path());
    (db, tmp, list)
}

fn checklist_file(dir: &Path) -> PathBuf {
    let p = dir.join("expected.toml");
    std::fs::write(&p, CHECKLIST).unwrap();
    p
}

/// The rows and catalog before, and the output of `fix --yes` of the missing column.
async fn fix_the_column(
    data: &Path,
    db: &TestDb,
    list: &Path,
) -> (BTreeMap<String, String>, Vec<String>, std::process::Output) {
    let rows = checksums(db.url(), "public").await;
    let catalog = fingerprint(db.url()).await;
    let id = finding(data, db.url(), list, "column.missing");
    (rows, catalog, fix_only(data, db.url(), list, &id, None))
}

/// `pgmend fix URL --checklist LIST --only ID --yes [--sql FILE]`.
fn fix_only(
    data: &Path,
    url: &str,
    list: &Path,
    id: &str,
    sql: Option<&Path>,
) -> std::process::Output {
    let mut c = pgmend(data);
    c.args(["fix", url, "--only", id, "--yes", "--checklist"])
        .arg(list);
    if let Some(f) = sql {
        c.arg("--sql").arg(f);
    }
    c.output().unwrap()
}

/// The command failed (exit 2) saying `words`.
fn refused(out: &std::process::Output, words: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains(words), "{}", text(&out.stderr));
}

fn restore(data: &Path, args: &[&str]) -> std::process::Output {
    pgmend(data).arg("restore").args(args).output().unwrap()
}

#[tokio::test]
async fn back_up_fix_then_restore_into_a_new_database_gives_back_the_rows() {
    let (db, tmp, list) = setup().await;
    let data = tmp.path();
    let (rows_before, catalog_before, out) = fix_the_column(data, &db, &list).await;
    assert!(
        text(&out.stdout).contains("fixed "),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_ne!(
        checksums(db.url(), "public").await,
        rows_before,
        "the fix changed the rows' text"
    );
    let entry = journal(data).pop().unwrap();
    let backup = entry["backup"]["path"].as_str().unwrap().to_string();

    // --list says what a whole restore runs, and changes nothing.
    let out = restore(data, &[&backup, "--list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("TABLE DATA public notes"),
        "{}",
        text(&out.stdout)
    );

    let new_db = format!("{}_restored", db.name);
    let new_url = url_for(&new_db);
    let out = restore(data, &[&backup, "--into", &new_url, "--yes"]);
    let cleanup = Created(new_db.clone());
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("restored "),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(checksums(&new_url, "public").await, rows_before);
    assert_eq!(fingerprint(&new_url).await, catalog_before);
    let journaled = journal(data).pop().unwrap();
    assert_eq!(journaled["kind"], "restore");
    assert_eq!(journaled["result"], "restored");
    assert_eq!(journaled["connection"]["database"], new_db.as_str());
    drop(cleanup);
}

/// A verified backup of `db` taken by `pgmend backup`.
fn backup_of(data: &Path, db: &TestDb) -> String {
    let dir = data.join("backups");
    let out = pgmend(data)
        .args(["backup", db.url(), "--backup-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let f = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "dump"))
        .unwrap();
    f.display().to_string()
}

/// The rows, a backup of them, then rows lost and changed: (rows before, the backup, rows after).
async fn backed_up_then_damaged(
    data: &Path,
    db: &TestDb,
) -> (BTreeMap<String, String>, String, BTreeMap<String, String>) {
    let before = checksums(db.url(), "public").await;
    let backup = backup_of(data, db);
    db.exec("DELETE FROM \"Orders\" WHERE id % 2 = 0; UPDATE notes SET body = 'lost'")
        .await;
    let after = checksums(db.url(), "public").await;
    assert_ne!(after, before);
    (before, backup, after)
}

#[tokio::test]
async fn chosen_tables_are_restored_into_a_side_schema_beside_the_live_ones() {
    let (db, tmp, _) = setup().await;
    let data = tmp.path();
    let (before, backup, live) = backed_up_then_damaged(data, &db).await;

    let out = restore(data, &[&backup, "--list", "--table", "\"Orders\""]);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("TABLE public Orders") && listed.contains("TABLE DATA public Orders"),
        "{listed}"
    );
    assert!(!listed.contains("notes"), "{listed}");

    let out = restore(
        data,
        &[
            &backup,
            "--into",
            db.url(),
            "--table",
            "\"Orders\"",
            "--table",
            "public.notes",
            "--yes",
        ],
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}\n{}", text(&out.stderr));
    let side = said
        .split_whitespace()
        .find(|w| w.starts_with("restore_"))
        .unwrap()
        .to_string();
    // The side schema holds the rows as they were; the live tables are untouched.
    let restored = checksums(db.url(), &side).await;
    assert_eq!(restored.get("Orders"), before.get("Orders"));
    assert_eq!(restored.get("notes"), before.get("notes"));
    assert_eq!(restored.len(), 2);
    assert_eq!(checksums(db.url(), "public").await, live);
    // Columns and rows only: no index or constraint named after the live ones.
    let mut c = db.connect().await;
    let idx: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = $1")
        .bind(&side)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(idx, 0);

    // Again: a second side schema, never over the first.
    let out = restore(
        data,
        &[&backup, "--into", db.url(), "--table", "notes", "--yes"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("{side}_2")),
        "{}",
        text(&out.stdout)
    );

    // An unknown table is named, with what the backup holds.
    let out = restore(
        data,
        &[&backup, "--into", db.url(), "--table", "nope", "--yes"],
    );
    refused(&out, "no table public.nope");
}

#[tokio::test]
async fn restores_that_would_overwrite_or_cannot_be_verified_are_refused() {
    let db = broken_db().await;
    let other = TestDb::new().await;
    other
        .exec("CREATE TABLE keep (x int); INSERT INTO keep VALUES (1)")
        .await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let backup = backup_of(data, &db);
    let live = checksums(db.url(), "public").await;

    // Over the database it came from: refused, with the ways that are allowed.
    let out = restore(data, &[&backup, "--into", db.url(), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("the database the backup came from"), "{err}");
    assert!(err.contains("--over-source-database"), "{err}");
    // Spelled out, --yes still needs the name typed.
    let out = restore(
        data,
        &[
            &backup,
            "--into",
            db.url(),
            "--yes",
            "--over-source-database",
        ],
    );
    refused(&out, "--confirm-database");
    assert_eq!(checksums(db.url(), "public").await, live);

    // Into another database with objects: refused, it keeps its rows.
    let out = restore(data, &[&backup, "--into", other.url(), "--yes"]);
    refused(&out, "is not empty");
    assert_eq!(checksums(other.url(), "public").await.len(), 1);

    // Without --yes and no terminal: nothing is created.
    let new_db = format!("{}_never", db.name);
    let _guard = Created(new_db.clone());
    let out = restore(data, &[&backup, "--into", &url_for(&new_db)]);
    refused(&out, "add --yes");
    let mut admin = PgConnection::connect(&url_for("postgres")).await.unwrap();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&new_db)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert!(!exists);

    // A backup that no longer matches its checksum is not restored.
    let mut bytes = std::fs::read(&backup).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 0xff;
    std::fs::write(&backup, bytes).unwrap();
    let out = restore(data, &[&backup, "--into", &url_for(&new_db), "--yes"]);
    refused(&out, "does not verify");
}

#[tokio::test]
async fn undoing_a_journal_entry_gives_back_the_catalog_and_the_rows() {
    let (db, tmp, list) = setup().await;
    let data = tmp.path();
    let (rows_before, catalog_before, out) = fix_the_column(data, &db, &list).await;
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    assert_ne!(fingerprint(db.url()).await, catalog_before);
    let fixed = journal(data).pop().unwrap();
    assert!(!fixed["undo"].as_array().unwrap().is_empty(), "{fixed}");
    assert_eq!(fixed["tables"][0], "public.notes");
    let entry = last_id(data);

    let out = pgmend(data)
        .args(["fix", db.url(), "--undo", &entry, "--yes"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("fixed "),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(fingerprint(db.url()).await, catalog_before);
    assert_eq!(checksums(db.url(), "public").await, rows_before);
    let undo = journal(data).pop().unwrap();
    assert_eq!(undo["kind"], "undo");
    assert_eq!(undo["undoes"], entry.as_str());
    assert!(
        undo["backup"]["path"].is_string(),
        "an undo is backed up first: {undo}"
    );

    // The tables an entry changed come back from its backup into a side schema.
    let backup = fixed["backup"]["path"].as_str().unwrap();
    let out = restore(
        data,
        &[backup, "--into", db.url(), "--entry", &entry, "--yes"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("public.notes"),
        "{}",
        text(&out.stdout)
    );

    // An entry with nothing to undo says so.
    let out = pgmend(data)
        .args(["fix", db.url(), "--undo", "ffffffffff", "--yes"])
        .output()
        .unwrap();
    refused(&out, "no journal entry");
}

#[tokio::test]
async fn a_hand_written_fix_runs_through_the_flow_and_is_journaled_as_such() {
    let (db, tmp, list) = setup().await;
    let data = tmp.path();
    let id = finding(data, db.url(), &list, "enum.");
    // The template, left as it is, is refused before anything runs.
    let template = data.join("fix.sql");
    std::fs::write(&template, "DROP TYPE <type>;").unwrap();
    let out = fix_only(data, db.url(), &list, &id, Some(&template));
    refused(&out, "<type> is still a placeholder");
    assert!(journal(data).is_empty());

    let rows_before = checksums(db.url(), "public").await;
    std::fs::write(
        &template,
        "CREATE TYPE level_new AS ENUM ('low', 'mid', 'high');\n\
         ALTER TABLE notes ALTER COLUMN lvl TYPE level_new USING lvl::text::level_new;\n\
         DROP TYPE level;\nALTER TYPE level_new RENAME TO level;",
    )
    .unwrap();
    let out = fix_only(data, db.url(), &list, &id, Some(&template));
    let said = text(&out.stdout);
    assert!(said.contains("fixed "), "{said}\n{}", text(&out.stderr));
    // Re-checked: the enum's finding is gone, the rows are the same.
    let after = &said[said.find("after:").unwrap()..];
    assert!(!after.contains(&id), "{said}");
    assert_eq!(checksums(db.url(), "public").await, rows_before);
    let e = journal(data).pop().unwrap();
    assert_eq!(e["kind"], "hand-written");
    assert_eq!(e["result"], "fixed");
    assert!(e["backup"]["path"].is_string(), "{e}");
    assert!(e["steps"][0]["sql"].as_str().unwrap().contains("level_new"));
}

#[tokio::test]
async fn over_the_source_database_only_when_spelled_out_and_after_a_fresh_backup() {
    let (db, tmp, _) = setup().await;
    let data = tmp.path();
    let (before, backup, damaged) = backed_up_then_damaged(data, &db).await;
    assert_ne!(damaged, before);

    let over = |name: &str| {
        let args = [
            backup.as_str(),
            "--into",
            db.url(),
            "--over-source-database",
            "--yes",
            "--confirm-database",
            name,
        ];
        restore(data, &args)
    };
    // The name typed wrong: refused, nothing changed.
    refused(&over("other"), "--confirm-database");
    assert_eq!(checksums(db.url(), "public").await, damaged);

    let out = over(&db.name);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(checksums(db.url(), "public").await, before);
    // The state it replaced was backed up first, verified.
    let dumps = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "dump"))
        .count();
    assert_eq!(dumps, 2, "{}", text(&out.stderr));
    let journaled = journal(data).pop().unwrap();
    assert_eq!(journaled["kind"], "restore");
    assert!(journaled["backup"]["path"].is_string(), "{journaled}");
    assert!(
        text(&out.stderr).contains("backup verified"),
        "{}",
        text(&out.stderr)
    );
}
