//! The differential corpus (tests/corpus/README.md): for each pair of SQL files, a broken
//! database A and a good database B, `pgmend checklist snapshot B` then `pgmend fix A --all
//! --yes` must leave A holding everything B holds (its snapshot, its schema dump) with every row
//! of A intact, and A must then pass the checklist. `PGMEND_CORPUS=<substring>` runs only the
//! pairs whose directory name contains it.

mod compare;
pub mod normalise;
mod probe;
mod rules;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// Pairs run at once (each holds two databases and runs the binary four times).
const PARALLEL: usize = 3;
/// Differing lines shown per failure.
const SHOWN: usize = 12;

#[derive(Default)]
struct Outcome {
    pair: String,
    /// (stage, what went wrong), in stage order.
    failures: Vec<(&'static str, String)>,
    /// Objects A has and B lacks: allowed, counted (dump statements and snapshot items), and
    /// the snapshot items listed.
    extras: usize,
    extra_items: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn pairs() -> Vec<PathBuf> {
    let only = std::env::var("PGMEND_CORPUS").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("a.sql").is_file() && p.join("b.sql").is_file())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&only))
        .collect();
    dirs.sort();
    dirs
}

/// The binary's output, run off the async workers.
async fn run(mut cmd: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run pgmend"))
        .await
        .expect("join")
}

fn first_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = lines.iter().take(n).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > n {
        out.push_str(&format!("\n… {} more line(s)", lines.len() - n));
    }
    out
}

async fn snapshot(data: &Path, url: &str) -> Result<String, String> {
    let mut cmd = pgmend(data);
    cmd.args(["checklist", "snapshot", url]);
    let out = run(cmd).await;
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(first_lines(&text(&out.stderr), SHOWN))
    }
}

async fn run_pair(dir: PathBuf) -> Outcome {
    let mut o = Outcome {
        pair: dir.file_name().unwrap().to_string_lossy().into_owned(),
        ..Outcome::default()
    };
    let (a, b) = (TestDb::new().await, TestDb::new().await);
    check_pair(&dir, &a, &b, &mut o).await;
    // Dropping a TestDb blocks until its database is dropped, which waits for every session
    // on it: never on a worker that other pairs' connections need.
    tokio::task::spawn_blocking(move || drop((a, b)))
        .await
        .expect("drop the pair's databases");
    o
}

