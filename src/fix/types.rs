//! Domains and composite types: `domain.missing`, `type.missing`.

use crate::check::Finding;
use crate::sql::{guard, qualified, quote_ident};

use super::build::B;
use super::cx::Cx;
use super::plan::Plan;
use super::sqltype;

/// `domain.missing`: `CREATE DOMAIN … AS base [DEFAULT …] [NOT NULL] [CHECK (…)]…`.
pub(crate) fn create_domain(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.domains)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let q = qualified(&schema, &name);
    let mut sql = format!(
        "CREATE DOMAIN {q} AS {}",
        sqltype::checked(cx, cl, &spec.data_type)?
    );
    if let Some(d) = &spec.default {
        guard::expression(d, "the domain's default").ok()?;
        sql.push_str(&format!(" DEFAULT {d}"));
    }
    if spec.not_null {
        sql.push_str(" NOT NULL");
    }
    for c in &spec.checks {
        let e = c.expression();
        guard::expression(e, "the domain's CHECK").ok()?;
        if let Some(n) = c.name() {
            sql.push_str(&format!(" CONSTRAINT {}", quote_ident(n)));
        }
        sql.push_str(&format!(" CHECK ({e})"));
    }
    let mut b = B::new(&f.id, format!("create domain {q}"));
    b.tx(format!("create domain {q}"), sql).undo_tx(
        format!("drop domain {q} (refused while a column uses it)"),
        format!("DROP DOMAIN {q} RESTRICT"),
    );
    Some(b.done())
}

/// `type.missing`: `CREATE TYPE … AS (attribute type, …)`.
pub(crate) fn create_composite(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.types)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let q = qualified(&schema, &name);
    let attrs: Vec<String> = spec
        .attributes
        .iter()
        .map(|a| {
            Some(format!(
                "{} {}",
                quote_ident(&a.name),
                sqltype::checked(cx, cl, &a.data_type)?
            ))
        })
        .collect::<Option<_>>()?;
    let mut b = B::new(&f.id, format!("create type {q}"));
    b.tx(
        format!("create composite type {q}"),
        format!("CREATE TYPE {q} AS ({})", attrs.join(", ")),
    )
    .undo_tx(
        format!("drop type {q} (refused while something uses it)"),
        format!("DROP TYPE {q} RESTRICT"),
    );
    Some(b.done())
}
