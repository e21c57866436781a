//! `pgmend journal`: what pgmend changed, when and where (`--json`: the raw lines).

use crate::cli::{Cli, JournalArgs};
use crate::journal::{self, Entry};

use super::exit;

pub async fn run(_cli: &Cli, args: &JournalArgs) -> anyhow::Result<i32> {
    let path = match &args.file {
        Some(f) => f.clone(),
        None => journal::default_path()
            .ok_or_else(|| anyhow::anyhow!("no data directory (HOME unset?): give --file"))?,
    };
    let lines = journal::read_lines(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if args.json {
        for l in &lines {
            println!("{l}");
        }
        return Ok(exit::OK);
    }
    if lines.is_empty() {
        println!("the journal ({}) is empty", path.display());
        return Ok(exit::OK);
    }
    let parsed: Vec<Result<Entry, String>> = lines
        .iter()
        .map(|l| serde_json::from_str::<Entry>(l).map_err(|e| e.to_string()))
        .collect();
    // A write-ahead `started` line is shown only while no outcome follows it.
    for p in &crate::journal::fold_by(parsed, |p| p.as_ref().ok()) {
        match p {
            Ok(e) => print!("{}", render(e)),
            Err(err) => println!("(unreadable line: {err})"),
        }
    }
    Ok(exit::OK)
}

/// One entry as text: the headline, the backup, each step with its SQL.
pub fn render(e: &Entry) -> String {
    let c = &e.connection;
    let mut o = format!(
        "{}  {:<7}  {}  {}:{} (database \"{}\", user \"{}\")  {}ms\n",
        e.time, e.result, e.finding_id, c.host, c.port, c.database, c.user, e.duration_ms
    );
    o.push_str(&format!("  {}\n", e.title));
    if e.is_started() {
        o.push_str(&format!("  {}\n", crate::journal::INTERRUPTED));
    }
    o.push_str(&format!("  id: {}", e.id()));
    if let Some(k) = &e.kind {
        o.push_str(&format!("  ({k}"));
        if let Some(u) = &e.undoes {
            o.push_str(&format!(" of {u}"));
        }
        o.push(')');
    }
    if e.undoable() {
        o.push_str(&format!("  · undo: pgmend fix --undo {}", e.id()));
    }
    o.push('\n');
    match (&e.backup, e.no_backup) {
        (Some(b), _) => o.push_str(&format!(
            "  backup: {} (sha256 {})\n",
            b.path.display(),
            b.sha256
        )),
        (None, true) => o.push_str("  backup: none (--no-backup)\n"),
        (None, false) => {}
    }
    for r in &e.refused {
        o.push_str(&format!("  refused: {r}\n"));
    }
    if let Some(err) = &e.error {
        o.push_str(&format!("  error: {err}\n"));
    }
    for s in &e.steps {
        o.push_str(&format!(
            "  - {} ({}, {}ms{})\n",
            s.description,
            s.result,
            s.duration_ms,
            match (&s.sqlstate, &s.message) {
                (Some(code), Some(m)) => format!(", {code}: {m}"),
                (None, Some(m)) => format!(": {m}"),
                _ => String::new(),
            }
        ));
        for line in s.sql.lines() {
            o.push_str(&format!("      {line}\n"));
        }
    }
    o.push('\n');
    o
}
