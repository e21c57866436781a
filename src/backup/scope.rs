//! What a backup holds: everything the connected role can read, minus the platform's own
//! schemas (the way `supabase db dump` leaves out `auth`, `storage`, …). pg_dump stops at the
//! first schema without USAGE, table without SELECT or table whose rows row-level security
//! would filter, so those are left out with `--exclude-schema`, `--exclude-table` and
//! `--exclude-table-data`, and the record says exactly what was left out and why.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::db::catalog::is_managed_schema;
use crate::fix::plan::Plan;
use crate::sql::{qualified, quote_ident};

/// Why something was left out of a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The role has no USAGE on the schema, or no SELECT on the table.
    NoAccess,
    /// A schema the platform manages (Supabase's `auth`, `storage`, …; RDS's `rdsadmin`).
    Managed,
    /// Row-level security applies to the role on this table: pg_dump would get only the rows
    /// the policies show it, so the rows are left out and the definition kept.
    RowSecurity,
}

impl Reason {
    pub fn words(self) -> &'static str {
        match self {
            Reason::NoAccess => "no access",
            Reason::Managed => "managed by the platform",
            Reason::RowSecurity => "row-level security applies to the role",
        }
    }
}

/// One object left out: a schema name, or a table as `schema.name` (quoted like SQL).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Excluded {
    pub name: String,
    pub reason: Reason,
}

/// What a backup leaves out. Empty: the whole database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupScope {
    /// The role the backup runs as.
    #[serde(default)]
    pub role: String,
    /// Schemas left out whole (`--exclude-schema`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<Excluded>,
    /// Tables and sequences left out whole (`--exclude-table`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Excluded>,
    /// Tables whose definition is kept and rows left out (`--exclude-table-data`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_data: Vec<Excluded>,
    /// When not empty, the backup holds only these tables (`--table`, chosen with `pgmend fix
    /// --backup-changed-only`: the existing tables the plans change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// With `only`: the relations the plans create, which need no backup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created: Vec<String>,
    /// The large objects are left out (`pg_dump -B`): some belong to other roles and grant
    /// the role no SELECT, and pg_dump, which reads them all or none, would stop at the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_objects: Option<Reason>,
}

/// Large objects the role cannot read: neither its own (or a role whose privileges it has)
/// nor granted SELECT (to it, a role it has the privileges of, or PUBLIC), unless the server
/// turned the checks off (`lo_compat_privileges`). A superuser reads them all.
const UNREADABLE_LARGE_OBJECTS_SQL: &str = r#"
SELECT count(*) FROM pg_catalog.pg_largeobject_metadata m
WHERE NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
  AND NOT pg_catalog.current_setting('lo_compat_privileges')::bool
  AND NOT pg_catalog.pg_has_role(m.lomowner, 'USAGE')
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.aclexplode(m.lomacl) a
      WHERE a.privilege_type = 'SELECT'
        AND (a.grantee = 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE')))
"#;

/// Schemas with whether the role may use them; relations the role cannot read; relations whose
/// rows row-level security would filter for the role.
const SCOPE_SQL: &str = r#"
WITH me AS (
    SELECT r.rolsuper OR r.rolbypassrls AS bypass
    FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
)
SELECT 's' AS kind, n.nspname::text AS schema, ''::text AS name,
       NOT pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS no_access, false AS rls
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
UNION ALL
SELECT 't', n.nspname::text, c.relname::text,
       NOT pg_catalog.has_table_privilege(c.oid, 'SELECT'),
       c.relkind IN ('r', 'p') AND c.relrowsecurity
         AND NOT (SELECT bypass FROM me)
         AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'S')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'e')
ORDER BY 1, 2, 3
"#;

