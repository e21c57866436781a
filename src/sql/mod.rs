//! Quoting for SQL text. Every identifier pgmend writes into SQL goes through [`quote_ident`],
//! every literal not sent as a bind parameter through [`quote_literal`].

pub mod guard;
pub mod lex;
pub mod stmt;
pub mod truth;
pub mod types;

/// Keywords that need quoting as identifiers: PostgreSQL's reserved, column-name and
/// type/function-name keywords (`pg_get_keywords()` where catcode <> 'U'), the union over
/// PostgreSQL 14 to 18: 16 adds `json_array`, `json_arrayagg`, `json_object`,
/// `json_objectagg` and `system_user`; 17 adds `json`, `json_exists`, `json_query`,
/// `json_scalar`, `json_serialize`, `json_table`, `json_value` and `merge_action`. Quoting a
/// word that is a keyword only on a newer major is harmless (a quoted name is the same name).
const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Quotes an identifier exactly when PostgreSQL's `quote_ident` would: unless it is all
/// lower-case letters, digits and underscores, starts with a letter or underscore, and is not
/// a keyword that needs quoting. Embedded double quotes are doubled.
pub fn quote_ident(name: &str) -> String {
    let safe = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && KEYWORDS.binary_search(&name).is_err();
    if safe {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A keyword that needs quoting as an identifier (`select`, `user`, `check`).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.binary_search(&word).is_ok()
}

/// `schema.name`, each part quoted.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// A string literal as PostgreSQL's `quote_literal` writes it: single quotes doubled, and the
/// `E''` form with doubled backslashes when the text holds a backslash, so the result means
/// the same whatever `standard_conforming_strings` is.
pub fn quote_literal(text: &str) -> String {
    let body = text.replace('\'', "''");
    if text.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quotes_like_postgres() {
        for (name, quoted) in [
            ("users", "users"),
            ("_x1", "_x1"),
            ("UserProfile", "\"UserProfile\""),
            ("select", "\"select\""),
            ("user", "\"user\""),
            ("name", "name"),
            ("1abc", "\"1abc\""),
            ("we\"ird", "\"we\"\"ird\""),
            ("with space", "\"with space\""),
            ("dollar$", "\"dollar$\""),
            ("café", "\"café\""),
            ("", "\"\""),
        ] {
            assert_eq!(quote_ident(name), quoted, "{name}");
        }
        assert_eq!(qualified("public", "Order"), "public.\"Order\"");
    }

    #[test]
    fn literals() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal(r"a\b'"), r"E'a\\b'''");
    }
}
