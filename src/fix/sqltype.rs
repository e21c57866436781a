//! Column types and defaults as the checklist writes them, turned into SQL: user types
//! (enums, domains, composites) schema-qualified and quoted, built-in types as written.

use crate::checklist::{Checklist, split_path};
use crate::sql::qualified;

use super::cx::Cx;

/// The SQL for a checklist type (`varchar(50)`, `user_role`, `"RoomStatus"`, `app.mood[]`).
pub(crate) fn render(cx: &Cx, cl: &Checklist, written: &str) -> String {
    let mut base = written.trim();
    let mut dims = 0;
    while let Some(rest) = base.strip_suffix("[]") {
        base = rest.trim_end();
        dims += 1;
    }
    let arrays = "[]".repeat(dims);
    // Types with a modifier or several words are built-in (`numeric(10,2)`, `double precision`).
    if base.contains('(') || (base.contains(' ') && !base.contains('"')) {
        return written.trim().to_string();
    }
    let parts = split_path(base);
    let ds = cl.default_schema();
    match parts.as_slice() {
        [s, n] => format!("{}{arrays}", qualified(s, n)),
        [n] => {
            let user = |schema: &str| {
                cx.snap.enum_(schema, n).is_some()
                    || cx.snap.domain(schema, n).is_some()
                    || cx.snap.composite(schema, n).is_some()
                    || cx.checklist_enum(schema, n)
            };
            if user(ds) || base.starts_with('"') {
                format!("{}{arrays}", qualified(ds, n))
            } else {
                written.trim().to_string()
            }
        }
        _ => written.trim().to_string(),
    }
}

/// Integer types, for which a key without a default becomes an identity column.
pub(crate) fn is_integer(ty: &str) -> bool {
    let t = ty.trim().to_ascii_lowercase();
    matches!(
        t.as_str(),
        "int" | "int2" | "int4" | "int8" | "integer" | "bigint" | "smallint"
    )
}

pub(crate) fn is_uuid(ty: &str) -> bool {
    ty.trim().eq_ignore_ascii_case("uuid")
}

pub(crate) fn is_text(ty: &str) -> bool {
    let t = ty.trim().to_ascii_lowercase();
    t == "text" || t.starts_with("varchar") || t.starts_with("character varying")
}

/// A default that PostgreSQL must evaluate per row (so adding the column rewrites the table).
pub(crate) fn volatile_default(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    [
        "random(",
        "gen_random_uuid(",
        "uuid_generate_",
        "clock_timestamp(",
        "timeofday(",
        "nextval(",
        "txid_current(",
    ]
    .iter()
    .any(|f| e.contains(f))
}

/// [`render`], refused unless the text is one balanced SQL fragment (a type cannot end the
/// statement it is written into).
pub(crate) fn checked(cx: &Cx, cl: &Checklist, written: &str) -> Option<String> {
    let ty = render(cx, cl, written);
    crate::sql::guard::expression(&ty, "the type").ok()?;
    Some(ty)
}
