//! `pgmend fix … --emit-migration FORMAT DIR`: the migration pgmend writes, run the way its tool
//! runs it (by plain psql: no Node, Prisma or Supabase CLI needed) on a fresh broken copy,
//! leaves the same catalog as pgmend's own apply on another copy; the journal names the files;
//! the output says how to mark the migration applied.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::dry_run::{broken, psql};
use super::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// The catalog, without what differs between two copies mended the same way (statistics,
/// timings, the cluster's roles, the server).
async fn catalog(db: &TestDb) -> serde_json::Value {
    let mut c = db.connect().await;
    let snap = pgmend::db::catalog::read_snapshot(&mut c, &Default::default())
        .await
        .unwrap();
    let mut v = serde_json::to_value(&snap).unwrap();
    strip(&mut v);
    v
}

fn strip(v: &mut serde_json::Value) {
    const VOLATILE: [&str; 8] = [
        "server",
        "roles",
        "read_ms",
        "round_trips",
        "row_estimate",
        "size_bytes",
        "migrations",
        "warnings",
    ];
    match v {
        serde_json::Value::Object(m) => {
            for k in VOLATILE {
                m.remove(k);
            }
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// psql on `db` with `args` (ON_ERROR_STOP on), panicking with its error.
fn run_psql(db: &TestDb, args: &[&str], what: &str) {
    let out = Command::new(psql())
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url()])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: psql stopped: {}",
        text(&out.stderr)
    );
}

/// A file's text sent as one simple query: as Prisma and the Supabase CLI send a migration,
/// in one implicit transaction unless it holds a single statement.
fn as_one_query(db: &TestDb, file: &Path) {
    let sql = std::fs::read_to_string(file).unwrap();
    run_psql(db, &["-c", &sql], &file.display().to_string());
}

/// Files under `dir` whose path ends with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Emitted {
    stdout: String,
    stderr: String,
    data: PathBuf,
}

/// `pgmend fix --all` on `db` (`--yes`, or `--dry-run`) with `--emit-migration FORMAT DIR`.
fn fix(db: &TestDb, id: &str, format: &str, dir: &Path, mode: &str) -> Emitted {
    let data = dir.parent().unwrap().join("data");
    let out = pgmend(&data)
        .args([
            "fix",
            db.url(),
            "--preset",
            id,
            "--all",
            mode,
            "--backup-dir",
        ])
        .arg(dir.parent().unwrap().join("backups"))
        .args(["--emit-migration", format])
        .arg(dir)
        .output()
        .unwrap();
    let e = Emitted {
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
        data,
    };
    assert_ne!(out.status.code(), Some(2), "{}{}", e.stdout, e.stderr);
    e
}

