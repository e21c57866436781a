//! Comparing normalised schema dumps: what of B's A holds, and what the fix touched that B
//! lacks (tests/corpus/README.md).

use std::collections::BTreeSet;

/// Whether dump statement `a` holds `b`: equal, or both the same `CREATE TABLE` (or composite
/// type) whose column and constraint lines in `a` include every one of `b`'s (a column or a
/// constraint B lacks is an object B lacks).
pub fn holds(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let parts = |s: &str| -> Option<(String, BTreeSet<String>, String)> {
        let lines: Vec<&str> = s.lines().collect();
        let close = lines.iter().rposition(|l| l.starts_with(')'))?;
        let first = lines.first()?;
        let listed =
            first.starts_with("CREATE ") && (first.contains(" TABLE ") || first.ends_with(" AS ("));
        listed.then(|| {
            let middle = lines[1..close].iter().map(|l| l.to_string()).collect();
            (first.to_string(), middle, lines[close..].join("\n"))
        })
    };
    match (parts(a), parts(b)) {
        (Some((fa, ma, ta)), Some((fb, mb, tb))) => fa == fb && ta == tb && mb.is_subset(&ma),
        _ => false,
    }
}

/// B's statements no statement of A holds.
pub fn dump_missing<'b>(a: &BTreeSet<String>, b: &'b BTreeSet<String>) -> Vec<&'b String> {
    b.iter()
        .filter(|sb| !a.contains(*sb) && !a.iter().any(|sa| holds(sa, sb)))
        .collect()
}

/// Words where a statement stops naming its object (`CREATE VIEW v` ` WITH (…) AS …`).
const KEY_ENDS: [&str; 22] = [
    " AS ",
    " (",
    "(",
    " WITH ",
    " RETURNS ",
    " BEFORE ",
    " AFTER ",
    " INSTEAD OF ",
    " FOR ",
    " USING ",
    " IS ",
    " TO ",
    " FROM ",
    " ADD GENERATED",
    " SET ",
    " PRIMARY KEY",
    " UNIQUE ",
    " FOREIGN KEY",
    " CHECK ",
    " EXCLUDE ",
    " VERSION ",
    " OWNED BY",
];

/// The object a dump statement is about: its words up to the object's name (outside quotes),
/// without the words a fix may change (`UNLOGGED`, `ONLY`, `UNIQUE`, `OR REPLACE`).
pub fn object_key(stmt: &str) -> String {
    let words: Vec<&str> = stmt
        .split_whitespace()
        .filter(|w| !["UNLOGGED", "ONLY", "UNIQUE"].contains(w))
        .collect();
    let text = words.join(" ").replacen("CREATE OR REPLACE ", "CREATE ", 1);
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, _) if KEY_ENDS.iter().any(|k| text[i..].starts_with(k)) => {
                return text[..i].to_string();
            }
            _ => {}
        }
    }
    text
}

/// What the fix did beyond what B asks for, on objects B has no statement about (by
/// `object_key`): `-` a statement of A before the fix that A lost or that changed, `+` one A
/// gained. Either way the fix touched something B lacks, which a checklist never asks for.
pub fn unasked(
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
    b: &BTreeSet<String>,
) -> Vec<String> {
    let b_keys: BTreeSet<String> = b.iter().map(|s| object_key(s)).collect();
    let lost = before
        .iter()
        .filter(|s| !b_keys.contains(&object_key(s)) && !after.iter().any(|x| holds(x, s)))
        .map(|s| format!("- {s}"));
    let gained = after
        .iter()
        .filter(|s| !b_keys.contains(&object_key(s)) && !before.contains(*s))
        .map(|s| format!("+ {s}"));
    lost.chain(gained).collect()
}
