//! Sequences: `sequence.missing` (`CREATE SEQUENCE`, so a `serial` column's default finds
//! its sequence), `sequence.shape` (`ALTER SEQUENCE`) and `sequence.owned_by` (`OWNED BY`, once
//! the owning column exists: its own plan, ordered after the table's).

use crate::check::Finding;
use crate::checklist::SequenceItem;
use crate::sql::qualified;

use super::build::{B, locks};
use super::cx::Cx;
use super::plan::Plan;

const TYPES: [&str; 3] = ["smallint", "integer", "bigint"];

/// The options clause of CREATE/ALTER SEQUENCE for what the item states. Numbers only, and a
/// type from a fixed list: no checklist text reaches the SQL.
fn options(spec: &SequenceItem, start: bool) -> Option<String> {
    let mut o = String::new();
    if let Some(t) = &spec.data_type {
        let t = TYPES.iter().find(|x| x.eq_ignore_ascii_case(t))?;
        o.push_str(&format!(" AS {t}"));
    }
    if let Some(v) = spec.increment {
        o.push_str(&format!(" INCREMENT BY {v}"));
    }
    if let Some(v) = spec.min {
        o.push_str(&format!(" MINVALUE {v}"));
    }
    if let Some(v) = spec.max {
        o.push_str(&format!(" MAXVALUE {v}"));
    }
    if let (Some(v), true) = (spec.start, start) {
        o.push_str(&format!(" START WITH {v}"));
    }
    if let Some(v) = spec.cache {
        o.push_str(&format!(" CACHE {v}"));
    }
    match spec.cycle {
        Some(true) => o.push_str(" CYCLE"),
        Some(false) => o.push_str(" NO CYCLE"),
        None => {}
    }
    Some(o)
}

fn item<'a>(cx: &Cx<'a>, f: &Finding) -> Option<(String, String, &'a SequenceItem)> {
    let (cl, spec) = cx.item(f, |c| &c.sequences)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    Some((schema, name, spec))
}

/// `sequence.missing`.
pub(crate) fn create(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (schema, name, spec) = item(cx, f)?;
    let q = qualified(&schema, &name);
    let mut b = B::new(&f.id, format!("create sequence {q}"));
    b.tx(
        format!("create sequence {q}"),
        format!("CREATE SEQUENCE {q}{}", options(spec, true)?),
    )
    .undo_tx(
        format!("drop sequence {q} (refused while a default uses it)"),
        format!("DROP SEQUENCE {q} RESTRICT"),
    );
    grants_on_create(&mut b, spec, &q);
    Some(b.done())
}

/// `sequence.shape`: the stated parameters (the current value is left alone).
pub(crate) fn alter(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (schema, name, spec) = item(cx, f)?;
    let q = qualified(&schema, &name);
    // An identity column's sequence may not exist yet: its column's plan creates it first.
    let now = cx
        .snap
        .sequences
        .iter()
        .find(|s| s.schema == schema && s.name == name);
    if now.is_none() && !spec.identity {
        return None;
    }
    let mut b = B::new(&f.id, format!("alter sequence {q}"));
    b.tx(
        format!("set the parameters of sequence {q}"),
        format!("ALTER SEQUENCE {q}{}", options(spec, true)?),
    );
    if let Some(now) = now {
        let undo = SequenceItem {
            data_type: Some(now.data_type.clone()),
            start: Some(now.start),
            increment: Some(now.increment),
            min: Some(now.min),
            max: Some(now.max),
            cache: Some(now.cache),
            cycle: Some(now.cycle),
            ..spec.clone()
        };
        b.undo_tx(
            format!("restore the parameters of sequence {q}"),
            format!("ALTER SEQUENCE {q}{}", options(&undo, true)?),
        );
    }
    b.lock(
        &q,
        locks::ACCESS_EXCLUSIVE,
        format!("on the sequence {q}: nextval() waits"),
    );
    Some(b.done())
}

/// `sequence.owned_by`: `ALTER SEQUENCE … OWNED BY table.column`.
pub(crate) fn owned_by(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (schema, name, spec) = item(cx, f)?;
    let q = qualified(&schema, &name);
    let (ts, tn, col) = spec.owner(&schema)?;
    let target = format!("{}.{}", qualified(&ts, &tn), crate::sql::quote_ident(&col));
    let mut b = B::new(&f.id, format!("make {target} own sequence {q}"));
    b.tx(
        format!("sequence {q} owned by {target}"),
        format!("ALTER SEQUENCE {q} OWNED BY {target}"),
    )
    .undo_tx(
        format!("sequence {q} owned by nothing"),
        format!("ALTER SEQUENCE {q} OWNED BY NONE"),
    )
    .hazard(format!(
        "dropping {target} (or its table) will drop {q} with it, as for a serial column"
    ));
    Some(b.done())
}

/// `sequence.grant`: what a role must hold on the sequence.
pub(crate) fn grant(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (schema, name, spec) = item(cx, f)?;
    let q = qualified(&schema, &name);
    let role = f.id.rsplit_once('/').map(|(_, r)| r)?;
    let g = spec.grants.iter().find(|g| g.role == role)?;
    let (sql, undo) = super::grants::grant_pair(&g.allow, &format!("SEQUENCE {q}"), role, None)?;
    let mut b = B::new(
        &f.id,
        format!("grant {} on sequence {q} to {role}", g.allow.join(", ")),
    );
    b.tx(format!("grant on sequence {q}"), sql)
        .undo_tx(format!("revoke on sequence {q}"), undo);
    Some(b.done())
}

/// The grants a created sequence's item gives it.
fn grants_on_create(b: &mut B, spec: &SequenceItem, q: &str) {
    for g in &spec.grants {
        if let Some((sql, undo)) =
            super::grants::grant_pair(&g.allow, &format!("SEQUENCE {q}"), &g.role, None)
        {
            b.tx(format!("grant on sequence {q} to {}", g.role), sql)
                .undo_tx(format!("revoke on sequence {q}"), undo);
        }
    }
}