/// The journal's `migration` files of the plans that were fixed.
fn journaled(data: &Path) -> Vec<(String, Vec<String>)> {
    let j = std::fs::read_to_string(data.join("journal.jsonl")).unwrap();
    j.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["result"] == "fixed")
        .map(|e| {
            let files = e["migration"].as_array().cloned().unwrap_or_default();
            (
                e["finding_id"].as_str().unwrap().to_string(),
                files
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// A fresh folder for the application's files (removed with the returned guard).
fn app_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    (tmp, dir)
}

/// `format` emitted into `dir` by `--yes` on one copy (or, `planned`, by `--dry-run` on the
/// copy `run` then migrates, pgmend applying to the other); `run` applies the files to a fresh
/// copy; both catalogs agree, and the journal names each fixed plan's files.
async fn matches(
    id: &str,
    format: &str,
    dir: &Path,
    planned: bool,
    run: impl Fn(&TestDb, &Path),
) -> Emitted {
    let (a, b) = (broken(id).await, broken(id).await);
    let before = catalog(&a).await;
    let e = if planned {
        let e = fix(&a, id, format, dir, "--dry-run");
        assert!(e.stderr.contains("migration "), "{}", e.stderr);
        fix(&b, id, "sql", &dir.with_file_name("other"), "--yes");
        e
    } else {
        fix(&b, id, format, dir, "--yes")
    };
    run(&a, dir);
    let (by_migration, by_pgmend) = (catalog(&a).await, catalog(&b).await);
    assert_ne!(before, by_pgmend, "{id}: pgmend changed nothing");
    assert!(
        by_migration == by_pgmend,
        "{id} {format}: the migration and pgmend's apply differ:\n{}",
        first_difference(&by_migration, &by_pgmend)
    );
    if planned {
        return e;
    }
    assert!(e.stdout.contains("\nmigration "), "{}", e.stdout);
    let j = journaled(&e.data);
    assert!(!j.is_empty(), "{}", e.stdout);
    for (finding, files) in &j {
        assert!(!files.is_empty(), "{finding}: no migration file journaled");
        for f in files {
            assert!(Path::new(f).is_file(), "{finding}: {f} was not written");
            assert!(e.stdout.contains(f.as_str()), "{f} not in the output");
        }
    }
    e
}

fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> String {
    let (a, b) = (
        serde_json::to_string_pretty(a).unwrap(),
        serde_json::to_string_pretty(b).unwrap(),
    );
    let n = a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count();
    let window = |s: &str| {
        s.lines()
            .skip(n.saturating_sub(8))
            .take(16)
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "--- migration:\n{}\n--- pgmend:\n{}",
        window(&a),
        window(&b)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn prisma_migrations_match_the_apply() {
    let (_tmp, dir) = app_dir();
    let e = matches("event-platform", "prisma", &dir, false, |db, dir| {
        for f in files(&dir.join("prisma/migrations"), "/migration.sql") {
            as_one_query(db, &f);
        }
    })
    .await;
    let dirs = files(&dir.join("prisma/migrations"), "/migration.sql");
    assert!(dirs.len() > 1, "no statement stood alone: {dirs:?}");
    for d in &dirs {
        let name = d.parent().unwrap().file_name().unwrap().to_string_lossy();
        assert!(name.contains("_pgmend_fixes"), "{name}");
        let cmd = format!("npx prisma migrate resolve --applied {name}");
        assert!(e.stdout.contains(&cmd), "{cmd} not in:\n{}", e.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn supabase_migrations_match_the_apply() {
    let (_tmp, dir) = app_dir();
    let e = matches("mood-journal", "supabase", &dir, false, |db, dir| {
        for f in files(&dir.join("supabase/migrations"), ".sql") {
            as_one_query(db, &f);
        }
    })
    .await;
    let versions: Vec<String> = files(&dir.join("supabase/migrations"), ".sql")
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy()[..14].to_string())
        .collect();
    let cmd = format!(
        "supabase migration repair --status applied {}",
        versions.join(" ")
    );
    assert!(e.stdout.contains(&cmd), "{cmd} not in:\n{}", e.stdout);
}

/// Supabase files for a database with index builds (CREATE INDEX CONCURRENTLY): each build is
/// a file of its own, which the CLI runs outside the others' transactions.
#[tokio::test(flavor = "multi_thread")]
async fn supabase_gives_each_concurrent_build_a_file() {
    let (_tmp, dir) = app_dir();
    matches("event-platform", "supabase", &dir, false, |db, dir| {
        for f in files(&dir.join("supabase/migrations"), ".sql") {
            as_one_query(db, &f);
        }
    })
    .await;
    let all = files(&dir.join("supabase/migrations"), ".sql");
    let alone: Vec<&PathBuf> = all
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("CONCURRENTLY"))
        .collect();
    assert!(!alone.is_empty(), "{all:?}");
    for f in alone {
        let sql = std::fs::read_to_string(f).unwrap();
        let statements = sql.lines().filter(|l| l.ends_with(';')).count();
        assert_eq!(statements, 1, "{}:\n{sql}", f.display());
    }
}

/// The statements of the class's `up`, as TypeORM would run them: a group passed to
/// `inTransaction` between BEGIN and COMMIT, a lone `queryRunner.query` alone; everything in
/// one transaction when the class keeps TypeORM's.
fn typeorm_up(class: &str) -> (Vec<String>, bool) {
    let up =
        &class[class.find("public async up(").unwrap()..class.find("public async down(").unwrap()];
    let own_tx = class.contains("\n    transaction = false;\n");
    let mut statements = Vec::new();
    let mut rest = up;
    loop {
        let group = rest.find("this.inTransaction(queryRunner, [");
        let lone = rest.find("queryRunner.query(`");
        match (group, lone) {
            (Some(g), l) if l.is_none_or(|l| g < l) => {
                let end = g + rest[g..].find("\n        ]);").unwrap();
                let mut inner = &rest[g..end];
                statements.push("BEGIN;".to_string());
                while let Some(at) = inner.find('`') {
                    let (sql, used) = literal(&inner[at + 1..]);
                    statements.push(sql);
                    inner = &inner[at + 1 + used..];
                }
                statements.push("COMMIT;".to_string());
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                let start = l + "queryRunner.query(`".len();
                let (sql, used) = literal(&rest[start..]);
                statements.push(sql);
                rest = &rest[start + used..];
            }
            _ => break,
        }
    }
    (statements, own_tx)
}

/// The queries the class's `up` hands TypeORM, as Node runs it with a query runner that
/// records them (its type annotations taken out: Node 20 runs no TypeScript). None when Node
/// is not installed.
fn node_up(class: &str) -> Option<Vec<String>> {
    Command::new("node").arg("--version").output().ok()?;
    let name = class
        .split("export class ")
        .nth(1)?
        .split(' ')
        .next()?
        .to_string();
    let js: Vec<String> = class
        .lines()
        .filter(|l| !l.starts_with("import type "))
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("export class ") {
                format!("class {name} {{")
            } else if let Some(m) = t
                .strip_prefix("public async ")
                .or_else(|| t.strip_prefix("private async "))
            {
                let head = m.split(':').next().unwrap_or(m);
                let args = if head.starts_with("inTransaction") {
                    "inTransaction(queryRunner, queries) {"
                } else {
                    &format!("{head}) {{")
                };
                format!("    async {args}")
            } else {
                l.to_string()
            }
        })
        .collect();
    let driver = format!(
        "{}\nconst seen = [];\nconst runner = {{\n  query: async (q) => {{ seen.push(q); }},\n  \
         startTransaction: async () => {{ seen.push('BEGIN;'); }},\n  \
         commitTransaction: async () => {{ seen.push('COMMIT;'); }},\n  \
         rollbackTransaction: async () => {{ seen.push('ROLLBACK;'); }},\n}};\n\
         new {name}().up(runner).then(() => console.log(JSON.stringify(seen)));\n",
        js.join("\n")
    );
    let file = tempfile::Builder::new().suffix(".cjs").tempfile().unwrap();
    std::fs::write(file.path(), driver).unwrap();
    let out = Command::new("node").arg(file.path()).output().unwrap();
    assert!(out.status.success(), "node: {}", text(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A template literal's text (after its opening backtick) and the bytes it took, closing
/// backtick included.
fn literal(s: &str) -> (String, usize) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap().1),
            '`' => return (out, i + 1),
            c => out.push(c),
        }
    }
    panic!("unterminated template literal: {s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn typeorm_class_matches_the_apply() {
    let (_tmp, dir) = app_dir();
    let e = matches("chat-system", "typeorm", &dir, false, |db, dir| {
        let class = files(dir, ".ts");
        assert_eq!(class.len(), 1, "{class:?}");
        let class = std::fs::read_to_string(&class[0]).unwrap();
        let (statements, own_tx) = typeorm_up(&class);
        match node_up(&class) {
            Some(by_node) => assert_eq!(statements, by_node, "Node reads the class otherwise"),
            None => eprintln!("node is not installed: the class was read by the test alone"),
        }
        let script = statements.join("\n");
        let file = dir.join("up.sql");
        std::fs::write(&file, &script).unwrap();
        let f = file.to_string_lossy();
        let args: Vec<&str> = if own_tx {
            vec!["-f", &f]
        } else {
            vec!["-1", "-f", &f]
        };
        run_psql(db, &args, &script);
    })
    .await;
    let class = std::fs::read_to_string(&files(&dir, ".ts")[0]).unwrap();
    let ms = class.split("export class PgmendFixes").nth(1).unwrap()[..13].to_string();
    assert!(ms.bytes().all(|b| b.is_ascii_digit()), "{class}");
    assert!(
        class.contains("public async down(queryRunner: QueryRunner)"),
        "{class}"
    );
    let mark = format!("VALUES ({ms}, 'PgmendFixes{ms}')");
    assert!(e.stdout.contains(&mark), "{mark} not in:\n{}", e.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn drizzle_migration_appends_to_its_journal_and_matches_the_apply() {
    let seeded = serde_json::json!({
        "version": "7",
        "dialect": "postgresql",
        "entries": [{"idx": 0, "version": "7", "when": 1700000000000u64, "tag": "0000_init", "breakpoints": true}]
    });
    let (_tmp, dir) = app_dir();
    std::fs::create_dir_all(dir.join("meta")).unwrap();
    std::fs::write(dir.join("meta/_journal.json"), seeded.to_string()).unwrap();
    matches("event-platform", "drizzle", &dir, false, |db, dir| {
        // drizzle's migrator runs the pending migrations in one transaction.
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("meta/_journal.json")).unwrap())
                .unwrap();
        for entry in &j["entries"].as_array().unwrap()[1..] {
            let f = dir.join(format!("{}.sql", entry["tag"].as_str().unwrap()));
            run_psql(db, &["-1", "-f", &f.to_string_lossy()], "drizzle migration");
        }
    })
    .await;
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta/_journal.json")).unwrap())
            .unwrap();
    let entries = j["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{j}");
    assert_eq!(entries[0], seeded["entries"][0]);
    assert_eq!(entries[1]["idx"], 1);
    assert_eq!(entries[1]["tag"], "0001_pgmend_fixes");
    assert!(entries[1]["when"].as_u64().unwrap() > 1700000000000);
    let sql = std::fs::read_to_string(dir.join("0001_pgmend_fixes.sql")).unwrap();
    assert!(sql.contains("--> statement-breakpoint"), "{sql}");
    assert!(
        !sql.lines()
            .any(|l| !l.starts_with("--") && l.contains("CONCURRENTLY")),
        "{sql}"
    );
    assert!(sql.contains("CREATE INDEX IF NOT EXISTS"), "{sql}");
    let text = std::fs::read_to_string(dir.join("meta/_journal.json")).unwrap();
    let at = |k: &str| text.find(k).unwrap();
    assert!(
        at("\"version\"") < at("\"dialect\"") && at("\"dialect\"") < at("\"entries\""),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn planned_sql_file_matches_the_apply() {
    let (_tmp, dir) = app_dir();
    let e = matches("lms", "sql", &dir, true, |db, dir| {
        let f = files(dir, ".sql");
        assert_eq!(f.len(), 1, "{f:?}");
        run_psql(db, &["-f", &f[0].to_string_lossy()], "sql migration");
    })
    .await;
    let f = &files(&dir, ".sql")[0];
    let sql = std::fs::read_to_string(f).unwrap();
    assert!(sql.contains("planned by pgmend (fix --dry-run)"), "{sql}");
    assert!(
        e.stdout.contains("psql -v ON_ERROR_STOP=1 -f"),
        "the script is still printed"
    );
}

#[test]
fn a_migration_folder_that_cannot_be_written_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let out = pgmend(&tmp.path().join("data"))
        .args([
            "fix",
            "postgres://nobody@127.0.0.1:1/x",
            "--preset",
            "lms",
            "--all",
            "--yes",
        ])
        .args(["--emit-migration", "prisma"])
        .arg(&blocker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--emit-migration: cannot create"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let bad = pgmend(&tmp.path().join("data"))
        .args([
            "fix",
            "postgres://nobody@127.0.0.1:1/x",
            "--all",
            "--dry-run",
        ])
        .args(["--emit-migration", "flyway", "x"])
        .output()
        .unwrap();
    assert!(text(&bad.stderr).contains("one of prisma, supabase, typeorm, drizzle, sql"));
}
