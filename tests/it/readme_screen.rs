//! The README's sample screen is the real binary's: `pgmend demo` (the mood-journal scenario)
//! in tmux at 110×20, compared with the README's block once the parts that change from run to
//! run are set aside (the throwaway server's port and version, the read's round trips and
//! milliseconds, column padding). When the screens change on purpose, regenerate the block:
//!
//! ```sh
//! PGMEND_UPDATE_README=1 cargo test --test it readme_screen
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use crate::tmux::{Tmux, bin};

const WIDTH: u16 = 110;
const HEIGHT: u16 = 20;
/// The line before the block in the README (the block is the ```text fence after it).
const ANCHOR: &str = "profiles from config.toml, recent connections, a URL prompt;";

/// The demo's first screen once the check has run and it stopped changing.
fn capture() -> String {
    let t = Tmux::start(&format!("{} demo", bin()), WIDTH, HEIGHT);
    t.wait_for("── CRITICAL ·", 120);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = normalised(&tidy(&t.screen()));
    loop {
        std::thread::sleep(Duration::from_millis(700));
        let s = tidy(&t.screen());
        let n = normalised(&s);
        if n == last && s.contains("critical") {
            t.send(&["q"]);
            t.wait_for("PGMEND-EXITED=", 30);
            return s;
        }
        assert!(Instant::now() < deadline, "the screen kept changing:\n{s}");
        last = n;
    }
}

/// Lines without trailing blanks, without trailing empty lines.
fn tidy(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

/// The screen with what changes from run to run set aside: the server's port and version,
/// the read's round trips and milliseconds, runs of blanks (padding moves with them), and the
/// last word of a line they push against the screen's edge (cut where they end).
fn normalised(screen: &str) -> String {
    screen
        .lines()
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let mut out: Vec<String> = Vec::new();
            for (i, w) in words.iter().enumerate() {
                let next = words.get(i + 1).copied().unwrap_or("");
                let prev = if i > 0 { words[i - 1] } else { "" };
                let w = if let Some(at) = w.find("127.0.0.1:") {
                    let rest = &w[at + "127.0.0.1:".len()..];
                    let db = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    format!("{}127.0.0.1:PORT{db}", &w[..at])
                } else if prev == "PostgreSQL"
                    || (w.bytes().all(|b| b.is_ascii_digit()) && (next == "round" || next == "ms"))
                {
                    "N".to_string()
                } else {
                    w.to_string()
                };
                out.push(w);
            }
            let volatile = out.iter().zip(&words).any(|(o, w)| o != w);
            if volatile && l.chars().count() >= WIDTH as usize {
                out.pop();
            }
            out.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The README's text, and the byte range of the sample screen's block (inside the fence).
fn block(readme: &str) -> std::ops::Range<usize> {
    let anchor = readme.find(ANCHOR).expect("the README's app section");
    let open = anchor
        + readme[anchor..]
            .find("```text\n")
            .expect("the sample screen")
        + 8;
    let close = open + readme[open..].find("\n```").expect("the block's end");
    open..close
}

#[test]
fn readme_screen_is_the_binarys() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let range = block(&readme);
    let screen = capture();
    if std::env::var_os("PGMEND_UPDATE_README").is_some_and(|v| v == "1") {
        let mut updated = readme.clone();
        updated.replace_range(range, &screen);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    let shown = &readme[range];
    assert!(
        normalised(shown) == normalised(&screen),
        "the README's sample screen is out of date; regenerate it with\n  \
         PGMEND_UPDATE_README=1 cargo test --test it readme_screen\n--- README:\n{shown}\n--- \
         pgmend demo:\n{screen}"
    );
}

#[test]
fn normalising_sets_aside_only_what_changes_between_runs() {
    let a = "pgmend postgres@127.0.0.1:42095/demo_x  PostgreSQL 15.18  read-only\n\
             ✔ 15 ✘ 52   11 tables · 12 round trips, 35 ms";
    let b = "pgmend postgres@127.0.0.1:5433/demo_x  PostgreSQL 16.4  read-only\n\
             ✔ 15 ✘ 52   11 tables · 3 round trips, 120 ms";
    assert_eq!(normalised(a), normalised(b));
    let c = b.replace("✘ 52", "✘ 51");
    assert_ne!(normalised(a), normalised(&c));
    assert_ne!(normalised(a), normalised(&b.replace("demo_x", "demo_y")));
    // A line the timings push against the edge loses its cut last word, and only that.
    let edge = |ms: &str, tail: &str| {
        let l = format!("11 tables · 4 round trips, {ms} ms  ⚠ demo: {tail}");
        format!("{l:<width$}", width = WIDTH as usize - 1)
            .chars()
            .take(WIDTH as usize)
            .collect::<String>()
    };
    let long =
        "mood journal and more text that runs past the edge of the screen for sure, and more of it";
    assert_eq!(
        normalised(&edge("18", long)),
        normalised(&edge("139", long))
    );
    assert_ne!(
        normalised(&edge("18", long)),
        normalised(&edge("18", &long.replace("journal", "diary")))
    );
}
