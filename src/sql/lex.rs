//! A lexer for PostgreSQL's SQL, following the server's scanner rules (scan.l) closely enough
//! to tell where identifiers, literals, comments and statements begin and end: quoted
//! identifiers with `""`, `U&"…"`, strings with `''`, `E'…'` with backslash escapes, `$tag$`
//! dollar quoting, nested `/* */` comments and `--` comments.
//!
//! It serves two purposes: guarding the text a checklist may splice into SQL (an expression
//! must be one balanced fragment, a definition exactly one statement: see [`guard`]), and
//! finding the names a plan's SQL mentions, so plans can be ordered by what they need.

use std::fmt;

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword: unquoted ones folded to lower case, as the server does.
    Ident {
        name: String,
        quoted: bool,
    },
    /// A string constant's value (any form: standard, `E''`, dollar-quoted, `B''`/`X''`).
    Str(String),
    Number,
    /// `$1`.
    Param,
    Dot,
    Comma,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Semicolon,
    /// `::`.
    Cast,
    /// Any other operator or punctuation.
    Op(String),
    /// A comment (`--` or `/* */`).
    Comment,
}

/// Why a text does not lex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError(pub String);

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || !c.is_ascii()
}

fn ident_char(c: char) -> bool {
    ident_start(c) || c.is_ascii_digit() || c == '$'
}

/// The tokens of `text`, comments included.
pub fn tokens(text: &str) -> Result<Vec<Tok>, LexError> {
    Ok(spanned(text)?.into_iter().map(|(t, _)| t).collect())
}

/// The tokens of `text` with the byte range each covers (for rewriting the text in place).
pub fn spanned(text: &str) -> Result<Vec<(Tok, std::ops::Range<usize>)>, LexError> {
    let chars: Vec<char> = text.chars().collect();
    // Byte offset of each char index (and of the end).
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    let n = chars.len();
    while i < n {
        let start = i;
        let before = out.len();
        lex_one(&chars, &mut i, &mut out)?;
        if out.len() > before {
            spans.push(bytes[start]..bytes[i.min(n)]);
        }
    }
    Ok(out.into_iter().zip(spans).collect())
}

/// Lexes what starts at `chars[*i_ref]`: skips whitespace or pushes one token, moving `*i_ref`
/// past it.
fn lex_one(chars: &[char], i_ref: &mut usize, out: &mut Vec<Tok>) -> Result<(), LexError> {
    let n = chars.len();
    let mut i = *i_ref;
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    if c.is_whitespace() {
        i += 1;
    } else if c == '-' && next == Some('-') {
        while i < n && chars[i] != '\n' {
            i += 1;
        }
        out.push(Tok::Comment);
    } else if c == '/' && next == Some('*') {
        let mut depth = 0;
        loop {
            if i >= n {
                return Err(LexError("unterminated /* comment".into()));
            }
            if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                depth += 1;
                i += 2;
            } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    break;
                }
            } else {
                i += 1;
            }
        }
        out.push(Tok::Comment);
    } else if c == '"'
        || ((c == 'u' || c == 'U') && next == Some('&') && chars.get(i + 2) == Some(&'"'))
    {
        if c != '"' {
            i += 2;
        }
        let (name, end) = quoted(chars, i, '"')?;
        if name.is_empty() {
            return Err(LexError("zero-length quoted identifier".into()));
        }
        out.push(Tok::Ident { name, quoted: true });
        i = end;
    } else if c == '\'' {
        let (s, end) = quoted(chars, i, '\'')?;
        out.push(Tok::Str(s));
        i = end;
    } else if (c == 'e' || c == 'E') && next == Some('\'') {
        let (s, end) = escaped(chars, i + 1)?;
        out.push(Tok::Str(s));
        i = end;
    } else if matches!(c, 'b' | 'B' | 'x' | 'X' | 'n' | 'N') && next == Some('\'') {
        let (s, end) = quoted(chars, i + 1, '\'')?;
        out.push(Tok::Str(s));
        i = end;
    } else if c == '$' && next.is_some_and(|d| d.is_ascii_digit()) {
        i += 1;
        while i < n && chars[i].is_ascii_digit() {
            i += 1;
        }
        out.push(Tok::Param);
    } else if c == '$' {
        let (s, end) = dollar(chars, i)?;
        out.push(Tok::Str(s));
        i = end;
    } else if ident_start(c) {
        let start = i;
        while i < n && ident_char(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        out.push(Tok::Ident {
            name: word.to_lowercase(),
            quoted: false,
        });
    } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|d| d.is_ascii_digit())) {
        while i < n && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_') {
            // `1..2` never occurs in SQL; `1.e5`, `0x1F`, `1_000` do.
            if chars[i] == '.' && chars.get(i + 1) == Some(&'.') {
                break;
            }
            i += 1;
        }
        out.push(Tok::Number);
    } else {
        i += 1;
        out.push(match c {
            '.' => Tok::Dot,
            ',' => Tok::Comma,
            '(' => Tok::Open,
            ')' => Tok::Close,
            '[' => Tok::OpenBracket,
            ']' => Tok::CloseBracket,
            ';' => Tok::Semicolon,
            ':' if next == Some(':') => {
                i += 1;
                Tok::Cast
            }
            _ => {
                let mut op = c.to_string();
                while i < n && "+-*/<>=~!@#%^&|`?".contains(chars[i]) {
                    // An operator never swallows the start of a comment.
                    if (chars[i] == '-' && chars.get(i + 1) == Some(&'-'))
                        || (chars[i] == '/' && chars.get(i + 1) == Some(&'*'))
                    {
                        break;
                    }
                    op.push(chars[i]);
                    i += 1;
                }
                Tok::Op(op)
            }
        });
    }
    *i_ref = i;
    Ok(())
}

