//! The parts of `checklist snapshot` that make it lossless: definitions and details as
//! PostgreSQL's own deparsers print them (sequences, domains, composite types, table
//! persistence, inheritance and partitioning, identity/generated/collation columns, CHECK and
//! EXCLUDE definitions, DEFERRABLE, index key options, view and trigger definitions, default
//! privileges, comments).

use std::fmt::Write;

use crate::db::catalog::{Column, Constraint, IdentityKind, Privilege, Snapshot, Table};
use crate::sql::lex::{Tok, tokens};
use crate::sql::{qualified, quote_ident};

use super::snapshot::{list, s};

/// Domains, composite types and sequences (an identity column's marked `identity = true`).
pub(super) fn types(o: &mut String, snap: &Snapshot) {
    for d in snap
        .domains
        .iter()
        .filter(|d| !snap.is_managed_schema(&d.schema))
    {
        let _ = writeln!(
            o,
            "[[domain]]\nschema = {}\nname = {}\ntype = {}\nnot_null = {}",
            s(&d.schema),
            s(&d.name),
            s(&d.base_type),
            d.not_null
        );
        if let Some(v) = &d.default {
            let _ = writeln!(o, "default = {}", s(v));
        }
        let checks: Vec<String> = d
            .checks
            .iter()
            .filter_map(|c| {
                check_expression(&c.definition)
                    .map(|e| format!("{{ name = {}, expression = {} }}", s(&c.name), s(&e)))
            })
            .collect();
        if !checks.is_empty() {
            let _ = writeln!(o, "checks = [{}]", checks.join(", "));
        }
        o.push('\n');
    }
    for c in snap
        .composites
        .iter()
        .filter(|c| !snap.is_managed_schema(&c.schema))
    {
        let attrs: Vec<String> = c
            .attributes
            .iter()
            .map(|a| format!("{{ name = {}, type = {} }}", s(&a.name), s(&a.data_type)))
            .collect();
        let _ = writeln!(
            o,
            "[[type]]\nschema = {}\nname = {}\nattributes = [{}]\n",
            s(&c.schema),
            s(&c.name),
            attrs.join(", ")
        );
    }
    for q in snap
        .sequences
        .iter()
        .filter(|q| !snap.is_managed_schema(&q.schema) && q.extension.is_none())
    {
        let _ = writeln!(
            o,
            "[[sequence]]\nschema = {}\nname = {}\ntype = {}\nstart = {}\nincrement = {}\nmin = {}\nmax = {}\ncache = {}\ncycle = {}",
            s(&q.schema),
            s(&q.name),
            s(&q.data_type),
            q.start,
            q.increment,
            q.min,
            q.max,
            q.cache,
            q.cycle
        );
        if let Some(ob) = &q.owned_by {
            let owner = format!(
                "{}.{}",
                qualified(&ob.schema, &ob.table),
                quote_ident(&ob.column)
            );
            let _ = writeln!(o, "owned_by = {}", s(&owner));
            if ob.identity {
                let _ = writeln!(o, "identity = true");
            }
        }
        if !q.acl_is_default
            && let Some(g) = acl_grants(&q.acl, &q.owner)
        {
            let _ = writeln!(o, "grants = {g}");
        }
        o.push('\n');
    }
}

/// The condition of `CHECK (…)` as `pg_get_constraintdef` prints it, without `CHECK` and the
/// `NOT VALID` / `NO INHERIT` words.
fn check_expression(def: &str) -> Option<String> {
    let d = def.trim().strip_prefix("CHECK ")?;
    let d = d.strip_suffix(" NOT VALID").unwrap_or(d);
    let d = d.strip_suffix(" NO INHERIT").unwrap_or(d);
    Some(d.trim().to_string())
}

