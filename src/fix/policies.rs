//! Building the policies `[[policy]]` items describe.
//!
//! - By name or shape: only when the checklist gives what the command needs (USING for
//!   SELECT/DELETE/UPDATE/ALL, WITH CHECK for INSERT); the text it gives is used as the whole
//!   expression. A policy only for `service_role` (which Supabase exempts from RLS anyway)
//!   needs nothing: `USING (true) WITH CHECK (true)`.
//! - `owner` template: one policy per command comparing `(select auth.uid())` (evaluated once
//!   per statement, not per row) with the owner column: directly for uuid columns,
//!   `(select auth.uid())::text = col` for text ones. Needs Supabase's `auth.uid()`.
//! - `service-role-bypass` template: `FOR ALL TO service_role USING (true) WITH CHECK (true)`.

use crate::check::policy_match::{owner_covered, shape_matches};
use crate::checklist::{Checklist, PolicyItem, PolicyTemplate};
use crate::db::catalog::{Policy, PolicyCommand};
use crate::sql::{qualified, quote_ident};

use super::cx::Cx;
use super::names;
use super::sqltype;

/// The table a policy goes on, as it is or will be.
pub(crate) struct Shape<'a> {
    pub schema: &'a str,
    pub name: &'a str,
    /// Column names and types (catalog or checklist spelling).
    pub columns: Vec<(String, String)>,
    pub existing: &'a [Policy],
    /// The table does not exist yet: its policy findings are `policy.table_missing`.
    pub new: bool,
}

impl Shape<'_> {
    fn tq(&self) -> String {
        qualified(self.schema, self.name)
    }
}

/// One policy to create.
pub(crate) struct NewPolicy {
    pub name: String,
    pub create: String,
    pub drop: String,
    /// `EXPLAIN SELECT … WHERE (USING) AND (WITH CHECK)` on the table: the server's check of the
    /// expressions (when the table exists before the plan runs).
    pub explain: String,
    /// The finding it mends.
    pub fixes: String,
}

/// `EXPLAIN SELECT 1 FROM table WHERE (using) AND (check)`: the server parses and analyses
/// the expressions against the table without running anything.
fn explain(tq: &str, using: Option<&str>, check: Option<&str>) -> String {
    let conds: Vec<String> = [using, check]
        .into_iter()
        .flatten()
        .map(|e| format!("({e})"))
        .collect();
    let cond = if conds.is_empty() {
        "true".to_string()
    } else {
        conds.join(" AND ")
    };
    format!("EXPLAIN SELECT 1 FROM {tq} WHERE {cond}")
}

/// The object the policy check names for an item (`policy "x" on public.t`, …).
pub(crate) fn item_object(item: &PolicyItem, tq: &str) -> String {
    match (&item.name, item.template) {
        (Some(n), _) => format!("policy {} on {tq}", quote_ident(n)),
        (None, Some(PolicyTemplate::Owner)) => format!("owner policies on {tq}"),
        (None, Some(PolicyTemplate::ServiceRoleBypass)) => format!("service-role policy on {tq}"),
        (None, None) => format!("policy on {tq}"),
    }
}

/// The `[[policy]]` items on `schema.name`, from every checklist.
pub(crate) fn items_on<'a>(
    cx: &Cx<'a>,
    schema: &str,
    name: &str,
) -> Vec<(&'a Checklist, &'a PolicyItem)> {
    cx.policies_on(schema, name).to_vec()
}

/// `CREATE POLICY …`.
pub(crate) fn create_sql(
    name: &str,
    tq: &str,
    permissive: bool,
    cmd: PolicyCommand,
    roles: &[String],
    using: Option<&str>,
    check: Option<&str>,
) -> String {
    let roles: Vec<String> = roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".into()
            } else {
                quote_ident(r)
            }
        })
        .collect();
    let mut s = format!(
        "CREATE POLICY {} ON {tq} AS {} FOR {} TO {}",
        quote_ident(name),
        if permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        cmd.sql(),
        roles.join(", ")
    );
    if let Some(u) = using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(w) = check {
        s.push_str(&format!(" WITH CHECK ({w})"));
    }
    s
}

