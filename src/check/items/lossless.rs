//! What a lossless snapshot records beyond names and columns: sequences, domains, composite
//! types, default privileges, and the definitions and details of tables, columns, views,
//! functions and extensions (identity, generation, collation, persistence, inheritance,
//! exclusion constraints, DEFERRABLE, view and function bodies, extension versions, comments).
//! Every key is optional: an item that does not state it is not checked for it.

use crate::check::ItemResult;
use crate::checklist::{FunctionItem, TableItem, ViewItem};
use crate::db::catalog::{
    Column, ConstraintKind, DefaultAclObject, Function, Grantee, RelationKind, Table,
};
use crate::rules::{ItemKind, ItemRule};
use crate::sql::quote_ident;

use super::{Ctx, Item, q};

/// Text compared with white space folded.
pub(crate) fn squash_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fail(
    item: &mut Item,
    rule: ItemRule,
    object: &str,
    message: String,
    want: String,
    have: String,
) {
    let f = item.fail(rule, object.to_string(), message);
    f.expected = Some(want);
    f.actual = Some(have);
}

pub(crate) fn sequences(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for s in &ctx.cl.file.sequences {
        let spec = s.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::Sequence,
            object.clone(),
            s.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        // A binary search: a snapshot of 30,000 tables states 30,000 identity sequences.
        let have = ctx.snap.sequence(&schema, &name);
        match have {
            // An identity column's sequence comes with its column (whose own finding says so);
            // its parameters are set once it exists.
            None if spec.identity => {
                let stated = spec.start.is_some_and(|v| v != 1)
                    || spec.increment.is_some_and(|v| v != 1)
                    || spec.cycle == Some(true)
                    || spec.cache.is_some_and(|v| v != 1);
                if stated {
                    fail(
                        &mut item,
                        ItemRule::SequenceShape,
                        &object,
                        format!("identity sequence {object} does not exist yet"),
                        "as the checklist states".into(),
                        "absent".into(),
                    );
                }
                for g in &spec.grants {
                    let none = std::collections::BTreeSet::new();
                    lacking_grant(&mut item, ItemRule::SequenceGrant, &object, g, &none);
                }
            }
            None => {
                fail(
                    &mut item,
                    ItemRule::SequenceMissing,
                    &object,
                    format!("sequence {object} does not exist"),
                    "sequence".into(),
                    "absent".into(),
                );
                if spec.owned_by.is_some() {
                    let f = item.fail(
                        ItemRule::SequenceOwnedBy,
                        object.clone(),
                        format!("sequence {object} has no owning column"),
                    );
                    f.expected = spec.owned_by.clone();
                }
            }
            Some(x) => {
                let diff = spec
                    .data_type
                    .as_ref()
                    .is_some_and(|t| !t.eq_ignore_ascii_case(&x.data_type))
                    || spec.increment.is_some_and(|v| v != x.increment)
                    || spec.min.is_some_and(|v| v != x.min)
                    || spec.max.is_some_and(|v| v != x.max)
                    || spec.start.is_some_and(|v| v != x.start)
                    || spec.cache.is_some_and(|v| v != x.cache)
                    || spec.cycle.is_some_and(|v| v != x.cycle);
                if diff {
                    fail(
                        &mut item,
                        ItemRule::SequenceShape,
                        &object,
                        format!("sequence {object} has other parameters"),
                        "as the checklist states".into(),
                        format!(
                            "{} start {} increment {} min {} max {} cache {} cycle {}",
                            x.data_type, x.start, x.increment, x.min, x.max, x.cache, x.cycle
                        ),
                    );
                }
                if let Some(o) = &spec.owned_by {
                    let owned = x.owned_by.as_ref().is_some_and(|ob| {
                        spec.owner(&schema)
                            == Some((ob.schema.clone(), ob.table.clone(), ob.column.clone()))
                    });
                    if !owned {
                        fail(
                            &mut item,
                            ItemRule::SequenceOwnedBy,
                            &object,
                            format!("sequence {object} is not owned by {o}"),
                            o.clone(),
                            "another owner or none".into(),
                        );
                    }
                }
                for g in &spec.grants {
                    let have = crate::db::privileges::sequence_privileges(ctx.snap, x, &g.role);
                    lacking_grant(&mut item, ItemRule::SequenceGrant, &object, g, &have);
                }
            }
        }
        item.done(out);
    }
}