pub(super) fn table_head(o: &mut String, t: &Table) {
    if t.unlogged {
        let _ = writeln!(o, "unlogged = true");
    }
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t
            .inherits
            .iter()
            .map(|h| qualified(&h.schema, &h.name))
            .collect();
        let _ = writeln!(o, "inherits = {}", list(&parents));
    }
    if let Some(k) = &t.partition_key {
        let _ = writeln!(o, "partition_by = {}", s(k));
    }
    if let (Some(p), Some(b)) = (&t.partition_of, &t.partition_bound) {
        let _ = writeln!(
            o,
            "partition_of = {}\npartition_bound = {}",
            s(&qualified(&p.schema, &p.name)),
            s(b)
        );
    }
    if let Some(c) = &t.comment {
        let _ = writeln!(o, "comment = {}", s(c));
    }
    let comments: Vec<String> = t
        .constraints
        .iter()
        .filter(|c| c.is_local)
        .filter_map(|c| {
            c.comment
                .as_ref()
                .map(|m| format!("{} = {}", s(&c.name), s(m)))
        })
        .collect();
    if !comments.is_empty() {
        let _ = writeln!(o, "constraint_comments = {{ {} }}", comments.join(", "));
    }
}

/// `[{ role = "…", allow = [… ] }, …]` for an ACL's grantees other than `owner`.
fn acl_grants(acl: &[crate::db::catalog::AclItem], owner: &str) -> Option<String> {
    use crate::db::catalog::Grantee;
    let mut by_role: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for item in acl {
        let role = match &item.grantee {
            Grantee::Public => "public".to_string(),
            Grantee::Role(r) if r == owner => continue,
            Grantee::Role(r) => r.clone(),
        };
        let privs = by_role.entry(role).or_default();
        for p in &item.privileges {
            let w = p.privilege.as_sql().to_string();
            if !privs.contains(&w) {
                privs.push(w);
            }
        }
    }
    if by_role.is_empty() {
        return None;
    }
    let entries: Vec<String> = by_role
        .iter()
        .map(|(r, p)| format!("{{ role = {}, allow = {} }}", s(r), list(p)))
        .collect();
    Some(format!("[{}]", entries.join(", ")))
}

pub(super) fn column(parts: &mut Vec<String>, c: &Column) {
    if let Some(g) = acl_grants(&c.acl, "") {
        parts.push(format!("grants = {g}"));
    }
    match c.identity {
        Some(IdentityKind::Always) => parts.push("identity = \"always\"".into()),
        Some(IdentityKind::ByDefault) => parts.push("identity = \"by default\"".into()),
        None => {}
    }
    if let Some(g) = &c.generated {
        parts.push(format!("generated = {}", s(g)));
    }
    if let Some(coll) = &c.collation {
        parts.push(format!("collation = {}", s(coll)));
    }
    if let Some(cm) = &c.comment {
        parts.push(format!("comment = {}", s(cm)));
    }
}

/// The constraint's name, and NOT VALID (foreign keys and unique keys).
pub(super) fn named(o: &mut String, c: &Constraint) {
    let _ = writeln!(o, "name = {}", s(&c.name));
    if !c.validated {
        let _ = writeln!(o, "not_valid = true");
    }
}

pub(super) fn deferral(o: &mut String, c: &Constraint) {
    if c.deferrable {
        let _ = writeln!(o, "deferrable = true");
    }
    if c.initially_deferred {
        let _ = writeln!(o, "initially_deferred = true");
    }
}

pub(super) fn check(o: &mut String, c: &Constraint) {
    if let Some(e) = check_expression(&c.definition) {
        let _ = writeln!(o, "expression = {}", s(&e));
    }
    if !c.validated {
        let _ = writeln!(o, "not_valid = true");
    }
}

pub(super) fn exclusion(o: &mut String, c: &Constraint) {
    let mut def = c.definition.clone();
    for w in [" INITIALLY DEFERRED", " DEFERRABLE"] {
        if let Some(d) = def.strip_suffix(w) {
            def = d.to_string();
        }
    }
    let _ = writeln!(
        o,
        "[[table.exclusions]]\nname = {}\ndefinition = {}",
        s(&c.name),
        s(&def)
    );
    deferral(o, c);
}

/// One index key as TOML: a column (with the options after it), or an expression.
pub(super) fn index_key(column: Option<&str>, text: &str) -> String {
    let (expr, opts) = split_key(text);
    let opts = if opts.is_empty() {
        String::new()
    } else {
        format!(", options = {}", s(&opts))
    };
    match column {
        Some(c) if opts.is_empty() => s(c),
        Some(c) => format!("{{ column = {}{opts} }}", s(c)),
        None => format!("{{ expression = {}{opts} }}", s(&expr)),
    }
}