/// A `q`-quoted run starting at `chars[start] == q`, with `qq` standing for `q`.
fn quoted(chars: &[char], start: usize, q: char) -> Result<(String, usize), LexError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => {
                let what = if q == '"' {
                    "quoted identifier"
                } else {
                    "quoted string"
                };
                return Err(LexError(format!("unterminated {what}")));
            }
            Some(&c) if c == q => {
                if chars.get(i + 1) == Some(&q) {
                    s.push(q);
                    i += 2;
                } else {
                    return Ok((s, i + 1));
                }
            }
            Some(&c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}

/// An `E'…'` string starting at the quote: backslash escapes any character.
fn escaped(chars: &[char], start: usize) -> Result<(String, usize), LexError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(LexError("unterminated quoted string".into())),
            Some('\\') => {
                if let Some(&c) = chars.get(i + 1) {
                    s.push(c);
                }
                i += 2;
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                s.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((s, i + 1)),
            Some(&c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}

/// A `$tag$…$tag$` string starting at the first `$`.
fn dollar(chars: &[char], start: usize) -> Result<(String, usize), LexError> {
    let mut i = start + 1;
    while i < chars.len() && chars[i] != '$' {
        if !ident_char(chars[i]) || chars[i] == '$' {
            return Err(LexError(format!(
                "unexpected character {:?} after $",
                chars[i]
            )));
        }
        i += 1;
    }
    if i >= chars.len() {
        return Err(LexError("unterminated dollar quote".into()));
    }
    let tag: String = chars[start..=i].iter().collect();
    let tag: Vec<char> = tag.chars().collect();
    let body_start = i + 1;
    let mut j = body_start;
    while j + tag.len() <= chars.len() {
        if chars[j..j + tag.len()] == tag[..] {
            return Ok((chars[body_start..j].iter().collect(), j + tag.len()));
        }
        j += 1;
    }
    Err(LexError("unterminated dollar-quoted string".into()))
}

/// Names mentioned in tokens: each run `a.b.c` of identifiers joined by dots (`"public"."t"`
/// gives `["public", "t"]`), and the names inside regclass-style literals (`'public.s'::regclass`).
pub fn name_chains(toks: &[Tok]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident { name, .. } => {
                let mut chain = vec![name.clone()];
                let mut j = i + 1;
                while j + 1 < toks.len() && toks[j] == Tok::Dot {
                    match &toks[j + 1] {
                        Tok::Ident { name, .. } => chain.push(name.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                out.push(chain);
                i = j;
            }
            Tok::Str(s) => {
                if matches!(toks.get(i + 1), Some(Tok::Cast))
                    && let Ok(inner) = tokens(s)
                {
                    out.extend(name_chains(&inner));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The identifiers of an object text such as `public."T"."c"` (`[public, T, c]`).
pub fn object_names(object: &str) -> Vec<String> {
    // Up to the argument or column list: the first `(` outside double quotes (a quoted name
    // may hold one: `"s"."(f"(integer)`).
    let mut quoted = false;
    let end = object
        .char_indices()
        .find(|&(_, c)| {
            quoted ^= c == '"';
            c == '(' && !quoted
        })
        .map_or(object.len(), |(i, _)| i);
    let object = &object[..end];
    match tokens(object) {
        Ok(t) => name_chains(&t).into_iter().next().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(text: &str) -> Vec<String> {
        tokens(text)
            .unwrap()
            .into_iter()
            .filter_map(|t| match t {
                Tok::Ident { name, .. } => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn identifiers_fold_unless_quoted() {
        assert_eq!(
            idents(r#"Foo "Bar" "a""b" U&"x""#),
            ["foo", "Bar", "a\"b", "x"]
        );
    }

    #[test]
    fn strings_and_comments_hide_their_content() {
        let t = tokens("'a;b' E'it\\'s;' $f$ ; $x$ ; $f$ -- ;\n /* ; /* ; */ */ x").unwrap();
        assert!(!t.contains(&Tok::Semicolon), "{t:?}");
        assert_eq!(t.iter().filter(|t| **t == Tok::Comment).count(), 2);
    }

    #[test]
    fn unterminated_parts_are_errors() {
        for bad in ["'abc", "\"abc", "$a$ x", "/* x", "E'x\\'"] {
            assert!(tokens(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spans_cover_each_token_in_bytes() {
        let text = "é.\"Ü x\" -- c\n$f$ b $f$";
        let spans: Vec<&str> = spanned(text)
            .unwrap()
            .into_iter()
            .map(|(_, r)| &text[r])
            .collect();
        assert_eq!(spans, ["é", ".", "\"Ü x\"", "-- c", "$f$ b $f$"]);
    }

    #[test]
    fn chains_include_regclass_literals() {
        let t = tokens(r#"nextval('public.bug_id_seq'::regclass) + "s"."T".c"#).unwrap();
        let chains = name_chains(&t);
        assert!(chains.contains(&vec!["public".to_string(), "bug_id_seq".to_string()]));
        assert!(chains.contains(&vec!["s".to_string(), "T".to_string(), "c".to_string()]));
    }
}
