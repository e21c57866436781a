//! Reading names out of the server's deparsed SQL (`pg_get_viewdef`, `pg_get_expr`): not a
//! parser, a tokenizer that knows identifiers, quoted identifiers, dots and string literals.
//!
//! Deparsed text writes identifiers bare when they need no quotes (always lower case) and
//! keywords in upper case, and qualifies a relation with its schema unless the schema is on the
//! reader's `search_path` — so a relation is found written either way.

use crate::sql::quote_ident;

/// One identifier as written: its name, and whether it was double-quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub quoted: bool,
}

impl Ident {
    /// Whether this token names `name` (a bare token only names what needs no quotes, so the
    /// keyword `SELECT` is not the table `"SELECT"`).
    pub fn is(&self, name: &str) -> bool {
        self.name == name && (self.quoted || quote_ident(name) == name)
    }
}

/// Dotted identifier chains outside string literals: `FROM (auth.users u JOIN t ON ...)` gives
/// `[FROM] [auth, users] [u] [JOIN] [t] [ON] ...`.
pub fn name_chains(sql: &str) -> Vec<Vec<Ident>> {
    let chars: Vec<char> = sql.chars().collect();
    let mut chains: Vec<Vec<Ident>> = Vec::new();
    let mut i = 0;
    // Whether the previous token was a `.` right after an identifier (the chain continues).
    let mut after_dot = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let backslash = i > 0 && matches!(chars[i - 1], 'E' | 'e');
            i = skip_literal(&chars, i + 1, backslash);
            after_dot = false;
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            push(&mut chains, Ident { name, quoted: true }, after_dot);
            after_dot = false;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$')) {
                i += 1;
            }
            // `E'...'`: the E is the literal's prefix, not a name.
            if i - start == 1 && matches!(c, 'E' | 'e') && chars.get(i) == Some(&'\'') {
                continue;
            }
            let name: String = chars[start..i].iter().collect();
            push(
                &mut chains,
                Ident {
                    name,
                    quoted: false,
                },
                after_dot,
            );
            after_dot = false;
        } else if c == '.'
            && i > 0
            && matches!(chars[i - 1], '"' | '_' | '$' | 'a'..='z' | 'A'..='Z' | '0'..='9')
        {
            after_dot = !chains.is_empty();
            i += 1;
        } else {
            after_dot = false;
            i += 1;
        }
    }
    chains
}

fn push(chains: &mut Vec<Vec<Ident>>, id: Ident, continues: bool) {
    match chains.last_mut() {
        Some(last) if continues => last.push(id),
        _ => chains.push(vec![id]),
    }
}

/// Index just past the literal whose body starts at `i`.
fn skip_literal(chars: &[char], mut i: usize, backslash: bool) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' if backslash => i += 2,
            '\'' if chars.get(i + 1) == Some(&'\'') => i += 2,
            '\'' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Whether the text names relation `schema.name`: qualified anywhere in a chain, or (when
/// `unqualified_too`) as the first name of a chain (`notes`, `notes.id`), as a relation on the
/// search path is written. A column or alias with the table's name also counts: the heuristic
/// errs towards "reads it".
pub fn mentions_relation(sql: &str, schema: &str, name: &str, unqualified_too: bool) -> bool {
    name_chains(sql).iter().any(|chain| {
        chain.windows(2).any(|w| w[0].is(schema) && w[1].is(name))
            || (unqualified_too && chain[0].is(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_qualified_and_unqualified_relations() {
        let def = " SELECT n.body,\n    u.email\n   FROM (notes n\n     JOIN auth.users u ON ((u.id = n.user_id)));";
        assert!(mentions_relation(def, "auth", "users", false));
        assert!(mentions_relation(def, "public", "notes", true));
        assert!(!mentions_relation(def, "public", "notes", false));
        assert!(!mentions_relation(def, "public", "users", false));
    }

    #[test]
    fn quoted_names_keywords_and_literals() {
        let def = r#" SELECT "ChatMessage".id FROM app."ChatMessage" WHERE (x = 'auth.users'::text) AND y = E'it\'s "notes"'"#;
        assert!(mentions_relation(def, "app", "ChatMessage", false));
        assert!(mentions_relation(def, "public", "ChatMessage", true));
        assert!(!mentions_relation(def, "auth", "users", true));
        assert!(!mentions_relation(def, "public", "notes", true));
        // The keyword FROM is not a table named "FROM"; a quoted one is.
        assert!(!mentions_relation(def, "public", "FROM", true));
        assert!(mentions_relation(
            r#"SELECT 1 FROM "FROM""#,
            "public",
            "FROM",
            true
        ));
        assert!(mentions_relation(
            r#"SELECT 1 FROM s."we""ird""#,
            "s",
            "we\"ird",
            false
        ));
    }
}
