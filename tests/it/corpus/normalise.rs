//! The corpus's normalisation rules (tests/corpus/README.md states them): what may differ
//! between database A after `fix --all` and database B, in a checklist snapshot and in
//! `pg_dump --schema-only`.

use std::collections::BTreeSet;

/// Suffixes PostgreSQL gives the names it generates for constraints and indexes.
const GENERATED: [&str; 6] = ["_pkey", "_key", "_fkey", "_idx", "_check", "_excl"];

/// Replaces every generated-looking name (a word ending in `_pkey`, `_key`, `_fkey`, `_idx`,
/// `_check` or `_excl`, with an optional number PostgreSQL adds to make it unique) by
/// `<generated_pkey>` and so on: names are not what a checklist asks for.
pub fn generated_names(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
        match GENERATED
            .iter()
            .find(|g| stem.len() > g.len() && stem.ends_with(*g))
        {
            Some(g) => {
                out.push_str("<generated");
                out.push_str(g);
                out.push('>');
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// One `[[…]]` item of a snapshot: its header, the lines that name it, and all its lines
/// (each sub-item such as `[[table.foreign_keys]]` folded into one line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Block {
    pub identity: String,
    pub lines: BTreeSet<String>,
}

impl Block {
    fn new(head: &str) -> Block {
        Block {
            identity: head.to_string(),
            lines: BTreeSet::new(),
        }
    }
}

/// The items of a snapshot TOML. Normalised: comment lines dropped, the `[checklist]` name
/// (it names the database) replaced, generated names replaced, line order inside an item
/// ignored (a column added by `ALTER TABLE` comes last; PostgreSQL cannot reorder columns).
pub fn snapshot_blocks(toml: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut sub: Option<String> = None;
    let flush_sub = |sub: &mut Option<String>, blocks: &mut Vec<Block>| {
        if let (Some(s), Some(b)) = (sub.take(), blocks.last_mut()) {
            b.lines.insert(s);
        }
    };
    for raw in toml.lines() {
        let line = generated_names(raw.trim_end());
        if line.trim().is_empty() || line.starts_with('#') || line.trim() == "]" {
            continue;
        }
        let line = if line.starts_with("name = \"snapshot of ") {
            "name = \"snapshot of <database>\"".to_string()
        } else {
            line.trim_end_matches(" [").to_string()
        };
        if line.starts_with("[[") && line.contains('.') {
            flush_sub(&mut sub, &mut blocks);
            sub = Some(line);
        } else if line.starts_with('[') {
            flush_sub(&mut sub, &mut blocks);
            blocks.push(Block::new(&line));
        } else if let Some(s) = sub.as_mut() {
            s.push_str(" | ");
            s.push_str(line.trim());
        } else if let Some(b) = blocks.last_mut() {
            let key = line.split(" = ").next().unwrap_or("");
            if ["schema", "name", "table", "role", "on"].contains(&key) {
                b.identity.push(' ');
                b.identity.push_str(&line);
            }
            b.lines
                .insert(line.trim().trim_end_matches(',').to_string());
        }
    }
    flush_sub(&mut sub, &mut blocks);
    blocks
}

/// What B's snapshot holds that A's lacks: for each item of B, nothing when A has it whole
/// (A may hold more lines, e.g. a column B lacks), else the missing lines, or the whole item.
/// Also returns the identities of A's items B lacks (allowed: a checklist never drops).
pub fn snapshot_diff(a: &str, b: &str) -> (Vec<String>, Vec<String>) {
    let (a, b) = (snapshot_blocks(a), snapshot_blocks(b));
    let mut missing = Vec::new();
    for bb in &b {
        if a.iter()
            .any(|ab| ab.identity == bb.identity && bb.lines.is_subset(&ab.lines))
        {
            continue;
        }
        let best = a
            .iter()
            .filter(|ab| ab.identity == bb.identity)
            .min_by_key(|ab| bb.lines.difference(&ab.lines).count());
        match best {
            Some(ab) => {
                let mut d = vec![bb.identity.clone()];
                d.extend(bb.lines.difference(&ab.lines).map(|l| format!("  - {l}")));
                d.extend(ab.lines.difference(&bb.lines).map(|l| format!("  + {l}")));
                missing.push(d.join("\n"));
            }
            None => missing.push(format!("{}  (missing in A)", bb.identity)),
        }
    }
    let extra = a
        .iter()
        .filter(|ab| !b.iter().any(|bb| bb.identity == ab.identity))
        .map(|ab| ab.identity.clone())
        .collect();
    (missing, extra)
}

/// The statements of an SQL script (pg_dump's output), comments removed: split at `;` outside
/// quotes, identifiers and dollar quotes.
pub fn statements(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '\'' | '"' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == c)
                    .unwrap_or(chars.len() - 1);
                cur.extend(&chars[i..=end]);
                i = end + 1;
                continue;
            }
            '$' => {
                let tag_end = (i + 1..chars.len())
                    .take_while(|&j| {
                        chars[j] == '$' || chars[j].is_alphanumeric() || chars[j] == '_'
                    })
                    .find(|&j| chars[j] == '$');
                if let Some(te) = tag_end {
                    let tag: String = chars[i..=te].iter().collect();
                    let rest: String = chars[te + 1..].iter().collect();
                    let close = rest.find(&tag).map(|p| rest[..p].chars().count());
                    let end = close.map_or(chars.len(), |n| te + 1 + n + tag.chars().count());
                    cur.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
            }
            ';' => {
                out.push(std::mem::take(&mut cur));
                i += 1;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        i += 1;
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// pg_dump's statements, normalised: psql meta-commands (`\restrict KEY`, a random key per dump)
/// and `SET` and `set_config` statements dropped, blank lines
/// and trailing spaces dropped, the lines inside `CREATE TABLE (…)` and `CREATE TYPE … AS (…)`
/// sorted without their trailing commas (column order), generated names replaced. A set: object
/// order does not matter.
pub fn dump_statements(sql: &str) -> BTreeSet<String> {
    let sql: String = sql
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    statements(&sql)
        .into_iter()
        .filter(|s| !s.starts_with("SET ") && !s.starts_with("SELECT pg_catalog.set_config"))
        .map(|s| {
            let mut lines: Vec<String> = s
                .lines()
                .map(|l| l.trim_end().to_string())
                .filter(|l| !l.trim().is_empty())
                .collect();
            let first = lines.first().cloned().unwrap_or_default();
            let is_list = (first.starts_with("CREATE ") && first.contains(" TABLE "))
                || (first.starts_with("CREATE TYPE") && first.ends_with(" AS ("));
            if is_list && lines.len() > 2 {
                let close = lines
                    .iter()
                    .rposition(|l| l.starts_with(')'))
                    .unwrap_or(lines.len());
                let mut middle: Vec<String> = lines[1..close]
                    .iter()
                    .map(|l| l.trim_end_matches(',').to_string())
                    .collect();
                middle.sort();
                lines.splice(1..close, middle);
            }
            generated_names(&lines.join("\n"))
        })
        .collect()
}
