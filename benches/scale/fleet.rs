//! Fleet mode: `pgmend check --urls-from FILE` over many small databases, --jobs 8 vs 1.

use std::time::Instant;

use pgmend_bench::child;
use sqlx::{AssertSqlSafe, Executor};

use crate::setup::{Env, pgmend};
use crate::{Args, secs};

pub async fn run(args: &Args, env: &Env) -> anyhow::Result<()> {
    let n = args.fleet;
    println!("\n== Fleet: {n} databases (1 schema × 20 tables each), pgmend check --urls-from ==");
    let template = env.database(args, 1, 20).await?;
    let started = Instant::now();
    let mut admin = env.admin().await?;
    let mut urls = String::new();
    for i in 0..n {
        let name = format!("pgmend_bench_fleet_{i:03}");
        if !args.reuse || env.fresh(&name, true).await.is_err() {
            admin
                .execute(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await?;
            admin
                .execute(AssertSqlSafe(format!(
                    "CREATE DATABASE {name} TEMPLATE {}",
                    template.name
                )))
                .await?;
        }
        urls.push_str(&env.url(&name));
        urls.push('\n');
    }
    println!(
        "  {n} databases copied from {} in {}",
        template.name,
        secs(started.elapsed())
    );
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, urls)?;
    let checklist = dir.path().join("expected.toml");
    let mut snap = pgmend();
    snap.args(["checklist", "snapshot", &template.url]);
    let out = std::fs::File::create(&checklist)?;
    tokio::task::spawn_blocking(move || child::run(&snap, Some(out))).await??;

    let mut walls = Vec::new();
    for jobs in [1, 8] {
        let mut c = pgmend();
        c.args(["check", "--urls-from"])
            .arg(&file)
            .arg("--checklist")
            .arg(&checklist)
            .args(["--jobs", &jobs.to_string(), "--format", "json"]);
        let o = tokio::task::spawn_blocking(move || child::run(&c, None)).await??;
        anyhow::ensure!(
            matches!(o.code, Some(0 | 1)),
            "fleet check with --jobs {jobs} failed: exit {:?}",
            o.code
        );
        println!(
            "  --jobs {jobs}: {:>10}   peak RSS {:.1} MiB",
            secs(o.wall),
            o.max_rss_mib()
        );
        walls.push(o.wall);
    }
    println!(
        "  speed-up --jobs 8 vs --jobs 1: {:.2}×",
        walls[0].as_secs_f64() / walls[1].as_secs_f64()
    );
    Ok(())
}
