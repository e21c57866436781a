//! Backups at size (issue 19.6): a database of `--backup-mb` MiB of table data (1024 for the
//! issue's 1 GB), dumped by plain `pg_dump -Fc` and by pgmend's backup, which runs the same
//! pg_dump and then reads the archive whole with pg_restore (the verification) and hashes it.
//! Printed: both dump times and their ratio (target: pgmend's dump ≤ 1.1× plain pg_dump), the
//! verification read, and how many progress reports the run gave (what stderr and the app show).

use std::process::Command;
use std::time::{Duration, Instant};

use pgmend::backup::{BackupOptions, BackupPhase, BackupProgress};
use pgmend::db::{self, ConnParams, Env as DbEnv, Source};
use sqlx::{Connection, PgConnection};

use crate::setup::Env;
use crate::{Args, median, secs, verdict};

const NAME: &str = "pgmend_bench_backup";

/// Rows of about 100 bytes on disk each: `mb` MiB of heap.
async fn build(env: &Env, args: &Args) -> anyhow::Result<String> {
    let url = env.url(NAME);
    if env.fresh(NAME, args.reuse).await? {
        return Ok(url);
    }
    let rows = args.backup_mb * 1024 * 1024 / 100;
    let mut c = PgConnection::connect(&url).await?;
    let t = Instant::now();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE events (id bigint PRIMARY KEY, owner int NOT NULL, kind text NOT NULL, \
                              payload text NOT NULL, at timestamptz NOT NULL);
         INSERT INTO events SELECT g, g % 5000, 'kind-' || (g % 17), md5(g::text) || md5((g * 7)::text), \
                now() - g * interval '1 second' FROM generate_series(1, {rows}) g;
         CREATE INDEX ON events (owner)"
    )))
    .execute(&mut c)
    .await?;
    c.close().await?;
    env.mark_complete(NAME).await?;
    println!("  built {rows} rows in {}", secs(t.elapsed()));
    Ok(url)
}

pub async fn run(args: &Args, env: &Env) -> anyhow::Result<()> {
    println!("\n== Backups at size: pgmend's verified backup vs plain pg_dump -Fc ==");
    let url = build(env, args).await?;
    let mut c = PgConnection::connect(&url).await?;
    let (db_size, data): (i64, i64) =
        sqlx::query_as("SELECT pg_database_size(current_database()), pg_table_size('events')")
            .fetch_one(&mut c)
            .await?;
    c.close().await?;
    println!(
        "  database {:.0} MiB ({:.0} MiB of table data)",
        db_size as f64 / 1048576.0,
        data as f64 / 1048576.0
    );
    let dir = tempfile::tempdir()?;
    let pg_dump = pgmend::backup::tools::find_pg_dump(None)?;
    let (mut plain, mut ours, mut verify) = (Vec::new(), Vec::new(), Vec::new());
    let mut reports = 0;
    let resolved = db::resolve(
        Source::Argument(ConnParams::parse(&url)?),
        &DbEnv::default(),
    )?;
    // The password through the environment, as pgmend passes it, never on a command line.
    let mut bare = url::Url::parse(&url)?;
    let password = bare.password().unwrap_or("").to_string();
    let _ = bare.set_password(None);
    for run in 0..args.runs.max(1) {
        let file = dir.path().join(format!("plain{run}.dump"));
        let t = Instant::now();
        let st = Command::new(&pg_dump.path)
            .args(["-Fc", "--dbname", bare.as_str(), "--file"])
            .arg(&file)
            .env("PGPASSWORD", &password)
            .status()?;
        anyhow::ensure!(st.success(), "pg_dump failed");
        plain.push(t.elapsed());
        std::fs::remove_file(&file)?;

        let dumped = std::sync::Mutex::new(None::<Duration>);
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let progress = |p: BackupProgress| {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if p.phase == BackupPhase::Verifying {
                dumped.lock().unwrap().get_or_insert(p.elapsed);
            }
        };
        let t = Instant::now();
        let rec =
            pgmend::backup::backup(&resolved, dir.path(), &BackupOptions::default(), progress)
                .await?;
        let total = t.elapsed();
        let dump = dumped.lock().unwrap().unwrap_or(total);
        ours.push(dump);
        verify.push(total.saturating_sub(dump));
        reports = seen.load(std::sync::atomic::Ordering::Relaxed);
        for p in [
            rec.path.clone(),
            pgmend::backup::sidecar_path(&rec.path),
            pgmend::backup::scope::scope_path(&rec.path),
        ] {
            let _ = std::fs::remove_file(p);
        }
    }
    let (plain, ours, verify) = (median(plain), median(ours), median(verify));
    let ratio = ours.as_secs_f64() / plain.as_secs_f64().max(1e-9);
    println!("  plain pg_dump -Fc                {:>10}", secs(plain));
    println!(
        "  pgmend backup: pg_dump + fsync   {:>10}   ({ratio:.2}× plain; target ≤ 1.10×: {})",
        secs(ours),
        verdict(ratio <= 1.10)
    );
    println!(
        "  pgmend backup: verification read {:>10}   (pg_restore reads it whole, sha256)",
        secs(verify)
    );
    println!(
        "  pgmend backup in all             {:>10}   ({reports} progress reports, every 250 ms)",
        secs(ours + verify)
    );
    Ok(())
}