pub(crate) fn domains(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for d in &ctx.cl.file.domains {
        let spec = d.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::Domain,
            object.clone(),
            d.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        match ctx.snap.domain(&schema, &name) {
            None => fail(
                &mut item,
                ItemRule::DomainMissing,
                &object,
                format!("domain {object} does not exist"),
                format!("domain over {}", spec.data_type),
                "absent".into(),
            ),
            Some(x) => {
                let checks_ok = spec.checks.iter().all(|c| {
                    x.checks
                        .iter()
                        .any(|h| squash_ws(&h.definition).contains(&squash_ws(c.expression())))
                });
                if x.not_null != spec.not_null || !checks_ok {
                    fail(
                        &mut item,
                        ItemRule::DomainShape,
                        &object,
                        format!("domain {object} has other constraints"),
                        spec.checks
                            .iter()
                            .map(|c| c.expression().to_string())
                            .collect::<Vec<_>>()
                            .join(" AND "),
                        x.checks
                            .iter()
                            .map(|c| c.definition.clone())
                            .collect::<Vec<_>>()
                            .join(" AND "),
                    );
                }
            }
        }
        item.done(out);
    }
}

pub(crate) fn types(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for d in &ctx.cl.file.types {
        let spec = d.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::Type,
            object.clone(),
            d.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        match ctx.snap.composite(&schema, &name) {
            None => fail(
                &mut item,
                ItemRule::TypeMissing,
                &object,
                format!("type {object} does not exist"),
                "composite type".into(),
                "absent".into(),
            ),
            Some(x) => {
                let same = x.attributes.len() == spec.attributes.len()
                    && x.attributes.iter().zip(&spec.attributes).all(|(a, b)| {
                        a.name == b.name
                            && crate::sql::types::matches(
                                &b.data_type,
                                &a.data_type,
                                ctx.cl.default_schema(),
                            )
                    });
                if !same {
                    fail(
                        &mut item,
                        ItemRule::TypeShape,
                        &object,
                        format!("type {object} has other attributes"),
                        spec.attributes
                            .iter()
                            .map(|a| format!("{} {}", a.name, a.data_type))
                            .collect::<Vec<_>>()
                            .join(", "),
                        x.attributes
                            .iter()
                            .map(|a| format!("{} {}", a.name, a.data_type))
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                }
            }
        }
        item.done(out);
    }
}

fn acl_object(on: &str) -> Option<DefaultAclObject> {
    Some(match on.to_ascii_lowercase().as_str() {
        "tables" => DefaultAclObject::Tables,
        "sequences" => DefaultAclObject::Sequences,
        "functions" | "routines" => DefaultAclObject::Functions,
        "types" => DefaultAclObject::Types,
        "schemas" => DefaultAclObject::Schemas,
        _ => return None,
    })
}

pub(crate) fn default_privileges(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for d in &ctx.cl.file.default_privileges {
        let spec = d.get_ref();
        let object = format!(
            "default privileges of {} on {}{} for {}",
            quote_ident(&spec.role),
            spec.on.to_ascii_lowercase(),
            spec.schema
                .as_ref()
                .map(|s| format!(" in {}", quote_ident(s)))
                .unwrap_or_default(),
            spec.grantee
        );
        let mut item = ctx.item(
            ItemKind::DefaultPrivilege,
            object.clone(),
            d.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let kind = acl_object(&spec.on);
        let entry =
            ctx.snap.default_privileges.iter().any(|p| {
                p.role == spec.role && p.schema == spec.schema && Some(p.object_type) == kind
            });
        let held: Vec<String> = ctx
            .snap
            .default_privileges
            .iter()
            .filter(|p| {
                p.role == spec.role && p.schema == spec.schema && Some(p.object_type) == kind
            })
            .flat_map(|p| p.grants.iter())
            .filter(|g| match &g.grantee {
                Grantee::Public => spec.grantee.eq_ignore_ascii_case("public"),
                Grantee::Role(r) => *r == spec.grantee,
            })
            .flat_map(|g| {
                g.privileges
                    .iter()
                    .map(|p| p.privilege.as_sql().to_string())
            })
            .collect();
        let missing: Vec<&String> = spec
            .privileges
            .iter()
            .filter(|p| !held.iter().any(|h| h.eq_ignore_ascii_case(p)))
            .collect();
        // `privileges = []`: the grantee gets nothing (no entry means the built-in defaults,
        // EXECUTE and USAGE for PUBLIC, still apply).
        let revoked = spec.privileges.is_empty();
        if revoked && (!entry || !held.is_empty()) {
            fail(
                &mut item,
                ItemRule::DefaultPrivilegeMissing,
                &object,
                format!(
                    "{object}: {} still gets privileges by default",
                    spec.grantee
                ),
                "nothing".into(),
                if held.is_empty() {
                    "the built-in defaults".into()
                } else {
                    held.join(", ")
                },
            );
        }
        if !missing.is_empty() {
            fail(
                &mut item,
                ItemRule::DefaultPrivilegeMissing,
                &object,
                format!(
                    "{object} lack {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                spec.privileges.join(", "),
                if held.is_empty() {
                    "none".into()
                } else {
                    held.join(", ")
                },
            );
        }
        item.done(out);
    }
}

fn comment(
    item: &mut Item,
    what: &str,
    target: &str,
    want: &Option<String>,
    have: &Option<String>,
) {
    if let Some(w) = want
        && have.as_deref() != Some(w.as_str())
    {
        let object = format!("{what} {target}");
        let f = item.fail(
            ItemRule::CommentMismatch,
            object.clone(),
            format!("{object} has another comment"),
        );
        f.expected = Some(w.clone());
        f.actual = Some(have.clone().unwrap_or_else(|| "no comment".into()));
    }
}

/// The details of a `[[table]]` item that exists.
pub(crate) fn table(ctx: &Ctx, spec: &TableItem, t: &Table, item: &mut Item) {
    let tq = q(&t.schema, &t.name);
    for c in &spec.columns {
        let c = c.get_ref();
        let Some(col) = t.columns.iter().find(|x| x.name == c.name) else {
            continue;
        };
        let mark = item.mark();
        column(item, &tq, c, col);
        item.assume_since(
            mark,
            crate::checklist::assumed::either(&c.type_assumed, &c.assumed),
        );
        let mark = item.mark();
        for g in &c.grants {
            let object = format!("{tq}.{}", quote_ident(&c.name));
            let have = crate::db::privileges::column_privileges(ctx.snap, col, &g.role);
            lacking_grant(item, ItemRule::ColumnGrant, &object, g, &have);
        }
        item.assume_since(mark, crate::checklist::assumed::assumption(&c.assumed));
    }
    comment(item, "table", &tq, &spec.comment, &t.comment);
    for (name, text) in &spec.constraint_comments {
        let have = t
            .constraints
            .iter()
            .find(|c| &c.name == name)
            .and_then(|c| c.comment.clone());
        let target = format!("{} on {tq}", quote_ident(name));
        comment(item, "constraint", &target, &Some(text.clone()), &have);
    }
    // A snapshot writes `unlogged` only for unlogged tables: its other tables are logged.
    if let Some(u) = spec
        .unlogged
        .or(ctx.cl.file.checklist.snapshot.then_some(false))
        && u != t.unlogged
    {
        let w = |b: bool| if b { "unlogged" } else { "logged" };
        fail(
            item,
            ItemRule::TablePersistence,
            &tq,
            format!("{tq} is {}, expected {}", w(t.unlogged), w(u)),
            w(u).into(),
            w(t.unlogged).into(),
        );
    }
    if let Some(parents) = &spec.inherits {
        let missing: Vec<&String> = parents
            .iter()
            .filter(|p| {
                let (s, n) = ctx.qualify(p, None);
                !t.inherits.iter().any(|h| h.schema == s && h.name == n)
            })
            .collect();
        if !missing.is_empty() {
            fail(
                item,
                ItemRule::TableInherits,
                &tq,
                format!(
                    "{tq} does not inherit {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                parents.join(", "),
                t.inherits
                    .iter()
                    .map(|h| q(&h.schema, &h.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
    }
    if let Some(k) = &spec.partition_by
        && t.partition_key.as_deref().map(squash_ws) != Some(squash_ws(k))
    {
        fail(
            item,
            ItemRule::TablePartition,
            &tq,
            format!("{tq} is not partitioned by {k}"),
            k.clone(),
            t.partition_key
                .clone()
                .unwrap_or_else(|| "not partitioned".into()),
        );
    }
    if let Some(p) = &spec.partition_of {
        let (s, n) = ctx.qualify(p, None);
        if t.partition_of
            .as_ref()
            .is_none_or(|x| x.schema != s || x.name != n)
        {
            fail(
                item,
                ItemRule::TablePartition,
                &tq,
                format!("{tq} is not a partition of {p}"),
                p.clone(),
                "not attached".into(),
            );
        }
    }
    for x in &spec.exclusions {
        let x = x.get_ref();
        let mark = item.mark();
        let found = t.constraints.iter().any(|c| {
            c.kind == ConstraintKind::Exclusion
                && (x.name.as_ref().is_some_and(|n| *n == c.name)
                    || squash_ws(&c.definition).starts_with(&squash_ws(&x.definition)))
        });
        if !found {
            let key = x.name.clone().unwrap_or_else(|| x.definition.clone());
            let f = item.fail_with(
                ItemRule::ExclusionMissing,
                tq.clone(),
                format!("{tq} lacks {}", x.definition),
                x.severity,
                x.why.as_deref(),
            );
            f.expected = Some(x.definition.clone());
            f.actual = Some("absent".into());
            f.id = format!("exclusion.missing:{tq}/{key}");
        }
        item.assume_since(mark, crate::checklist::assumed::assumption(&x.assumed));
    }
    let mut timing = |cols: &[String], kind: ConstraintKind, want: Option<&'static str>| {
        let Some(want) = want else { return };
        let mut sorted = cols.to_vec();
        sorted.sort();
        let Some(c) = t.constraints.iter().find(|c| {
            let mut have = c.columns.clone();
            have.sort();
            c.kind == kind && have == sorted
        }) else {
            return;
        };
        if c.timing() != want {
            let f = item.fail(
                ItemRule::ConstraintDeferrable,
                tq.clone(),
                format!(
                    "constraint {} on {tq} is {}, expected {want}",
                    quote_ident(&c.name),
                    c.timing()
                ),
            );
            f.expected = Some(want.into());
            f.actual = Some(c.timing().into());
            f.id = format!("constraint.deferrable:{tq}/{}", c.name);
        }
    };
    for u in &spec.unique {
        let u = u.get_ref();
        timing(
            &u.columns,
            ConstraintKind::Unique,
            crate::checklist::stated_timing(u.deferrable, u.initially_deferred),
        );
    }
    for fk in &spec.foreign_keys {
        let fk = fk.get_ref();
        timing(
            &fk.columns,
            ConstraintKind::ForeignKey,
            crate::checklist::stated_timing(fk.deferrable, fk.initially_deferred),
        );
    }
}

/// A finding when `g.role` lacks some of what `g` allows.
fn lacking_grant(
    item: &mut Item,
    rule: ItemRule,
    object: &str,
    g: &crate::checklist::GrantSpec,
    have: &std::collections::BTreeSet<crate::db::catalog::Privilege>,
) {
    let lacking: Vec<&String> = g
        .allow
        .iter()
        .filter(|p| crate::db::catalog::Privilege::named(p).is_none_or(|p| !have.contains(&p)))
        .collect();
    if lacking.is_empty() {
        return;
    }
    let list: Vec<&str> = lacking.iter().map(|s| s.as_str()).collect();
    let f = item.fail(
        rule,
        object.to_string(),
        format!(
            "{} lacks {} on {object}",
            quote_ident(&g.role),
            list.join(", ")
        ),
    );
    f.expected = Some(g.allow.join(", "));
    f.actual = Some(if have.is_empty() {
        "no privilege".into()
    } else {
        have.iter()
            .map(|p| p.as_sql())
            .collect::<Vec<_>>()
            .join(", ")
    });
    f.id = format!("{}:{object}/{}", rule.as_str(), g.role);
}

fn column(item: &mut Item, tq: &str, c: &crate::checklist::ColumnSpec, col: &Column) {
    let object = format!("{tq}.{}", quote_ident(&c.name));
    if let Some(want) = &c.identity {
        let have = match col.identity {
            Some(crate::db::catalog::IdentityKind::Always) => "always",
            Some(crate::db::catalog::IdentityKind::ByDefault) => "by default",
            None => "none",
        };
        if !want.eq_ignore_ascii_case(have) {
            fail(
                item,
                ItemRule::ColumnIdentity,
                &object,
                format!("column {object} is identity {have}, expected {want}"),
                want.clone(),
                have.into(),
            );
        }
    }
    if let Some(want) = &c.generated
        && col.generated.as_deref().map(squash_ws) != Some(squash_ws(want))
    {
        fail(
            item,
            ItemRule::ColumnGenerated,
            &object,
            format!("column {object} is not generated as {want}"),
            want.clone(),
            col.generated
                .clone()
                .unwrap_or_else(|| "not generated".into()),
        );
    }
    if let Some(want) = &c.collation
        && col.collation.as_deref() != Some(want.as_str())
    {
        fail(
            item,
            ItemRule::ColumnCollation,
            &object,
            format!(
                "column {object} has collation {}, expected {want}",
                col.collation.as_deref().unwrap_or("default")
            ),
            want.clone(),
            col.collation.clone().unwrap_or_else(|| "default".into()),
        );
    }
    comment(item, "column", &object, &c.comment, &col.comment);
}

/// The details of a `[[view]]` item that exists.
/// A definition is compared only when a snapshot wrote it: PostgreSQL prints a query or a
/// function its own way (`SELECT t.id FROM t` for `select id from public.t`), so a hand-written
/// one only creates what is missing.
pub(crate) fn view(spec: &ViewItem, v: &Table, item: &mut Item, snapshot: bool) {
    let vq = q(&v.schema, &v.name);
    let materialized = v.kind == RelationKind::MaterializedView;
    let barrier = v.options.iter().any(|x| x == "security_barrier=true");
    let differs = spec
        .definition
        .as_ref()
        .filter(|_| snapshot)
        .is_some_and(|d| v.definition.as_deref().map(squash_ws) != Some(squash_ws(d)))
        || materialized != spec.materialized
        || spec.security_barrier.is_some_and(|b| b != barrier);
    if differs {
        fail(
            item,
            ItemRule::ViewDefinition,
            &vq,
            format!("view {vq} is defined otherwise"),
            spec.definition.clone().unwrap_or_default(),
            v.definition.clone().unwrap_or_default(),
        );
    } else if spec.check_option.is_some() && spec.check_option != v.check_option {
        fail(
            item,
            ItemRule::ViewCheckOption,
            &vq,
            format!("view {vq} has another check option"),
            spec.check_option.clone().unwrap_or_default(),
            v.check_option.clone().unwrap_or_else(|| "none".into()),
        );
    }
    let word = if materialized {
        "materialized view"
    } else {
        "view"
    };
    comment(item, word, &vq, &spec.comment, &v.comment);
}

/// The details of a `[[function]]` item that exists.
pub(crate) fn function(
    spec: &FunctionItem,
    f: &Function,
    object: &str,
    item: &mut Item,
    snapshot: bool,
) {
    if let Some(d) = spec
        .definition
        .as_ref()
        .filter(|_| snapshot && !spec.suggested)
        && f.definition.as_deref().map(squash_ws) != Some(squash_ws(d))
    {
        fail(
            item,
            ItemRule::FunctionDefinition,
            object,
            format!("function {object} has another body or attributes"),
            "as the checklist defines it".into(),
            "another definition".into(),
        );
    }
    let target = format!("{}({})", q(&f.schema, &f.name), f.identity_arguments);
    comment(item, "function", &target, &spec.comment, &f.comment);
}
