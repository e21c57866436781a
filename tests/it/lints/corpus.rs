//! The lint corpus (tests/lint_corpus/README.md): for every lint a file of SQL cases, each
//! run in a database of its own (after the Supabase stand-in unless it says otherwise),
//! asserting the exact set of objects the lint flags. `PGMEND_LINT_CORPUS=<substring>` runs
//! only the files whose name contains it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgmend::check::lints::ALL;
use pgmend::db::catalog::Extension;
use sqlx::Connection;

use super::{Ctx, SUPABASE, objects, run_on, snapshot};
use crate::support::TestDb;

/// Cases run at once.
const PARALLEL: usize = 4;

#[derive(Debug, Clone)]
struct Case {
    file: String,
    line: usize,
    title: String,
    lint: String,
    expect: Vec<String>,
    sql: String,
    standin: bool,
    exposed: Option<Vec<String>>,
    snake_case_views: bool,
    /// Statements run after the SQL, each alone (outside a transaction); errors ignored.
    alone: Vec<String>,
    /// Extensions added to the snapshot read (those the test server cannot install).
    pretend: Vec<String>,
    /// The oldest server the case's SQL runs on (`security_invoker` needs 150000).
    min_version: i32,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_corpus")
}

/// The cases of one file: `-- case:` starts one; `-- expect:` lines (one object each, or
/// `(none)`) and options (`-- standin: none`, `-- exposed: public, api`, `-- snake_case_views:
/// true`) follow; the rest up to the next case is its SQL.
fn parse(file: &str, lint: &str, text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(title) = trimmed.strip_prefix("-- case:") {
            cases.push(Case {
                file: file.to_string(),
                line: n + 1,
                title: title.trim().to_string(),
                lint: lint.to_string(),
                expect: Vec::new(),
                sql: String::new(),
                standin: true,
                exposed: None,
                snake_case_views: false,
                alone: Vec::new(),
                pretend: Vec::new(),
                min_version: 0,
            });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if let Some(object) = trimmed.strip_prefix("-- expect:") {
            let object = object.trim();
            if object != "(none)" {
                case.expect.push(object.to_string());
            }
        } else if let Some(v) = trimmed.strip_prefix("-- standin:") {
            case.standin = v.trim() != "none";
        } else if let Some(v) = trimmed.strip_prefix("-- exposed:") {
            case.exposed = Some(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        } else if let Some(v) = trimmed.strip_prefix("-- snake_case_views:") {
            case.snake_case_views = v.trim() == "true";
        } else if let Some(v) = trimmed.strip_prefix("-- run alone:") {
            case.alone.push(v.trim().to_string());
        } else if let Some(v) = trimmed.strip_prefix("-- min_version:") {
            case.min_version = v
                .trim()
                .parse()
                .expect("-- min_version: a server_version_num");
        } else if let Some(v) = trimmed.strip_prefix("-- pretend extension:") {
            case.pretend.push(v.trim().to_string());
        } else {
            case.sql.push_str(line);
            case.sql.push('\n');
        }
    }
    for c in &mut cases {
        c.expect.sort();
    }
    cases
}

fn load() -> Vec<Case> {
    let only = std::env::var("PGMEND_LINT_CORPUS").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/lint_corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&only))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|p| {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            let lint = file.trim_end_matches(".sql").to_string();
            let text = std::fs::read_to_string(p).unwrap();
            parse(&file, &lint, &text)
        })
        .collect()
}

/// `Err(why)` when the lint flags other objects than the case expects.
async fn run(case: Case) -> Result<(), String> {
    let db = TestDb::new().await;
    let result = check(&db, &case).await;
    // Dropping a test database blocks (DROP DATABASE waits for every backend, one still
    // authenticating included): off the async workers, so no other case's handshake stalls.
    let _ = tokio::task::spawn_blocking(move || drop(db)).await;
    result
}

async fn check(db: &TestDb, case: &Case) -> Result<(), String> {
    if db.version_num().await < case.min_version {
        return Ok(());
    }
    if case.standin {
        db.exec(SUPABASE).await;
    }
    let mut c = db.connect().await;
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(case.sql.clone()))
        .execute(&mut c)
        .await
    {
        let _ = c.close().await;
        return Err(format!("the case's SQL failed: {e}"));
    }
    for stmt in &case.alone {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(stmt.clone()))
            .execute(&mut c)
            .await;
    }
    let _ = c.close().await;
    let mut snap = snapshot(db).await;
    for name in &case.pretend {
        snap.extensions.push(Extension {
            name: name.clone(),
            version: "1.5".into(),
            schema: "graphql".into(),
        });
    }
    let ctx = Ctx {
        exposed: case
            .exposed
            .clone()
            .unwrap_or_else(|| vec!["public".into()]),
        snake_case_views: case.snake_case_views,
        ..Ctx::default()
    };
    let got = objects(&run_on(&snap, &case.lint, &ctx));
    if got == case.expect {
        Ok(())
    } else {
        Err(format!("expected {:?}\n     got {:?}", case.expect, got))
    }
}

// Several workers: a test database is dropped (blocking) when its case ends, which must not
// stall the other cases' connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_lint_flags_exactly_what_its_corpus_says() {
    let cases = load();
    assert!(!cases.is_empty(), "no lint corpus cases");
    let gate = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut set = tokio::task::JoinSet::new();
    for case in cases.clone() {
        let gate = gate.clone();
        set.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let at = format!("{}:{} {}", case.file, case.line, case.title);
            (at, run(case).await)
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = set.join_next().await {
        let (at, result) = done.expect("case task");
        if let Err(why) = result {
            failures.push(format!("{at}\n     {why}"));
        }
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} corpus case(s) failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every lint has its file, with at least one case that fires and one that stays quiet.
#[test]
fn every_lint_has_positive_and_negative_cases() {
    if std::env::var("PGMEND_LINT_CORPUS").is_ok() {
        return;
    }
    let cases = load();
    let mut missing = Vec::new();
    for l in ALL {
        let id = l.id.as_str();
        let mine: Vec<&Case> = cases.iter().filter(|c| c.lint == id).collect();
        if !mine.iter().any(|c| !c.expect.is_empty()) {
            missing.push(format!("{id}: no case that fires"));
        }
        if !mine.iter().any(|c| c.expect.is_empty()) {
            missing.push(format!("{id}: no case that stays quiet"));
        }
    }
    for c in &cases {
        assert!(
            ALL.iter().any(|l| l.id.as_str() == c.lint),
            "{}: no lint {}",
            c.file,
            c.lint
        );
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
