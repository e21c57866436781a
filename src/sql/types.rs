//! Comparing SQL types as a person writes them (`varchar(50)`, `timestamptz`, `int`) with what
//! `format_type` prints (`character varying(50)`, `timestamp with time zone`, `integer`).

/// Built-in names `canonical` does not rename.
const BUILTIN: &[&str] = &[
    "text", "uuid", "json", "jsonb", "bytea", "date", "interval", "inet", "cidr", "macaddr",
    "money", "xml", "tsvector", "tsquery", "point", "oid", "bit", "name", "regclass", "citext",
];

/// A type split into base name, modifier and array dimensions, with aliases resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    pub base: String,
    pub modifier: Option<String>,
    pub array_dims: usize,
}

fn canonical(base: &str) -> &str {
    match base {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "time" | "time without time zone" => "time without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "float8" | "float" | "double precision" => "double precision",
        "float4" | "real" => "real",
        "decimal" | "numeric" => "numeric",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    }
}

/// Parses a type as written or as printed. `default_schema` qualifiers and identifier quotes
/// are dropped (`public."Mood"` and `Mood` are the same type when public is the default).
pub fn parse(text: &str, default_schema: &str) -> TypeName {
    let mut t = text.trim().to_string();
    let mut array_dims = 0;
    while let Some(rest) = t.strip_suffix("[]") {
        t = rest.trim_end().to_string();
        array_dims += 1;
    }
    let unquoted = t.replace('"', "");
    let prefix = format!("{default_schema}.");
    let t = unquoted
        .strip_prefix(&prefix)
        .unwrap_or(&unquoted)
        .to_string();
    // `timestamp(6) with time zone`: the modifier sits inside the name.
    let (base, modifier) = match (t.find('('), t.find(')')) {
        (Some(open), Some(close)) if close > open => {
            let modifier = t[open..=close].replace(' ', "");
            let base = format!("{} {}", t[..open].trim(), t[close + 1..].trim());
            (base.trim().to_string(), Some(modifier))
        }
        _ => (t.trim().to_string(), None),
    };
    // Built-in type names are case-insensitive keywords; user types keep their exact spelling
    // (checklist names are never case-folded).
    let squashed = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = squashed.to_ascii_lowercase();
    let base = if canonical(&lower) != lower || BUILTIN.contains(&lower.as_str()) {
        lower
    } else {
        squashed
    };
    TypeName {
        base: canonical(&base).to_string(),
        modifier,
        array_dims,
    }
}

/// Whether the catalog's `actual` type satisfies the checklist's `expected` one. An expected
/// type without a modifier accepts any (`varchar` matches `character varying(255)`).
pub fn matches(expected: &str, actual: &str, default_schema: &str) -> bool {
    let e = parse(expected, default_schema);
    let a = parse(actual, default_schema);
    e.base == a.base
        && e.array_dims == a.array_dims
        && (e.modifier.is_none() || e.modifier == a.modifier)
}

/// A default expression with casts, case, spacing and outer parentheses normalised, so that
/// `now()`, `CURRENT_TIMESTAMP` and `'user'::user_role` compare as a person means them.
pub fn normalize_default(expr: &str) -> String {
    let mut s = expr.trim().to_string();
    // Drop casts: `::type`, `::"Type"`, `::character varying(20)[]`.
    while let Some(pos) = s.find("::") {
        let rest = &s[pos + 2..];
        let end = cast_end(rest);
        s = format!("{}{}", &s[..pos], &rest[end..]);
    }
    let mut s = s.trim().to_ascii_lowercase();
    while s.starts_with('(') && s.ends_with(')') && balanced(&s[1..s.len() - 1]) {
        s = s[1..s.len() - 1].trim().to_string();
    }
    match s.as_str() {
        "current_timestamp" | "transaction_timestamp()" | "now()" => "now()".to_string(),
        "gen_random_uuid()" | "uuid_generate_v4()" | "extensions.uuid_generate_v4()" => {
            "gen_random_uuid()".to_string()
        }
        _ => s.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// SQL text reduced for "contains" comparisons: casts, parentheses, spaces and case dropped,
/// so `length(username) > 0` is found in `CHECK ((length((username)::text) > 0))`.
pub fn expr_key(expr: &str) -> String {
    let mut s = expr.to_string();
    while let Some(pos) = s.find("::") {
        let rest = &s[pos + 2..];
        let end = cast_end(rest);
        s = format!("{}{}", &s[..pos], &rest[end..]);
    }
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .flat_map(char::to_lowercase)
        .collect()
}

fn cast_end(rest: &str) -> usize {
    let mut depth = 0;
    let mut in_quotes = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            _ if in_quotes => {}
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            ')' | ',' => return i,
            '[' | ']' | '.' | '_' => {}
            ' ' if depth == 0 => {
                // multi-word type names: "character varying", "timestamp with time zone"
                let tail = &rest[i + 1..];
                let next: String = tail
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                if !matches!(
                    next.as_str(),
                    "varying" | "with" | "without" | "time" | "zone" | "precision"
                ) {
                    return i;
                }
            }
            c if c.is_alphanumeric() || depth > 0 => {}
            _ => return i,
        }
    }
    rest.len()
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_modifiers() {
        for (e, a) in [
            ("varchar", "character varying(50)"),
            ("varchar(50)", "character varying(50)"),
            ("int", "integer"),
            ("serial", "integer"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp(6)", "timestamp(6) without time zone"),
            ("timestamp", "timestamp(3) without time zone"),
            ("text[]", "text[]"),
            ("user_role", "user_role"),
            ("Mood", "public.\"Mood\""),
            ("jsonb", "jsonb"),
            ("decimal(10,2)", "numeric(10,2)"),
        ] {
            assert!(matches(e, a, "public"), "{e} vs {a}");
        }
        for (e, a) in [
            ("varchar(50)", "character varying(100)"),
            ("text", "text[]"),
            ("json", "jsonb"),
            ("timestamptz", "timestamp without time zone"),
            ("Mood", "public.mood"),
        ] {
            assert!(!matches(e, a, "public"), "{e} vs {a}");
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(
            normalize_default("now()"),
            normalize_default("CURRENT_TIMESTAMP")
        );
        assert_eq!(normalize_default("'user'::user_role"), "'user'");
        assert_eq!(
            normalize_default("'individual'::\"MessageType\""),
            "'individual'"
        );
        assert_eq!(normalize_default("'x'::character varying"), "'x'");
        assert_eq!(normalize_default("'{}'::text[]"), "'{}'");
        assert_eq!(normalize_default("false"), "false");
        assert_eq!(normalize_default("(0)"), "0");
        assert_eq!(
            normalize_default("nextval('users_id_seq'::regclass)"),
            "nextval('users_id_seq')"
        );
    }
}