/// `CREATE POLICY` restoring a policy as the snapshot read it.
pub(crate) fn recreate(p: &Policy, tq: &str) -> String {
    create_sql(
        &p.name,
        tq,
        p.permissive,
        p.command,
        &p.roles,
        p.using_expr.as_deref(),
        p.with_check_expr.as_deref(),
    )
}

fn roles_exist(cx: &Cx, roles: &[String]) -> Result<(), String> {
    match roles.iter().find(|r| *r != "public" && !cx.role_exists(r)) {
        Some(r) => Err(format!("role {} does not exist", quote_ident(r))),
        None => Ok(()),
    }
}

/// USING and WITH CHECK for a command from what the item gives (`service_only`: both `true`).
pub(crate) fn expressions(
    cmd: PolicyCommand,
    using: Option<&str>,
    check: Option<&str>,
    service_only: bool,
) -> Result<(Option<String>, Option<String>), String> {
    // USING and WITH CHECK are written as given: each must be one expression that cannot
    // close `USING (…)` (`true) ; DROP TABLE t; --` never reaches the server).
    for (e, what) in [
        (using, "the USING expression"),
        (check, "the WITH CHECK expression"),
    ] {
        if let Some(e) = e {
            crate::sql::guard::expression(e, what)?;
        }
    }
    let fallback = |e: Option<&str>| {
        e.map(str::to_string)
            .or(service_only.then(|| "true".into()))
    };
    let none = "the checklist gives no expression for it";
    match cmd {
        PolicyCommand::Select | PolicyCommand::Delete => {
            if check.is_some() {
                return Err(format!("a {} policy has no WITH CHECK", cmd.sql()));
            }
            Ok((Some(fallback(using).ok_or(none)?), None))
        }
        PolicyCommand::Insert => {
            if using.is_some() {
                return Err("an INSERT policy has no USING".into());
            }
            Ok((None, Some(fallback(check).ok_or(none)?)))
        }
        PolicyCommand::Update | PolicyCommand::All => {
            Ok((Some(fallback(using).ok_or(none)?), fallback(check)))
        }
    }
}

/// The owner comparison for a column of type `ty`.
fn owner_expr(cx: &Cx, column: &str, ty: &str) -> Result<String, String> {
    if cx.snap.functions_named("auth", "uid").next().is_none() {
        return Err(
            "there is no auth.uid() function (Supabase's) to compare the owner with".into(),
        );
    }
    let col = quote_ident(column);
    if sqltype::is_uuid(ty) {
        Ok(format!("(select auth.uid()) = {col}"))
    } else if sqltype::is_text(ty) {
        Ok(format!("(select auth.uid())::text = {col}"))
    } else {
        Err(format!(
            "owner column {col} has type {ty}, which cannot hold auth.uid()'s uuid"
        ))
    }
}

