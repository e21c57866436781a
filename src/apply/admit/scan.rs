//! Reading a plan's SQL for what it uses: the relations it changes, references or reads, the
//! objects it creates, the types it alters and the schemas it names.

use crate::backup::scope::split_qualified;
use crate::fix::plan::Plan;

/// How a plan uses a relation, and so what it needs on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// Altered, indexed, given policies, grants or triggers: ownership. Created (it does not
    /// exist yet): CREATE on its schema.
    Change,
    /// The target of a new foreign key (SHARE ROW EXCLUSIVE and no other lock): REFERENCES.
    Reference,
    /// Named without a lock and without a statement changing it (the table a new view selects
    /// from): SELECT.
    Read,
    /// Named only by GRANT or REVOKE statements: each privilege they hand on, WITH GRANT
    /// OPTION (which an owner has), checked one by one.
    Grant,
}

impl Use {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Use::Change => "change",
            Use::Reference => "reference",
            Use::Read => "read",
            Use::Grant => "grant",
        }
    }
}

/// How `plan` (whose SQL is `sql`) uses the relation `name`.
pub(super) fn use_of(plan: &Plan, sql: &str, name: &str) -> Use {
    // Only GRANT / REVOKE statements name it as their object (whatever lock the plan takes).
    let naming: Vec<&str> = plan
        .steps
        .iter()
        .map(|s| s.sql.as_str())
        .filter(|s| changes(s, name))
        .collect();
    if !naming.is_empty()
        && naming.iter().all(|s| {
            let w = s.trim_start().to_ascii_uppercase();
            w.starts_with("GRANT ") || w.starts_with("REVOKE ")
        })
    {
        return Use::Grant;
    }
    let locked: Vec<&str> = plan
        .locks
        .iter()
        .filter(|l| l.object == name)
        .map(|l| l.mode.as_str())
        .collect();
    if !locked.is_empty() {
        return if locked.iter().all(|m| *m == "SHARE ROW EXCLUSIVE") {
            Use::Reference
        } else {
            Use::Change
        };
    }
    if changes(sql, name) {
        Use::Change
    } else {
        Use::Read
    }
}

/// `sql` names the relation `name` as what it alters, indexes, creates, drops or grants on.
fn changes(sql: &str, name: &str) -> bool {
    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let changing = [
        "ALTER TABLE ",
        "ALTER TABLE ONLY ",
        "ALTER VIEW ",
        " ON ",
        " ON TABLE ",
        "CREATE TABLE ",
        "CREATE TABLE IF NOT EXISTS ",
        "CREATE VIEW ",
        "CREATE OR REPLACE VIEW ",
        "DROP TABLE ",
        "DROP VIEW ",
    ];
    let upper = sql.to_ascii_uppercase();
    changing.iter().any(|w| {
        let needle = format!("{w}{name}").to_ascii_uppercase();
        upper.match_indices(&needle).any(|(i, _)| {
            upper[i + needle.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '"' | '.')))
        })
    })
}

/// The `schema.name` pairs a query names (some are an alias and a column: the catalog tells
/// them apart).
pub(super) fn relations_read(sql: &str) -> Vec<(String, String)> {
    let Ok(toks) = crate::sql::lex::tokens(sql) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in crate::sql::lex::name_chains(&toks) {
        if let [s, n] = c.as_slice()
            && !out.iter().any(|(a, b)| a == s && b == n)
        {
            out.push((s.clone(), n.clone()));
        }
    }
    out
}

/// The plan's SQL, one string, whitespace runs made single spaces.
pub(super) fn statements(plan: &Plan) -> String {
    let all: Vec<&str> = plan.steps.iter().map(|s| s.sql.as_str()).collect();
    all.join(";\n")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `sql` names something in schema `sq` (quoted like SQL): `sq.` not preceded by an
/// identifier character or a dot.
pub(super) fn names_schema(sql: &str, sq: &str) -> bool {
    let needle = format!("{sq}.");
    sql.match_indices(&needle).any(|(i, _)| {
        sql[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '$')))
    })
}

pub(super) fn mentions(sql: &str, words: &str) -> bool {
    sql.to_ascii_uppercase().contains(words)
}

/// The qualified names after each occurrence of `words` (upper case, ending in a space).
pub(super) fn names_after(sql: &str, words: &str) -> Vec<(String, String)> {
    let upper = sql.to_ascii_uppercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = upper[from..].find(words) {
        let start = from + i + words.len();
        from = start;
        let rest = &sql[start..];
        let rest = rest
            .strip_prefix("IF NOT EXISTS ")
            .or_else(|| rest.strip_prefix("if not exists "))
            .unwrap_or(rest);
        let end = name_end(rest);
        if let Some(pair) = split_qualified(&rest[..end])
            && !out.contains(&pair)
        {
            out.push(pair);
        }
    }
    out
}

/// Where a (possibly quoted, possibly qualified) name ends.
pub(super) fn name_end(s: &str) -> usize {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '(' | ';' | ',' if !quoted => return i,
            _ => {}
        }
    }
    s.len()
}

/// Objects the plan creates in a schema: views, functions, procedures, types.
pub(super) fn created(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for w in [
        "CREATE VIEW ",
        "CREATE OR REPLACE VIEW ",
        "CREATE MATERIALIZED VIEW ",
        "CREATE FUNCTION ",
        "CREATE OR REPLACE FUNCTION ",
        "CREATE PROCEDURE ",
        "CREATE OR REPLACE PROCEDURE ",
        "CREATE TYPE ",
        "CREATE TABLE ",
    ] {
        for p in names_after(sql, w) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

pub(super) fn altered_types(sql: &str) -> Vec<(String, String)> {
    names_after(sql, "ALTER TYPE ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_after_the_keywords() {
        let sql = r#"CREATE OR REPLACE FUNCTION public."Touch"() RETURNS trigger AS $$ $$; ALTER TYPE app.kind ADD VALUE 'x'; CREATE TABLE IF NOT EXISTS s.t (id int)"#;
        assert_eq!(
            created(sql),
            vec![
                ("public".to_string(), "Touch".to_string()),
                ("s".to_string(), "t".to_string())
            ]
        );
        assert_eq!(
            altered_types(sql),
            vec![("app".to_string(), "kind".to_string())]
        );
        assert!(names_schema("USING (user_id = auth.uid())", "auth"));
        assert!(!names_schema("USING (user_id = myauth.uid())", "auth"));
        assert!(!names_schema("SELECT x.auth.y", "auth"));
    }
}
