//! An exposed table that signed-in users cannot reach at all: row level security has policies
//! for `authenticated` (or PUBLIC), but `authenticated` holds no privilege on the table, so the
//! policies never run and the app gets 42501 (permission denied). Since 30 October 2026 Supabase
//! no longer grants new tables in `public` to the API roles: a table created without explicit
//! GRANTs ends like this.

use std::collections::BTreeSet;

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::db::catalog::{PolicyCommand, Privilege, Table};
use crate::db::privileges::{column_privileges, table_privileges};
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::AuthenticatedWithoutGrant,
    severity: Severity::High,
    title: "Policies for signed-in users on a table they hold no privilege on",
    why: "Row level security is checked only after the privilege: without a GRANT, every request \
          of a signed-in user fails with 42501 (permission denied) and the policies written for \
          them never run. Supabase no longer grants new tables in public to anon and \
          authenticated by default.",
    remedy: "GRANT the commands the policies are written for (SELECT, INSERT, UPDATE, DELETE) ON \
             <table> TO authenticated;",
    run,
};

/// The privileges the policies of `t` for `authenticated` (or PUBLIC) are written for.
pub fn policy_privileges(t: &Table) -> BTreeSet<Privilege> {
    use PolicyCommand as C;
    t.policies
        .iter()
        .filter(|p| {
            p.roles
                .iter()
                .any(|r| r == "authenticated" || r.eq_ignore_ascii_case("public"))
        })
        .flat_map(|p| match p.command {
            C::All => vec![
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::Delete,
            ],
            C::Select => vec![Privilege::Select],
            C::Insert => vec![Privilege::Insert],
            C::Update => vec![Privilege::Update],
            C::Delete => vec![Privilege::Delete],
        })
        .collect()
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ctx.snapshot.roles.iter().any(|r| r.name == "authenticated") {
        return out;
    }
    let dml = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
    ];
    for t in ctx
        .app_tables()
        .filter(|t| ctx.is_exposed(&t.schema) && t.rls_enabled)
    {
        let wanted = policy_privileges(t);
        if wanted.is_empty() {
            continue;
        }
        let s = ctx.snapshot;
        let held = table_privileges(s, t, "authenticated");
        let on_columns = t
            .columns
            .iter()
            .any(|c| !column_privileges(s, c, "authenticated").is_empty());
        if on_columns || dml.iter().any(|p| held.contains(p)) {
            continue;
        }
        let object = table_object(t);
        let list = crate::db::privileges::list(&wanted);
        out.push(
            lint.finding(
                object.clone(),
                format!(
                    "authenticated holds no privilege on {object}: its policies for signed-in \
                     users never run, every request gets 42501 (permission denied)"
                ),
            )
            .expected(format!("authenticated holds {list}"))
            .actual("no privilege")
            .remedy(format!("GRANT {list} ON {object} TO authenticated;")),
        );
    }
    out
}
