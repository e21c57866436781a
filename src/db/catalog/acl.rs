//! Parsing PostgreSQL's `aclitem` text (`grantee=privs/grantor`) into privileges.
//!
//! The server writes role names bare when they hold only ASCII letters, digits and `_`, and
//! otherwise in double quotes with embedded quotes doubled (`"my ""role"""=r/postgres`). An empty
//! grantee means PUBLIC. Each privilege letter may be followed by `*` (grant option).

use serde::{Deserialize, Serialize};

/// Who a privilege is granted to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grantee {
    /// The PUBLIC pseudo-role (every role).
    Public,
    /// A role, named exactly as in the catalog.
    Role(String),
}

impl Grantee {
    /// The role name, or `PUBLIC` for the pseudo-role (for display only: a role can be named
    /// `"PUBLIC"` too, so compare the enum, not this text).
    pub fn display_name(&self) -> &str {
        match self {
            Grantee::Public => "PUBLIC",
            Grantee::Role(r) => r,
        }
    }
}

/// One privilege, by its SQL keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Execute,
    Usage,
    Create,
    Connect,
    Temporary,
    /// `SET` on a parameter (PostgreSQL 15+).
    Set,
    /// `ALTER SYSTEM` on a parameter (PostgreSQL 15+).
    #[serde(rename = "ALTER SYSTEM")]
    AlterSystem,
    /// `MAINTAIN` on a relation (PostgreSQL 17+).
    Maintain,
}

impl Privilege {
    /// The privileges a table, view or other relation can be granted.
    pub const ON_TABLES: [Privilege; 8] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
        Privilege::Maintain,
    ];

    /// The privileges a relation can carry on a server of this version (`MAINTAIN` from
    /// PostgreSQL 17 on): what `ALL [PRIVILEGES]` on a table stands for.
    pub fn on_tables(version_num: i32) -> impl Iterator<Item = Privilege> {
        Privilege::ON_TABLES
            .into_iter()
            .filter(move |p| *p != Privilege::Maintain || version_num >= 170000)
    }

    /// A table privilege by its keyword (`select`, `TRUNCATE`…).
    pub fn named_on_table(word: &str) -> Option<Privilege> {
        Privilege::named(word).filter(|p| Privilege::ON_TABLES.contains(p))
    }

    /// The privilege a keyword names (`select`, `USAGE`…).
    pub fn named(word: &str) -> Option<Privilege> {
        use Privilege::*;
        [
            Select, Insert, Update, Delete, Truncate, References, Trigger, Execute, Usage, Create,
            Connect, Temporary, Maintain,
        ]
        .into_iter()
        .find(|p| p.as_sql().eq_ignore_ascii_case(word.trim()))
    }

    /// The privilege for one letter of `aclitem` text (see `ACL_ALL_RIGHTS_STR` in PostgreSQL).
    pub fn from_letter(c: char) -> Option<Privilege> {
        Some(match c {
            'r' => Privilege::Select,
            'a' => Privilege::Insert,
            'w' => Privilege::Update,
            'd' => Privilege::Delete,
            'D' => Privilege::Truncate,
            'x' => Privilege::References,
            't' => Privilege::Trigger,
            'X' => Privilege::Execute,
            'U' => Privilege::Usage,
            'C' => Privilege::Create,
            'c' => Privilege::Connect,
            'T' => Privilege::Temporary,
            's' => Privilege::Set,
            'A' => Privilege::AlterSystem,
            'm' => Privilege::Maintain,
            _ => return None,
        })
    }

    /// The SQL keyword(s): `SELECT`, `ALTER SYSTEM`, ...
    pub fn as_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Connect => "CONNECT",
            Privilege::Temporary => "TEMPORARY",
            Privilege::Set => "SET",
            Privilege::AlterSystem => "ALTER SYSTEM",
            Privilege::Maintain => "MAINTAIN",
        }
    }
}

/// One privilege held by a grantee, and whether they may grant it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeGrant {
    pub privilege: Privilege,
    pub grantable: bool,
}

/// One parsed `aclitem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclItem {
    pub grantee: Grantee,
    pub grantor: String,
    pub privileges: Vec<PrivilegeGrant>,
}

/// Why `aclitem` text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse aclitem {text:?}: {reason}")]
pub struct AclParseError {
    pub text: String,
    pub reason: &'static str,
}

