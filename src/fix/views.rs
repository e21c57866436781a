//! Views: `view.missing` (a view over the item's `over` table: its columns renamed to
//! snake_case, or the listed ones), `view.security_invoker` and the
//! `view_without_security_invoker` lint. Views are created `security_invoker = true` on
//! PostgreSQL 15+ unless the item says otherwise, so they apply the caller's row-level
//! security; before 15 that option does not exist, which a hazard says.

use crate::check::Finding;
use crate::db::catalog::RelationKind;
use crate::sql::{qualified, quote_ident};

use super::build::{B, locks};
use super::cx::Cx;
use super::grants;
use super::plan::Plan;
use crate::checklist::naming::snake_case;

pub(crate) const INVOKER_VERSION: i32 = 150000;

#[path = "views_defined.rs"]
mod defined;
pub(crate) use defined::{readers, replace};

/// The view's select list, without two columns of one name.
#[derive(Default)]
struct Cols {
    outs: Vec<String>,
    select: Vec<String>,
}

impl Cols {
    fn add(&mut self, col: &str, out: String, oq: &str, b: &mut B) {
        if self.outs.contains(&out) {
            b.hazard(format!(
                "{oq}.{} would be a second column {}: left out",
                quote_ident(col),
                quote_ident(&out)
            ));
            return;
        }
        self.select.push(if out == col {
            quote_ident(col)
        } else {
            format!("{} AS {}", quote_ident(col), quote_ident(&out))
        });
        self.outs.push(out);
    }
}

pub(crate) fn create(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.views)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) || cx.snap.table(&schema, &name).is_some() {
        return None;
    }
    if spec.definition.is_some() {
        return defined::create(cx, f, spec, &schema, &name);
    }
    let (os, on) = cl.qualify(spec.over.as_deref()?, None);
    // The table's columns: as it is, or as the checklist will create it.
    let source: Vec<String> = match cx.snap.table(&os, &on) {
        Some(t) => t.columns.iter().map(|c| c.name.to_string()).collect(),
        None => {
            let (_, t) = cx.table_spec(&os, &on)?;
            let mut cols: Vec<String> = t.primary_key.clone().unwrap_or_default();
            for c in t.columns.iter().map(|c| c.get_ref().name.to_string()) {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
            cols
        }
    };
    let vq = qualified(&schema, &name);
    let oq = qualified(&os, &on);
    let mut b = B::new(&f.id, format!("create view {vq} over {oq}"));
    let mut cols = Cols::default();
    if spec.snake_case {
        for c in &source {
            cols.add(c, snake_case(c), &oq, &mut b);
        }
    }
    for c in spec.columns.iter().flatten() {
        if cols.outs.contains(c) {
            continue;
        }
        if !source.contains(c) {
            return None; // the checklist names a column the table cannot give
        }
        cols.add(c, c.clone(), &oq, &mut b);
    }
    if cols.select.is_empty() {
        for c in &source {
            cols.add(c, c.clone(), &oq, &mut b);
        }
    }
    let select = cols.select;
    let invoker = spec.security_invoker.unwrap_or(true);
    let with = if cx.server_version() >= INVOKER_VERSION {
        format!(" WITH (security_invoker = {invoker})")
    } else {
        if invoker {
            b.hazard(format!(
                "PostgreSQL {} has no security_invoker (15+): {vq} runs with its owner's rights and \
                 bypasses row-level security on {oq} for everyone who may read it",
                cx.server_version() / 10000
            ));
        }
        String::new()
    };
    b.tx(
        format!("create view {vq}"),
        format!(
            "CREATE VIEW {vq}{with} AS\nSELECT {}\nFROM {oq}",
            select.join(", ")
        ),
    );
    grants::for_new_relation(cx, &mut b, &schema, &name);
    b.undo_tx(format!("drop view {vq}"), format!("DROP VIEW {vq}"))
        .table(&oq);
    Some(b.done())
}

fn set_invoker(cx: &Cx, f: &Finding, want: bool) -> Option<Plan> {
    let v = cx.relation_by_object(&f.object)?;
    if cx.managed(&v.schema)
        || v.kind != RelationKind::View
        || cx.server_version() < INVOKER_VERSION
        || v.security_invoker == Some(want)
    {
        return None;
    }
    let vq = qualified(&v.schema, &v.name);
    let had = v
        .options
        .iter()
        .find_map(|o| o.strip_prefix("security_invoker="));
    let mut b = B::new(&f.id, format!("set security_invoker = {want} on {vq}"));
    b.tx(
        format!("set security_invoker = {want}"),
        format!("ALTER VIEW {vq} SET (security_invoker = {want})"),
    )
    .lock(&vq, locks::ACCESS_EXCLUSIVE, locks::brief(&vq))
    .hazard(if want {
        format!(
            "readers of {vq} now see only the rows the policies of the tables beneath allow them, \
             and need privileges on those tables themselves"
        )
    } else {
        format!("{vq} then runs with its owner's rights and bypasses row-level security beneath")
    });
    match had {
        Some(old) => b.undo_tx(
            format!("restore security_invoker = {old}"),
            format!("ALTER VIEW {vq} SET (security_invoker = {old})"),
        ),
        None => b.undo_tx(
            "reset security_invoker",
            format!("ALTER VIEW {vq} RESET (security_invoker)"),
        ),
    };
    Some(b.done())
}

/// `view.security_invoker`.
pub(crate) fn security_invoker(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec) = cx.item(f, |c| &c.views)?;
    set_invoker(cx, f, spec.security_invoker?)
}

/// `lint.view_without_security_invoker` (PostgreSQL 15+).
pub(crate) fn lint_invoker(cx: &Cx, f: &Finding) -> Option<Plan> {
    set_invoker(cx, f, true)
}