async fn check_pair(dir: &Path, a: &TestDb, b: &TestDb, o: &mut Outcome) {
    for (db, file) in [(a, "a.sql"), (b, "b.sql")] {
        let sql = std::fs::read_to_string(dir.join(file)).unwrap();
        if let Err(e) = probe::load(db, &sql).await {
            o.failures.push(("load", format!("{file}: {e}")));
            return;
        }
    }
    let tables = match probe::tables(a).await {
        Ok(t) => t,
        Err(e) => {
            o.failures
                .push(("load", format!("listing A's tables: {e}")));
            return;
        }
    };
    let before = probe::checksums(a, &tables).await;
    let a_before = probe::schema_dump(a).await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("b.toml");
    let b_snap = match snapshot(&data, b.url()).await {
        Ok(s) => s,
        Err(e) => {
            o.failures.push(("snapshot", e));
            return;
        }
    };
    std::fs::write(&file, &b_snap).unwrap();

    let mut fix = pgmend(&data);
    fix.args(["fix", a.url(), "--checklist"])
        .arg(&file)
        .args(["--all", "--yes", "--backup-dir"])
        .arg(tmp.path().join("backups"));
    let out = run(fix).await;
    let journal = pgmend::journal::read(&data.join("journal.jsonl")).unwrap_or_default();
    let broke: Vec<String> = journal
        .iter()
        .filter(|e| e.result != "fixed")
        .map(|e| {
            let why = e.error.clone().unwrap_or_else(|| e.refused.join("; "));
            format!("{} {}: {why}", e.result, e.finding_id)
        })
        .collect();
    // Exit 1 says findings remain: only lint findings about objects B does not have (A's
    // extras) may; the checklist's own findings are the recheck's business.
    let only_lints_left = out.status.code() == Some(1) && lints_only_left(&text(&out.stdout));
    if !(out.status.code() == Some(0) || only_lints_left) || !broke.is_empty() {
        let mut msg = format!("exit {:?}", out.status.code());
        for l in broke.iter().take(SHOWN) {
            msg.push_str(&format!("\n{l}"));
        }
        if broke.is_empty() {
            let log = format!("{}\n{}", text(&out.stderr), text(&out.stdout));
            msg.push_str(&format!("\n{}", first_lines(&log, SHOWN)));
        }
        o.failures.push(("fix", msg));
    }

    let mut check = pgmend(&data);
    check
        .args(["check", a.url(), "--checklist"])
        .arg(&file)
        .args(["--no-lints", "--format", "json"]);
    let out = run(check).await;
    match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(doc) => {
            let failed: Vec<String> = doc["items"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|i| i["findings"].as_array().into_iter().flatten())
                .map(|f| {
                    format!(
                        "{} ({})",
                        f["id"].as_str().unwrap_or("?"),
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect();
            if !failed.is_empty() {
                o.failures
                    .push(("recheck", first_lines(&failed.join("\n"), SHOWN)));
            }
        }
        Err(_) => o
            .failures
            .push(("recheck", first_lines(&text(&out.stderr), SHOWN))),
    }

    match snapshot(&data, a.url()).await {
        Ok(a_snap) => {
            let (missing, extra) = normalise::snapshot_diff(&a_snap, &b_snap);
            o.extras += extra.len();
            o.extra_items = extra;
            if !missing.is_empty() {
                o.failures
                    .push(("snapshot-diff", first_lines(&missing.join("\n"), SHOWN)));
            }
        }
        Err(e) => o
            .failures
            .push(("snapshot-diff", format!("snapshot of A: {e}"))),
    }

    match (probe::schema_dump(a).await, probe::schema_dump(b).await) {
        (Ok(da), Ok(db)) => {
            let (da, db) = (
                normalise::dump_statements(&da),
                normalise::dump_statements(&db),
            );
            let missing: Vec<String> = compare::dump_missing(&da, &db)
                .into_iter()
                .map(|s| format!("- {s}"))
                .collect();
            o.extras += da.difference(&db).count();
            if !missing.is_empty() {
                let mut msg = missing.join("\n");
                msg.push_str("\nA has instead (statements B lacks):");
                for s in da.difference(&db) {
                    msg.push_str(&format!("\n+ {s}"));
                }
                o.failures.push(("dump-diff", first_lines(&msg, SHOWN + 4)));
            }
            match a_before {
                Ok(d) => {
                    let touched = compare::unasked(&normalise::dump_statements(&d), &da, &db);
                    if !touched.is_empty() {
                        o.failures
                            .push(("untouched", first_lines(&touched.join("\n"), SHOWN)));
                    }
                }
                Err(e) => o
                    .failures
                    .push(("untouched", format!("dump of A before the fix: {e}"))),
            }
        }
        (Err(e), _) | (_, Err(e)) => o.failures.push(("dump-diff", e)),
    }

    let after = probe::checksums(a, &tables).await;
    let changed: Vec<String> = before
        .iter()
        .filter(|(t, v)| after.get(*t) != Some(*v))
        .map(|(t, v)| format!("{t}: before {v:?}, after {:?}", after.get(t)))
        .collect();
    if !changed.is_empty() {
        o.failures
            .push(("checksum", first_lines(&changed.join("\n"), SHOWN)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn corpus_pairs_mend_losslessly() {
    let pairs = pairs();
    assert!(
        !pairs.is_empty(),
        "no pair in {} matches PGMEND_CORPUS",
        corpus_dir().display()
    );
    let gate = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut set = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for dir in pairs {
        let gate = gate.clone();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let task = set.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            run_pair(dir).await
        });
        names.insert(task.id(), name);
    }
    let mut outcomes = Vec::new();
    while let Some(r) = set.join_next_with_id().await {
        // A panic in the harness (the server gone, say) is that pair's failure, not the run's.
        outcomes.push(r.map(|(_, o)| o).unwrap_or_else(|e| Outcome {
            pair: names[&e.id()].clone(),
            failures: vec![("harness", format!("{e}"))],
            extras: 0,
            extra_items: Vec::new(),
        }));
    }
    outcomes.sort_by(|x, y| x.pair.cmp(&y.pair));
    let mut table = String::from("\npair                                      result\n");
    let mut details = String::new();
    for o in &outcomes {
        let stages: Vec<&str> = o.failures.iter().map(|f| f.0).collect();
        let result = if stages.is_empty() {
            "ok".to_string()
        } else {
            format!("FAILED: {}", stages.join(", "))
        };
        table.push_str(&format!(
            "{:<42}{result}  ({} extra in A)\n",
            o.pair, o.extras
        ));
        if !o.extra_items.is_empty() {
            let items = first_lines(&o.extra_items.join("\n"), SHOWN);
            details.push_str(&format!("\n== {} [extra in A, allowed]\n{items}\n", o.pair));
        }
        for (stage, why) in &o.failures {
            details.push_str(&format!("\n== {} [{stage}]\n{why}\n", o.pair));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    println!(
        "{table}{details}\n{failed} of {} pair(s) failed",
        outcomes.len()
    );
    assert_eq!(failed, 0, "{table}(details above)");
}

/// The findings `fix` lists as left after it (`after: N finding(s) remain …`) are all lint
/// findings.
fn lints_only_left(stdout: &str) -> bool {
    let Some((_, after)) = stdout.split_once("\nafter: ") else {
        return false;
    };
    let ids: Vec<&str> = after
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    !ids.is_empty() && ids.iter().all(|id| id.starts_with("lint."))
}
