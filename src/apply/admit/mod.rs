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

use crate::fix::plan::Plan;
use scan::{Use, altered_types, created, mentions, names_schema, statements, use_of};

/// A plan left out, and why (the missing privilege and who holds it, or what the backup lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub plan: Plan,
    pub why: String,
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
            self.refused.push(Refused { plan, why });
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
                Some(why) => self.refused.push(Refused { plan, why }),
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
                Some(why) => refused.push(Refused { plan, why }),
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
    let (role, superuser): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user",
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
            missing(conn, &plan).await?
        };
        if missing.is_empty() {
            out.plans.push(plan);
        } else {
            out.refused.push(Refused {
                plan,
                why: format!("{role} {}", missing.join("; ")),
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
       coalesce(c.oid IS NOT NULL AND pg_catalog.has_table_privilege(c.oid,
           CASE o.use WHEN 'read' THEN 'SELECT' ELSE 'REFERENCES' END), false) AS allowed
FROM unnest($1::text[], $2::text[], $3::text[]) AS o(schema, name, use)
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

/// The privileges `plan` needs that the role lacks, each with who holds it.
async fn missing(conn: &mut PgConnection, plan: &Plan) -> Result<Vec<String>, sqlx::Error> {
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
    let mut out: Vec<String> = Vec::new();
    let mut cols: (Vec<String>, Vec<String>, Vec<&str>) = (Vec::new(), Vec::new(), Vec::new());
    for (s, n, u) in rels {
        cols.0.push(s);
        cols.1.push(n);
        cols.2.push(u.as_str());
    }
    let rows: Vec<RelRow> = sqlx::query_as(RELATIONS_SQL)
        .bind(&cols.0)
        .bind(&cols.1)
        .bind(&cols.2)
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
        } else if how == "reference" {
            (exists && !allowed).then(|| {
                format!(
                    "needs REFERENCES on {q} for the new foreign key (held by {owner}, its owner)"
                )
            })
        } else if how == "read" {
            (exists && !allowed)
                .then(|| format!("needs SELECT on {q} to read it (held by {owner}, its owner)"))
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
