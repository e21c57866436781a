//! The matrix as text: one block per table or view, one line per subject.

use std::fmt::Write;

use super::{COMMANDS, Matrix, Relation};

/// The whole matrix, for `pgmend access`.
pub fn text(m: &Matrix, target: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "access matrix of {target}: {} relation(s) in schema(s) {}, {} subject(s); \
         counts capped at {}, {} ms per count; measured in {} ms",
        m.relations.len(),
        m.schemas.join(", "),
        m.subjects.len(),
        m.cap,
        m.timeout_ms,
        m.measured_ms
    );
    if m.relations.is_empty() {
        let _ = writeln!(out, "\nno tables or views in those schemas");
    }
    for r in &m.relations {
        out.push('\n');
        out.push_str(&relation(r));
    }
    out
}

/// One relation's block: a heading, then a row per subject (rows seen, then each command).
pub fn relation(r: &Relation) -> String {
    let mut out = String::new();
    let rls = match (r.kind, r.rls, r.forced) {
        ("table" | "partitioned table", true, true) => ", RLS on (forced)",
        ("table" | "partitioned table", true, false) => ", RLS on",
        ("table" | "partitioned table", false, _) => ", RLS off",
        _ => "",
    };
    let _ = writeln!(out, "{} ({}{rls})", r.qualified(), r.kind);
    let width = r
        .cells
        .iter()
        .map(|c| c.subject.chars().count())
        .max()
        .unwrap_or(0)
        .max("subject".len());
    let _ = writeln!(
        out,
        "  {:width$}  {:>9}  select / insert / update / delete",
        "subject", "rows"
    );
    for c in &r.cells {
        let verdicts: Vec<String> = COMMANDS.iter().map(|k| c.verdict(*k).short()).collect();
        let _ = writeln!(
            out,
            "  {:width$}  {:>9}  {}",
            c.subject,
            c.rows.short(),
            collapse(&verdicts)
        );
    }
    out
}

/// The four verdicts, said once when they are all the same.
fn collapse(v: &[String]) -> String {
    if v.windows(2).all(|w| w[0] == w[1]) {
        format!("all four: {}", v[0])
    } else {
        v.join(" / ")
    }
}
