//! Who the matrix acts as: `--as` specs, or the defaults (Supabase's anon, two real signed-in
//! users, service_role), and the JWT claims PostgREST would set for each.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::checklist::naming::normalized;
use crate::db::catalog::{Snapshot, Table};
use crate::sql::{qualified, quote_ident};

/// A role the matrix acts as, with the signed-in user's id when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub role: String,
    /// The JWT `sub` (a user id), for `authenticated:<sub>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Set `request.jwt.claims` (and `request.jwt.claim.sub` / `.role`) as PostgREST does.
    pub claims: bool,
}

impl Subject {
    /// `anon`, `authenticated:<sub>`, `service_role`, a role name.
    pub fn label(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}:{sub}", self.role),
            None => self.role.clone(),
        }
    }

    /// `request.jwt.claims` as PostgREST sets it for this subject.
    pub fn claims_json(&self) -> String {
        let mut m = serde_json::Map::new();
        m.insert("role".into(), self.role.clone().into());
        if let Some(sub) = &self.sub {
            m.insert("sub".into(), sub.clone().into());
        }
        serde_json::Value::Object(m).to_string()
    }
}

/// The Supabase (PostgREST) roles, in the order the matrix shows them.
pub const SUPABASE_ROLES: [&str; 3] = ["anon", "authenticated", "service_role"];

/// Parses one `--as` value: `anon`, `authenticated:<sub>`, `service_role` or any role name
/// (`ROLE:<sub>` gives any role a user id). `api` (Supabase or PostgREST) sets the claims.
pub fn parse(spec: &str, api: bool) -> Result<Subject, String> {
    let (role, sub) = match spec.split_once(':') {
        Some((r, s)) => (r.trim(), Some(s.trim())),
        None => (spec.trim(), None),
    };
    if role.is_empty() {
        return Err(format!(
            "--as {spec:?}: give a role name, e.g. --as anon or --as authenticated:<user id>"
        ));
    }
    if sub.is_some_and(str::is_empty) {
        return Err(format!(
            "--as {spec:?}: give the user id after the colon, e.g. --as {role}:<user id>"
        ));
    }
    Ok(Subject {
        role: role.to_string(),
        sub: sub.map(String::from),
        claims: api || sub.is_some() || SUPABASE_ROLES.contains(&role),
    })
}

/// The roles of `snapshot` among `names`.
fn present<'a>(snapshot: &Snapshot, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| snapshot.roles.iter().any(|r| r.name == *n))
        .collect()
}

/// The subjects when no `--as` is given: the API roles that exist (anon, then authenticated as
/// each of `users`, then service_role). Empty when the database has none of them.
pub fn defaults(snapshot: &Snapshot, users: &[String]) -> Vec<Subject> {
    let mut out = Vec::new();
    for role in present(snapshot, &SUPABASE_ROLES) {
        let plain = Subject {
            role: role.to_string(),
            sub: None,
            claims: true,
        };
        if role == "authenticated" && !users.is_empty() {
            out.extend(users.iter().map(|u| Subject {
                sub: Some(u.clone()),
                ..plain.clone()
            }));
        } else {
            out.push(plain);
        }
    }
    out
}

/// Where user ids are found, best first: (table, column) of the tables among `tables` whose
/// policies compare a column to `auth.uid()`, then those with an owner-like column
/// (`user_id`, `userId`, `owner_id`, `profile_id`, `author_id`), larger tables first.
pub fn owner_columns<'t>(tables: &[&'t Table]) -> Vec<(&'t Table, String)> {
    let mut by_policy = Vec::new();
    let mut by_name = Vec::new();
    for t in tables {
        let in_policy = t.columns.iter().find(|c| {
            t.policies.iter().any(|p| {
                [&p.using_expr, &p.with_check_expr].iter().any(|e| {
                    e.as_deref()
                        .is_some_and(|e| e.contains("auth.uid()") && mentions(e, &c.name))
                })
            })
        });
        if let Some(c) = in_policy {
            by_policy.push((*t, c.name.to_string()));
        } else if let Some(c) = t.columns.iter().find(|c| {
            ["userid", "ownerid", "profileid", "authorid"].contains(&normalized(&c.name).as_str())
        }) {
            by_name.push((*t, c.name.to_string()));
        }
    }
    for v in [&mut by_policy, &mut by_name] {
        v.sort_by_key(|(t, _)| std::cmp::Reverse(t.row_estimate));
    }
    by_policy.extend(by_name);
    by_policy
}

/// `expr` names the column `col` (bare or quoted, not as part of a longer word).
fn mentions(expr: &str, col: &str) -> bool {
    let quoted = quote_ident(col);
    if quoted != col {
        return expr.contains(&quoted);
    }
    expr.match_indices(col).any(|(i, _)| {
        let before = expr[..i].chars().next_back();
        let after = expr[i + col.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        !word(before) && !word(after)
    })
}

/// Two real user ids, so that "own rows only" shows as two different counts: the two owners
/// with the most rows in the first of `candidates` that has two, else the first two of
/// `auth.users`. Read in a read-only transaction; fewer than two when there are not.
pub async fn pick_users(
    conn: &mut PgConnection,
    candidates: &[(&Table, String)],
    timeout_ms: u64,
) -> Vec<String> {
    let mut queries: Vec<String> = candidates
        .iter()
        .take(5)
        .map(|(t, c)| {
            let c = quote_ident(c);
            format!(
                "SELECT {c}::text FROM {} WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2",
                qualified(&t.schema, &t.name)
            )
        })
        .collect();
    queries.push(
        "SELECT id::text FROM auth.users WHERE to_regclass('auth.users') IS NOT NULL ORDER BY 1 LIMIT 2"
            .into(),
    );
    let Ok(mut tx) = conn
        .begin_with(AssertSqlSafe(format!(
            "BEGIN READ ONLY; SET LOCAL statement_timeout = {timeout_ms}"
        )))
        .await
    else {
        return Vec::new();
    };
    for q in queries {
        if sqlx::raw_sql("SAVEPOINT pick")
            .execute(&mut *tx)
            .await
            .is_err()
        {
            break;
        }
        // Not prepared: safe behind a transaction pooler.
        match sqlx::query_scalar::<_, String>(AssertSqlSafe(q))
            .persistent(false)
            .fetch_all(&mut *tx)
            .await
        {
            Ok(ids) if ids.len() == 2 => return ids,
            Ok(_) => {}
            Err(_) => {
                if sqlx::raw_sql("ROLLBACK TO SAVEPOINT pick")
                    .execute(&mut *tx)
                    .await
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let s = parse("authenticated:abc", false).unwrap();
        assert_eq!(
            (s.role.as_str(), s.sub.as_deref()),
            ("authenticated", Some("abc"))
        );
        assert!(s.claims);
        assert_eq!(s.label(), "authenticated:abc");
        assert!(!parse("app_user", false).unwrap().claims);
        assert!(parse("app_user", true).unwrap().claims);
        assert!(parse(":x", false).is_err());
        assert!(parse("authenticated:", false).is_err());
    }

    #[test]
    fn claims_are_postgrest_shaped() {
        let s = parse("authenticated:u1", true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&s.claims_json()).unwrap();
        assert_eq!(v["sub"], "u1");
        assert_eq!(v["role"], "authenticated");
    }

    #[test]
    fn column_mentions() {
        assert!(mentions("(auth.uid() = user_id)", "user_id"));
        assert!(!mentions("(auth.uid() = other_user_id)", "user_id"));
        assert!(mentions("((auth.uid())::text = \"userId\")", "userId"));
        assert!(!mentions("(auth.uid() = t.user_idx)", "user_id"));
    }
}
