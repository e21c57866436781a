//! Reading a plan's statements, token by token, for the privileges that depend on their
//! details: what a GRANT or REVOKE on a table hands on (the grant option it needs), which
//! columns a new foreign key references (REFERENCES on them), and which existing routine a
//! `CREATE OR REPLACE FUNCTION|PROCEDURE` replaces (ownership of it).

use crate::sql::lex::{Tok, tokens};

/// A privilege a GRANT or REVOKE on a table hands on or takes back: the role needs it WITH
/// GRANT OPTION (an owner has every one), or PostgreSQL grants less than asked, with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Handed {
    pub schema: String,
    pub table: String,
    /// Upper case: SELECT, INSERT, …
    pub privilege: String,
    /// The column, for a column privilege.
    pub column: Option<String>,
}

fn word(t: Option<&Tok>) -> Option<&str> {
    match t {
        Some(Tok::Ident {
            name,
            quoted: false,
        }) => Some(name.as_str()),
        _ => None,
    }
}

/// The tokens of one statement, comments left out (None when it does not lex).
fn toks(sql: &str) -> Option<Vec<Tok>> {
    Some(
        tokens(sql)
            .ok()?
            .into_iter()
            .filter(|t| *t != Tok::Comment)
            .collect(),
    )
}

/// A qualified name at `toks[i..]`: ((schema, name), index after it).
fn qualified_at(toks: &[Tok], i: usize) -> Option<((String, String), usize)> {
    match (toks.get(i), toks.get(i + 1), toks.get(i + 2)) {
        (Some(Tok::Ident { name: s, .. }), Some(Tok::Dot), Some(Tok::Ident { name: n, .. })) => {
            Some(((s.clone(), n.clone()), i + 3))
        }
        _ => None,
    }
}

/// `(a, "B", c)` at `toks[i..]`: the names and the index after `)`.
fn name_list(toks: &[Tok], i: usize) -> Option<(Vec<String>, usize)> {
    if toks.get(i) != Some(&Tok::Open) {
        return None;
    }
    let mut out = Vec::new();
    let mut j = i + 1;
    loop {
        match toks.get(j)? {
            Tok::Ident { name, .. } => out.push(name.clone()),
            Tok::Comma => {}
            Tok::Close => return Some((out, j + 1)),
            _ => return None,
        }
        j += 1;
    }
}

/// `GRANT … ON [TABLE] s.t TO …` / `REVOKE [GRANT OPTION FOR] … ON [TABLE] s.t FROM …`: what
/// each hands on. None when `sql` is not a GRANT or REVOKE on one table.
pub(super) fn handed(sql: &str, server_version: i32) -> Option<Vec<Handed>> {
    let t = toks(sql)?;
    let mut i = match word(t.first())? {
        "grant" => 1,
        "revoke" => {
            if word(t.get(1)) == Some("grant")
                && word(t.get(2)) == Some("option")
                && word(t.get(3)) == Some("for")
            {
                4
            } else {
                1
            }
        }
        _ => return None,
    };
    // The privileges, up to ON: `SELECT`, `UPDATE (a, b)`, `ALL [PRIVILEGES] [(a)]`.
    let mut privs: Vec<(String, Option<Vec<String>>)> = Vec::new();
    loop {
        let w = word(t.get(i))?;
        if w == "on" {
            break;
        }
        i += 1;
        if w == "all" && word(t.get(i)) == Some("privileges") {
            i += 1;
        }
        let cols = match name_list(&t, i) {
            Some((cols, next)) => {
                i = next;
                Some(cols)
            }
            None => None,
        };
        privs.push((w.to_ascii_uppercase(), cols));
        match t.get(i) {
            Some(Tok::Comma) => i += 1,
            _ if word(t.get(i)) == Some("on") => {}
            _ => return None,
        }
    }
    i += 1; // ON
    if word(t.get(i)) == Some("table") {
        i += 1;
    }
    let ((schema, table), next) = qualified_at(&t, i)?;
    // One table only: `ON TABLE a.b, c.d` and `ON ALL TABLES IN SCHEMA` are not read here.
    if !matches!(word(t.get(next)), Some("to" | "from")) {
        return None;
    }
    let mut out = Vec::new();
    for (p, cols) in privs {
        let names: Vec<&str> = if p == "ALL" {
            crate::db::catalog::Privilege::on_tables(server_version)
                .map(|p| p.as_sql())
                .collect()
        } else {
            vec![p.as_str()]
        };
        for n in names {
            match &cols {
                Some(cs) => out.extend(cs.iter().map(|c| Handed {
                    schema: schema.clone(),
                    table: table.clone(),
                    privilege: n.to_string(),
                    column: Some(c.clone()),
                })),
                None => out.push(Handed {
                    schema: schema.clone(),
                    table: table.clone(),
                    privilege: n.to_string(),
                    column: None,
                }),
            }
        }
    }
    Some(out)
}

