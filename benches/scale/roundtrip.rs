//! The round trip (issue 12): `pgmend checklist snapshot` of the large database, then `pgmend
//! check` of the same database against that snapshot, which must report no failed item and no
//! counted lint finding (a snapshot checklist accepts the lint findings on what it records);
//! then `pgmend fix --all --dry-run` against it, which must plan nothing. Wall time and peak RSS
//! of each, next to `pg_dump --schema-only` measured in the same run, and next to the figures
//! last recorded in the README.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use pgmend_bench::child::Outcome;

use crate::cli_runs::{timed, timed_to};
use crate::setup::{Db, Env, pgmend};
use crate::{Args, secs, verdict};

fn show(what: &str, o: &Outcome, base: Duration) {
    println!(
        "  {what:<44} {:>10}   {:>6.3} × pg_dump   peak RSS {:>7.1} MiB   exit {}",
        secs(o.wall),
        o.wall.as_secs_f64() / base.as_secs_f64(),
        o.max_rss_mib(),
        o.code.map_or("signal".into(), |c| c.to_string())
    );
}

/// `pgmend ARGV` timed (median of --runs), its stdout kept in `out`.
async fn pgmend_to(args: &Args, argv: &[&str], out: &Path) -> anyhow::Result<Outcome> {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    timed_to(
        args.runs,
        move || {
            let mut c = pgmend();
            c.args(&argv);
            c
        },
        Some(out),
    )
    .await
}

/// What `check --format json` counted.
struct Counts {
    items: u64,
    failed: u64,
    lint_findings: u64,
    accepted: usize,
    /// A few of the failed items' and counted lint findings' ids, for the reader.
    examples: Vec<String>,
}

fn counts(json: &Path) -> anyhow::Result<Counts> {
    let doc: serde_json::Value =
        serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(json)?))?;
    let num = |k: &str| doc["summary"][k].as_u64();
    let (Some(items), Some(failed), Some(lint_findings)) =
        (num("items"), num("failed"), num("lint_findings"))
    else {
        anyhow::bail!("{}: no summary in the JSON report", json.display());
    };
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["id"].as_str().map(str::to_string))
            .collect()
    };
    let mut examples: Vec<String> = doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| ids(&i["findings"]))
        .collect();
    examples.extend(ids(&doc["lint_findings"]));
    examples.truncate(10);
    Ok(Counts {
        items,
        failed,
        lint_findings,
        accepted: doc["accepted"].as_array().map_or(0, Vec::len),
        examples,
    })
}

/// The plans `fix --dry-run` printed: its first line says `-- pgmend fix --dry-run: N plan(s)`.
fn planned(script: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(script).ok()?;
    let rest = text
        .lines()
        .next()?
        .strip_prefix("-- pgmend fix --dry-run: ")?;
    rest.split_whitespace().next()?.parse().ok()
}

/// The rows of the README's Performance table this section compares with.
fn recorded() -> Vec<String> {
    let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let Ok(text) = std::fs::read_to_string(readme) else {
        return Vec::new();
    };
    text.lines()
        .skip_while(|l| !l.starts_with("## Performance"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| roundtrip |") || l.starts_with("| cli |"))
        .map(|l| l.trim().to_string())
        .collect()
}

pub async fn run(args: &Args, env: &Env, db: &Db) -> anyhow::Result<()> {
    println!(
        "\n== round trip: snapshot {0}, then check and fix {0} against it ==",
        db.name
    );
    let dir = tempfile::tempdir()?;
    let (dump, url) = (env.tool("pg_dump"), db.url.clone());
    let pg_dump = timed(args.runs, move || {
        let mut c = Command::new(&dump);
        c.args(["--schema-only", "-d", &url]);
        c
    })
    .await?;
    let base = pg_dump.wall;
    show("pg_dump --schema-only", &pg_dump, base);

    let checklist = dir.path().join("snapshot.toml");
    let snap = pgmend_to(args, &["checklist", "snapshot", &db.url], &checklist).await?;
    let size = std::fs::metadata(&checklist)?.len() as f64 / 1048576.0;
    show("pgmend checklist snapshot", &snap, base);
    println!("    snapshot file: {size:.1} MiB of TOML");
    if snap.code != Some(0) {
        anyhow::bail!("pgmend checklist snapshot failed (exit {:?})", snap.code);
    }

    let c = checklist.display().to_string();
    let text = dir.path().join("check.txt");
    let check = pgmend_to(args, &["check", &db.url, "--checklist", &c], &text).await?;
    show("pgmend check --checklist <its snapshot>", &check, base);
    let json = dir.path().join("check.json");
    let check_json = pgmend_to(
        args,
        &["check", &db.url, "--checklist", &c, "--format", "json"],
        &json,
    )
    .await?;
    show("  the same, --format json", &check_json, base);
    let n = counts(&json)?;
    let held = n.failed == 0 && n.lint_findings == 0 && check.code == Some(0);
    println!(
        "    {} items, {} failed, {} lint findings counted, {} accepted by the snapshot; \
         exit {:?} — round trip: {}",
        n.items,
        n.failed,
        n.lint_findings,
        n.accepted,
        check.code,
        if held { "held" } else { "MISSED" }
    );
    for id in &n.examples {
        println!("      e.g. {id}");
    }

    let script = dir.path().join("fix.sql");
    let fix = pgmend_to(
        args,
        &["fix", &db.url, "--checklist", &c, "--all", "--dry-run"],
        &script,
    )
    .await?;
    show("pgmend fix --all --dry-run (same snapshot)", &fix, base);
    let plans = planned(&script);
    println!(
        "    {} plan(s) (must be 0: {}); {} beyond the check",
        plans.map_or("?".into(), |p| p.to_string()),
        verdict(plans == Some(0)),
        secs(fix.wall.saturating_sub(check.wall))
    );

    let trip = snap.wall + check.wall;
    println!(
        "  snapshot + check: {} = {:.3} × pg_dump; peak RSS {:.1} MiB (target ≤ 150 MB: {})",
        secs(trip),
        trip.as_secs_f64() / base.as_secs_f64(),
        [&snap, &check, &check_json, &fix]
            .iter()
            .map(|o| o.max_rss_mib())
            .fold(0.0, f64::max),
        verdict(
            [&snap, &check, &check_json, &fix]
                .iter()
                .all(|o| o.max_rss_mib() * 1.048576 <= 150.0)
        )
    );
    let before = recorded();
    if before.is_empty() {
        println!("  no figures recorded in README.md's Performance table to compare with");
    } else {
        println!("  last recorded in README.md (Performance; 10,000 tables unless said):");
        for row in before {
            println!("    {row}");
        }
    }
    Ok(())
}
