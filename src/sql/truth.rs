//! Whether a boolean SQL expression is true whatever the row: a small evaluator over the
//! lexer's tokens, for policy conditions such as `(1 = 1)`, `('a'::text = 'a'::text)`,
//! `(true AND true)` or `(NOT false)`. Parentheses, whitespace, comments and casts do not
//! matter; constants are compared; anything that depends on the row, the session or a function
//! is unknown, and so is anything the evaluator does not understand. Only a definite `true`
//! counts: the answer errs towards "not always true".
//!
//! SQL's three-valued logic is followed: `NULL` is not true, `false AND x` is false and
//! `true OR x` is true whatever `x` is.

use super::lex::{Tok, spanned};

/// A constant, or what the evaluator cannot know.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Bool(bool),
    Num(f64),
    Str(String),
    Null,
    Unknown,
}

/// `expr` is true for every row (see the module doc).
pub fn always_true(expr: &str) -> bool {
    let Ok(toks) = spanned(expr) else {
        return false;
    };
    let toks: Vec<(Tok, &str)> = toks
        .into_iter()
        .filter(|(t, _)| *t != Tok::Comment)
        .map(|(t, r)| (t, &expr[r]))
        .collect();
    let mut p = Parser { toks: &toks, at: 0 };
    let v = p.or();
    p.at == toks.len() && v == V::Bool(true)
}

struct Parser<'a> {
    toks: &'a [(Tok, &'a str)],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    /// The next token is the bare keyword `word`.
    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident { name, quoted: false }) if name == word)
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let yes = self.keyword(word);
        if yes {
            self.at += 1;
        }
        yes
    }

    fn or(&mut self) -> V {
        let mut v = self.and();
        while self.eat_keyword("or") {
            let r = self.and();
            v = match (&v, &r) {
                (V::Bool(true), _) | (_, V::Bool(true)) => V::Bool(true),
                (V::Bool(false), V::Bool(false)) => V::Bool(false),
                _ => V::Unknown,
            };
        }
        v
    }

    fn and(&mut self) -> V {
        let mut v = self.not();
        while self.eat_keyword("and") {
            let r = self.not();
            v = match (&v, &r) {
                (V::Bool(false), _) | (_, V::Bool(false)) => V::Bool(false),
                (V::Bool(true), V::Bool(true)) => V::Bool(true),
                _ => V::Unknown,
            };
        }
        v
    }

    fn not(&mut self) -> V {
        if self.eat_keyword("not") {
            return match self.not() {
                V::Bool(b) => V::Bool(!b),
                V::Null => V::Null,
                _ => V::Unknown,
            };
        }
        self.is()
    }

    /// `x IS [NOT] TRUE | FALSE | NULL | UNKNOWN`.
    fn is(&mut self) -> V {
        let v = self.comparison();
        if !self.eat_keyword("is") {
            return v;
        }
        let negated = self.eat_keyword("not");
        let test = match self.peek() {
            Some(Tok::Ident {
                name,
                quoted: false,
            }) => name.clone(),
            _ => return V::Unknown,
        };
        self.at += 1;
        let answer = match (test.as_str(), &v) {
            (_, V::Unknown) => return V::Unknown,
            ("true", V::Bool(b)) => *b,
            ("false", V::Bool(b)) => !*b,
            ("true" | "false", V::Null) => false,
            ("null" | "unknown", V::Null) => true,
            ("null", _) => false,
            _ => return V::Unknown,
        };
        V::Bool(answer != negated)
    }

    /// `a = b`, `a <> b`, `a < b`…; any other operator makes the value unknown.
    fn comparison(&mut self) -> V {
        let left = self.operand();
        let Some(Tok::Op(op)) = self.peek().cloned() else {
            return left;
        };
        self.at += 1;
        let right = self.operand();
        compare(&op, &left, &right)
    }

    /// An atom and its casts.
    fn operand(&mut self) -> V {
        let mut v = self.atom();
        while self.peek() == Some(&Tok::Cast) {
            self.at += 1;
            v = self.cast(v);
        }
        v
    }

    /// `::type` (already past `::`): numbers and booleans written as strings become them.
    fn cast(&mut self, v: V) -> V {
        let mut words = Vec::new();
        while let Some(Tok::Ident { name, .. }) = self.peek() {
            words.push(name.clone());
            self.at += 1;
            if self.peek() == Some(&Tok::Dot) {
                self.at += 1;
            }
        }
        // `varchar(255)`, `text[]`.
        if self.peek() == Some(&Tok::Open) {
            self.skip_balanced();
        }
        while self.peek() == Some(&Tok::OpenBracket) {
            self.skip_balanced();
        }
        let ty = words.last().map(String::as_str).unwrap_or_default();
        match (&v, ty) {
            (V::Str(s), "bool" | "boolean") => match s.to_ascii_lowercase().trim() {
                "t" | "true" | "y" | "yes" | "on" | "1" => V::Bool(true),
                "f" | "false" | "n" | "no" | "off" | "0" => V::Bool(false),
                _ => V::Unknown,
            },
            (
                V::Str(s),
                "int" | "int2" | "int4" | "int8" | "integer" | "bigint" | "smallint" | "numeric"
                | "decimal" | "real" | "float4" | "float8" | "precision",
            ) => s.trim().parse().map(V::Num).unwrap_or(V::Unknown),
            (V::Num(n), "text" | "varchar" | "varying" | "bpchar" | "character") => {
                V::Str(n.to_string())
            }
            _ => v,
        }
    }

    fn atom(&mut self) -> V {
        let Some((tok, text)) = self.toks.get(self.at).cloned() else {
            return V::Unknown;
        };
        self.at += 1;
        match tok {
            Tok::Open => {
                // A sub-select's value is unknown.
                if self.keyword("select") || self.keyword("with") || self.keyword("values") {
                    self.at -= 1;
                    self.skip_balanced();
                    return V::Unknown;
                }
                let v = self.or();
                if self.peek() == Some(&Tok::Close) {
                    self.at += 1;
                    v
                } else {
                    self.at = self.toks.len() + 1;
                    V::Unknown
                }
            }
            Tok::Number => text
                .replace('_', "")
                .parse()
                .map(V::Num)
                .unwrap_or(V::Unknown),
            Tok::Str(s) => V::Str(s),
            Tok::Op(op) if op == "-" || op == "+" => match self.operand() {
                V::Num(n) if op == "-" => V::Num(-n),
                V::Num(n) => V::Num(n),
                _ => V::Unknown,
            },
            Tok::Ident {
                name,
                quoted: false,
            } if matches!(name.as_str(), "true" | "false" | "null") => match name.as_str() {
                "true" => V::Bool(true),
                "false" => V::Bool(false),
                _ => V::Null,
            },
            Tok::Ident { .. } => {
                // A column, a qualified name, a function call: unknown, consumed whole.
                while self.peek() == Some(&Tok::Dot) {
                    self.at += 2;
                }
                if self.peek() == Some(&Tok::Open) {
                    self.skip_balanced();
                }
                V::Unknown
            }
            _ => V::Unknown,
        }
    }

    /// Past the bracketed group starting at the current `(` or `[`.
    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Open | Tok::OpenBracket => depth += 1,
                Tok::Close | Tok::CloseBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.at += 1;
            if depth == 0 {
                return;
            }
        }
    }
}