impl BackupScope {
    /// Reads what the connected role can dump.
    pub async fn read(conn: &mut PgConnection) -> Result<BackupScope, sqlx::Error> {
        let role: String = sqlx::query_scalar("SELECT current_user::text")
            .persistent(false)
            .fetch_one(&mut *conn)
            .await?;
        let rows: Vec<(String, String, String, bool, bool)> = sqlx::query_as(SCOPE_SQL)
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
        let unreadable: i64 = sqlx::query_scalar(UNREADABLE_LARGE_OBJECTS_SQL)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await?;
        let mut scope = BackupScope {
            role,
            large_objects: (unreadable > 0).then_some(Reason::NoAccess),
            ..BackupScope::default()
        };
        for (kind, schema, name, no_access, rls) in rows {
            if kind == "s" {
                let reason = if no_access {
                    Reason::NoAccess
                } else if is_managed_schema(&schema) {
                    Reason::Managed
                } else {
                    continue;
                };
                scope.schemas.push(Excluded {
                    name: quote_ident(&schema),
                    reason,
                });
            } else if scope.schema_excluded(&schema).is_some() {
                continue;
            } else if no_access {
                scope.tables.push(Excluded {
                    name: qualified(&schema, &name),
                    reason: Reason::NoAccess,
                });
            } else if rls {
                scope.table_data.push(Excluded {
                    name: qualified(&schema, &name),
                    reason: Reason::RowSecurity,
                });
            }
        }
        Ok(scope)
    }

    /// Nothing is left out.
    pub fn is_whole(&self) -> bool {
        self.schemas.is_empty()
            && self.tables.is_empty()
            && self.table_data.is_empty()
            && self.only.is_empty()
            && self.large_objects.is_none()
    }

    fn schema_excluded(&self, schema: &str) -> Option<&Excluded> {
        let q = quote_ident(schema);
        self.schemas.iter().find(|s| s.name == q)
    }

    /// pg_dump's arguments: every name as an exact, quoted pattern.
    pub fn pg_dump_args(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .only
            .iter()
            .map(|t| format!("--table={}", pattern(t)))
            .collect();
        for s in &self.schemas {
            out.push(format!("--exclude-schema={}", pattern(&s.name)));
        }
        for t in &self.tables {
            out.push(format!("--exclude-table={}", pattern(&t.name)));
        }
        for t in &self.table_data {
            out.push(format!("--exclude-table-data={}", pattern(&t.name)));
        }
        if self.large_objects.is_some() {
            // -B: `--no-blobs` before PostgreSQL 16, `--no-large-objects` since.
            out.push("-B".into());
        }
        out
    }

    /// "backup excludes schemas auth, storage (managed by the platform), vault (no access);
    /// tables public.audit (no access); large objects (no access)", or "backup holds the
    /// whole database".
    pub fn describe(&self) -> String {
        if self.is_whole() {
            return "backup holds the whole database".into();
        }
        let only = (!self.only.is_empty()).then(|| {
            format!(
                "backup holds only {} (--backup-changed-only)",
                self.only.join(", ")
            )
        });
        let mut parts = Vec::new();
        for (what, list) in [
            ("schemas", &self.schemas),
            ("tables", &self.tables),
            ("the rows of", &self.table_data),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what} {}", grouped(list)));
            }
        }
        if let Some(r) = self.large_objects {
            parts.push(format!("large objects ({})", r.words()));
        }
        match (only, parts.is_empty()) {
            (Some(o), true) => o,
            (Some(o), false) => format!("{o}; it excludes {}", parts.join("; ")),
            (None, _) => format!("backup excludes {}", parts.join("; ")),
        }
    }

    /// Why the backup cannot undo `plan`: a relation the plan changes is in an excluded schema
    /// or is an excluded table, or its rows are left out and the plan changes rows. Relations
    /// the plan only references (the target of a new foreign key: locked SHARE ROW EXCLUSIVE and
    /// nothing else) need not be in it: their rows and definition stay as they are.
    pub fn misses(&self, plan: &Plan) -> Option<String> {
        for obj in changed_relations(plan) {
            let Some((schema, _)) = split_qualified(&obj) else {
                continue;
            };
            if let Some(s) = self.schema_excluded(&schema) {
                return Some(format!(
                    "{obj} is not in the backup (it excludes schema {}: {})",
                    s.name,
                    s.reason.words()
                ));
            }
            if let Some(t) = self.tables.iter().find(|t| t.name == obj) {
                return Some(format!("{obj} is not in the backup ({})", t.reason.words()));
            }
            if !self.only.is_empty() && !self.only.contains(&obj) && !self.created.contains(&obj) {
                return Some(format!(
                    "{obj} is not in the backup (it holds only {})",
                    self.only.join(", ")
                ));
            }
            if plan.touches_data
                && let Some(t) = self.table_data.iter().find(|t| t.name == obj)
            {
                return Some(format!(
                    "the rows of {obj} are not in the backup ({}) and the plan changes rows",
                    t.reason.words()
                ));
            }
        }
        None
    }
}

