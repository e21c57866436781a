//! Row-level security and policies on existing tables.
//!
//! Enabling RLS creates the table's expected policies (those that can be built) in the same
//! transaction, so there is no moment where RLS is on and the policies are not there yet.

use crate::check::Finding;
use crate::checklist::rls_reach::RlsTarget;
use crate::checklist::{PolicyItem, RlsState};
use crate::db::catalog::{PolicyCommand, RelationKind, Table};
use crate::rules::{ItemRule, Rule};
use crate::sql::stmt::{Rls, alter_rls};
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
use super::plan::Plan;
use super::policies::{self, Shape, create_sql};

fn state_of(t: &Table) -> RlsState {
    match (t.rls_enabled, t.rls_forced) {
        (false, _) => RlsState::Disabled,
        (true, false) => RlsState::Enabled,
        (true, true) => RlsState::Forced,
    }
}

fn shape_of(t: &Table) -> Shape<'_> {
    Shape {
        schema: &t.schema,
        name: &t.name,
        columns: t
            .columns
            .iter()
            .map(|c| (c.name.to_string(), c.data_type.to_string()))
            .collect(),
        existing: &t.policies,
        new: false,
    }
}

/// `table.rls`, `rls.state` and `lint.rls_disabled_in_exposed_schema`.
pub(crate) fn rls_finding(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (t, want) = match f.rule {
        Rule::Item(ItemRule::TableRls) => {
            let (cl, spec) = cx.item(f, |c| &c.tables)?;
            let (s, n) = cl.qualify(&spec.name, spec.schema.as_deref());
            (cx.table(&s, &n)?, spec.rls?)
        }
        Rule::Item(ItemRule::RlsState) => {
            let (_, spec) = cx.item(f, |c| &c.rls)?;
            (
                cx.relation_by_object(&f.object)?,
                spec.state.unwrap_or(RlsState::Enabled),
            )
        }
        _ => {
            let t = cx.relation_by_object(&f.object)?;
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            let want = cx
                .wanted_rls(RlsTarget {
                    schema: &t.schema,
                    name: &t.name,
                    columns: &cols,
                })
                .filter(|w| *w != RlsState::Disabled)
                .unwrap_or(RlsState::Enabled);
            (t, want)
        }
    };
    rls_plan(cx, f, t, want)
}

fn rls_plan(cx: &Cx, f: &Finding, t: &Table, want: RlsState) -> Option<Plan> {
    if cx.managed(&t.schema)
        || !matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
    {
        return None;
    }
    let have = state_of(t);
    if have == want {
        return None;
    }
    let tq = qualified(&t.schema, &t.name);
    let words = |s: RlsState| match s {
        RlsState::Disabled => "disable",
        RlsState::Enabled => "enable",
        RlsState::Forced => "enable and force",
    };
    let mut b = B::new(&f.id, format!("{} row level security on {tq}", words(want)));
    b.table(&tq);
    let shape = shape_of(t);
    let (built, not) = if want == RlsState::Disabled {
        (vec![], vec![])
    } else {
        policies::expected(cx, &shape)
    };
    for p in &built {
        b.tx(
            format!("create policy {} on {tq}", quote_ident(&p.name)),
            &p.create,
        )
        .server_check(
            format!("the expressions of policy {}", quote_ident(&p.name)),
            p.explain.clone(),
        )
        .covers(&p.fixes);
    }
    let alter = |what: Rls| alter_rls(&tq, what);
    match (have, want) {
        (RlsState::Disabled, _) => {
            b.tx("enable row level security", alter(Rls::Enable));
            b.undo_tx("disable row level security", alter(Rls::Disable));
        }
        (_, RlsState::Disabled) => {
            b.tx("disable row level security", alter(Rls::Disable));
            b.undo_tx("enable row level security", alter(Rls::Enable));
        }
        _ => {}
    }
    match (have == RlsState::Forced, want == RlsState::Forced) {
        (false, true) => {
            b.tx("force row level security", alter(Rls::Force));
            b.undo_tx("stop forcing row level security", alter(Rls::NoForce));
            b.hazard(format!(
                "FORCE makes the owner of {tq} subject to its policies too: migrations and jobs \
                 running as the owner see only the rows the policies allow"
            ));
        }
        (true, false) => {
            b.tx("stop forcing row level security", alter(Rls::NoForce));
            b.undo_tx("force row level security", alter(Rls::Force));
        }
        _ => {}
    }
    for p in built.iter().rev() {
        b.undo_tx(format!("drop policy {}", quote_ident(&p.name)), &p.drop);
    }
    if want == RlsState::Disabled {
        b.hazard(format!(
            "with row level security off every role holding a grant on {tq} reads and changes \
             every row"
        ));
    } else {
        if t.policies.is_empty() && built.is_empty() {
            b.hazard(format!(
                "no policy on {tq}: once row level security is on only its owner and roles with \
                 BYPASSRLS (and superusers) see or change its rows; every other role sees none"
            ));
        }
        for n in not {
            b.hazard(format!(
                "{n}; until it exists the roles it is for are denied"
            ));
        }
        for id in ["rls.state", "lint.rls_disabled_in_exposed_schema"] {
            b.covers(format!("{id}:{tq}"));
        }
    }
    if let Some((_, spec)) = cx.table_spec(&t.schema, &t.name)
        && spec.rls == Some(want)
    {
        b.covers(format!("table.rls:{tq}"));
    }
    b.lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    Some(b.done())
}

