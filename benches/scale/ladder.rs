//! The scale ladder (issue 15): both schema shapes (the plain one and the lint-heavy one) at
//! several sizes (default 1,000 / 10,000 / 30,000 tables), each phase timed next to
//! `pg_dump --schema-only` and `psql` in the same run, then the growth exponent of every phase
//! between steps (`log(t2 / t1) / log(n2 / n1)`): above 1.15 is printed as MISSED.
//!
//! The floor is the server's own time for pgmend's catalog queries (sent as `pgmend` sends
//! them, rows fetched and dropped): no read can be faster.
//!
//! Phases: `read` = `pgmend inventory`; `check` = `check --checklist <its snapshot>
//! --no-lints`; `lints` = `check` with no checklist items (lints alone); `full` = `check
//! --checklist <its snapshot>` with the lints. Every `check` also gets a checklist without
//! items, which on the lint-heavy shape names the exposed schemas, so the exposed-schema
//! lints fire.

use std::path::{Path, PathBuf};
use std::process::Command;

use pgmend_bench::child::{self, Outcome};

use crate::cli_runs::timed;
use crate::setup::{Db, Env, Shape, pgmend};
use crate::{Args, secs, verdict};

const PHASES: [&str; 5] = ["pg_dump", "read", "check", "lints", "full"];
/// The issue's bound on growth between ladder steps.
const MAX_EXPONENT: f64 = 1.15;

struct Step {
    tables: usize,
    /// Median wall seconds of each of [`PHASES`], and the worst peak RSS (MiB) of pgmend.
    secs: [f64; 5],
    rss: [f64; 5],
}

pub async fn run(args: &Args, env: &Env) -> anyhow::Result<()> {
    for shape in args.shapes() {
        println!("\n== Ladder: {} shape ==", shape.label());
        let mut steps = Vec::new();
        for &n in &args.ladder {
            let per = (n / args.schemas).max(1);
            let db = env.database_shaped(args, shape, args.schemas, per).await?;
            steps.push(step(args, env, &db, shape).await?);
        }
        exponents(&steps);
    }
    Ok(())
}

async fn step(args: &Args, env: &Env, db: &Db, shape: Shape) -> anyhow::Result<Step> {
    let dir = tempfile::tempdir()?;
    let snap = dir.path().join("snapshot.toml");
    let mut c = pgmend();
    c.args(["checklist", "snapshot", &db.url]);
    let file = std::fs::File::create(&snap)?;
    let s = tokio::task::spawn_blocking(move || child::run(&c, Some(file))).await??;
    let tables = db.tables;
    println!(
        "  {tables} tables: snapshot {} ({:.1} MiB, peak RSS {:.1} MiB)",
        secs(s.wall),
        std::fs::metadata(&snap)?.len() as f64 / 1048576.0,
        s.max_rss_mib()
    );
    let exposure = exposure_file(dir.path(), shape, db.schemas)?;
    let (dump, url) = (env.tool("pg_dump"), db.url.clone());
    let pg_dump = timed(args.runs, move || {
        let mut c = Command::new(&dump);
        c.args(["--schema-only", "-d", &url]);
        c
    })
    .await?;
    let (psql, url) = (env.tool("psql"), db.url.clone());
    let psql = timed(args.runs, move || {
        let mut c = Command::new(&psql);
        c.args(["-X", "-At", "-c", r"\dt *.*", &url]);
        c
    })
    .await?;
    let base = pg_dump.wall.as_secs_f64();
    let floor = floor(&db.url).await?;
    let snap_s = snap.display().to_string();
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = vec!["check".into(), db.url.clone()];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend(["--checklist".into(), exposure.display().to_string()]);
        v
    };
    let runs: [Vec<String>; 4] = [
        vec!["inventory".into(), db.url.clone()],
        with(&["--checklist", &snap_s, "--no-lints"]),
        with(&[]),
        with(&["--checklist", &snap_s]),
    ];
    let mut out = Step {
        tables,
        secs: [base, 0.0, 0.0, 0.0, 0.0],
        rss: [pg_dump.max_rss_mib(), 0.0, 0.0, 0.0, 0.0],
    };
    show("pg_dump --schema-only", &pg_dump, base);
    show("psql -c '\\dt *.*'", &psql, base);
    println!(
        "    {:<40} {:>10}   {:>6.3} × pg_dump",
        "floor: the server runs pgmend's queries",
        secs(floor),
        floor.as_secs_f64() / base
    );
    for (k, argv) in runs.into_iter().enumerate() {
        let o = timed(args.runs, move || {
            let mut c = pgmend();
            c.args(&argv);
            c
        })
        .await?;
        show(LABELS[k], &o, base);
        out.secs[k + 1] = o.wall.as_secs_f64();
        out.rss[k + 1] = o.max_rss_mib();
    }
    let worst = out.rss[1..].iter().copied().fold(0.0, f64::max);
    let bound = if tables <= 10_000 { 150.0 } else { 400.0 };
    println!(
        "  peak RSS of pgmend: {worst:.1} MiB = {:.1} MB (target ≤ {bound} MB: {})",
        worst * 1.048576,
        verdict(tables > 30_000 || worst * 1.048576 <= bound)
    );
    let full = out.secs[4] / base;
    let over_floor = out.secs[4] / floor.as_secs_f64();
    println!(
        "  check + lints: {full:.3} × pg_dump (target ≤ 0.25: {}); {over_floor:.2} × the floor \
         (target ≤ 1.3: {})",
        verdict(full <= 0.25),
        verdict(over_floor <= 1.3)
    );
    Ok(out)
}