/// `FILE.scope.json`: the scope beside the backup, so the file says what it lacks without the
/// journal.
pub fn scope_path(backup: &std::path::Path) -> std::path::PathBuf {
    let mut s = backup.as_os_str().to_os_string();
    s.push(".scope.json");
    std::path::PathBuf::from(s)
}

/// Writes `FILE.scope.json` (mode 0600).
pub(super) fn write_scope(backup: &std::path::Path, scope: &BackupScope) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let json = serde_json::to_string_pretty(scope).map_err(std::io::Error::other)?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(scope_path(backup))?;
    f.write_all(json.as_bytes())?;
    f.write_all(b"\n")
}

/// The scope recorded beside a backup (None for backups taken before scoped backups).
pub fn read_scope(backup: &std::path::Path) -> Option<BackupScope> {
    serde_json::from_str(&std::fs::read_to_string(scope_path(backup)).ok()?).ok()
}

/// The relations a plan changes: its tables and locked objects, less those it only references.
pub fn changed_relations(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names = plan
        .tables
        .iter()
        .chain(plan.locks.iter().map(|l| &l.object));
    for name in names {
        if out.contains(name) || only_referenced(plan, name) {
            continue;
        }
        out.push(name.clone());
    }
    out
}

/// Every lock the plan takes on `name` is SHARE ROW EXCLUSIVE, the lock a new foreign key
/// takes on the table it points at (the referencing table also gets a stronger one).
pub fn only_referenced(plan: &Plan, name: &str) -> bool {
    let mut locks = plan.locks.iter().filter(|l| l.object == name).peekable();
    locks.peek().is_some() && locks.all(|l| l.mode == "SHARE ROW EXCLUSIVE")
}

/// `public."Order"` → ("public", "Order"); `x` alone → None.
pub fn split_qualified(q: &str) -> Option<(String, String)> {
    let (first, rest) = ident(q)?;
    let rest = rest.strip_prefix('.')?;
    let (second, tail) = ident(rest)?;
    tail.is_empty().then_some((first, second))
}

fn ident(s: &str) -> Option<(String, &str)> {
    if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    chars.next();
                    out.push('"');
                } else {
                    return Some((out, &body[i + 1..]));
                }
            } else {
                out.push(c);
            }
        }
        None
    } else {
        let end = s.find('.').unwrap_or(s.len());
        (end > 0).then(|| (s[..end].to_string(), &s[end..]))
    }
}

/// A pg_dump pattern matching exactly this (SQL-quoted) name: each part in double quotes, in
/// which pattern characters (`*`, `?`, `.`) are literal.
fn pattern(name: &str) -> String {
    let dq = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    match split_qualified(name) {
        Some((s, n)) => format!("{}.{}", dq(&s), dq(&n)),
        None => dq(&ident(name).map(|(s, _)| s).unwrap_or_default()),
    }
}

/// `auth, storage (managed by the platform), vault (no access)`.
fn grouped(list: &[Excluded]) -> String {
    let mut reasons: Vec<Reason> = list.iter().map(|e| e.reason).collect();
    reasons.sort();
    reasons.dedup();
    reasons
        .iter()
        .map(|r| {
            let names: Vec<&str> = list
                .iter()
                .filter(|e| e.reason == *r)
                .map(|e| e.name.as_str())
                .collect();
            format!("{} ({})", names.join(", "), r.words())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_split_and_become_exact_patterns() {
        assert_eq!(
            split_qualified(r#"public."Odd"".name""#),
            Some(("public".into(), r#"Odd".name"#.into()))
        );
        assert_eq!(split_qualified("x"), None);
        assert_eq!(pattern(r#"public."a*b""#), r#""public"."a*b""#);
        assert_eq!(pattern("auth"), r#""auth""#);
    }

    #[test]
    fn the_description_groups_by_reason() {
        let s = BackupScope {
            role: "app".into(),
            schemas: vec![
                Excluded {
                    name: "auth".into(),
                    reason: Reason::Managed,
                },
                Excluded {
                    name: "storage".into(),
                    reason: Reason::Managed,
                },
                Excluded {
                    name: "vault".into(),
                    reason: Reason::NoAccess,
                },
            ],
            ..BackupScope::default()
        };
        assert_eq!(
            s.describe(),
            "backup excludes schemas vault (no access), auth, storage (managed by the platform)"
        );
    }
}
