//! The gate for text a checklist may splice into SQL. Names never come through here: they are
//! always quoted ([`super::quote_ident`]). Only keys documented as SQL (a CHECK or USING
//! expression, an index expression, a default, a view's query, a function's or trigger's
//! definition) are written as given, and only when they lex as exactly what they claim to be:
//! an expression that cannot close the clause it sits in, a query or definition that is one
//! statement of the expected kind. Anything else is refused before it joins a plan.

use super::lex::{Tok, tokens};

/// Why a text was refused.
pub type Refusal = String;

fn balanced(toks: &[Tok], what: &str) -> Result<(), Refusal> {
    balanced_list(toks, what, true)
}

/// As [`balanced`]; with `commas` false, a `,` outside parentheses is refused too: written
/// unparenthesized into a list (`ALTER TABLE t ADD COLUMN c int DEFAULT <text>`, `ADD
/// CONSTRAINT n <text>`), it would start another element (`, DROP COLUMN keep`).
fn balanced_list(toks: &[Tok], what: &str, commas: bool) -> Result<(), Refusal> {
    let mut depth: i32 = 0;
    for t in toks {
        match t {
            Tok::Comma if !commas && depth == 0 => {
                return Err(format!("{what} holds a `,` outside parentheses"));
            }
            Tok::Open | Tok::OpenBracket => depth += 1,
            Tok::Close | Tok::CloseBracket => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("{what} closes a parenthesis it did not open"));
                }
            }
            Tok::Semicolon => return Err(format!("{what} holds a `;` outside quotes")),
            Tok::Comment => return Err(format!("{what} holds a comment")),
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("{what} leaves a parenthesis open"));
    }
    Ok(())
}

/// `text` is one SQL expression fragment: it lexes, its parentheses balance, and it holds no
/// `;`, comment or `,` outside quotes and parentheses, so written inside `CHECK (…)` or
/// `USING (…)`, or bare after `DEFAULT` or as a type, it cannot end the clause, the list
/// element or the statement.
pub fn expression(text: &str, what: &str) -> Result<(), Refusal> {
    let toks = tokens(text).map_err(|e| format!("{what} does not lex as SQL: {e}"))?;
    if toks.is_empty() {
        return Err(format!("{what} is empty"));
    }
    balanced_list(&toks, what, false)
}

/// [`statement`] for a clause written as one element of a list (an `EXCLUDE …` constraint in
/// `ALTER TABLE … ADD CONSTRAINT n <text>`): no `,` outside parentheses either.
pub fn element(text: &str, head: &[&str], what: &str) -> Result<(), Refusal> {
    statement(text, head, what)?;
    let toks = tokens(text).map_err(|e| format!("{what} does not lex as SQL: {e}"))?;
    balanced_list(&toks, what, false)
}

/// `text` is exactly one statement whose first words are `head` (a trailing `;` is allowed):
/// a view's query (`["select"]`), a function's definition (`["create", "or", "replace"]`).
pub fn statement(text: &str, head: &[&str], what: &str) -> Result<(), Refusal> {
    let toks = tokens(text).map_err(|e| format!("{what} does not lex as SQL: {e}"))?;
    let mut toks: &[Tok] = &toks;
    while let Some((Tok::Semicolon, rest)) = toks.split_last() {
        toks = rest;
    }
    for (i, word) in head.iter().enumerate() {
        match toks.get(i) {
            Some(Tok::Ident {
                name,
                quoted: false,
            }) if name == word => {}
            _ => {
                return Err(format!(
                    "{what} does not begin with {}",
                    head.join(" ").to_uppercase()
                ));
            }
        }
    }
    balanced(toks, what)
}

/// `text` is one query (a view's definition): one statement beginning with SELECT, WITH,
/// VALUES, TABLE or a parenthesis.
pub fn query(text: &str, what: &str) -> Result<(), Refusal> {
    let toks = tokens(text).map_err(|e| format!("{what} does not lex as SQL: {e}"))?;
    let mut toks: &[Tok] = &toks;
    while let Some((Tok::Semicolon, rest)) = toks.split_last() {
        toks = rest;
    }
    match toks.first() {
        Some(Tok::Ident {
            name,
            quoted: false,
        }) if ["select", "with", "values", "table"].contains(&name.as_str()) => {}
        Some(Tok::Open) => {}
        _ => {
            return Err(format!(
                "{what} is not a query (SELECT, WITH, VALUES or TABLE)"
            ));
        }
    }
    balanced(toks, what)
}

/// The text of a single statement without its trailing `;` and white space.
pub fn trim_statement(text: &str) -> &str {
    text.trim().trim_end_matches(';').trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_cannot_close_their_clause() {
        assert!(expression("(price > 0) AND (name <> '')", "CHECK").is_ok());
        assert!(expression("a = 'x); drop table t; --'", "CHECK").is_ok());
        for bad in [
            "x) ; drop table canary; --(",
            "1); drop table t",
            "a --",
            "a /* */",
            "'unterminated",
            "(a",
            "",
            "$$ x",
            "'a', DROP COLUMN keep",
            "1, DISABLE ROW LEVEL SECURITY",
        ] {
            assert!(expression(bad, "CHECK").is_err(), "{bad}");
        }
    }

    #[test]
    fn statements_are_one_of_the_expected_kind() {
        let f = "CREATE OR REPLACE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ select 1; select 2 $$;\n";
        assert!(statement(f, &["create", "or", "replace"], "definition").is_ok());
        let two = "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ select 1 $$ LANGUAGE sql; DROP TABLE t";
        assert!(statement(two, &["create", "or", "replace"], "definition").is_err());
        assert!(statement("DROP TABLE t", &["select"], "query").is_err());
        assert!(statement(" SELECT a FROM t;", &["select"], "query").is_ok());
        let x = "EXCLUDE USING gist (r WITH &&, s WITH =) WHERE (a, b) IS NOT NULL";
        assert!(element(x, &["exclude"], "the exclusion").is_ok());
        let extra = "EXCLUDE USING gist (r WITH &&), DROP COLUMN keep";
        assert!(statement(extra, &["exclude"], "the exclusion").is_ok());
        assert!(element(extra, &["exclude"], "the exclusion").is_err());
    }
}
