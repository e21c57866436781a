//! Triggers and function settings.
//!
//! A trigger is built only when the checklist names its function, timing and events, and the
//! function exists (a checklist cannot give a function's body, so `function.missing` has no
//! plan). Row-level unless it fires on TRUNCATE.
//!
//! `search_path`: a function is pinned to `pg_catalog, <its own schema>, pg_temp` rather than
//! to `''`. An empty path is the strictest, but it breaks every unqualified name in the body,
//! and application functions are written with unqualified names that resolve in their own
//! schema; this keeps them working while taking the path out of the caller's hands
//! (`pg_catalog` first so built-ins cannot be shadowed, `pg_temp` last so temporary objects
//! cannot). Names from other schemas (e.g. `extensions`) must then be qualified: a hazard says
//! so.

use crate::check::Finding;
use crate::checklist::{Checklist, TriggerItem};
use crate::db::catalog::{Function, FunctionKind, Trigger, TriggerEnabled};
use crate::rules::{ItemRule, Rule};
use crate::sql::stmt::comment_on;
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
use super::names;
use super::plan::Plan;
use crate::checklist::naming::squash;

/// `trigger "x" on public.t` / `trigger on public.t`, as the check names the item.
pub(crate) fn trigger_object(item: &TriggerItem, tq: &str) -> String {
    match &item.name {
        Some(n) => format!("trigger {} on {tq}", quote_ident(n)),
        None => format!("trigger on {tq}"),
    }
}

/// The `[[trigger]]` items on `schema.table`.
pub(crate) fn triggers_on<'a>(
    cx: &Cx<'a>,
    schema: &str,
    table: &str,
) -> Vec<(&'a Checklist, &'a TriggerItem)> {
    cx.triggers_on(schema, table).to_vec()
}

pub(crate) struct TriggerDef {
    pub name: String,
    pub create: String,
    pub drop: String,
    pub fixes: String,
}

/// The trigger an item describes, or why it cannot be built.
pub(crate) fn trigger_def(
    cx: &Cx,
    cl: &Checklist,
    item: &TriggerItem,
    schema: &str,
    table: &str,
    existing: &[Trigger],
) -> Result<TriggerDef, String> {
    let tq = qualified(schema, table);
    if let (Some(def), Some(name)) = (&item.definition, &item.name) {
        // PostgreSQL's own `pg_get_triggerdef`: one CREATE [CONSTRAINT] TRIGGER statement.
        let head: &[&str] = if def
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("create constraint")
        {
            &["create", "constraint", "trigger"]
        } else {
            &["create", "trigger"]
        };
        crate::sql::guard::statement(def, head, "the trigger's definition")?;
        let n = quote_ident(name);
        return Ok(TriggerDef {
            create: crate::sql::guard::trim_statement(def).to_string(),
            drop: format!("DROP TRIGGER IF EXISTS {n} ON {tq}"),
            fixes: format!("trigger.missing:{}", trigger_object(item, &tq)),
            name: name.clone(),
        });
    }
    let func = item
        .function
        .as_deref()
        .ok_or("the checklist does not name its function")?;
    let (fs, fname) = cl.qualify(func.trim_end_matches("()"), None);
    let f = cx
        .snap
        .functions_named(&fs, &fname)
        .find(|f| f.identity_arguments.is_empty() && f.result.as_deref() == Some("trigger"))
        .ok_or_else(|| {
            format!(
                "trigger function {}() does not exist",
                qualified(&fs, &fname)
            )
        })?;
    let timing = match item
        .timing
        .as_deref()
        .map(|t| t.to_ascii_lowercase().replace('_', " "))
    {
        Some(t) if t == "before" || t == "after" || t == "instead of" => t.to_uppercase(),
        _ => return Err("the checklist does not give its timing".into()),
    };
    let events: Vec<String> = item
        .events
        .iter()
        .flatten()
        .map(|e| e.to_ascii_uppercase())
        .collect();
    if events.is_empty()
        || events
            .iter()
            .any(|e| !matches!(e.as_str(), "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE"))
    {
        return Err("the checklist does not give its events".into());
    }
    let taken: Vec<&str> = existing.iter().map(|t| t.name.as_str()).collect();
    let name = match &item.name {
        Some(n) => n.clone(),
        None => names::unique(names::fit(&format!("{table}_{fname}_trigger")), &taken),
    };
    let level = if events.iter().any(|e| e == "TRUNCATE") {
        "STATEMENT"
    } else {
        "ROW"
    };
    let n = quote_ident(&name);
    Ok(TriggerDef {
        create: format!(
            "CREATE TRIGGER {n} {timing} {} ON {tq} FOR EACH {level} EXECUTE FUNCTION {}()",
            events.join(" OR "),
            qualified(&f.schema, &f.name)
        ),
        drop: format!("DROP TRIGGER IF EXISTS {n} ON {tq}"),
        fixes: format!("trigger.missing:{}", trigger_object(item, &tq)),
        name,
    })
}

