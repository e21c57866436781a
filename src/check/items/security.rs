//! `[[rls]]` rules and `[[grant]]` expectations.

use crate::check::ItemResult;
use crate::checklist::RlsState;
use crate::checklist::rls_reach::RlsTarget;
use crate::db::catalog::{Privilege, RelationKind, Table};
use crate::db::privileges::table_privileges;
use crate::rules::{DENYING_GRANT_SEVERITY, ItemKind, ItemRule};
use crate::sql::quote_ident;

use super::tables::{rls_state, rls_word};
use super::{Ctx, q};

fn satisfies(have: RlsState, want: RlsState) -> bool {
    match want {
        RlsState::Disabled => have == RlsState::Disabled,
        RlsState::Enabled => have != RlsState::Disabled,
        RlsState::Forced => have == RlsState::Forced,
    }
}

fn is_table(t: &Table) -> bool {
    matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
}

pub(crate) fn rls(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for r in &ctx.cl.file.rls {
        let spec = r.get_ref();
        let want = spec.state.unwrap_or(RlsState::Enabled);
        let (targets, object): (Vec<&Table>, String) = match &spec.table {
            Some(t) => {
                let (s, n) = ctx.qualify(t, spec.schema.as_deref());
                let obj = q(&s, &n);
                (
                    ctx.snap
                        .table(&s, &n)
                        .filter(|x| is_table(x))
                        .into_iter()
                        .collect(),
                    obj,
                )
            }
            None => {
                let schema = spec
                    .schema
                    .clone()
                    .unwrap_or_else(|| ctx.cl.default_schema().to_string());
                let label = match &spec.having_column {
                    Some(c) => format!(
                        "tables in {} with column {}",
                        quote_ident(&schema),
                        quote_ident(c)
                    ),
                    None => format!("tables in {}", quote_ident(&schema)),
                };
                let targets = ctx
                    .snap
                    .tables
                    .iter()
                    .filter(|t| is_table(t) && t.schema == schema)
                    .filter(|t| {
                        let columns: Vec<&str> =
                            t.columns.iter().map(|c| c.name.as_str()).collect();
                        spec.reaches(
                            ctx.cl,
                            RlsTarget {
                                schema: &t.schema,
                                name: &t.name,
                                columns: &columns,
                            },
                        )
                    })
                    .collect();
                (targets, label)
            }
        };
        let mut item = ctx.item(
            ItemKind::Rls,
            object.clone(),
            r.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        if spec.table.is_some() && targets.is_empty() {
            let f = item.fail(
                ItemRule::RlsTableMissing,
                object.clone(),
                format!("table {object} does not exist, so it cannot have row-level security"),
            );
            f.actual = Some("absent".into());
        }
        for t in targets {
            let have = rls_state(t);
            if !satisfies(have, want) {
                let tq = q(&t.schema, &t.name);
                let f = item.fail(
                    ItemRule::RlsState,
                    tq.clone(),
                    format!(
                        "row-level security on {tq} is {}, expected {}",
                        rls_word(have),
                        rls_word(want)
                    ),
                );
                f.expected = Some(rls_word(want).into());
                f.actual = Some(rls_word(have).into());
            }
        }
        item.done(out);
    }
}

pub(crate) fn grants(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for g in &ctx.cl.file.grants {
        let spec = g.get_ref();
        let role = &spec.role;
        let label = format!(
            "privileges of {} on {}",
            quote_ident(role),
            spec.on.join(", ")
        );
        let denies = (!spec.deny.is_empty()).then_some(DENYING_GRANT_SEVERITY);
        let mut item = ctx.item(
            ItemKind::Grant,
            label,
            g.span().start,
            spec.severity.or(denies),
            &spec.why,
        );
        item.assume(&spec.assumed);
        let mut targets: Vec<&Table> = Vec::new();
        for pattern in &spec.on {
            let (schema, name) = ctx.qualify(pattern, None);
            let wild = crate::checklist::is_wildcard(pattern);
            let before = targets.len();
            if wild {
                targets.extend(
                    ctx.snap
                        .tables
                        .iter()
                        .filter(|t| t.schema == schema && t.partition_of.is_none()),
                );
            } else {
                // A binary search (a checklist may name thousands of tables).
                targets.extend(
                    ctx.snap
                        .table(&schema, &name)
                        .filter(|t| t.partition_of.is_none()),
                );
            }
            if !wild && targets.len() == before {
                let tq = q(&schema, &name);
                let f = item.fail(
                    ItemRule::GrantTableMissing,
                    tq.clone(),
                    format!(
                        "{tq} does not exist, so {} holds nothing on it",
                        quote_ident(role)
                    ),
                );
                f.id = format!("grant.table_missing:{tq}/{role}");
                f.actual = Some("table absent".into());
            }
        }
        let deny_all = spec.deny.iter().any(|d| d.eq_ignore_ascii_case("ALL"));
        let deny: Vec<Privilege> = spec
            .deny
            .iter()
            .filter_map(|d| Privilege::named_on_table(d))
            .collect();
        let allow: Vec<Privilege> = spec
            .allow
            .iter()
            .filter_map(|a| Privilege::named_on_table(a))
            .collect();
        for t in targets {
            let tq = q(&t.schema, &t.name);
            let have = table_privileges(ctx.snap, t, role);
            let words = |ps: &mut dyn Iterator<Item = &Privilege>| {
                ps.map(|p| p.as_sql()).collect::<Vec<_>>().join(", ")
            };
            let excess: Vec<&Privilege> = have
                .iter()
                .filter(|p| deny_all || deny.contains(p))
                .collect();
            if !excess.is_empty() {
                let list = words(&mut excess.iter().copied());
                let f = item.fail(
                    ItemRule::GrantExcess,
                    tq.clone(),
                    format!("{} holds {list} on {tq}", quote_ident(role)),
                );
                f.id = format!("grant.excess:{tq}/{role}");
                f.expected = Some(if deny_all {
                    "no privilege".into()
                } else {
                    format!("none of {}", spec.deny.join(", "))
                });
                f.actual = Some(list);
            }
            let lacking: Vec<&Privilege> = allow.iter().filter(|p| !have.contains(p)).collect();
            if !lacking.is_empty() {
                let list = words(&mut lacking.iter().copied());
                let f = item.fail(
                    ItemRule::GrantMissing,
                    tq.clone(),
                    format!("{} lacks {list} on {tq}", quote_ident(role)),
                );
                f.id = format!("grant.missing:{tq}/{role}");
                f.expected = Some(spec.allow.join(", "));
                f.actual = Some(if have.is_empty() {
                    "no privilege".into()
                } else {
                    words(&mut have.iter())
                });
            }
        }
        item.done(out);
    }
}