/// Every `REFERENCES s.t [(cols)]` in `sql`: the table and the columns (empty: its primary
/// key).
pub(super) fn references(sql: &str) -> Vec<((String, String), Vec<String>)> {
    let Some(t) = toks(sql) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..t.len() {
        if word(t.get(i)) != Some("references") {
            continue;
        }
        let Some((rel, next)) = qualified_at(&t, i + 1) else {
            continue;
        };
        let cols = name_list(&t, next).map(|(c, _)| c).unwrap_or_default();
        out.push((rel, cols));
    }
    out
}

/// A routine a `CREATE OR REPLACE FUNCTION|PROCEDURE` statement replaces if one with its
/// identity exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Routine {
    pub schema: String,
    pub name: String,
    pub procedure: bool,
    /// The types that identify it, as written (`integer`, `character varying`, `text[]`);
    /// None when one cannot be read without running the statement (`%TYPE`).
    pub types: Option<Vec<String>>,
}

/// Words that start a type written in several words (`double precision`, `character
/// varying`, `timestamp with time zone`), so an argument starting with one has no name.
const TYPE_HEADS: &[&str] = &[
    "double",
    "character",
    "char",
    "national",
    "nchar",
    "bit",
    "timestamp",
    "time",
    "interval",
    "setof",
];

/// The routine `sql` (one statement) replaces, when it is `CREATE OR REPLACE FUNCTION|
/// PROCEDURE s.n(args) …`.
pub(super) fn replaced_routine(sql: &str) -> Option<Routine> {
    let t = toks(sql)?;
    if word(t.first()) != Some("create")
        || word(t.get(1)) != Some("or")
        || word(t.get(2)) != Some("replace")
    {
        return None;
    }
    let procedure = match word(t.get(3))? {
        "function" => false,
        "procedure" => true,
        _ => return None,
    };
    let ((schema, name), mut i) = qualified_at(&t, 4)?;
    if t.get(i) != Some(&Tok::Open) {
        return None;
    }
    i += 1;
    // The arguments: split at top-level commas up to the matching `)`.
    let mut args: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut depth = 0;
    loop {
        let tok = t.get(i)?;
        match tok {
            Tok::Open => depth += 1,
            Tok::Close if depth == 0 => break,
            Tok::Close => depth -= 1,
            Tok::Comma if depth == 0 => {
                args.push(Vec::new());
                i += 1;
                continue;
            }
            _ => {}
        }
        args.last_mut()?.push(tok.clone());
        i += 1;
    }
    let mut types = Some(Vec::new());
    for arg in args.into_iter().filter(|a| !a.is_empty()) {
        match arg_type(&arg, procedure) {
            ArgType::Identity(ty) => {
                if let Some(v) = types.as_mut() {
                    v.push(ty);
                }
            }
            ArgType::NotIdentity => {}
            ArgType::Unreadable => types = None,
        }
    }
    Some(Routine {
        schema,
        name,
        procedure,
        types,
    })
}

enum ArgType {
    Identity(String),
    /// An OUT argument of a function (not part of its identity).
    NotIdentity,
    Unreadable,
}