/// `trigger.missing` on an existing table (a missing table's plan creates its triggers).
pub(crate) fn trigger_missing(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, item) = cx.item(f, |c| &c.triggers)?;
    let (schema, table) = cl.qualify(&item.table, item.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    // Views too (INSTEAD OF triggers), and relations another plan creates first (with a
    // definition, which needs nothing from the snapshot).
    let existing: &[crate::db::catalog::Trigger] = match cx.snap.table(&schema, &table) {
        Some(t) => &t.triggers,
        None if item.definition.is_some() => &[],
        None => return None,
    };
    let tq = qualified(&schema, &table);
    let d = trigger_def(cx, cl, item, &schema, &table, existing).ok()?;
    let n = quote_ident(&d.name);
    let mut b = B::new(&f.id, format!("create trigger {n} on {tq}"));
    b.table(&tq);
    if let Some(old) = existing.iter().find(|g| g.name == d.name) {
        b.tx(format!("drop the differing trigger {n}"), &d.drop)
            .undo_tx(format!("drop trigger {n}"), &d.drop)
            .undo_tx(format!("restore the old trigger {n}"), &old.definition);
    } else {
        b.undo_tx(format!("drop trigger {n}"), &d.drop);
    }
    b.tx(format!("create trigger {n}"), &d.create)
        .lock(
            &tq,
            locks::SHARE_ROW_EXCLUSIVE,
            format!("blocks writes to {tq} while the trigger is created (brief)"),
        )
        .hazard(format!(
            "the trigger runs on every matching write to {tq} from then on"
        ));
    Some(b.done())
}

/// `trigger.disabled`: `ENABLE TRIGGER`.
pub(crate) fn trigger_disabled(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, item) = cx.item(f, |c| &c.triggers)?;
    let (schema, table) = cl.qualify(&item.table, item.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let t = cx.table(&schema, &table)?;
    let name = item.name.as_ref()?;
    let g = t
        .triggers
        .iter()
        .find(|g| &g.name == name && g.enabled == TriggerEnabled::Disabled)?;
    let tq = qualified(&schema, &table);
    let n = quote_ident(&g.name);
    let mut b = B::new(&f.id, format!("enable trigger {n} on {tq}"));
    b.table(&tq)
        .tx(
            format!("enable trigger {n}"),
            format!("ALTER TABLE {tq} ENABLE TRIGGER {n}"),
        )
        .undo_tx(
            format!("disable trigger {n}"),
            format!("ALTER TABLE {tq} DISABLE TRIGGER {n}"),
        )
        .lock(
            &tq,
            locks::SHARE_ROW_EXCLUSIVE,
            format!("blocks writes to {tq} (brief)"),
        )
        .hazard(format!(
            "the trigger runs on every matching write to {tq} from then on"
        ));
    Some(b.done())
}

fn keyword(f: &Function) -> &'static str {
    match f.kind {
        FunctionKind::Procedure => "PROCEDURE",
        _ => "FUNCTION",
    }
}

