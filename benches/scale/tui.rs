//! Time until the table list is on screen: `pgmend URL` in tmux (120×40) against
//! `psql -c '\dt *.*'` on the same database.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pgmend_bench::child;
use pgmend_bench::generate::{schema_name, table_name};

use crate::setup::Db;
use crate::{median, ms, verdict};

struct Tmux(String);

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.0]);
        c
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "b"])
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Polls the screen until `pred` holds; the time since `since`.
    fn until(&self, since: Instant, secs: u64, pred: impl Fn(&str) -> bool) -> Option<Duration> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if pred(&self.screen()) {
                return Some(since.elapsed());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        None
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").stderr(Stdio::null()).status();
    }
}

/// What one run saw.
struct Run {
    first: Duration,
    tables: Duration,
    checked: Option<Duration>,
    /// Keys pressed and the time until the last one's result was on screen.
    scroll: Option<(usize, Duration)>,
    filter: Option<Duration>,
}

/// `schema.table` of the `i`-th table (0-based) in the list's order.
fn nth_table(db: &Db, i: usize) -> String {
    let per = (db.expected.tables / db.expected.schemas.max(1)).max(1);
    format!("{}.{}", schema_name(i / per + 1), table_name(i % per + 1))
}

/// Scrolls the table list with `j` (the selection's name heads the detail pane), then
/// filters it to one table; each timed until its result is on screen.
fn scroll_and_filter(t: &Tmux, db: &Db) -> (Option<(usize, Duration)>, Option<Duration>) {
    let keys = 500.min(db.expected.tables.saturating_sub(1));
    let target = format!("││{} ", nth_table(db, keys));
    let started = Instant::now();
    let _ = t
        .cmd()
        .args(["send-keys", "-t", "b"])
        .args(std::iter::repeat_n("j", keys))
        .status();
    let scroll = t
        .until(started, 60, |s| s.contains(&target))
        .map(|d| (keys, d));
    let name = nth_table(db, db.expected.tables / 2);
    let target = format!("││{name} ");
    let started = Instant::now();
    let _ = t.cmd().args(["send-keys", "-t", "b", "/"]).status();
    let _ = t.cmd().args(["send-keys", "-t", "b", "-l", &name]).status();
    let filter = t.until(started, 60, |s| s.contains(&target));
    let _ = t.cmd().args(["send-keys", "-t", "b", "Escape"]).status();
    (scroll, filter)
}

/// One run; `scroll` also scrolls and filters once everything is shown.
fn once(db: &Db, n: usize, scroll: bool) -> anyhow::Result<Run> {
    let t = Tmux(format!("pgmend-bench-{}-{n}", std::process::id()));
    let bin = env!("CARGO_BIN_EXE_pgmend");
    let started = Instant::now();
    let status = t
        .cmd()
        .args([
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "120",
            "-y",
            "40",
        ])
        .arg(format!("{bin} '{}'; sleep 60", db.url))
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent-pgmend-bench")
        .env_remove("PGMEND_CONFIG")
        .status()?;
    anyhow::ensure!(status.success(), "tmux new-session failed");
    let first = t
        .until(started, 30, |s| {
            s.contains("read-only") || s.contains("Check")
        })
        .ok_or_else(|| anyhow::anyhow!("pgmend drew nothing in 30 s:\n{}", t.screen()))?;
    let _ = t.cmd().args(["send-keys", "-t", "b", "2"]).status();
    let name = format!("{}.{}", schema_name(1), table_name(1));
    let tables = t
        .until(started, 120, |s| {
            s.contains("┌ Tables (") && s.contains(&name)
        })
        .ok_or_else(|| anyhow::anyhow!("no table list in 120 s:\n{}", t.screen()))?;
    // The full snapshot (its round trips in the header) and the lints' results (✔ counts).
    let checked = t.until(started, 120, |s| {
        s.contains("round trips") && s.contains("✔ ")
    });
    let (scroll, filter) = if scroll && checked.is_some() {
        scroll_and_filter(&t, db)
    } else {
        (None, None)
    };
    let _ = t.cmd().args(["send-keys", "-t", "b", "q"]).status();
    Ok(Run {
        first,
        tables,
        checked,
        scroll,
        filter,
    })
}

pub fn run(db: &Db) -> anyhow::Result<()> {
    println!(
        "\n== Time to the table list on screen, tmux 120×40, {} ==",
        db.name
    );
    let mut psql_walls = Vec::new();
    for _ in 0..3 {
        let mut c = Command::new("psql");
        c.args(["-X", "-d", &db.url, "-c", r"\dt *.*"]);
        psql_walls.push(child::run(&c, None)?.wall);
    }
    let psql = median(psql_walls);
    let mut firsts = Vec::new();
    let mut tables = Vec::new();
    let mut checks = Vec::new();
    let mut last = None;
    for n in 0..3 {
        let r = once(db, n, n == 2)?;
        firsts.push(r.first);
        tables.push(r.tables);
        checks.extend(r.checked);
        last = Some(r);
    }
    let (first, table) = (median(firsts), median(tables));
    println!(
        "  psql -c '\\dt *.*' (process wall time)     {:>10}",
        ms(psql)
    );
    println!(
        "  pgmend URL: first frame                   {:>10}",
        ms(first)
    );
    println!(
        "  pgmend URL: table list on screen (key 2)  {:>10}   ({:.2} × psql; target ≈ psql, \
         peer ratatui client ≈ 230 ms here: {})",
        ms(table),
        table.as_secs_f64() / psql.as_secs_f64(),
        verdict(table <= Duration::from_millis(230))
    );
    if !checks.is_empty() {
        println!(
            "  pgmend URL: full snapshot and lints shown {:>10}",
            ms(median(checks))
        );
    }
    if let Some(Run {
        scroll: Some((keys, d)),
        ..
    }) = &last
    {
        println!(
            "  scrolling: {keys} × j on the Tables list, last selection on screen after {} = {:.2} ms a key",
            ms(*d),
            d.as_secs_f64() * 1000.0 / *keys as f64
        );
    }
    if let Some(Run {
        filter: Some(d), ..
    }) = &last
    {
        println!(
            "  filtering: / and a table's name typed, the one match selected on screen after {}",
            ms(*d)
        );
    }
    Ok(())
}