/// The `[[policy]]` item of a finding, its existing table (outside managed schemas) and
/// the table's quoted name.
fn policy_target<'a>(cx: &Cx<'a>, f: &Finding) -> Option<(&'a PolicyItem, &'a Table, String)> {
    let (cl, item) = cx.item(f, |c| &c.policies)?;
    let (schema, name) = cl.qualify(&item.table, item.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    Some((item, cx.table(&schema, &name)?, qualified(&schema, &name)))
}

/// `policy.missing` and `policy.owner_missing` on an existing table.
pub(crate) fn policy_finding(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (item, t, tq) = policy_target(cx, f)?;
    let mut taken: Vec<String> = t.policies.iter().map(|p| p.name.clone()).collect();
    let built: Vec<_> = policies::build_item(cx, item, &shape_of(t), &mut taken)
        .ok()?
        .into_iter()
        .filter(|p| p.fixes == f.id)
        .collect();
    if built.is_empty() {
        return None;
    }
    let names: Vec<String> = built.iter().map(|p| quote_ident(&p.name)).collect();
    let mut b = B::new(&f.id, format!("create policy {} on {tq}", names.join(", ")));
    b.table(&tq);
    for p in &built {
        b.tx(format!("create policy {}", quote_ident(&p.name)), &p.create)
            .server_check(
                format!("the expressions of policy {}", quote_ident(&p.name)),
                p.explain.clone(),
            );
    }
    for p in built.iter().rev() {
        b.undo_tx(format!("drop policy {}", quote_ident(&p.name)), &p.drop);
    }
    b.lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq));
    if !t.rls_enabled {
        b.hazard(format!(
            "row level security is off on {tq}: the policy takes effect only once it is enabled"
        ));
    }
    Some(b.done())
}

/// `policy.shape`: drop and re-create the named policy with the expected command, roles and
/// expressions (keeping what the checklist does not mention), in one transaction.
pub(crate) fn reshape(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (item, t, tq) = policy_target(cx, f)?;
    let old = t
        .policies
        .iter()
        .find(|p| item.name.as_deref() == Some(p.name.as_str()))?;
    let cmd = item.command.map_or(old.command, PolicyCommand::from);
    let roles = item.roles.clone().unwrap_or_else(|| old.roles.clone());
    let keep = |have: &Option<String>, want: &Option<String>| match (have, want) {
        (Some(h), Some(w))
            if crate::sql::types::expr_key(h).contains(&crate::sql::types::expr_key(w)) =>
        {
            Some(h.clone())
        }
        (_, Some(w)) => Some(w.clone()),
        (h, None) => h.clone(),
    };
    let using = keep(&old.using_expr, &item.using);
    let check = keep(&old.with_check_expr, &item.with_check);
    let (using, check) = match cmd {
        PolicyCommand::Insert => (None, check.or(using)),
        PolicyCommand::Select | PolicyCommand::Delete => (using, None),
        _ => (using, check),
    };
    let (using, check) = policies::expressions(
        cmd,
        using.as_deref(),
        check.as_deref(),
        roles == ["service_role"],
    )
    .ok()?;
    let pname = quote_ident(&old.name);
    let new = create_sql(
        &old.name,
        &tq,
        item.permissive.unwrap_or(old.permissive),
        cmd,
        &roles,
        using.as_deref(),
        check.as_deref(),
    );
    let drop = format!("DROP POLICY {pname} ON {tq}");
    let mut b = B::new(&f.id, format!("reshape policy {pname} on {tq}"));
    b.table(&tq)
        .tx(format!("drop policy {pname}"), &drop)
        .tx(format!("create policy {pname} as FOR {}", cmd.sql()), new)
        .undo_tx(format!("drop policy {pname}"), &drop)
        .undo_tx(
            format!("restore policy {pname}"),
            policies::recreate(old, &tq),
        )
        .lock(&tq, locks::ACCESS_EXCLUSIVE, locks::brief(&tq))
        .hazard(
            "the checklist's USING / WITH CHECK text is used as the whole expression where the \
             policy's own does not contain it: review it before applying",
        );
    Some(b.done())
}
