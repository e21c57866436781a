//! Rendering the TUI on a `TestBackend` (120×40): one frame of each list, a move and filter
//! keystrokes (through `update()` and a draw), with the snapshot and report of the database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pgmend::app::haystack;
use pgmend::app::{Action, ConnectionInfo, State, Tab, update};
use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sqlx::Connection;

use crate::setup::Db;
use crate::{median, ms, verdict};

/// Runs `f` (an update and a draw) `n` times; the median and the worst.
fn sample(n: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    }
    let worst = *v.iter().max().expect("n > 0");
    (median(v), worst)
}

pub async fn run(db: &Db) -> anyhow::Result<()> {
    println!("\n== TUI rendering, TestBackend 120×40, on {} ==", db.name);
    let mut c = sqlx::PgConnection::connect(&db.url).await?;
    let snap = Arc::new(read_snapshot(&mut c, &ReadOptions::default()).await?);
    c.close().await?;
    let list = Checklist::parse(&snapshot::to_toml(&snap, "bench"), "bench")?;
    let facts = pgmend::check::Facts::default();
    let list = [list];
    let mut report = pgmend::check::run(&snap, &list, &facts, &Default::default());
    pgmend::fix::mark_fixable(&mut report, &snap, &list);
    let report = Arc::new(report);
    let theme = Theme::load("dark", None, true)?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    let mut s = State::new("bench".into(), 120, 40);
    update(&mut s, Action::Connected(Ok(ConnectionInfo::default())));
    let request = s.request;
    let t = Instant::now();
    update(
        &mut s,
        Action::SnapshotLoaded {
            request,
            result: Ok(snap.clone()),
        },
    );
    println!("  snapshot arrives → every list built: {}", ms(t.elapsed()));
    let t = Instant::now();
    update(
        &mut s,
        Action::CheckDone {
            request,
            result: Ok(report.clone()),
        },
    );
    println!(
        "  report arrives → checklist list built: {}",
        ms(t.elapsed())
    );
    // What the runtime does on a blocking thread (`runtime::labels`), then sends.
    let t = Instant::now();
    let mut ready = Vec::new();
    for &tab in haystack::SNAPSHOT_TABS {
        let labels = Arc::new(haystack::build(tab, Some(&snap), None));
        ready.push((tab, haystack::source_of(&snap), labels));
    }
    let labels = Arc::new(haystack::build(Tab::Checklist, None, Some(&report)));
    ready.push((Tab::Checklist, haystack::source_of(&report), labels));
    println!(
        "  filter labels of every list, prepared off the UI thread: {}",
        ms(t.elapsed())
    );
    for (tab, source, labels) in ready {
        update(
            &mut s,
            Action::LabelsReady {
                request,
                tab,
                source,
                labels,
            },
        );
    }

    let mut worst_key = Duration::ZERO;
    let mut largest = (Tab::Checklist, 0);
    for tab in Tab::ALL {
        update(&mut s, Action::GotoTab(tab));
        let rows = s.list().rows.len();
        if rows > largest.1 {
            largest = (tab, rows);
        }
        let mut draw = |s: &State| {
            term.draw(|f| pgmend::ui::draw(f, s, &theme))
                .expect("TestBackend draws");
        };
        let (frame, _) = sample(20, || draw(&s));
        let (mv, mv_worst) = sample(20, || {
            update(&mut s, Action::Down);
            draw(&s);
        });
        // Typing a filter: each keystroke re-filters the whole list, then draws.
        update(&mut s, Action::StartFilter);
        let mut keys = Vec::new();
        for ch in "s001.t0004".chars() {
            let t = Instant::now();
            update(&mut s, Action::Input(ch));
            draw(&s);
            keys.push(t.elapsed());
        }
        let t = Instant::now();
        update(&mut s, Action::Back);
        draw(&s);
        keys.push(t.elapsed());
        let key_worst = *keys.iter().max().expect("keys");
        worst_key = worst_key.max(key_worst).max(mv_worst);
        println!(
            "  {:<22} {rows:>7} rows   frame {:>9}   move {:>9} (worst {:>9})   filter key worst {:>9}",
            tab.title(),
            ms(frame),
            ms(mv),
            ms(mv_worst),
            ms(key_worst)
        );
    }
    println!(
        "  largest list: {} ({} rows); worst keystroke redraw {} (target ≤ 16 ms: {})",
        largest.0.title(),
        largest.1,
        ms(worst_key),
        verdict(worst_key <= Duration::from_millis(16))
    );
    Ok(())
}
