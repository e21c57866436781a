//! More than one permissive policy applying to the same role and command on a table.
//!
//! A policy `FOR ALL` counts for every command; a policy `TO public` counts for every role.
//! Roles are the ones policies name (membership is not expanded): for each named role and
//! each command, the permissive policies naming that role or `public` are counted, and when
//! there are two or more a finding names the table, the role and the command. A named role
//! whose policies are exactly PUBLIC's is not reported again.

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::db::catalog::{Policy, PolicyCommand};
use crate::rules::Severity;
use crate::sql::quote_ident;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::MultiplePermissivePolicies,
    severity: Severity::Low,
    title: "Several permissive policies for one role and command",
    why: "PostgreSQL evaluates every permissive policy that applies and ORs the results, so \
          several policies for the same role and command cost a check each on every row; one \
          policy with the conditions combined is faster and easier to review.",
    remedy: "Merge the policies into one: CREATE POLICY ... USING ((<first>) OR (<second>)); \
             then DROP POLICY the others.",
    run,
};

const COMMANDS: [(PolicyCommand, &str); 4] = [
    (PolicyCommand::Select, "SELECT"),
    (PolicyCommand::Insert, "INSERT"),
    (PolicyCommand::Update, "UPDATE"),
    (PolicyCommand::Delete, "DELETE"),
];

fn applies(p: &Policy, role: &str, command: PolicyCommand) -> bool {
    p.permissive
        && (p.command == command || p.command == PolicyCommand::All)
        && p.roles.iter().any(|r| r == role || r == "public")
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.policy_tables() {
        let mut roles: Vec<&str> = vec!["public"];
        for r in t.policies.iter().flat_map(|p| &p.roles) {
            if !roles.contains(&r.as_str()) {
                roles.push(r);
            }
        }
        for (command, keyword) in COMMANDS {
            let of = |role: &str| -> Vec<&Policy> {
                t.policies
                    .iter()
                    .filter(|p| applies(p, role, command))
                    .collect()
            };
            let public = of("public");
            for role in &roles {
                let these = of(role);
                if these.len() < 2 || (*role != "public" && these.len() == public.len()) {
                    continue;
                }
                let object = table_object(t);
                let names: Vec<String> = these.iter().map(|p| quote_ident(&p.name)).collect();
                let who = if *role == "public" { "PUBLIC" } else { role };
                out.push(
                    lint.finding(
                        object.clone(),
                        format!(
                            "{} permissive policies on {object} apply to {who} for {keyword}: {}",
                            these.len(),
                            names.join(", ")
                        ),
                    )
                    .id_suffix(&format!("{who}/{keyword}"))
                    .expected(format!("one permissive {keyword} policy for {who}"))
                    .actual(names.join(", ")),
                );
            }
        }
    }
    out
}
