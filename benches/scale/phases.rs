//! Where `pgmend check` spends its time, in-process: reading the snapshot, capturing and
//! parsing the checklist, the check with and without lints, and the reports.

use std::time::Instant;

use pgmend::check::{self, Facts};
use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use sqlx::Connection;

use crate::ms;
use crate::setup::Db;

/// Peak resident memory of this process so far, in MiB (`VmHWM`).
pub fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

pub async fn run(db: &Db) -> anyhow::Result<()> {
    println!("\n== Phases of pgmend check, in-process, on {} ==", db.name);
    let mut c = sqlx::PgConnection::connect(&db.url).await?;
    let t = Instant::now();
    let snap = read_snapshot(&mut c, &ReadOptions::default()).await?;
    println!(
        "  read_snapshot                {:>10}   ({} round trips)",
        ms(t.elapsed()),
        snap.round_trips
    );
    c.close().await?;
    let t = Instant::now();
    let toml = snapshot::to_toml(&snap, "bench");
    println!(
        "  checklist snapshot to TOML   {:>10}   ({:.1} MiB)",
        ms(t.elapsed()),
        toml.len() as f64 / 1048576.0
    );
    let t = Instant::now();
    let list = Checklist::parse(&toml, "bench")?;
    println!("  checklist parse              {:>10}", ms(t.elapsed()));
    drop(toml);
    let lists = [list];
    let mut no_lints = check::LintOverrides::new();
    for l in check::lints::ALL {
        no_lints.insert(
            l.id.as_str().into(),
            pgmend::checklist::LintSetting::Enabled(false),
        );
    }
    let t = Instant::now();
    let items = check::run(&snap, &lists, &Facts::default(), &no_lints);
    println!(
        "  check items (no lints)       {:>10}   ({} items)",
        ms(t.elapsed()),
        items.items.len()
    );
    let t = Instant::now();
    let mut report = check::run(&snap, &lists, &Facts::default(), &Default::default());
    pgmend::fix::mark_fixable(&mut report, &snap, &lists);
    println!(
        "  check items + lints          {:>10}   ({} lint findings)",
        ms(t.elapsed()),
        report.lint_findings.len()
    );
    let t = Instant::now();
    let text = pgmend::report::check_text::render(
        &report,
        "bench",
        false,
        pgmend::report::style::Style::detect(),
    );
    println!(
        "  text report                  {:>10}   ({} bytes)",
        ms(t.elapsed()),
        text.len()
    );
    let t = Instant::now();
    let json = serde_json::to_string_pretty(&report)?;
    println!(
        "  JSON report                  {:>10}   ({:.1} MiB)",
        ms(t.elapsed()),
        json.len() as f64 / 1048576.0
    );
    println!("  peak RSS of this process so far: {:.1} MiB", peak_mib());
    Ok(())
}
