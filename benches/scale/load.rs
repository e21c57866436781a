//! The load harness at scale (issue 19.1): a scenario database grown to `--load-rows` rows in
//! its biggest table, application clients running its typical statements
//! (`pgmend_bench::load::workload`), and `pgmend fix --all --yes` applying the scenario's plans
//! while they run. Printed: application errors by SQLSTATE, p50/p99 before and during the fix,
//! the longest statement during it against `lock_timeout` + 100 ms, the fix's total time, and
//! whether index builds used CONCURRENTLY and constraints NOT VALID then VALIDATE (from the
//! journal's SQL).

use std::time::{Duration, Instant};

use pgmend_bench::load::{self, Load, Phase, Phases};
use sqlx::{Connection, PgConnection};

use crate::setup::{Env, pgmend};
use crate::{Args, ms, secs, verdict};

pub async fn run(args: &Args, env: &Env) -> anyhow::Result<()> {
    for scenario in load::SCENARIOS {
        one(args, env, scenario).await?;
    }
    Ok(())
}

async fn one(args: &Args, env: &Env, scenario: &str) -> anyhow::Result<()> {
    println!(
        "\n== Load: {scenario}, {} clients, {} rows in its biggest table, fix --all --yes under load ==",
        args.load_clients, args.load_rows
    );
    let name = format!("pgmend_bench_load_{}", scenario.replace('-', "_"));
    env.fresh(&name, false).await?;
    let url = env.url(&name);
    let mut c = PgConnection::connect(&url).await?;
    let t = Instant::now();
    pgmend::scenarios::load(&mut c, scenario, pgmend::scenarios::State::Broken).await?;
    load::scale_up(&mut c, scenario, args.load_rows).await?;
    c.close().await?;
    // Settled before the "before" phase: no autovacuum of the new rows measured as the app's.
    let mut c = PgConnection::connect(&url).await?;
    sqlx::raw_sql("VACUUM ANALYZE").execute(&mut c).await?;
    c.close().await?;
    println!("  built in {}", secs(t.elapsed()));
    let lock_timeout = Duration::from_secs(2);
    let phases = Phases::default();
    let spec = Load {
        url: url.clone(),
        clients: args.load_clients,
        statements: load::workload(scenario).expect("a workload for each scenario listed"),
        duration: Duration::from_secs(3600),
        max_per_client: u64::MAX,
        think: Duration::from_millis(2),
    };
    let running = tokio::spawn(load::run(spec, phases.clone()));
    tokio::time::sleep(Duration::from_secs(5)).await;
    phases.set(Phase::During);
    let dir = tempfile::tempdir()?;
    let mut cmd = pgmend();
    cmd.args([
        "fix",
        &url,
        "--preset",
        scenario,
        "--all",
        "--yes",
        "--lock-timeout",
        "2s",
    ])
    .arg("--backup-dir")
    .arg(dir.path().join("backups"))
    .env("PGMEND_DATA_DIR", dir.path());
    for b in load::backfills(scenario) {
        cmd.arg("--backfill").arg(b);
    }
    let t = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output()).await??;
    let fix_time = t.elapsed();
    phases.set(Phase::After);
    tokio::time::sleep(Duration::from_secs(2)).await;
    phases.stop();
    let figures = running.await??;
    let fixed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("fixed "))
        .count();
    println!(
        "  fix: exit {:?}, {fixed} plan(s) applied, {} in all (backup included)",
        out.status.code(),
        secs(fix_time)
    );
    let (before, during) = (figures.phase(Phase::Before), figures.phase(Phase::During));
    for (label, f) in [
        ("before", &before),
        ("during", &during),
        ("after ", &figures.phase(Phase::After)),
    ] {
        println!(
            "  {label}: {:>7} statements  p50 {:>10}  p99 {:>10}  max {:>10}  errors {:?}",
            f.statements,
            ms(f.p50),
            ms(f.p99),
            ms(f.max),
            f.errors
        );
    }
    let errors: u64 = [Phase::Before, Phase::During, Phase::After]
        .iter()
        .flat_map(|p| figures.phase(*p).errors.into_values())
        .sum();
    println!(
        "  application errors: {errors} (target 0: {})",
        verdict(errors == 0)
    );
    let bound = lock_timeout + Duration::from_millis(100);
    println!(
        "  longest application statement during the fix: {} (target ≤ lock_timeout + 100 ms = {}: {})",
        ms(during.max),
        ms(bound),
        verdict(during.max <= bound)
    );
    let ratio = during.p99.as_secs_f64() / before.p99.as_secs_f64().max(1e-9);
    println!(
        "  p99 during / before: {ratio:.2}× (target ≤ 3×: {})",
        verdict(ratio <= 3.0)
    );
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap_or_default();
    // Index builds on existing tables (the index plans'); a table's own indexes are built with
    // it, empty, in the same plan.
    let builds: Vec<String> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["finding_id"]
                .as_str()
                .is_some_and(|f| f.starts_with("index."))
        })
        .flat_map(|e| e["steps"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["sql"].as_str().map(str::to_string))
        .filter(|sql| sql.contains("CREATE INDEX") || sql.contains("CREATE UNIQUE INDEX"))
        .collect();
    let concurrently = builds.iter().filter(|s| s.contains("CONCURRENTLY")).count();
    println!(
        "  index builds on existing tables: {concurrently} CONCURRENTLY, {} not (target: all: {})",
        builds.len() - concurrently,
        verdict(concurrently == builds.len())
    );
    println!(
        "  constraints: {} NOT VALID, {} VALIDATE CONSTRAINT",
        journal.matches("NOT VALID").count(),
        journal.matches("VALIDATE CONSTRAINT").count()
    );
    Ok(())
}
