//! The TOML parsers pgmend reads — checklists, config.toml, themes, key bindings — never panic,
//! whatever the input, and every error they return points at `file:line:column` inside the
//! text. Inputs: arbitrary text, and valid files (the presets, config.example.toml, the shipped
//! themes, a keymap) with random edits.

use std::path::Path;

use pgmend::app::keymap::Keymap;
use pgmend::checklist::Checklist;
use pgmend::config::{Config, Loaded, keys};
use pgmend::theme::Theme;
use pgmend::toml_error::from_toml;
use proptest::prelude::*;

use super::{cases, check};

const KEYS: &str =
    "[keys.normal]\nquit = [\"q\", \"ctrl-c\"]\nreload = \"R\"\n\n[keys.popup]\nclose = \"esc\"\n";

fn seeds() -> Vec<String> {
    let mut v: Vec<String> = pgmend::checklist::presets::names()
        .iter()
        .filter_map(|n| pgmend::checklist::presets::text(n).map(String::from))
        .collect();
    v.push(include_str!("../../../config.example.toml").to_string());
    v.extend(pgmend::theme::SHIPPED.iter().map(|(_, t)| t.to_string()));
    v.push(KEYS.to_string());
    v
}

/// What an edit inserts: TOML syntax, keys of every format, hostile text.
const SNIPPETS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "=",
    ",",
    "\n",
    "#",
    "\\",
    "\\u",
    "\\U0011ffff",
    ".",
    "-",
    "+",
    "1e999",
    "nan",
    "-inf",
    "0x",
    "1979-05-27T07:32:00Z",
    "true",
    "name",
    "table",
    "[[table]]\n",
    "columns = [",
    "{ name = 1 }",
    "severity = \"x\"",
    "[keys.normal]\n",
    "quit = ",
    "\"ctrl-\"",
    "fg = \"#12\"",
    "bg = \"notacolour\"",
    "[header]\n",
    "bold = 3",
    "[[policy]]\n",
    "template = \"owner\"\n",
    "references = \"(\"",
    "[lints]\n",
    "no_primary_key = 7\n",
    "[profiles.x]\n",
    "port = 99999\n",
    "statement_timeout = \"soon\"\n",
    "😀",
    "\u{0}",
    "\u{feff}",
    "\r",
    "\t",
    "é",
    "\u{7f}",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, &'static str),
    DuplicateLine(usize),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), prop::sample::select(SNIPPETS)).prop_map(|(a, s)| Edit::Insert(a, s)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<char>()).prop_map(|(a, c)| Edit::Replace(a, c)),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut i = if s.is_empty() { 0 } else { at % (s.len() + 1) };
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, edits: &[Edit]) -> String {
    for e in edits {
        match e {
            Edit::Delete(a, n) => {
                let start = boundary(&s, *a);
                let end = boundary(&s, (start + n).min(s.len()));
                if end > start {
                    s.replace_range(start..end, "");
                }
            }
            Edit::Insert(a, t) => {
                let i = boundary(&s, *a);
                s.insert_str(i, t);
            }
            Edit::DuplicateLine(a) => {
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let i = a % lines.len();
                    let mut v: Vec<&str> = lines.clone();
                    v.insert(i, lines[i]);
                    s = v.join("\n");
                }
            }
            Edit::Replace(a, c) => {
                let i = boundary(&s, *a);
                if let Some(old) = s[i..].chars().next() {
                    s.replace_range(i..i + old.len_utf8(), &c.to_string());
                }
            }
        }
    }
    s
}

/// Arbitrary text, or a valid file with up to 6 random edits.
fn input() -> impl Strategy<Value = String> {
    let seeds = seeds();
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(prop::sample::select(SNIPPETS), 0..20).prop_map(|v| v.concat()),
        4 => (prop::sample::select(seeds), prop::collection::vec(edit(), 1..6))
            .prop_map(|(s, e)| apply(s, &e)),
    ]
}

/// `message` starts with `file:line:column: ` and the position lies inside `text`.
fn positioned(message: &str, file: &str, text: &str) -> Result<(), String> {
    let rest = message
        .strip_prefix(&format!("{file}:"))
        .ok_or_else(|| format!("no `{file}:` prefix: {message}"))?;
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or(format!("no line: {message}"))?;
    let col: usize = parts
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or(format!("no column: {message}"))?;
    let lines = text.split('\n').count();
    if line == 0 || line > lines || col == 0 {
        return Err(format!(
            "{line}:{col} is outside the text ({lines} lines): {message}"
        ));
    }
    let width = text
        .split('\n')
        .nth(line - 1)
        .map_or(0, |l| l.chars().count());
    if col > width + 1 {
        return Err(format!(
            "column {col} is past the end of line {line} ({width}): {message}"
        ));
    }
    Ok(())
}

fn no_panic<T>(what: &str, text: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| format!("{what} panicked on {text:?}"))
}

#[test]
fn checklist_parser_never_panics_and_points_at_errors() {
    check(
        "checklist parser",
        cases(256),
        input(),
        |text| match no_panic("Checklist::parse", &text, || {
            Checklist::parse(&text, "fuzz.toml")
        })? {
            Ok(_) => Ok(()),
            Err(e) => positioned(&e.to_string(), "fuzz.toml", &text),
        },
    );
}

#[test]
fn config_and_keymap_parsers_never_panic_and_point_at_errors() {
    check("config and keymap parsers", cases(256), input(), |text| {
        let parsed = no_panic("from_toml::<Config>", &text, || {
            from_toml::<Config>(&text, Path::new("config.toml"))
        })?;
        let config = match parsed {
            Ok(c) => c,
            Err(e) => return positioned(&e.to_string(), "config.toml", &text),
        };
        let loaded = Loaded {
            config,
            path: Some("config.toml".into()),
            warnings: vec![],
            text: text.clone(),
        };
        match no_panic("keys::apply", &text, || {
            keys::apply(Keymap::default(), &loaded)
        })? {
            Ok(_) => Ok(()),
            Err(e) => positioned(&e.to_string(), "config.toml", &text),
        }
    });
}

#[test]
fn theme_parser_never_panics_and_points_at_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.toml");
    let label = path.display().to_string();
    check("theme parser", cases(256), input(), |text| {
        std::fs::write(&path, &text).unwrap();
        match no_panic("Theme::load", &text, || {
            Theme::load("fuzz", Some(dir.path()), true)
        })? {
            Ok(_) => Ok(()),
            Err(e) => positioned(&e.to_string(), &label, &text),
        }
    });
}

/// A name PostgreSQL would cut (over 63 bytes) is an error where it is written, not an item
/// that fails forever.
#[test]
fn names_over_63_bytes_are_refused_where_written() {
    let long = "é".repeat(32); // 64 bytes
    let text = format!("[[table]]\nname = \"orders\"\ncolumns = [{{ name = \"{long}\" }}]\n");
    let e = Checklist::parse(&text, "long.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("long.toml:3:22: "), "{e}");
    assert!(e.contains("64 bytes") && e.contains(&"é".repeat(31)), "{e}");
    let ok = format!("[[table]]\nname = \"{}\"\n", "n".repeat(63));
    assert!(Checklist::parse(&ok, "ok.toml").is_ok());
    let qualified = format!("[[table]]\nname = 'app.\"{}\"'\n", "n".repeat(64));
    assert!(Checklist::parse(&qualified, "q.toml").is_err());
}
