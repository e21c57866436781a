//! Rewriting the SQL a checklist holds (`[[data]]` queries, policy expressions, CHECKs, index
//! expressions, view and function definitions) so the names it spells are the database's:
//! identifier tokens found by the lexer are replaced, string literals and comments never;
//! dollar-quoted bodies are rewritten in turn.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::names::Names;
use crate::sql::lex::{Tok, spanned};
use crate::sql::{is_keyword, quote_ident};

/// What a text is rewritten with.
pub(super) struct Maps<'a, 'n> {
    pub names: &'a Names<'n>,
    pub default_schema: &'a str,
    /// Stated column name → actual, over the whole checklist.
    pub columns: &'a BTreeMap<String, String>,
    /// The columns of the table the text belongs to (a policy's, a CHECK's), first.
    pub local: Option<&'a BTreeMap<String, String>>,
    /// Names no item states that the text spells otherwise than the database ("column x",
    /// actual), found in the database: told as adaptations.
    pub found: &'a RefCell<BTreeSet<(String, String)>>,
}

/// Words before a name that make it a relation (`FROM x`, `JOIN x`, `ON x` in a trigger).
const RELATION_BEFORE: &[&str] = &["from", "join", "update", "into", "table", "on", "only"];

/// Whether the string at `toks[i]` follows `AS` or `DO`.
fn body_follows(toks: &[(Tok, Range<usize>)], i: usize) -> bool {
    i.checked_sub(1).is_some_and(|p| {
        matches!(&toks[p].0, Tok::Ident { name, quoted: false } if name == "as" || name == "do")
    })
}

impl Maps<'_, '_> {
    fn column(&self, name: &str) -> Option<String> {
        self.local
            .and_then(|l| l.get(name))
            .or_else(|| self.columns.get(name))
            .cloned()
            .or_else(|| {
                let a = self.names.db_column(name)?;
                self.found
                    .borrow_mut()
                    .insert((format!("column {name}"), a.clone()));
                Some(a)
            })
    }

    fn table(&self, schema: &str, name: &str) -> Option<String> {
        if let Some(a) = self
            .names
            .tables
            .get(&(schema.to_string(), name.to_string()))
        {
            return (a != name).then(|| a.clone());
        }
        if self.names.fixed_schema(schema) {
            return None;
        }
        let a = self
            .names
            .existing(schema, name)
            .map(|t| t.name.clone())
            .filter(|a| a != name)?;
        self.found
            .borrow_mut()
            .insert((format!("table {name}"), a.clone()));
        Some(a)
    }

    fn enum_type(&self, schema: &str, name: &str) -> Option<String> {
        self.names
            .enums
            .get(&(schema.to_string(), name.to_string()))
            .filter(|a| *a != name)
            .cloned()
    }

    fn is_schema(&self, name: &str) -> bool {
        name == self.default_schema || self.names.snap.schemas.iter().any(|s| s.name == name)
    }

    /// `sql` with the names it spells replaced; the text unchanged when it does not lex.
    pub fn rewrite(&self, sql: &str) -> String {
        let Ok(toks) = spanned(sql) else {
            return sql.to_string();
        };
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let (tok, span) = &toks[i];
            match tok {
                // A function's or a DO block's body (`AS $$…$$`, `DO $$…$$`) is SQL in turn;
                // any other dollar-quoted string is a literal.
                Tok::Str(body) if sql[span.clone()].starts_with('$') && body_follows(&toks, i) => {
                    let text = &sql[span.clone()];
                    let tag_len = text[1..].find('$').map_or(1, |p| p + 2);
                    let inner = self.rewrite(body);
                    if inner != *body {
                        let tag = &text[..tag_len];
                        edits.push((span.clone(), format!("{tag}{inner}{tag}")));
                    }
                    i += 1;
                }
                Tok::Ident { .. } => i = self.chain(&toks, i, &mut edits),
                _ => i += 1,
            }
        }
        let mut out = sql.to_string();
        for (span, text) in edits.into_iter().rev() {
            out.replace_range(span, &text);
        }
        out
    }

    /// Handles the run of dotted identifiers starting at `toks[i]`; returns where it ends.
    fn chain(
        &self,
        toks: &[(Tok, Range<usize>)],
        i: usize,
        edits: &mut Vec<(Range<usize>, String)>,
    ) -> usize {
        let mut at = vec![i];
        while let (Some((Tok::Dot, _)), Some((Tok::Ident { .. }, _))) = (
            toks.get(at[at.len() - 1] + 1),
            toks.get(at[at.len() - 1] + 2),
        ) {
            at.push(at[at.len() - 1] + 2);
        }
        let end = at[at.len() - 1] + 1;
        // A function's name, a name after a dot or after `AS` (an alias) is left alone.
        let prev = i.checked_sub(1).map(|p| &toks[p].0);
        let alias = matches!(prev, Some(Tok::Ident { name, quoted: false }) if name == "as");
        if matches!(toks.get(end), Some((Tok::Open, _))) || matches!(prev, Some(Tok::Dot)) || alias
        {
            return end;
        }
        let parts: Vec<(&str, bool)> = at
            .iter()
            .map(|&k| match &toks[k].0 {
                Tok::Ident { name, quoted } => (name.as_str(), *quoted),
                _ => unreachable!("the chain holds identifiers only"),
            })
            .collect();
        let mut set = |k: usize, name: Option<String>| {
            if let Some(n) = name {
                edits.push((toks[at[k]].1.clone(), quote_ident(&n)));
            }
        };
        let ds = self.default_schema;
        if matches!(prev, Some(Tok::Cast)) {
            match parts[..] {
                [(t, _)] => set(0, self.enum_type(ds, t)),
                [(s, _), (t, _)] => set(1, self.enum_type(s, t)),
                _ => {}
            }
            return end;
        }
        let keyword = |(n, quoted): (&str, bool)| !quoted && is_keyword(n);
        match parts[..] {
            [one] if keyword(one) => {}
            [(x, _)] => {
                let relation = matches!(prev, Some(Tok::Ident { name, quoted: false })
                    if RELATION_BEFORE.contains(&name.as_str()));
                let found = if relation {
                    self.table(ds, x)
                } else {
                    self.names
                        .tables
                        .get(&(ds.to_string(), x.to_string()))
                        .filter(|a| *a != x)
                        .cloned()
                        .or_else(|| self.column(x))
                        .or_else(|| self.enum_type(ds, x))
                };
                set(0, found);
            }
            [(a, _), (b, _)] if self.is_schema(a) => set(1, self.table(a, b)),
            [(a, _), (b, _)] => {
                let t = self
                    .names
                    .tables
                    .get(&(ds.to_string(), a.to_string()))
                    .filter(|n| *n != a)
                    .cloned();
                set(0, t);
                set(1, self.column(b));
            }
            [(s, _), (t, _), (c, _)] if self.is_schema(s) && !self.names.fixed_schema(s) => {
                set(1, self.table(s, t));
                set(2, self.column(c));
            }
            _ => {}
        }
        end
    }
}