/// One argument `[mode] [name] type [DEFAULT … | = …]`.
fn arg_type(arg: &[Tok], procedure: bool) -> ArgType {
    let mut a: &[Tok] = arg;
    // The default goes.
    if let Some(p) = a
        .iter()
        .position(|t| word(Some(t)) == Some("default") || *t == Tok::Op("=".into()))
    {
        a = &a[..p];
    }
    let mut out = false;
    if let Some(m) = word(a.first())
        && matches!(m, "in" | "out" | "inout" | "variadic")
        && a.len() > 1
    {
        out = m == "out";
        a = &a[1..];
    }
    if out && !procedure {
        return ArgType::NotIdentity;
    }
    // A name comes first unless the type alone is written (one word, or a multi-word type).
    let first_is_type = word(a.first()).is_some_and(|w| TYPE_HEADS.contains(&w))
        || a.len() == 1
        || (a.len() > 1 && matches!(a.get(1), Some(Tok::Dot | Tok::Open | Tok::OpenBracket)));
    if !first_is_type {
        a = &a[1..];
    }
    let mut ty = String::new();
    for t in a {
        let piece = match t {
            Tok::Ident { name, quoted: true } => crate::sql::quote_ident(name),
            Tok::Ident { name, .. } => name.clone(),
            Tok::Dot => ".".into(),
            Tok::OpenBracket => "[".into(),
            Tok::CloseBracket => "]".into(),
            // A type modifier does not take part in the identity.
            Tok::Open | Tok::Close | Tok::Number | Tok::Comma => continue,
            _ => return ArgType::Unreadable,
        };
        let glue = !ty.is_empty()
            && !matches!(piece.as_str(), "." | "[" | "]")
            && !ty.ends_with('.')
            && !ty.ends_with('[');
        if glue {
            ty.push(' ');
        }
        ty.push_str(&piece);
    }
    if ty.is_empty() {
        ArgType::Unreadable
    } else {
        ArgType::Identity(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_hand_on_each_privilege() {
        let h = handed(
            r#"GRANT SELECT, UPDATE ("a", b) ON TABLE public."T" TO "app" WITH GRANT OPTION"#,
            160000,
        )
        .unwrap();
        let got: Vec<(&str, Option<&str>)> = h
            .iter()
            .map(|x| (x.privilege.as_str(), x.column.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("SELECT", None),
                ("UPDATE", Some("a")),
                ("UPDATE", Some("b"))
            ]
        );
        assert_eq!((h[0].schema.as_str(), h[0].table.as_str()), ("public", "T"));
        let all = handed("REVOKE ALL PRIVILEGES ON public.t FROM PUBLIC", 170000).unwrap();
        assert_eq!(all.len(), 8);
        assert_eq!(
            handed("REVOKE GRANT OPTION FOR select ON s.t FROM r", 150000)
                .unwrap()
                .len(),
            1
        );
        assert!(handed("GRANT USAGE ON SCHEMA s TO r", 150000).is_none());
        assert!(handed("GRANT r1 TO r2", 150000).is_none());
        assert!(handed("CREATE TABLE s.t (id int)", 150000).is_none());
    }

    #[test]
    fn references_name_their_columns() {
        let r = references(
            r#"ALTER TABLE a.b ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES public."Users" ("id"); CREATE TABLE s.t (u uuid REFERENCES auth.users)"#,
        );
        assert_eq!(
            r,
            [
                (("public".into(), "Users".into()), vec!["id".to_string()]),
                (("auth".into(), "users".into()), vec![])
            ]
        );
    }

    #[test]
    fn a_replaced_routine_is_identified_by_its_input_types() {
        let r = replaced_routine(
            r#"CREATE OR REPLACE FUNCTION public."Touch"(p_user uuid, IN n integer DEFAULT 1, OUT total double precision, VARIADIC tags text[], x character varying(20) = 'a')
 RETURNS record LANGUAGE sql AS $$ SELECT 1 $$"#,
        )
        .unwrap();
        assert_eq!((r.schema.as_str(), r.name.as_str()), ("public", "Touch"));
        assert!(!r.procedure);
        assert_eq!(
            r.types.unwrap(),
            ["uuid", "integer", "text[]", "character varying"]
        );
        let p = replaced_routine(
            "CREATE OR REPLACE PROCEDURE s.p(OUT n int, timestamp with time zone) LANGUAGE sql AS $$ $$",
        )
        .unwrap();
        assert_eq!(p.types.unwrap(), ["int", "timestamp with time zone"]);
        let t = replaced_routine(
            "CREATE OR REPLACE FUNCTION s.f(u public.users.id%TYPE) RETURNS int AS $$ $$ LANGUAGE sql",
        )
        .unwrap();
        assert_eq!(t.types, None);
        assert_eq!(
            replaced_routine("CREATE OR REPLACE FUNCTION s.f() RETURNS trigger AS $$ $$")
                .unwrap()
                .types
                .unwrap(),
            Vec::<String>::new()
        );
        assert!(replaced_routine("CREATE FUNCTION s.f() RETURNS int AS $$ $$").is_none());
    }
}