/// `function.search_path` and `lint.function_search_path_mutable`.
pub(crate) fn search_path(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (func, want) = if f.rule == Rule::Item(ItemRule::FunctionSearchPath) {
        let (cl, item) = cx.item(f, |c| &c.functions)?;
        let (schema, name) = cl.qualify(&item.name, item.schema.as_deref());
        let func = cx.snap.functions.iter().find(|x| {
            x.schema == schema
                && x.name == name
                && item
                    .arguments
                    .as_ref()
                    .is_none_or(|a| squash(a) == squash(&x.identity_arguments))
        })?;
        (func, item.search_path_set?)
    } else {
        // By a map built once (a scan formatting every function per finding was quadratic).
        (cx.function_by_object(&f.object)?, true)
    };
    if cx.managed(&func.schema) || matches!(func.language.as_str(), "c" | "internal") {
        return None;
    }
    let fq = format!(
        "{}({})",
        qualified(&func.schema, &func.name),
        func.identity_arguments
    );
    let kw = keyword(func);
    let old = func
        .config
        .iter()
        .find_map(|c| c.strip_prefix("search_path="));
    let path = format!("pg_catalog, {}, pg_temp", quote_ident(&func.schema));
    let mut b = B::new(
        &f.id,
        if want {
            format!("pin the search_path of {fq}")
        } else {
            format!("drop the search_path setting of {fq}")
        },
    );
    if want {
        b.tx(
            format!("set search_path = {path}"),
            format!("ALTER {kw} {fq} SET search_path = {path}"),
        )
        .hazard(format!(
            "{fq} now resolves unqualified names in pg_catalog and {} only: names it uses from \
             other schemas (extensions, auth, …) must be schema-qualified or it fails at run time",
            quote_ident(&func.schema)
        ));
    } else {
        b.tx(
            "reset search_path",
            format!("ALTER {kw} {fq} RESET search_path"),
        )
        .hazard(format!(
            "{fq} then resolves names through each caller's search_path"
        ));
    }
    match old {
        Some(v) => {
            let v = if v == "\"\"" { "''" } else { v };
            b.undo_tx(
                format!("restore search_path = {v}"),
                format!("ALTER {kw} {fq} SET search_path = {v}"),
            )
        }
        None => b.undo_tx(
            "reset search_path",
            format!("ALTER {kw} {fq} RESET search_path"),
        ),
    };
    Some(b.done())
}

/// `function.missing`, `function.definition` (and `.returns`, `.language`, `.security` when the
/// item gives the definition): the item's `definition`, PostgreSQL's own `CREATE OR REPLACE`
/// statement, run as it is. A function whose result type changes must be dropped first, which
/// PostgreSQL says (the plan then fails, changing nothing).
pub(crate) fn define(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, item) = cx.item(f, |c| &c.functions)?;
    let (schema, name) = cl.qualify(&item.name, item.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let def = item.definition.as_deref()?;
    crate::sql::guard::statement(
        def,
        &["create", "or", "replace"],
        "the function's definition",
    )
    .ok()?;
    // It must define this very function.
    let toks = crate::sql::lex::tokens(def).ok()?;
    let chains = crate::sql::lex::name_chains(&toks);
    // CREATE OR REPLACE FUNCTION|PROCEDURE <schema>.<name>(…
    let names_it = matches!(
        chains.get(4).map(Vec::as_slice),
        Some([s, n]) if *s == schema && *n == name
    ) && matches!(
        chains.get(3).map(Vec::as_slice),
        Some([k]) if k == "function" || k == "procedure"
    );
    if !names_it {
        return None;
    }
    let fq = qualified(&schema, &name);
    let old = cx
        .snap
        .functions_named(&schema, &name)
        .find(|g| Some(g.identity_arguments.as_str()) == item.arguments.as_deref())
        .and_then(|g| g.definition.clone());
    let mut b = B::new(&f.id, format!("define function {fq}"));
    // One statement mends every difference the item found in this function.
    for r in [
        "function.missing",
        "function.definition",
        "function.returns",
        "function.language",
        "function.security",
    ] {
        b.covers(format!("{r}:{}", f.object));
    }
    b.tx(
        format!("create or replace {fq}"),
        crate::sql::guard::trim_statement(def).to_string(),
    );
    match old {
        Some(o) => {
            b.undo_tx(
                format!("restore the previous {fq}"),
                crate::sql::guard::trim_statement(&o).to_string(),
            );
        }
        None => {
            if let Some(args) = &item.arguments {
                crate::sql::guard::expression(&format!("({args})"), "the arguments").ok()?;
                b.undo_tx(
                    format!("drop {fq}"),
                    format!("DROP ROUTINE {fq}({args}) RESTRICT"),
                );
            }
        }
    }
    if let (Some(c), Some(args)) = (&item.comment, &item.arguments) {
        crate::sql::guard::expression(&format!("({args})"), "the arguments").ok()?;
        let target = format!("{fq}({args})");
        b.tx(
            format!("comment on function {target}"),
            comment_on("FUNCTION", &target, Some(c)),
        )
        .covers(format!("comment.mismatch:function {target}"));
    }
    b.hazard("callers use the new body from their next call; a changed result type is refused by PostgreSQL (drop the function first)");
    Some(b.done())
}