fn compare(op: &str, l: &V, r: &V) -> V {
    use std::cmp::Ordering;
    let ord = match (l, r) {
        (V::Null, _) | (_, V::Null) if is_comparison(op) => return V::Null,
        (V::Num(a), V::Num(b)) => a.partial_cmp(b),
        (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
        // Ordering strings depends on the collation: only equality is known.
        (V::Str(a), V::Str(b)) if matches!(op, "=" | "<>" | "!=") => Some(a.cmp(b)),
        _ => None,
    };
    let Some(ord) = ord else {
        return V::Unknown;
    };
    V::Bool(match op {
        "=" => ord == Ordering::Equal,
        "<>" | "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        "<=" => ord != Ordering::Greater,
        ">" => ord == Ordering::Greater,
        ">=" => ord != Ordering::Less,
        _ => return V::Unknown,
    })
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=")
}

#[cfg(test)]
mod tests {
    use super::always_true;

    #[test]
    fn constant_truths_however_spelled() {
        for e in [
            "true",
            "(true)",
            "((true))",
            "(1 = 1)",
            "1=1",
            "('a'::text = 'a'::text)",
            "(true AND true)",
            "(NOT false)",
            "(NOT (1 = 2))",
            "((1)::bigint = 1)",
            "('1'::integer = 1)",
            "(false OR true)",
            "((user_id = auth.uid()) OR true)",
            "(2 > 1)",
            "(-1 < 0)",
            "('t'::boolean)",
            "(NULL IS NULL)",
            "(true IS NOT FALSE)",
            "(1 <> 2)",
            "/* c */ true -- trailing",
            "('a'::character varying(10) = 'a'::character varying)",
        ] {
            assert!(always_true(e), "{e}");
        }
    }

    #[test]
    fn row_dependent_unknown_or_false_is_not_always_true() {
        for e in [
            "false",
            "(1 = 2)",
            "(user_id = auth.uid())",
            "(true AND (user_id = auth.uid()))",
            "(id = id)",
            "(NULL = NULL)",
            "(NULL)",
            "(NOT NULL::boolean)",
            "('a' < 'b')",
            "(( SELECT true AS bool))",
            "(1 + 1 = 2)",
            "(x IS NULL)",
            "(true) junk",
            "(1 = 1",
            "",
            "'unterminated",
            "(auth.role() = 'anon'::text)",
        ] {
            assert!(!always_true(e), "{e}");
        }
    }
}
