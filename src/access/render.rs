//! The matrix as text: one block per table or view, one line per subject.

use std::fmt::Write;

use super::{COMMANDS, Cell, Matrix, Relation};
use crate::db::catalog::PolicyCommand;

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
    let names = m.short_names();
    for (s, n) in m.subjects.iter().zip(&names) {
        if let Some(sub) = &s.sub {
            let _ = writeln!(out, "  {n} = {} {sub}", s.role);
        }
    }
    if m.relations.is_empty() {
        let _ = writeln!(out, "\nno tables or views in those schemas");
    }
    for r in &m.relations {
        out.push('\n');
        out.push_str(&relation(r, &names));
    }
    out
}

/// One relation's block: a heading, then a line per subject (by its short name: rows seen,
/// then the commands, those with the same verdict together).
pub fn relation(r: &Relation, names: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", r.qualified(), describe(r));
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (c, name) in r.cells.iter().zip(names) {
        let verdicts: Vec<String> = grouped(c)
            .into_iter()
            .map(|(cmds, v)| format!("{cmds}: {v}"))
            .collect();
        let _ = writeln!(
            out,
            "  {:width$}  rows {:<9}  {}",
            name,
            c.rows.short(),
            verdicts.join("; ")
        );
    }
    out
}

/// "table, RLS on", "view", "table, RLS on (forced)".
pub fn describe(r: &Relation) -> String {
    match (r.kind, r.rls, r.forced) {
        ("table" | "partitioned table", true, true) => format!("{}, RLS on (forced)", r.kind),
        ("table" | "partitioned table", true, false) => format!("{}, RLS on", r.kind),
        ("table" | "partitioned table", false, _) => format!("{}, RLS off", r.kind),
        _ => r.kind.to_string(),
    }
}

/// The commands grouped by verdict, in command order: ("select, insert", "policy own_rows"),
/// ("update, delete", "none (no policy)").
pub fn grouped(c: &Cell) -> Vec<(String, String)> {
    let mut out: Vec<(Vec<&str>, String)> = Vec::new();
    for cmd in COMMANDS {
        let v = c.verdict(cmd).short();
        let name = match cmd {
            PolicyCommand::Insert => "insert",
            PolicyCommand::Update => "update",
            PolicyCommand::Delete => "delete",
            PolicyCommand::Select | PolicyCommand::All => "select",
        };
        match out.iter_mut().find(|(_, x)| *x == v) {
            Some((cmds, _)) => cmds.push(name),
            None => out.push((vec![name], v)),
        }
    }
    out.into_iter().map(|(c, v)| (c.join(", "), v)).collect()
}