/// Parses one `aclitem` in its text form, e.g. `alice=arw*/postgres`, `=r/postgres` (PUBLIC) or
/// `"my role"=r/"the ""owner"""`.
pub fn parse_aclitem(text: &str) -> Result<AclItem, AclParseError> {
    let err = |reason| AclParseError {
        text: text.to_string(),
        reason,
    };
    let (grantee, quoted, rest) = take_name(text, '=').map_err(err)?;
    let rest = rest.strip_prefix('=').ok_or_else(|| err("missing `=`"))?;
    let slash = rest.find('/').ok_or_else(|| err("missing `/`"))?;
    let (letters, grantor_text) = (&rest[..slash], &rest[slash + 1..]);
    let mut privileges: Vec<PrivilegeGrant> = Vec::new();
    for c in letters.chars() {
        if c == '*' {
            let last = privileges
                .last_mut()
                .ok_or_else(|| err("`*` before any privilege"))?;
            last.grantable = true;
        } else {
            let privilege = Privilege::from_letter(c).ok_or_else(|| err("unknown privilege"))?;
            privileges.push(PrivilegeGrant {
                privilege,
                grantable: false,
            });
        }
    }
    let (grantor, _, tail) = take_name(grantor_text, '\0').map_err(err)?;
    if !tail.is_empty() {
        return Err(err("text after the grantor"));
    }
    if grantor.is_empty() {
        return Err(err("empty grantor"));
    }
    let grantee = if grantee.is_empty() && !quoted {
        Grantee::Public
    } else {
        Grantee::Role(grantee)
    };
    Ok(AclItem {
        grantee,
        grantor,
        privileges,
    })
}

/// Reads a role name, quoted or bare (a bare name ends at `stop` or at the end of the text).
/// Returns the name, whether it was quoted, and the rest of the text.
fn take_name(s: &str, stop: char) -> Result<(String, bool, &str), &'static str> {
    let Some(body) = s.strip_prefix('"') else {
        let end = s.find(stop).unwrap_or(s.len());
        if s[..end].contains('"') {
            return Err("stray `\"` in a bare name");
        }
        return Ok((s[..end].to_string(), false, &s[end..]));
    };
    let mut name = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            name.push(c);
            continue;
        }
        if body[i + 1..].starts_with('"') {
            name.push('"');
            chars.next();
        } else {
            return Ok((name, true, &body[i + 1..]));
        }
    }
    Err("unterminated quoted name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(privilege: Privilege, grantable: bool) -> PrivilegeGrant {
        PrivilegeGrant {
            privilege,
            grantable,
        }
    }

    #[test]
    fn plain_grantee_and_grant_options() {
        let a = parse_aclitem("alice=arw*d/postgres").unwrap();
        assert_eq!(a.grantee, Grantee::Role("alice".into()));
        assert_eq!(a.grantor, "postgres");
        assert_eq!(
            a.privileges,
            vec![
                p(Privilege::Insert, false),
                p(Privilege::Select, false),
                p(Privilege::Update, true),
                p(Privilege::Delete, false),
            ]
        );
    }

    #[test]
    fn empty_grantee_is_public() {
        let a = parse_aclitem("=X/owner").unwrap();
        assert_eq!(a.grantee, Grantee::Public);
        assert_eq!(a.privileges, vec![p(Privilege::Execute, false)]);
    }

    #[test]
    fn quoted_names_with_spaces_quotes_and_unicode() {
        let a = parse_aclitem(r#""my role"=r/"the ""boss"" 🦀""#).unwrap();
        assert_eq!(a.grantee, Grantee::Role("my role".into()));
        assert_eq!(a.grantor, "the \"boss\" 🦀");
        let b = parse_aclitem(r#""a=b/c"=U*C/x"#).unwrap();
        assert_eq!(b.grantee, Grantee::Role("a=b/c".into()));
        assert_eq!(
            b.privileges,
            vec![p(Privilege::Usage, true), p(Privilege::Create, false)]
        );
        // A quoted empty-looking name is a role, never PUBLIC.
        let c = parse_aclitem(r#""PUBLIC"=r/x"#).unwrap();
        assert_eq!(c.grantee, Grantee::Role("PUBLIC".into()));
    }

    #[test]
    fn every_letter_maps_to_a_keyword() {
        let a = parse_aclitem("u=arwdDxtXUCTcsAm/o").unwrap();
        let words: Vec<&str> = a.privileges.iter().map(|g| g.privilege.as_sql()).collect();
        assert_eq!(
            words,
            [
                "INSERT",
                "SELECT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
                "EXECUTE",
                "USAGE",
                "CREATE",
                "TEMPORARY",
                "CONNECT",
                "SET",
                "ALTER SYSTEM",
                "MAINTAIN"
            ]
        );
        assert!(a.privileges.iter().all(|g| !g.grantable));
    }

    #[test]
    fn empty_privilege_list_is_allowed() {
        let a = parse_aclitem("bob=/postgres").unwrap();
        assert!(a.privileges.is_empty());
    }

    #[test]
    fn malformed_items_are_errors() {
        for bad in [
            "alice",
            "alice=r",
            "alice=q/postgres",
            "alice=*r/postgres",
            "\"alice=r/postgres",
            "alice=r/\"postgres",
            "alice=r/",
            "ali\"ce=r/postgres",
            "alice=r/\"postgres\"x",
        ] {
            let e = parse_aclitem(bad).unwrap_err();
            assert_eq!(e.text, bad);
        }
    }
}
