//! Which plans may run, decided before anything is written: the connected role must hold every
//! privilege a plan needs (checked against the live catalog, before the backup), and the backup
//! must hold every relation the plan changes (checked against the backup's scope). A plan that
//! fails either is refused with the reason; the others go on. [`Admitted`] is the only way to
//! hand plans to the fix flow's apply, so no plan runs without both checks.
//! Every query is an unnamed statement, so `--dry-run` works behind a transaction pooler.

use sqlx::PgConnection;

use crate::backup::BackupScope;
use crate::backup::scope::split_qualified;

mod scan;
mod stmts;

use crate::fix::plan::Plan;
use scan::{Use, altered_types, created, mentions, names_schema, statements, use_of};

/// A plan left out, and why (the missing privilege and who holds it, or what the backup lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub plan: Plan,
    /// In words: the role and each privilege it lacks, or what the backup would not hold.
    pub why: String,
    pub lack: Lack,
}

/// What a refused plan lacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lack {
    /// `role` lacks these privileges (each with who holds it).
    Privileges { role: String, missing: Vec<String> },
    /// The backup would not hold what the plan changes.
    Backup,
    /// The data refuses it (rows that break the rule), or it waits for the engineer's choice
    /// (a backfill expression, what to do with duplicates).
    Data,
}

impl Lack {
    /// The check that refused the plan: `privileges` or `backup`.
    pub fn stage(&self) -> &'static str {
        match self {
            Lack::Privileges { .. } => "privileges",
            Lack::Backup => "backup",
            Lack::Data => "data",
        }
    }
}

/// Plans the role has the privileges for (backup not yet checked).
#[derive(Debug, Clone)]
pub struct Permitted {
    plans: Vec<Plan>,
    pub refused: Vec<Refused>,
}

/// Plans cleared to run: privileges held and, unless the backup was declined, every relation
/// they change is in the backup.
#[derive(Debug, Clone)]
pub struct Admitted {
    plans: Vec<Plan>,
}

impl Admitted {
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// Checks the plans again against the scope of the backup actually taken.
    pub fn still_covered_by(self, scope: &BackupScope) -> (Admitted, Vec<Refused>) {
        Permitted {
            plans: self.plans,
            refused: Vec::new(),
        }
        .covered_by(scope)
    }
}

impl Permitted {
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The preview's data checks, before any backup ([`super::preview::check_data`]): a plan
    /// the data refuses joins `refused` with the problem. `before` settles what needs no data
    /// (the headless `--backfill`: its expression is then checked too), `after` what the data
    /// shows (`--duplicates`); a plan left with an open decision, or left out by the choice
    /// made, joins `refused` with what to do.
    pub async fn check_data(
        mut self,
        conn: &mut PgConnection,
        statement_timeout: std::time::Duration,
        before: impl FnMut(&mut Plan),
        mut after: impl FnMut(&mut Plan),
    ) -> Result<Permitted, String> {
        let mut plans = std::mem::take(&mut self.plans);
        plans.iter_mut().for_each(before);
        let checked = super::preview::check_data(conn, plans, statement_timeout).await?;
        for (plan, refusals) in checked.refused {
            let why = super::preview::describe(&refusals);
            self.refused.push(Refused {
                plan,
                why,
                lack: Lack::Data,
            });
        }
        for mut plan in checked.plans {
            after(&mut plan);
            let why = match (plan.left_out(), plan.blocked()) {
                (Some(instead), _) => Some(format!("left out as chosen: {instead}")),
                (None, Some(open)) => Some(match plan.duplicates().filter(|d| d.open()) {
                    Some(d) => format!(
                        "{open}\n{}\n{}",
                        d.table().join("\n"),
                        d.choice_lines().join("\n")
                    ),
                    None => open,
                }),
                (None, None) => None,
            };
            match why {
                Some(why) => self.refused.push(Refused {
                    plan,
                    why,
                    lack: Lack::Data,
                }),
                None => self.plans.push(plan),
            }
        }
        Ok(self)
    }

    /// Keeps the plans `scope` covers; the others join `refused`.
    pub fn covered_by(mut self, scope: &BackupScope) -> (Admitted, Vec<Refused>) {
        let (mut ok, mut refused) = (Vec::new(), std::mem::take(&mut self.refused));
        for plan in self.plans {
            match scope.misses(&plan) {
                Some(why) => refused.push(Refused {
                    plan,
                    why,
                    lack: Lack::Backup,
                }),
                None => ok.push(plan),
            }
        }
        (Admitted { plans: ok }, refused)
    }

