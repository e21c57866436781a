//! Schemas, extensions, enums, indexes, views, triggers and functions.

use crate::check::ItemResult;
use crate::checklist::IndexKey;
use crate::db::catalog::{Index, RelationKind, Table, TriggerEnabled, TriggerEvent, TriggerTiming};
use crate::rules::{ItemKind, ItemRule};
use crate::sql::types;
use crate::sql::{quote_ident, quote_literal};

use super::{Ctx, q};
use crate::checklist::naming::{snake_case, squash};

pub(crate) fn schemas(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for s in &ctx.cl.file.schemas {
        let spec = s.get_ref();
        let object = quote_ident(&spec.name);
        let mut item = ctx.item(
            ItemKind::Schema,
            object.clone(),
            s.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        if !ctx.snap.schemas.iter().any(|x| x.name == spec.name) {
            item.fail(
                ItemRule::SchemaMissing,
                object.clone(),
                format!("schema {object} does not exist"),
            )
            .actual = Some("absent".into());
        }
        item.done(out);
    }
}

pub(crate) fn extensions(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for e in &ctx.cl.file.extensions {
        let spec = e.get_ref();
        let object = format!("extension {}", quote_ident(&spec.name));
        let mut item = ctx.item(
            ItemKind::Extension,
            object.clone(),
            e.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        match ctx.snap.extensions.iter().find(|x| x.name == spec.name) {
            None => {
                item.fail(
                    ItemRule::ExtensionMissing,
                    object.clone(),
                    format!("{object} is not installed"),
                )
                .actual = Some("absent".into());
            }
            Some(x) => {
                if let Some(want) = &spec.schema
                    && &x.schema != want
                {
                    let f = item.fail(
                        ItemRule::ExtensionSchema,
                        object.clone(),
                        format!(
                            "{object} is installed in schema {}, expected {}",
                            x.schema, want
                        ),
                    );
                    f.expected = Some(want.clone());
                    f.actual = Some(x.schema.clone());
                }
                if let Some(want) = &spec.version
                    && &x.version != want
                {
                    let f = item.fail(
                        ItemRule::ExtensionVersion,
                        object.clone(),
                        format!("{object} is version {}, expected {want}", x.version),
                    );
                    f.expected = Some(want.clone());
                    f.actual = Some(x.version.clone());
                }
            }
        }
        item.done(out);
    }
}

pub(crate) fn enums(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for e in &ctx.cl.file.enums {
        let spec = e.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::Enum,
            object.clone(),
            e.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let values = spec.all_values();
        let want = values
            .iter()
            .map(|v| quote_literal(v))
            .collect::<Vec<_>>()
            .join(", ");
        let guessed = || {
            crate::checklist::assumed::assumption(&spec.assumed).or_else(|| {
                Some(format!(
                    "the labels {} are not stated by the checklist's source",
                    spec.assumed_values
                        .iter()
                        .map(|v| quote_literal(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        };
        match ctx.snap.enum_(&schema, &name) {
            None => {
                let f = item.fail(
                    ItemRule::EnumMissing,
                    object.clone(),
                    format!("enum type {object} does not exist"),
                );
                f.expected = Some(format!("ENUM ({want})"));
                f.actual = Some("absent".into());
            }
            Some(en) => {
                let have = en
                    .labels
                    .iter()
                    .map(|v| quote_literal(v))
                    .collect::<Vec<_>>()
                    .join(", ");
                for v in values.iter().filter(|v| !en.labels.contains(v)) {
                    let f = item.fail(
                        ItemRule::EnumValueMissing,
                        object.clone(),
                        format!("enum {object} lacks the value {}", quote_literal(v)),
                    );
                    f.id = format!("enum.value_missing:{object}/{v}");
                    f.expected = Some(format!("ENUM ({want})"));
                    f.actual = Some(format!("ENUM ({have})"));
                    if spec.assumed_values.contains(v) {
                        f.assume(guessed());
                    }
                }
                if spec.exact && en.labels != values && values.iter().all(|v| en.labels.contains(v))
                {
                    let f = item.fail(
                        ItemRule::EnumOrder,
                        object.clone(),
                        format!("enum {object} is ({have}), expected exactly ({want})"),
                    );
                    f.expected = Some(format!("ENUM ({want})"));
                    f.actual = Some(format!("ENUM ({have})"));
                    if !spec.assumed_values.is_empty() {
                        f.assume(guessed());
                    }
                }
            }
        }
        item.done(out);
    }
}

fn index_matches(i: &Index, keys: &[IndexKey]) -> bool {
    i.columns.len() == keys.len()
        && i.columns
            .iter()
            .zip(keys)
            .all(|(have, want)| match (have, want) {
                (Some(name), IndexKey::Column(w)) => name == w || quote_ident(name) == *w,
                (Some(name), k) => k.column() == Some(name.as_str()),
                (None, k) => k
                    .expression()
                    .is_some_and(|e| squash(&i.definition).contains(&squash(e))),
            })
}

pub(crate) fn indexes(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for ix in &ctx.cl.file.indexes {
        let spec = ix.get_ref();
        let (schema, table) = ctx.qualify(&spec.table, spec.schema.as_deref());
        let tq = q(&schema, &table);
        let label = format!("index on {tq} ({})", spec.labels().join(", "));
        let object = match &spec.name {
            Some(n) => q(&schema, n),
            None => label.clone(),
        };
        let mut item = ctx.item(
            ItemKind::Index,
            object.clone(),
            ix.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let expected = format!(
            "{}INDEX ON {tq} ({}){}",
            if spec.unique == Some(true) {
                "UNIQUE "
            } else {
                ""
            },
            spec.labels().join(", "),
            spec.predicate
                .as_ref()
                .map(|p| format!(" WHERE {p}"))
                .unwrap_or_default()
        );
        let Some(t) = ctx.snap.table(&schema, &table) else {
            let f = item.fail(
                ItemRule::IndexMissing,
                object.clone(),
                format!("{label} is missing: table {tq} does not exist"),
            );
            f.expected = Some(expected);
            f.actual = Some("table absent".into());
            item.done(out);
            continue;
        };
        let found = t.indexes.iter().any(|i| {
            i.is_valid
                && index_matches(i, &spec.columns)
                && spec.unique.is_none_or(|u| u == i.is_unique)
                && spec
                    .method
                    .as_ref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(&i.method))
                && match (&spec.predicate, &i.predicate) {
                    (None, _) => true,
                    (Some(w), Some(h)) => types::expr_key(h).contains(&types::expr_key(w)),
                    (Some(_), None) => false,
                }
        });
        if !found {
            let f = item.fail(
                ItemRule::IndexMissing,
                object.clone(),
                format!("{label} is missing"),
            );
            f.expected = Some(expected);
            f.actual = Some(format!("{} other indexes on {tq}", t.indexes.len()));
        }
        item.done(out);
    }
}

pub(crate) fn views(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for v in &ctx.cl.file.views {
        let spec = v.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = q(&schema, &name);
        let mut item = ctx.item(
            ItemKind::View,
            object.clone(),
            v.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let over: Option<&Table> = spec.over.as_ref().and_then(|o| {
            let (s, n) = ctx.qualify(o, None);
            ctx.snap.table(&s, &n)
        });
        let mut want: Vec<String> = spec.columns.clone().unwrap_or_default();
        if spec.snake_case
            && let Some(t) = over
        {
            want.extend(t.columns.iter().map(|c| snake_case(&c.name)));
        }
        let view = ctx
            .snap
            .table(&schema, &name)
            .filter(|t| matches!(t.kind, RelationKind::View | RelationKind::MaterializedView));
        let Some(view) = view else {
            let f = item.fail(
                ItemRule::ViewMissing,
                object.clone(),
                format!("view {object} does not exist"),
            );
            f.expected = Some(match &spec.over {
                Some(o) => format!("view over {o} exposing {}", want.join(", ")),
                None => format!("view exposing {}", want.join(", ")),
            });
            f.actual = Some("absent".into());
            item.done(out);
            continue;
        };
        let missing: Vec<&String> = want
            .iter()
            .filter(|c| !view.columns.iter().any(|vc| vc.name == **c))
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ");
            let f = item.fail(
                ItemRule::ViewColumns,
                object.clone(),
                format!("view {object} lacks columns {list}"),
            );
            f.expected = Some(want.join(", "));
            f.actual = Some(
                view.columns
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        if let Some(want_invoker) = spec.security_invoker
            && ctx.snap.server.version_num >= 150000
            && view.security_invoker != Some(want_invoker)
        {
            let f = item.fail(
                ItemRule::ViewSecurityInvoker,
                object.clone(),
                format!(
                    "view {object} has security_invoker={}, expected {want_invoker}",
                    view.security_invoker.unwrap_or(false)
                ),
            );
            f.expected = Some(format!("security_invoker={want_invoker}"));
            f.actual = Some(format!(
                "security_invoker={}",
                view.security_invoker.unwrap_or(false)
            ));
        }
        super::lossless::view(spec, view, &mut item, ctx.cl.file.checklist.snapshot);
        item.done(out);
    }
}

pub(crate) fn triggers(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for tr in &ctx.cl.file.triggers {
        let spec = tr.get_ref();
        let (schema, table) = ctx.qualify(&spec.table, spec.schema.as_deref());
        let tq = q(&schema, &table);
        let object = match &spec.name {
            Some(n) => format!("trigger {} on {tq}", quote_ident(n)),
            None => format!("trigger on {tq}"),
        };
        let mut item = ctx.item(
            ItemKind::Trigger,
            object.clone(),
            tr.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let func = spec
            .function
            .as_ref()
            .map(|f| ctx.qualify(f.trim_end_matches("()"), None));
        let timing = spec
            .timing
            .as_ref()
            .map(|t| t.to_ascii_lowercase().replace('_', " "));
        let events: Vec<String> = spec
            .events
            .iter()
            .flatten()
            .map(|e| e.to_ascii_lowercase())
            .collect();
        // Views too: INSTEAD OF triggers.
        let found = ctx.snap.table(&schema, &table).and_then(|t| {
            t.triggers.iter().find(|g| {
                spec.name.as_ref().is_none_or(|n| &g.name == n)
                    && func
                        .as_ref()
                        .is_none_or(|(s, n)| g.function.schema == *s && g.function.name == *n)
                    && timing.as_ref().is_none_or(|w| {
                        let have = match g.timing {
                            TriggerTiming::Before => "before",
                            TriggerTiming::After => "after",
                            TriggerTiming::InsteadOf => "instead of",
                        };
                        w == have
                    })
                    && events.iter().all(|e| {
                        g.events.iter().any(|ge| {
                            let have = match ge {
                                TriggerEvent::Insert => "insert",
                                TriggerEvent::Update => "update",
                                TriggerEvent::Delete => "delete",
                                TriggerEvent::Truncate => "truncate",
                            };
                            have == e
                        })
                    })
            })
        });
        match found {
            None => {
                let f = item.fail(
                    ItemRule::TriggerMissing,
                    object.clone(),
                    format!("{object} is missing"),
                );
                f.expected = Some(format!(
                    "{} {} trigger{}",
                    timing.unwrap_or_default().to_uppercase(),
                    events.join(" OR ").to_uppercase(),
                    func.map(|(s, n)| format!(" executing {}()", q(&s, &n)))
                        .unwrap_or_default()
                ));
                f.actual = Some("absent".into());
            }
            Some(g) if spec.enabled && g.enabled == TriggerEnabled::Disabled => {
                let f = item.fail(
                    ItemRule::TriggerDisabled,
                    object.clone(),
                    format!("{object} exists but is disabled"),
                );
                f.expected = Some("enabled".into());
                f.actual = Some("disabled".into());
            }
            Some(_) => {}
        }
        item.done(out);
    }
}

pub(crate) fn functions(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for fu in &ctx.cl.file.functions {
        let spec = fu.get_ref();
        let (schema, name) = ctx.qualify(&spec.name, spec.schema.as_deref());
        let object = format!(
            "{}({})",
            q(&schema, &name),
            spec.arguments.as_deref().unwrap_or("…")
        );
        let mut item = ctx.item(
            ItemKind::Function,
            object.clone(),
            fu.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let candidates: Vec<_> = ctx
            .snap
            .functions_named(&schema, &name)
            .filter(|f| {
                spec.arguments
                    .as_ref()
                    .is_none_or(|a| squash(a) == squash(&f.identity_arguments))
            })
            .collect();
        let Some(f) = candidates.first() else {
            let fi = item.fail(
                ItemRule::FunctionMissing,
                object.clone(),
                format!("function {object} does not exist"),
            );
            fi.actual = Some("absent".into());
            item.done(out);
            continue;
        };
        let ds = ctx.cl.default_schema();
        if let Some(r) = &spec.returns
            && !f
                .result
                .as_deref()
                .is_some_and(|have| types::matches(r, have, ds))
        {
            let fi = item.fail(
                ItemRule::FunctionReturns,
                object.clone(),
                format!(
                    "function {object} returns {}, expected {r}",
                    f.result.as_deref().unwrap_or("nothing")
                ),
            );
            fi.expected = Some(r.clone());
            fi.actual = f.result.clone();
        }
        if let Some(l) = &spec.language
            && !l.eq_ignore_ascii_case(&f.language)
        {
            let fi = item.fail(
                ItemRule::FunctionLanguage,
                object.clone(),
                format!("function {object} is LANGUAGE {}, expected {l}", f.language),
            );
            fi.expected = Some(l.clone());
            fi.actual = Some(f.language.clone());
        }
        if let Some(sd) = spec.security_definer
            && sd != f.security_definer
        {
            let word = |b: bool| {
                if b {
                    "SECURITY DEFINER"
                } else {
                    "SECURITY INVOKER"
                }
            };
            let fi = item.fail(
                ItemRule::FunctionSecurity,
                object.clone(),
                format!(
                    "function {object} is {}, expected {}",
                    word(f.security_definer),
                    word(sd)
                ),
            );
            fi.expected = Some(word(sd).into());
            fi.actual = Some(word(f.security_definer).into());
        }
        super::lossless::function(spec, f, &object, &mut item, ctx.cl.file.checklist.snapshot);
        if let Some(want) = spec.search_path_set {
            let has = f.config.iter().any(|c| c.starts_with("search_path="));
            if has != want {
                let fi = item.fail(
                    ItemRule::FunctionSearchPath,
                    object.clone(),
                    format!(
                        "function {object} {} its search_path",
                        if has { "pins" } else { "does not pin" }
                    ),
                );
                fi.expected = Some(
                    if want {
                        "SET search_path = …"
                    } else {
                        "no search_path setting"
                    }
                    .into(),
                );
                fi.actual = Some(f.config.join(", "));
            }
        }
        item.done(out);
    }
}