/// A key of `pg_get_indexdef` split into the column or expression and what follows it
/// (operator class, collation, order).
fn split_key(text: &str) -> (String, String) {
    let Ok(toks) = tokens(text) else {
        return (text.to_string(), String::new());
    };
    // The key ends after its first balanced unit: `(…)`, `name(…)`, `a.b`, or a name.
    let mut depth = 0;
    let mut end_tok = toks.len();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            _ => {}
        }
        let continues = matches!(t, Tok::Dot | Tok::Cast)
            || matches!(toks.get(i + 1), Some(Tok::Open | Tok::Dot | Tok::Cast));
        if depth == 0 && !continues {
            end_tok = i + 1;
            break;
        }
    }
    // Map the token count back to text by lexing growing prefixes.
    let chars: Vec<char> = text.chars().collect();
    for cut in 1..=chars.len() {
        let head: String = chars[..cut].iter().collect();
        if let Ok(t) = tokens(&head)
            && t.len() == end_tok
            && t == toks[..end_tok]
        {
            let rest: String = chars[cut..].iter().collect();
            return (head.trim().to_string(), rest.trim().to_string());
        }
    }
    (text.to_string(), String::new())
}

pub(super) fn view(o: &mut String, v: &Table) {
    if v.kind == crate::db::catalog::RelationKind::MaterializedView {
        let _ = writeln!(o, "materialized = true");
    }
    if let Some(d) = &v.definition {
        let _ = writeln!(o, "definition = {}", s(d));
    }
    if let Some(c) = &v.check_option {
        let _ = writeln!(o, "check_option = {}", s(c));
    }
    if v.options.iter().any(|x| x == "security_barrier=true") {
        let _ = writeln!(o, "security_barrier = true");
    }
    if let Some(c) = &v.comment {
        let _ = writeln!(o, "comment = {}", s(c));
    }
}

pub(super) fn default_privileges(o: &mut String, snap: &Snapshot) {
    use crate::db::catalog::{DefaultAclObject as D, Grantee};
    for d in &snap.default_privileges {
        // PUBLIC's built-in EXECUTE / USAGE revoked: stated as PUBLIC getting nothing.
        let public_default = matches!(d.object_type, D::Functions | D::Types) && d.schema.is_none();
        if public_default && !d.grants.iter().any(|g| g.grantee == Grantee::Public) {
            let on = if d.object_type == D::Functions {
                "functions"
            } else {
                "types"
            };
            let _ = writeln!(
                o,
                "[[default_privilege]]\nrole = {}\non = \"{on}\"\ngrantee = \"public\"\nprivileges = []\n",
                s(&d.role)
            );
        }
        let on = match d.object_type {
            D::Tables => "tables",
            D::Sequences => "sequences",
            D::Functions => "functions",
            D::Types => "types",
            D::Schemas => "schemas",
        };
        for g in &d.grants {
            let grantee = match &g.grantee {
                Grantee::Public => "public".to_string(),
                Grantee::Role(r) => r.clone(),
            };
            if grantee == d.role {
                continue;
            }
            let privs: Vec<String> = g
                .privileges
                .iter()
                .map(|p| p.privilege)
                .filter(|p| *p != Privilege::Maintain || snap.server.version_num >= 170000)
                .map(|p| p.as_sql().to_string())
                .collect();
            if privs.is_empty() {
                continue;
            }
            let _ = writeln!(
                o,
                "[[default_privilege]]\nrole = {}\non = \"{on}\"",
                s(&d.role)
            );
            if let Some(sc) = &d.schema {
                let _ = writeln!(o, "schema = {}", s(sc));
            }
            let _ = writeln!(
                o,
                "grantee = {}\nprivileges = {}\n",
                s(&grantee),
                list(&privs)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_key;

    #[test]
    fn keys_split_from_their_options() {
        assert_eq!(
            split_key("lower(email) DESC"),
            ("lower(email)".into(), "DESC".into())
        );
        assert_eq!(
            split_key("name gin_trgm_ops"),
            ("name".into(), "gin_trgm_ops".into())
        );
        assert_eq!(split_key("((a + b))"), ("((a + b))".into(), String::new()));
        assert_eq!(
            split_key("\"we ird\" DESC NULLS LAST"),
            ("\"we ird\"".into(), "DESC NULLS LAST".into())
        );
        assert_eq!(
            split_key("(data ->> 'k'::text)"),
            ("(data ->> 'k'::text)".into(), String::new())
        );
    }
}