/// The floor: the catalog queries `pgmend` sends, run in one read-only transaction as it
/// runs them, their rows fetched and dropped (no decoding, no check). Median of --runs.
async fn floor(url: &str) -> anyhow::Result<std::time::Duration> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url).await?;
    let v = c.server_version_num().and_then(|v| i32::try_from(v).ok());
    let sql = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off; {}; COMMIT",
        pgmend::db::catalog::snapshot_batch_sql(v)
    );
    let started = std::time::Instant::now();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut c)
        .await?;
    let took = started.elapsed();
    c.close().await?;
    Ok(took)
}

const LABELS: [&str; 4] = [
    "read: pgmend inventory",
    "check: --checklist snapshot --no-lints",
    "lints: check, no checklist items",
    "full: --checklist snapshot + lints",
];

fn show(what: &str, o: &Outcome, base: f64) {
    println!(
        "    {what:<40} {:>10}   {:>6.3} × pg_dump   peak RSS {:>7.1} MiB   exit {}",
        secs(o.wall),
        o.wall.as_secs_f64() / base,
        o.max_rss_mib(),
        o.code.map_or("signal".into(), |c| c.to_string())
    );
}

/// A checklist with no items (`check` needs one to run the lints alone); on the lint-heavy
/// shape it names the generated schemas as exposed.
fn exposure_file(dir: &Path, shape: Shape, schemas: usize) -> anyhow::Result<PathBuf> {
    let p = dir.join("exposure.toml");
    let text = match shape {
        Shape::LintHeavy => pgmend_bench::lint_heavy::exposure_toml(schemas),
        Shape::Plain => "[checklist]\nname = \"no items\"\n".to_string(),
    };
    std::fs::write(&p, text)?;
    Ok(p)
}

/// The growth exponent of every phase between consecutive steps and from first to last.
fn exponents(steps: &[Step]) {
    if steps.len() < 2 {
        return;
    }
    println!("  growth exponents (time ∝ tables^k; target k ≤ {MAX_EXPONENT}):");
    let mut pairs: Vec<(usize, usize)> = (1..steps.len()).map(|i| (i - 1, i)).collect();
    if steps.len() > 2 {
        pairs.push((0, steps.len() - 1));
    }
    for (a, b) in pairs {
        let (sa, sb) = (&steps[a], &steps[b]);
        let dn = (sb.tables as f64 / sa.tables as f64).ln();
        let line: Vec<String> = PHASES
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let e = (sb.secs[k] / sa.secs[k]).ln() / dn;
                let mark = if k == 0 || e <= MAX_EXPONENT {
                    ""
                } else {
                    " MISSED"
                };
                format!("{p} {e:.2}{mark}")
            })
            .collect();
        println!(
            "    {} → {} tables: {}",
            sa.tables,
            sb.tables,
            line.join(", ")
        );
        let rss: Vec<String> = PHASES[1..]
            .iter()
            .enumerate()
            .map(|(k, p)| format!("{p} {:.2}", (sb.rss[k + 1] / sa.rss[k + 1]).ln() / dn))
            .collect();
        println!("      peak RSS exponents: {}", rss.join(", "));
    }
}