/// The missing policies of one item, built (empty when the item holds); Err says why they
/// cannot be built. `taken` holds the policy names in use and receives the new ones.
pub(crate) fn build_item(
    cx: &Cx,
    item: &PolicyItem,
    shape: &Shape,
    taken: &mut Vec<String>,
) -> Result<Vec<NewPolicy>, String> {
    let tq = shape.tq();
    let object = item_object(item, &tq);
    let fresh = |base: String, taken: &mut Vec<String>| {
        let refs: Vec<&str> = taken.iter().map(String::as_str).collect();
        let n = names::unique(names::fit(&base), &refs);
        taken.push(n.clone());
        n
    };
    let finding = |normal: String| {
        if shape.new {
            format!("policy.table_missing:{object}")
        } else {
            normal
        }
    };
    let drop_sql = |n: &str| format!("DROP POLICY {} ON {tq}", quote_ident(n));
    match item.template {
        Some(PolicyTemplate::Owner) => {
            let column = item.column.clone().unwrap_or_default();
            let ty = shape
                .columns
                .iter()
                .find(|(c, _)| *c == column)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| format!("owner column {} does not exist", quote_ident(&column)))?;
            let expr = owner_expr(cx, &column, &ty)?;
            let roles = item
                .roles
                .clone()
                .unwrap_or_else(|| vec!["authenticated".into()]);
            roles_exist(cx, &roles)?;
            let (_, commands) = crate::checklist::naming::owner_template(item);
            let mut out = Vec::new();
            for c in commands {
                let cmd = PolicyCommand::from(c);
                if owner_covered(shape.existing, cmd, &roles, &column) {
                    continue;
                }
                let (using, check) = match cmd {
                    PolicyCommand::Select | PolicyCommand::Delete => (Some(expr.as_str()), None),
                    PolicyCommand::Insert => (None, Some(expr.as_str())),
                    _ => (Some(expr.as_str()), Some(expr.as_str())),
                };
                let name = fresh(
                    format!("{}_{}_own", shape.name, cmd.sql().to_lowercase()),
                    taken,
                );
                out.push(NewPolicy {
                    explain: explain(&tq, using, check),
                    create: create_sql(&name, &tq, true, cmd, &roles, using, check),
                    drop: drop_sql(&name),
                    fixes: finding(format!("policy.owner_missing:{tq}/{}", cmd.sql())),
                    name,
                });
            }
            Ok(out)
        }
        Some(PolicyTemplate::ServiceRoleBypass) => {
            let roles = vec!["service_role".to_string()];
            if shape.existing.iter().any(|x| {
                x.permissive
                    && x.command == PolicyCommand::All
                    && x.roles.iter().any(|r| r == "service_role")
            }) {
                return Ok(vec![]);
            }
            roles_exist(cx, &roles)?;
            let name = fresh(format!("{}_service_role", shape.name), taken);
            Ok(vec![NewPolicy {
                explain: explain(&tq, None, None),
                create: create_sql(
                    &name,
                    &tq,
                    true,
                    PolicyCommand::All,
                    &roles,
                    Some("true"),
                    Some("true"),
                ),
                drop: drop_sql(&name),
                fixes: finding(format!("policy.missing:{object}")),
                name,
            }])
        }
        None => {
            let satisfied = match &item.name {
                Some(n) => shape.existing.iter().any(|x| x.name == *n),
                None => shape.existing.iter().any(|x| shape_matches(x, item)),
            };
            if satisfied {
                return Ok(vec![]);
            }
            let cmd = item
                .command
                .map(PolicyCommand::from)
                .unwrap_or(PolicyCommand::All);
            let roles = item.roles.clone().unwrap_or_else(|| vec!["public".into()]);
            roles_exist(cx, &roles)?;
            let service_only = roles == ["service_role"];
            let (using, check) = expressions(
                cmd,
                item.using.as_deref(),
                item.with_check.as_deref(),
                service_only,
            )?;
            let name = match &item.name {
                Some(n) if taken.iter().any(|t| t == n) => {
                    return Err(format!("a policy named {} exists", quote_ident(n)));
                }
                Some(n) => {
                    taken.push(n.to_string());
                    n.to_string()
                }
                None => fresh(
                    format!("{}_{}_policy", shape.name, cmd.sql().to_lowercase()),
                    taken,
                ),
            };
            Ok(vec![NewPolicy {
                explain: explain(&tq, using.as_deref(), check.as_deref()),
                create: create_sql(
                    &name,
                    &tq,
                    item.permissive.unwrap_or(true),
                    cmd,
                    &roles,
                    using.as_deref(),
                    check.as_deref(),
                ),
                drop: drop_sql(&name),
                fixes: finding(format!("policy.missing:{object}")),
                name,
            }])
        }
    }
}

/// Every missing policy the checklists expect on the table: those that can be built, and why
/// the others cannot.
pub(crate) fn expected(cx: &Cx, shape: &Shape) -> (Vec<NewPolicy>, Vec<String>) {
    let mut taken: Vec<String> = shape.existing.iter().map(|p| p.name.clone()).collect();
    let mut built = Vec::new();
    let mut not = Vec::new();
    for (_, item) in items_on(cx, shape.schema, shape.name) {
        match build_item(cx, item, shape, &mut taken) {
            Ok(p) => built.extend(p),
            Err(why) => not.push(format!(
                "{} is not created: {why}",
                item_object(item, &shape.tq())
            )),
        }
    }
    (built, not)
}