    /// `--no-backup`, spelled out and journaled: nothing to check the plans against.
    pub fn without_backup(self) -> (Admitted, Vec<Refused>) {
        (Admitted { plans: self.plans }, self.refused)
    }
}

/// Checks each plan's privileges as the role on `conn` (a superuser holds them all).
pub async fn permitted(
    conn: &mut PgConnection,
    plans: Vec<Plan>,
) -> Result<Permitted, sqlx::Error> {
    let (role, superuser, version): (String, bool, i32) = sqlx::query_as(
        "SELECT current_user::text, rolsuper, current_setting('server_version_num')::int \
         FROM pg_catalog.pg_roles WHERE rolname = current_user",
    )
    .persistent(false)
    .fetch_one(&mut *conn)
    .await?;
    let mut out = Permitted {
        plans: Vec::new(),
        refused: Vec::new(),
    };
    for plan in plans {
        let missing = if superuser {
            Vec::new()
        } else {
            missing(conn, &plan, version).await?
        };
        if missing.is_empty() {
            out.plans.push(plan);
        } else {
            out.refused.push(Refused {
                plan,
                why: format!("{role} {}", missing.join("; ")),
                lack: Lack::Privileges {
                    role: role.clone(),
                    missing,
                },
            });
        }
    }
    Ok(out)
}

const RELATIONS_SQL: &str = r#"
SELECT o.schema, o.name, o.use,
       n.oid IS NOT NULL AS schema_exists,
       coalesce(pg_catalog.has_schema_privilege(n.oid, 'USAGE'), false) AS usage,
       coalesce(pg_catalog.has_schema_privilege(n.oid, 'CREATE'), false) AS can_create,
       coalesce(pg_catalog.pg_get_userbyid(n.nspowner)::text, '') AS schema_owner,
       c.oid IS NOT NULL AS exists,
       coalesce(pg_catalog.pg_has_role(c.relowner, 'USAGE'), false) AS owns,
       coalesce(pg_catalog.pg_get_userbyid(c.relowner)::text, '') AS owner,
       coalesce(c.oid IS NOT NULL AND CASE o.use
           WHEN 'read' THEN pg_catalog.has_table_privilege(c.oid, 'SELECT')
           -- REFERENCES on every referenced column (the primary key's when none is named),
           -- granted on the table or on the column.
           WHEN 'reference' THEN (
               SELECT pg_catalog.bool_and(
                          pg_catalog.has_column_privilege(c.oid, a.attnum, 'REFERENCES'))
               FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 AND CASE WHEN o.cols = '[]' THEN a.attnum = ANY (
                          SELECT pg_catalog.unnest(k.conkey) FROM pg_catalog.pg_constraint k
                          WHERE k.conrelid = c.oid AND k.contype = 'p')
                     ELSE a.attname::text IN (
                          SELECT pg_catalog.json_array_elements_text(o.cols::json)) END)
           ELSE true END, false) AS allowed
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS o(schema, name, use, cols)
LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = o.schema
LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = o.name
"#;

type RelRow = (
    String,
    String,
    String,
    bool,
    bool,
    bool,
    String,
    bool,
    bool,
    String,
    bool,
);

/// Types the plan alters (`ALTER TYPE`) and whether the role owns them.
const TYPES_SQL: &str = r#"
SELECT o.schema, o.name, coalesce(pg_catalog.pg_has_role(t.typowner, 'USAGE'), true),
       coalesce(pg_catalog.pg_get_userbyid(t.typowner)::text, '')
FROM unnest($1::text[], $2::text[]) AS o(schema, name)
LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = o.schema
LEFT JOIN pg_catalog.pg_type t ON t.typnamespace = n.oid AND t.typname = o.name
"#;

/// Privileges a plan's GRANT / REVOKE statements hand on, and whether the role holds each
/// WITH GRANT OPTION (on the column for a column privilege; a column the plan adds needs the
/// table's ownership).
const GRANTS_SQL: &str = r#"
SELECT o.schema, o.name, o.privilege, o.col,
       coalesce(CASE
           WHEN c.oid IS NULL THEN true
           WHEN o.col = '' THEN pg_catalog.has_table_privilege(c.oid,
               o.privilege || ' WITH GRANT OPTION')
           WHEN a.attnum IS NULL THEN pg_catalog.pg_has_role(c.relowner, 'USAGE')
           ELSE pg_catalog.has_column_privilege(c.oid, a.attnum,
               o.privilege || ' WITH GRANT OPTION') END, false),
       coalesce(pg_catalog.pg_get_userbyid(c.relowner)::text, '')
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS o(schema, name, privilege, col)
LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = o.schema
LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = o.name
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = o.col
    AND NOT a.attisdropped
"#;

/// Existing routines a `CREATE OR REPLACE` would replace: same schema, name and identifying
/// argument types (all of them with the name when the types cannot be read), and whether the
/// role owns each (ownership is what replacing one needs).
const ROUTINES_SQL: &str = r#"
SELECT pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,
           pg_catalog.pg_get_function_identity_arguments(p.oid)),
       pg_catalog.pg_has_role(p.proowner, 'USAGE'),
       pg_catalog.pg_get_userbyid(p.proowner)::text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.proname = $2
  AND ($3::text[] IS NULL OR (ARRAY(SELECT unnest(p.proargtypes)) = ARRAY(
        SELECT pg_catalog.to_regtype(t)::oid FROM unnest($3::text[]) WITH ORDINALITY AS x(t, i)
        ORDER BY i)))
