//! `pgmend inventory` and `pgmend check` against `pg_dump --schema-only`: wall time, ratio,
//! peak RSS.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use pgmend_bench::child::{self, Outcome};

use crate::setup::{Db, Env, pgmend};
use crate::{Args, median, secs, verdict};

/// Runs `make()` `runs` times; the median wall time and the largest peak RSS.
pub(crate) async fn timed(
    runs: usize,
    make: impl Fn() -> Command + Send + 'static + Clone,
) -> anyhow::Result<Outcome> {
    timed_to(runs, make, None).await
}

/// As [`timed`], with each run's stdout written to `out` (the last run's stays).
pub(crate) async fn timed_to(
    runs: usize,
    make: impl Fn() -> Command + Send + 'static + Clone,
    out: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let mut walls = Vec::new();
    let mut worst: Option<Outcome> = None;
    for _ in 0..runs.max(1) {
        let m = make.clone();
        let file = out.map(std::fs::File::create).transpose()?;
        let o = tokio::task::spawn_blocking(move || child::run(&m(), file)).await??;
        walls.push(o.wall);
        if worst.is_none_or(|w| o.max_rss_kib > w.max_rss_kib) {
            worst = Some(o);
        }
    }
    let mut o = worst.expect("at least one run");
    o.wall = median(walls);
    Ok(o)
}

pub(crate) fn line(what: &str, o: &Outcome, base: Duration) {
    println!(
        "  {what:<34} {:>10}   ratio {:>6.3}   peak RSS {:>7.1} MiB   exit {}",
        secs(o.wall),
        o.wall.as_secs_f64() / base.as_secs_f64(),
        o.max_rss_mib(),
        o.code.map_or("signal".into(), |c| c.to_string())
    );
}

pub async fn run(args: &Args, env: &Env, db: &Db) -> anyhow::Result<()> {
    println!("\n== pgmend vs pg_dump --schema-only on {} ==", db.name);
    let dir = tempfile::tempdir()?;
    let checklist = dir.path().join("expected.toml");
    let out = std::fs::File::create(&checklist)?;
    let mut snap = pgmend();
    snap.args(["checklist", "snapshot", &db.url]);
    let s = tokio::task::spawn_blocking(move || child::run(&snap, Some(out))).await??;
    println!(
        "  checklist snapshot of the same database: {} ({:.1} MiB of TOML, peak RSS {:.1} MiB)",
        secs(s.wall),
        std::fs::metadata(&checklist)?.len() as f64 / 1048576.0,
        s.max_rss_mib()
    );

    let pg_dump = pg_dump_schema(args, env, db).await?;
    let base = pg_dump.wall;
    line("pg_dump --schema-only", &pg_dump, base);

    let inv = pgmend_run(args, &["inventory", &db.url]).await?;
    line("pgmend inventory", &inv, base);
    let inv_json = pgmend_run(args, &["inventory", "--json", &db.url]).await?;
    line("pgmend inventory --json", &inv_json, base);
    let c = checklist.display().to_string();
    let check_only = pgmend_run(args, &["check", &db.url, "--checklist", &c, "--no-lints"]).await?;
    line("pgmend check --no-lints", &check_only, base);
    let check = pgmend_run(args, &["check", &db.url, "--checklist", &c]).await?;
    line("pgmend check (checklist + lints)", &check, base);
    let check_json = pgmend_run(
        args,
        &["check", &db.url, "--checklist", &c, "--format", "json"],
    )
    .await?;
    line("pgmend check --format json", &check_json, base);

    let both = inv.wall + check.wall;
    let ratio = both.as_secs_f64() / base.as_secs_f64();
    println!(
        "  inventory + full check: {} = {ratio:.3} × pg_dump (target ≤ 0.10: {})",
        secs(both),
        verdict(ratio <= 0.10)
    );
    // `check` itself reads the whole inventory (the same snapshot) and checks it.
    let one = check.wall.as_secs_f64() / base.as_secs_f64();
    println!(
        "  one `pgmend check` (reads the inventory, runs the full check): {} = {one:.3} × pg_dump",
        secs(check.wall),
    );
    let peak = [&inv, &inv_json, &check_only, &check, &check_json]
        .iter()
        .map(|o| o.max_rss_mib())
        .fold(0.0, f64::max);
    println!(
        "  peak RSS of pgmend: {peak:.1} MiB (target ≤ 150 MB: {})",
        verdict(peak * 1.048576 <= 150.0)
    );
    check_exit(&checklist, &check)?;
    Ok(())
}

/// `pg_dump --schema-only` of `db`, timed: the peer every ratio is measured against.
pub(crate) async fn pg_dump_schema(args: &Args, env: &Env, db: &Db) -> anyhow::Result<Outcome> {
    let (dump, url) = (env.tool("pg_dump"), db.url.clone());
    timed(args.runs, move || {
        let mut c = Command::new(&dump);
        c.args(["--schema-only", "-d", &url]);
        c
    })
    .await
}

pub(crate) async fn pgmend_run(args: &Args, argv: &[&str]) -> anyhow::Result<Outcome> {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    timed(args.runs, move || {
        let mut c = pgmend();
        c.args(&argv);
        c
    })
    .await
}

/// A database checked against its own snapshot passes every item: exit 0 or 1 (lints).
fn check_exit(checklist: &Path, check: &Outcome) -> anyhow::Result<()> {
    if !matches!(check.code, Some(0 | 1)) {
        anyhow::bail!(
            "pgmend check --checklist {} failed (exit {:?})",
            checklist.display(),
            check.code
        );
    }
    Ok(())
}
