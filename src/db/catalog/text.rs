//! Text the server sends in the simple query protocol: array literals, `int2vector` and
//! `oidvector` values; and identifier quoting exactly as the server's `quote_identifier` does it
//! (with the server's own keyword list), for definitions pgmend assembles itself.

use std::collections::HashSet;

/// Parses a one-dimensional array literal (`{a,"b c",NULL}`): unquoted `NULL` is a null element,
/// quoted elements lose their quotes and backslash escapes. `None` for a malformed literal.
pub fn parse_array(s: &str) -> Option<Vec<Option<String>>> {
    // Arrays with a non-default lower bound are prefixed with their dimensions: `[0:1]={..}`.
    let s = match s.strip_prefix('[') {
        Some(_) => &s[s.find('=')? + 1..],
        None => s,
    };
    let inner = s.strip_prefix('{')?.strip_suffix('}')?;
    let mut out = Vec::new();
    if inner.is_empty() {
        return Some(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            loop {
                match chars.next()? {
                    '\\' => v.push(chars.next()?),
                    '"' => break,
                    c => v.push(c),
                }
            }
            out.push(Some(v));
        } else {
            let mut v = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                v.push(c);
                chars.next();
            }
            out.push((!v.eq_ignore_ascii_case("NULL")).then_some(v));
        }
        match chars.next() {
            None => return Some(out),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// The numbers of an `int2vector` / `oidvector` text (`1 2 0`), or of an int array (`{1,2}`).
pub fn parse_numbers(s: &str) -> Option<Vec<i64>> {
    let s = s.trim();
    if s.starts_with('{') || s.starts_with('[') {
        return parse_array(s)?
            .into_iter()
            .map(|v| v?.parse().ok())
            .collect();
    }
    s.split_ascii_whitespace().map(|n| n.parse().ok()).collect()
}

/// Quotes identifiers as the server would: `quote_identifier` in PostgreSQL's `ruleutils.c`.
#[derive(Debug, Clone, Default)]
pub struct Quoter {
    /// The server's keywords that are not unreserved (`pg_get_keywords()`, catcode <> 'U').
    pub keywords: HashSet<String>,
    /// `quote_all_identifiers` is on.
    pub quote_all: bool,
}

impl Quoter {
    pub fn quote(&self, ident: &str) -> String {
        let mut chars = ident.chars();
        let safe = !self.quote_all
            && chars
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !self.keywords.contains(ident);
        if safe {
            ident.to_string()
        } else {
            format!("\"{}\"", ident.replace('"', "\"\""))
        }
    }

    pub fn qualified(&self, schema: &str, name: &str) -> String {
        format!("{}.{}", self.quote(schema), self.quote(name))
    }

    /// Quoted names joined with ", " (a column list).
    pub fn list<S: AsRef<str>>(&self, names: &[S]) -> String {
        names
            .iter()
            .map(|n| self.quote(n.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn array_literals() {
        assert_eq!(parse_array("{}"), Some(vec![]));
        assert_eq!(parse_array("{a,b}"), Some(some(&["a", "b"])));
        assert_eq!(
            parse_array(r#"{"a,b","c\"d","e\\f",""}"#),
            Some(some(&["a,b", "c\"d", "e\\f", ""]))
        );
        // A quoted NULL is the string; an unquoted one is null.
        assert_eq!(
            parse_array(r#"{"NULL",NULL}"#),
            Some(vec![Some("NULL".into()), None])
        );
        assert_eq!(parse_array("[0:1]={x,y}"), Some(some(&["x", "y"])));
        assert_eq!(parse_array(r#"{"unterminated}"#), None);
        assert_eq!(parse_array("nope"), None);
    }

    #[test]
    fn vectors() {
        assert_eq!(parse_numbers("1 2 0"), Some(vec![1, 2, 0]));
        assert_eq!(parse_numbers(""), Some(vec![]));
        assert_eq!(parse_numbers("{3,4}"), Some(vec![3, 4]));
        assert_eq!(parse_numbers("1 x"), None);
    }

    #[test]
    fn quoting_like_the_server() {
        let q = Quoter {
            keywords: ["select".to_string(), "user".to_string()].into(),
            quote_all: false,
        };
        assert_eq!(q.quote("plain_1"), "plain_1");
        assert_eq!(q.quote("Mixed"), "\"Mixed\"");
        assert_eq!(q.quote("1st"), "\"1st\"");
        assert_eq!(q.quote("user"), "\"user\"");
        assert_eq!(q.quote("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(q.quote("café"), "\"café\"");
        assert_eq!(q.quote("json"), "json");
        let all = Quoter {
            quote_all: true,
            ..q
        };
        assert_eq!(all.quote("plain"), "\"plain\"");
    }
}