"#;

/// The privileges `plan` needs that the role lacks, each with who holds it.
async fn missing(
    conn: &mut PgConnection,
    plan: &Plan,
    version: i32,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = statements(plan);
    let mut rels: Vec<(String, String, Use)> = Vec::new();
    for name in plan
        .tables
        .iter()
        .chain(plan.locks.iter().map(|l| &l.object))
    {
        let Some((s, n)) = split_qualified(name) else {
            continue;
        };
        if !rels.iter().any(|r| r.0 == s && r.1 == n) {
            rels.push((s, n, use_of(plan, &sql, name)));
        }
    }
    for (s, n) in created(&sql) {
        if !rels.iter().any(|r| r.0 == s && r.1 == n) {
            rels.push((s, n, Use::Change));
        }
    }
    // The data checks run before the plan (a new foreign key's orphans, a unique key's
    // duplicates) read what they name: SELECT on each relation the plan does not change (the
    // table a foreign key points at needs REFERENCES for the key and SELECT for its check).
    for (s, n) in plan
        .preconditions
        .iter()
        .flat_map(|p| scan::relations_read(&p.count_sql))
    {
        let changed = rels
            .iter()
            .any(|r| r.0 == s && r.1 == n && matches!(r.2, Use::Change | Use::Read));
        if !changed {
            rels.push((s, n, Use::Read));
        }
    }
    let mut out: Vec<String> = Vec::new();
    let references: Vec<((String, String), Vec<String>)> = plan
        .steps
        .iter()
        .flat_map(|s| stmts::references(&s.sql))
        .collect();
    let mut cols: (Vec<String>, Vec<String>, Vec<&str>, Vec<String>) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut granted_on: Vec<(String, String)> = Vec::new();
    for (s, n, u) in rels {
        // The referenced columns, every FK's to this table together.
        let referenced: Vec<&String> = references
            .iter()
            .filter(|((rs, rn), _)| *rs == s && *rn == n)
            .flat_map(|(_, c)| c)
            .collect();
        cols.3
            .push(serde_json::to_string(&referenced).unwrap_or_else(|_| "[]".into()));
        if u == Use::Grant {
            granted_on.push((s.clone(), n.clone()));
        }
        cols.0.push(s);
        cols.1.push(n);
        cols.2.push(u.as_str());
    }
    let rows: Vec<RelRow> = sqlx::query_as(RELATIONS_SQL)
        .bind(&cols.0)
        .bind(&cols.1)
        .bind(&cols.2)
        .bind(&cols.3)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    for (s, n, how, schema_exists, usage, can_create, s_owner, exists, owns, owner, allowed) in rows
    {
        let q = crate::sql::qualified(&s, &n);
        let sq = crate::sql::quote_ident(&s);
        let need = if !schema_exists {
            None // the plan creates the schema, or the object is not there at all
        } else if !usage {
            Some(format!(
                "has no USAGE on schema {sq}, which {q} is in (held by {s_owner}, its owner, and \
                 whoever it granted it to)"
            ))
        } else if how == "grant" {
            None // each privilege handed on is checked below
        } else if how == "reference" {
            (exists && !allowed).then(|| {
                let named: Vec<String> = references
                    .iter()
                    .filter(|((rs, rn), _)| *rs == s && *rn == n)
                    .flat_map(|(_, c)| c.iter().map(|c| crate::sql::quote_ident(c)))
                    .collect();
                let on = if named.is_empty() {
                    format!("{q}'s primary key")
                } else {
                    format!("{q} ({})", named.join(", "))
                };
                format!(
                    "needs REFERENCES on {on} for the new foreign key (held by {owner}, its \
                     owner, and whoever it granted it to)"
                )
            })
        } else if how == "read" {
            (exists && !allowed).then(|| {
                format!(
                    "needs SELECT on {q} to read it (held by {owner}, its owner, and whoever it \
                     granted it to)"
                )
            })
        } else if exists {
            (!owns).then(|| format!("needs ownership of {q} to change it (held by {owner})"))
        } else {
            (!can_create).then(|| {
                format!("needs CREATE on schema {sq} to create {q} (held by {s_owner}, its owner)")
            })
        };
        if let Some(n) = need
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out.extend(grant_options(conn, plan, &granted_on, version).await?);
    out.extend(replaced_routines(conn, plan).await?);
    // Schemas the plan's SQL names (a policy calling auth.uid(), a column of a type in
    // another schema) need USAGE too.
    let closed: Vec<(String, String)> = sqlx::query_as(
        "SELECT nspname::text, pg_catalog.pg_get_userbyid(nspowner)::text \
         FROM pg_catalog.pg_namespace WHERE NOT pg_catalog.has_schema_privilege(oid, 'USAGE')",
    )
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    for (schema, owner) in closed {
        let sq = crate::sql::quote_ident(&schema);
        if names_schema(&sql, &sq) {
            let n = format!(
                "has no USAGE on schema {sq}, which the plan's SQL uses (held by {owner}, its \
                 owner, and whoever it granted it to)"
            );
            if !out
                .iter()
                .any(|o| o.starts_with(&format!("has no USAGE on schema {sq},")))
            {
                out.push(n);
            }
        }
    }
    let types = altered_types(&sql);
    if !types.is_empty() {
        let (schemas, names): (Vec<_>, Vec<_>) = types.into_iter().unzip();
        let rows: Vec<(String, String, bool, String)> = sqlx::query_as(TYPES_SQL)
            .bind(&schemas)
            .bind(&names)
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
        for (s, n, owns, owner) in rows {
            if !owns {
                out.push(format!(
                    "needs ownership of type {} to alter it (held by {owner})",
                    crate::sql::qualified(&s, &n)
                ));
            }
        }
    }
    if mentions(&sql, "CREATE ROLE ") {
        let ok: bool = sqlx::query_scalar(
            "SELECT rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user",
        )
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?;
        if !ok {
            out.push(
                "needs CREATEROLE to create a role (held by superusers and roles given CREATEROLE)"
                    .into(),
            );
        }
    }
    Ok(out)
}

/// The grant options the plan's GRANT / REVOKE statements on `tables` need and the role lacks.
async fn grant_options(
    conn: &mut PgConnection,
    plan: &Plan,
    tables: &[(String, String)],
    version: i32,
) -> Result<Vec<String>, sqlx::Error> {
    let mut cols: (Vec<String>, Vec<String>, Vec<String>, Vec<String>) = Default::default();
    for h in plan
        .steps
        .iter()
        .filter_map(|s| stmts::handed(&s.sql, version))
        .flatten()
        .filter(|h| tables.iter().any(|(s, n)| *s == h.schema && *n == h.table))
    {
        cols.0.push(h.schema);
        cols.1.push(h.table);
        cols.2.push(h.privilege);
        cols.3.push(h.column.unwrap_or_default());
    }
    if cols.0.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String, String, bool, String)> = sqlx::query_as(GRANTS_SQL)
        .bind(&cols.0)
        .bind(&cols.1)
        .bind(&cols.2)
        .bind(&cols.3)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let mut out: Vec<String> = Vec::new();
    for (s, n, privilege, col, held, owner) in rows {
        if held {
            continue;
        }
        let q = crate::sql::qualified(&s, &n);
        let on = if col.is_empty() {
            q
        } else {
            format!("{q} ({})", crate::sql::quote_ident(&col))
        };
        let need = format!(
            "needs {privilege} on {on} WITH GRANT OPTION to grant or revoke it (held by \
             {owner}, its owner, and whoever it granted it to with that option)"
        );
        if !out.contains(&need) {
            out.push(need);
        }
    }
    Ok(out)
}

/// Ownership of each existing routine the plan's `CREATE OR REPLACE` statements replace.
async fn replaced_routines(
    conn: &mut PgConnection,
    plan: &Plan,
) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::new();
    for r in plan
        .steps
        .iter()
        .filter_map(|s| stmts::replaced_routine(&s.sql))
    {
        let rows: Vec<(String, bool, String)> = sqlx::query_as(ROUTINES_SQL)
            .bind(&r.schema)
            .bind(&r.name)
            .bind(&r.types)
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
        let kind = if r.procedure { "procedure" } else { "function" };
        for (sig, owns, owner) in rows {
            if !owns {
                out.push(format!(
                    "needs ownership of {kind} {sig} to replace it (held by {owner})"
                ));
            }
        }
    }
    Ok(out)
}
