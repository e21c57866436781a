//! Hand-written fixes: for a finding pgmend has no automatic fix for, a SQL template (from the
//! rule's answer, see [`super::manual`], or the finding's remedy) that the engineer completes
//! in the same editor as a fix and runs through the same backup → confirm → apply → re-check
//! flow; the plan is journaled as `hand-written` ([`Origin::HandWritten`]).

use super::build::B;
use super::plan::{Origin, Plan};
use crate::check::Finding;

/// What a step of a hand-written plan is called (the editor shows it as its marker).
pub const STEP: &str = "hand-written SQL: replace every <placeholder>, then ctrl-s";

/// The template for a finding without an automatic fix: why there is none (as a hazard) and
/// the SQL or command to complete. None when the rule has an automatic fix.
pub fn template(f: &Finding) -> Option<Plan> {
    let (why, instead) = match (super::manual(f.rule), &f.remedy) {
        (Some((why, instead)), _) => (why.to_string(), instead.to_string()),
        (None, Some(remedy)) if !f.fixable => (
            "pgmend has no automatic fix for this finding".to_string(),
            format!("-- {remedy}\n<SQL>"),
        ),
        _ => return None,
    };
    let mut p = build(f, &instead);
    p.hazards.insert(0, format!("no automatic fix: {why}"));
    p.steps[0].description = STEP.into();
    Some(p)
}

/// The engineer's SQL for `f`, as a plan (refused while a `<placeholder>` of the template is
/// left, or when there is no SQL).
pub fn plan(f: &Finding, sql: &str) -> Result<Plan, String> {
    check(sql)?;
    Ok(build(f, sql))
}

/// Why `sql` cannot run yet: empty, or a template's `<placeholder>` left in it.
pub fn check(sql: &str) -> Result<(), String> {
    let body: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    if body.trim().is_empty() {
        return Err("the hand-written fix has no SQL to run".into());
    }
    if let Some(p) = placeholder(&body) {
        return Err(format!(
            "complete the template first: {p} is still a placeholder; nothing was changed"
        ));
    }
    Ok(())
}

fn build(f: &Finding, sql: &str) -> Plan {
    let mut b = B::new(&f.id, format!("hand-written: {}", f.message));
    b.tx("hand-written SQL", sql.trim().to_string())
        .touches_data();
    b.hazard("hand-written: pgmend does not know what this SQL locks, changes or how to undo it; the backup is the way back");
    let mut p = b.done();
    p.origin = Origin::HandWritten;
    p
}

/// The first `<words>` of a template (`<table>`, `<labels in order>`), not an operator.
fn placeholder(sql: &str) -> Option<String> {
    let mut rest = sql;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        if let Some(end) = after.find('>') {
            let inner = &after[..end];
            if inner
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'))
            {
                return Some(format!("<{inner}>"));
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_operators_are_not() {
        assert_eq!(
            placeholder("ALTER TABLE <table> ADD x").as_deref(),
            Some("<table>")
        );
        assert_eq!(
            placeholder("CREATE TYPE t AS ENUM (<labels in order>)").as_deref(),
            Some("<labels in order>")
        );
        assert_eq!(
            placeholder("SELECT 1 WHERE a <> b AND c < d AND e > f"),
            None
        );
        assert_eq!(placeholder("SELECT a<b, c>d"), None);
    }

    #[test]
    fn a_template_must_be_completed_before_it_runs() {
        assert!(check("-- only a comment\n").unwrap_err().contains("no SQL"));
        assert!(check("DROP TYPE <type>;").unwrap_err().contains("<type>"));
        assert!(check("-- was <type>\nDROP TYPE mood;").is_ok());
    }
}
