//! `[[policy]]` items: by name, by shape, or from a template (owner policies, service-role
//! bypass).

use crate::check::ItemResult;
use crate::checklist::{PolicyItem, PolicyTemplate};
use crate::db::catalog::{Policy, PolicyCommand, Table};
use crate::rules::{ItemKind, ItemRule};
use crate::sql::quote_ident;

use super::tables::find_table;
use super::{Ctx, Item, q};
use crate::check::policy_match::{owner_covered, shape_matches};
use crate::checklist::naming::owner_template;

fn describe(p: &Policy) -> String {
    format!(
        "{} {} TO {}{}{}",
        quote_ident(&p.name),
        p.command.sql(),
        p.roles.join(", "),
        p.using_expr
            .as_ref()
            .map(|u| format!(" USING ({u})"))
            .unwrap_or_default(),
        p.with_check_expr
            .as_ref()
            .map(|w| format!(" WITH CHECK ({w})"))
            .unwrap_or_default()
    )
}

pub(crate) fn policies(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for p in &ctx.cl.file.policies {
        let spec = p.get_ref();
        let (schema, table) = ctx.qualify(&spec.table, spec.schema.as_deref());
        let tq = q(&schema, &table);
        let object = match (&spec.name, spec.template) {
            (Some(n), _) => format!("policy {} on {tq}", quote_ident(n)),
            (None, Some(PolicyTemplate::Owner)) => format!("owner policies on {tq}"),
            (None, Some(PolicyTemplate::ServiceRoleBypass)) => {
                format!("service-role policy on {tq}")
            }
            (None, None) => format!("policy on {tq}"),
        };
        let mut item = ctx.item(
            ItemKind::Policy,
            object.clone(),
            p.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let Some(t) = find_table(ctx, &schema, &table) else {
            let f = item.fail(
                ItemRule::PolicyTableMissing,
                object.clone(),
                format!("{object}: table {tq} does not exist"),
            );
            f.actual = Some("table absent".into());
            item.done(out);
            continue;
        };
        match spec.template {
            Some(PolicyTemplate::Owner) => owner(spec, t, &object, &mut item),
            Some(PolicyTemplate::ServiceRoleBypass) => {
                if !t.policies.iter().any(|x| {
                    x.permissive
                        && x.command == PolicyCommand::All
                        && x.roles.iter().any(|r| r == "service_role")
                }) {
                    let f = item.fail(
                        ItemRule::PolicyMissing,
                        object.clone(),
                        format!("{tq} has no policy letting service_role do everything"),
                    );
                    f.expected = Some("FOR ALL TO service_role USING (true)".into());
                    f.actual = Some(summary(t));
                }
            }
            None => by_name_or_shape(spec, t, &object, &mut item),
        }
        item.done(out);
    }
}

fn summary(t: &Table) -> String {
    if t.policies.is_empty() {
        "no policies".into()
    } else {
        t.policies
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn by_name_or_shape(spec: &PolicyItem, t: &Table, object: &str, item: &mut Item) {
    match &spec.name {
        Some(name) => match t.policies.iter().find(|x| x.name == *name) {
            None => {
                let f = item.fail(
                    ItemRule::PolicyMissing,
                    object.to_string(),
                    format!("{object} does not exist"),
                );
                f.actual = Some(summary(t));
            }
            Some(x) if !shape_matches(x, spec) => {
                let f = item.fail(
                    ItemRule::PolicyShape,
                    object.to_string(),
                    format!("{object} does not have the expected shape"),
                );
                f.expected = Some(expected_shape(spec));
                f.actual = Some(describe(x));
            }
            Some(_) => {}
        },
        None => {
            if !t.policies.iter().any(|x| shape_matches(x, spec)) {
                let f = item.fail(
                    ItemRule::PolicyMissing,
                    object.to_string(),
                    format!("no policy on {} matches", q(&t.schema, &t.name)),
                );
                f.expected = Some(expected_shape(spec));
                f.actual = Some(summary(t));
            }
        }
    }
}

fn expected_shape(spec: &PolicyItem) -> String {
    let mut s = spec
        .command
        .map(|c| PolicyCommand::from(c).sql().to_string())
        .unwrap_or_else(|| "any command".into());
    if let Some(r) = &spec.roles {
        s.push_str(&format!(" TO {}", r.join(", ")));
    }
    if let Some(u) = &spec.using {
        s.push_str(&format!(" USING (… {u} …)"));
    }
    if let Some(w) = &spec.with_check {
        s.push_str(&format!(" WITH CHECK (… {w} …)"));
    }
    s
}

/// One permissive policy per command for the roles, whose expression compares the owner
/// column with the current user's id.
fn owner(spec: &PolicyItem, t: &Table, object: &str, item: &mut Item) {
    let column = spec.column.clone().unwrap_or_default();
    let (roles, commands) = owner_template(spec);
    for c in commands {
        let cmd = PolicyCommand::from(c);
        if !owner_covered(&t.policies, cmd, &roles, &column) {
            let f = item.fail(
                ItemRule::PolicyOwnerMissing,
                object.to_string(),
                format!(
                    "{} has no {} policy for {} restricted to the owner's rows ({})",
                    q(&t.schema, &t.name),
                    cmd.sql(),
                    roles.join(", "),
                    quote_ident(&column)
                ),
            );
            f.id = format!(
                "policy.owner_missing:{}/{}",
                q(&t.schema, &t.name),
                cmd.sql()
            );
            f.expected = Some(format!(
                "FOR {} TO {} {} ((select auth.uid()) = {})",
                cmd.sql(),
                roles.join(", "),
                if cmd == PolicyCommand::Insert {
                    "WITH CHECK"
                } else {
                    "USING"
                },
                quote_ident(&column)
            ));
            f.actual = Some(summary(t));
        }
    }
}
