//! Schemas, extensions and enum types.

use crate::check::Finding;
use crate::sql::{qualified, quote_ident, quote_literal};

use super::build::{B, locks};
use super::cx::Cx;
use super::plan::Plan;

/// `schema.missing`: `CREATE SCHEMA`.
pub(crate) fn schema(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec) = cx.item(f, |c| &c.schemas)?;
    if cx.managed(&spec.name) {
        return None;
    }
    let s = quote_ident(&spec.name);
    let mut b = B::new(&f.id, format!("create schema {s}"));
    b.tx(format!("create schema {s}"), format!("CREATE SCHEMA {s}"))
        .undo_tx(
            format!("drop schema {s} (refused while it holds objects)"),
            format!("DROP SCHEMA {s} RESTRICT"),
        );
    Some(b.done())
}

/// `extension.missing`: `CREATE EXTENSION IF NOT EXISTS … SCHEMA …` (the item's schema, else
/// the checklist's default one).
pub(crate) fn extension(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.extensions)?;
    let schema = spec
        .schema
        .clone()
        .unwrap_or_else(|| cl.default_schema().to_string());
    if cx.managed(&schema) {
        return None;
    }
    let e = quote_ident(&spec.name);
    let mut b = B::new(&f.id, format!("install extension {e}"));
    b.pre(
        format!("the server ships extension {e}"),
        format!(
            "SELECT count(*) FROM (SELECT 1) AS one WHERE NOT EXISTS \
             (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = {})",
            quote_literal(&spec.name)
        ),
        format!(
            "SELECT {} AS unavailable_extension WHERE NOT EXISTS \
             (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = {})",
            quote_literal(&spec.name),
            quote_literal(&spec.name)
        ),
    )
    .problem(super::problem::Problem::NoExtension { name: e.clone() })
    .tx(
        format!("install extension {e} in schema {}", quote_ident(&schema)),
        format!(
            "CREATE EXTENSION IF NOT EXISTS {e} SCHEMA {}",
            quote_ident(&schema)
        ),
    )
    .undo_tx(
        format!("drop extension {e} (refused while objects depend on it)"),
        format!("DROP EXTENSION {e} RESTRICT"),
    )
    .hazard(
        "installing an extension needs a superuser, or a trusted extension and CREATE on the \
         database",
    );
    Some(b.done())
}

/// `enum.missing`: `CREATE TYPE … AS ENUM (…)` with the checklist's labels in its order.
pub(crate) fn create_enum(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.enums)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    let values = spec.all_values();
    if cx.managed(&schema) || values.is_empty() {
        return None;
    }
    let tq = qualified(&schema, &name);
    let labels: Vec<String> = values.iter().map(|v| quote_literal(v)).collect();
    let mut b = B::new(&f.id, format!("create enum type {tq}"));
    b.tx(
        format!("create enum type {tq}"),
        format!("CREATE TYPE {tq} AS ENUM ({})", labels.join(", ")),
    )
    .undo_tx(
        format!("drop type {tq} (refused while a column uses it)"),
        format!("DROP TYPE {tq} RESTRICT"),
    );
    Some(b.done())
}

/// `enum.value_missing`: `ALTER TYPE … ADD VALUE IF NOT EXISTS … AFTER …` keeping the
/// checklist's order: after the label the checklist puts before it (added first by its own
/// plan when it is missing too), or before the next one when it comes first. Never
/// drop-and-recreate. PostgreSQL cannot drop an enum value, so there is no undo.
pub(crate) fn add_enum_value(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.enums)?;
    let (schema, name) = cl.qualify(&spec.name, spec.schema.as_deref());
    if cx.managed(&schema) {
        return None;
    }
    let tq = qualified(&schema, &name);
    let value = f.id.strip_prefix(&format!("enum.value_missing:{tq}/"))?;
    let values = spec.all_values();
    let at = values.iter().position(|v| v == value)?;
    let existing = &cx.snap.enum_(&schema, &name)?.labels;
    let place = if at > 0 {
        format!(" AFTER {}", quote_literal(&values[at - 1]))
    } else {
        match values[1..].iter().find(|v| existing.contains(v)) {
            Some(next) => format!(" BEFORE {}", quote_literal(next)),
            None => String::new(),
        }
    };
    let lit = quote_literal(value);
    let mut b = B::new(&f.id, format!("add value {lit} to enum {tq}"));
    b.tx(
        format!("add value {lit} to enum {tq}{place}"),
        format!("ALTER TYPE {tq} ADD VALUE IF NOT EXISTS {lit}{place}"),
    )
    .lock(
        &tq,
        locks::ACCESS_EXCLUSIVE,
        format!("on the type {tq} only: tables using it are not locked"),
    )
    .hazard(
        "cannot be undone: PostgreSQL has no way to remove an enum value (only recreating the \
         type, which rewrites every table using it)",
    )
    .hazard("the new value can be used only once this transaction has committed");
    Some(b.done())
}

/// `extension.version`: `ALTER EXTENSION … UPDATE TO …`.
pub(crate) fn extension_version(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec) = cx.item(f, |c| &c.extensions)?;
    let want = spec.version.as_deref()?;
    let now = cx.snap.extensions.iter().find(|e| e.name == spec.name)?;
    let e = quote_ident(&spec.name);
    let mut b = B::new(&f.id, format!("update extension {e} to {want}"));
    b.pre(
        format!(
            "the server has an update path of {e} from {} to {want}",
            now.version
        ),
        format!(
            "SELECT count(*) FROM (SELECT 1) AS one WHERE NOT EXISTS (SELECT 1 FROM \
             pg_catalog.pg_extension_update_paths({}) WHERE source = {} AND target = {} \
             AND path IS NOT NULL)",
            quote_literal(&spec.name),
            quote_literal(&now.version),
            quote_literal(want)
        ),
        format!(
            "SELECT {} AS extension, {} AS target_version_unreachable",
            quote_literal(&spec.name),
            quote_literal(want)
        ),
    )
    .tx(
        format!("update extension {e} from {} to {want}", now.version),
        format!("ALTER EXTENSION {e} UPDATE TO {}", quote_literal(want)),
    )
    .undo_tx(
        format!(
            "back to version {} (when the extension ships that path)",
            now.version
        ),
        format!(
            "ALTER EXTENSION {e} UPDATE TO {}",
            quote_literal(&now.version)
        ),
    )
    .hazard("the extension's update script runs: its objects may change");
    Some(b.done())
}

/// `extension.schema`: `ALTER EXTENSION … SET SCHEMA …` (relocatable extensions only; the
/// server refuses the others).
pub(crate) fn extension_schema(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, spec) = cx.item(f, |c| &c.extensions)?;
    let want = spec.schema.as_deref()?;
    let now = cx.snap.extensions.iter().find(|e| e.name == spec.name)?;
    if cx.managed(want) {
        return None;
    }
    let e = quote_ident(&spec.name);
    let mut b = B::new(
        &f.id,
        format!("move extension {e} to {}", quote_ident(want)),
    );
    b.tx(
        format!("move extension {e} to schema {}", quote_ident(want)),
        format!("ALTER EXTENSION {e} SET SCHEMA {}", quote_ident(want)),
    )
    .undo_tx(
        format!("move extension {e} back to {}", quote_ident(&now.schema)),
        format!(
            "ALTER EXTENSION {e} SET SCHEMA {}",
            quote_ident(&now.schema)
        ),
    )
    .hazard("callers that name the extension's functions or types with the old schema break");
    Some(b.done())
}
