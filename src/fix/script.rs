//! Plans as one script `psql -v ON_ERROR_STOP=1 -f` runs as it is (what `pgmend fix --dry-run`
//! prints): every statement terminated, each transactional group between BEGIN and COMMIT,
//! autocommit steps (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE, VALIDATE) outside
//! them, each plan's data preconditions as a DO block that stops the script before its steps,
//! and a header saying where and when it was planned.

use std::time::Duration;

use super::plan::{Plan, StepMode};
use crate::sql::lex::{Tok, tokens};
use crate::sql::quote_literal;

/// Where and how the script was planned.
pub struct ScriptHeader<'a> {
    /// The database, as pgmend names it (`postgres@db.example:5432/app`, no password).
    pub target: &'a str,
    /// When it was planned (RFC 3339, UTC).
    pub planned_at: &'a str,
    /// The scope of the backup a real run would take, in words.
    pub backup: &'a str,
    /// Each step's `lock_timeout` (as the apply engine sets it).
    pub lock_timeout: Duration,
    /// Each step's `statement_timeout`.
    pub statement_timeout: Duration,
    /// Plans left out, with why (`(finding id, reason)`).
    pub refused: &'a [(String, String)],
}

/// The whole script. A plan that needs a refused one (`Plan::after`) is left out too, as the
/// apply engine would skip it.
pub fn render(plans: &[Plan], h: &ScriptHeader<'_>) -> String {
    let mut out_ids: std::collections::HashSet<&str> =
        h.refused.iter().map(|(id, _)| id.as_str()).collect();
    let mut skipped: Vec<(&str, &str)> = Vec::new();
    let mut kept: Vec<&Plan> = Vec::new();
    // Plans come in dependency order, so one pass sees each prerequisite first.
    for p in plans {
        match p.after.iter().find(|a| out_ids.contains(a.as_str())) {
            Some(needed) => {
                skipped.push((p.finding_id.as_str(), needed.as_str()));
                out_ids.insert(p.finding_id.as_str());
            }
            None => kept.push(p),
        }
    }
    let mut out = format!(
        "-- pgmend fix --dry-run (pgmend {}): {} plan(s) for {}, planned {}; nothing was changed.\n\
         -- Run it as is with: psql -v ON_ERROR_STOP=1 -f THIS_FILE\n\
         -- {}\n\
         -- This script takes no backup: take one first (pgmend backup).\n",
        env!("CARGO_PKG_VERSION"),
        kept.len(),
        h.target,
        h.planned_at,
        h.backup
    );
    for (id, why) in h.refused {
        let mut lines = why.lines();
        out.push_str(&format!(
            "-- refused {id}: {}\n",
            lines.next().unwrap_or("")
        ));
        for line in lines {
            out.push_str(&format!("--   {line}\n"));
        }
    }
    for (id, needed) in &skipped {
        out.push_str(&format!(
            "-- skipped {id}: it needs {needed}, which is left out\n"
        ));
    }
    out.push_str(&format!(
        "\\set ON_ERROR_STOP on\nSET lock_timeout = '{}ms';\nSET statement_timeout = '{}ms';\n",
        h.lock_timeout.as_millis().max(1),
        h.statement_timeout.as_millis()
    ));
    for p in kept {
        out.push('\n');
        out.push_str(&plan_script(p));
    }
    out
}

/// One plan: its comments, its preconditions, then its units of work.
pub fn plan_script(p: &Plan) -> String {
    let mut out = format!("-- {}\n-- finding: {}\n", one_line(&p.title), p.finding_id);
    for h in &p.hazards {
        out.push_str(&format!("-- hazard: {}\n", one_line(h)));
    }
    for l in &p.locks {
        out.push_str(&format!(
            "-- lock: {} on {}: {}\n",
            l.mode,
            l.object,
            one_line(&l.effect)
        ));
    }
    for c in &p.preconditions {
        out.push_str(&precondition(&c.description, &c.count_sql));
    }
    for unit in p.units() {
        let first = &p.steps[unit[0]];
        let tx = first.mode == StepMode::Transactional;
        if tx {
            out.push_str("BEGIN;\n");
        }
        for &i in &unit {
            let s = &p.steps[i];
            let how = if tx {
                "in the transaction"
            } else {
                "outside a transaction"
            };
            out.push_str(&format!("-- {} ({how})\n", one_line(&s.description)));
            out.push_str(&terminated(&s.sql));
        }
        if tx {
            out.push_str("COMMIT;\n");
        }
    }
    out
}

/// A DO block that raises (stopping the script) when the precondition's count is not zero,
/// after a comment saying what it checks.
fn precondition(description: &str, count_sql: &str) -> String {
    format!(
        "-- precondition: {}\n{}",
        one_line(description),
        precondition_block(description, count_sql)
    )
}

/// The DO block of [`precondition`], terminated.
pub(crate) fn precondition_block(description: &str, count_sql: &str) -> String {
    let count = crate::sql::guard::trim_statement(count_sql);
    let msg = quote_literal(&format!(
        "pgmend: precondition failed: {}",
        one_line(description)
    ));
    let body =
        format!("BEGIN\n  IF ({count}) > 0 THEN\n    RAISE EXCEPTION '%', {msg};\n  END IF;\nEND");
    let tag = dollar_tag(&body);
    format!("DO {tag}\n{body}\n{tag};\n")
}

/// A dollar-quote tag that does not occur in `body`.
fn dollar_tag(body: &str) -> String {
    let mut n = 0;
    loop {
        let tag = if n == 0 {
            "$pgmend$".to_string()
        } else {
            format!("$pgmend{n}$")
        };
        if !body.contains(&tag) {
            return tag;
        }
        n += 1;
    }
}

/// The step's SQL ending in a `;` that the server sees (a trailing comment or a `;` inside a
/// string does not count), and a newline.
pub(crate) fn terminated(sql: &str) -> String {
    let text = sql.trim_end();
    let ends = tokens(text).is_ok_and(|t| {
        t.iter()
            .rev()
            .find(|t| !matches!(t, Tok::Comment))
            .is_some_and(|t| *t == Tok::Semicolon)
    });
    if ends {
        format!("{text}\n")
    } else if text.lines().last().is_some_and(|l| l.contains("--")) {
        // A trailing line comment would swallow the `;`: put it on a line of its own.
        format!("{text}\n;\n")
    } else {
        format!("{text};\n")
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::plan::{Precondition, Step};

    fn step(sql: &str, mode: StepMode, group: u32) -> Step {
        Step {
            description: format!("run {sql}"),
            sql: sql.into(),
            mode,
            group,
            invalid_index_cleanup: None,
        }
    }

    /// An empty plan from the plan builder, with these steps.
    fn plan(steps: Vec<Step>) -> Plan {
        let mut p = crate::fix::build::B::new("table.missing:public.t", "create\ntable t").done();
        p.steps = steps;
        p
    }

    #[test]
    fn groups_are_transactions_and_autocommit_steps_stand_alone() {
        use StepMode::*;
        let p = plan(vec![
            step("CREATE TABLE t (a int)", Transactional, 0),
            step("ALTER TABLE t ENABLE ROW LEVEL SECURITY;", Transactional, 0),
            step("CREATE INDEX CONCURRENTLY i ON t (a)", Autocommit, 1),
            step("COMMENT ON TABLE t IS 'x;' -- note", Transactional, 2),
        ]);
        let s = plan_script(&p);
        let body: Vec<&str> = s.lines().filter(|l| !l.starts_with("--")).collect();
        assert_eq!(
            body,
            [
                "BEGIN;",
                "CREATE TABLE t (a int);",
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY;",
                "COMMIT;",
                "CREATE INDEX CONCURRENTLY i ON t (a);",
                "BEGIN;",
                "COMMENT ON TABLE t IS 'x;' -- note",
                ";",
                "COMMIT;",
            ]
        );
        assert!(s.starts_with("-- create table t\n"), "{s}");
    }

    #[test]
    fn groups_and_autocommit_steps_form_units() {
        use StepMode::*;
        let p = plan(vec![
            step("a", Transactional, 1),
            step("b", Transactional, 1),
            step("c", Autocommit, 1),
            step("d", Autocommit, 1),
            step("e", Transactional, 2),
            step("f", Transactional, 3),
        ]);
        assert_eq!(
            p.units(),
            vec![vec![0, 1], vec![2], vec![3], vec![4], vec![5]]
        );
    }

    #[test]
    fn preconditions_stop_the_script() {
        let mut p = plan(vec![step(
            "ALTER TABLE t ADD UNIQUE (a)",
            StepMode::Transactional,
            0,
        )]);
        p.preconditions.push(Precondition {
            description: "no duplicate a's $pgmend$".into(),
            sample_sql: String::new(),
            count_sql: "SELECT count(*) FROM (SELECT a FROM t GROUP BY a HAVING count(*) > 1) d;"
                .into(),
            problem: None,
        });
        let s = plan_script(&p);
        assert!(
            s.contains("IF (SELECT count(*) FROM (SELECT a FROM t GROUP BY a HAVING count(*) > 1) d) > 0 THEN"),
            "{s}"
        );
        assert!(s.contains("DO $pgmend1$\n"), "{s}");
        let at = |needle: &str| s.find(needle).unwrap();
        assert!(at("DO $pgmend1$") < at("BEGIN;"), "{s}");
        assert!(at("BEGIN;") < at("ALTER TABLE t ADD UNIQUE (a);"), "{s}");
    }

    #[test]
    fn header_says_where_when_and_how_to_run() {
        let h = ScriptHeader {
            target: "postgres@localhost:5432/app",
            planned_at: "2026-12-04T21:00:00Z",
            backup: "backup of the whole database",
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::ZERO,
            refused: &[("x".into(), "needs\nownership".into())],
        };
        let s = render(&[], &h);
        assert!(s.contains("planned 2026-12-04T21:00:00Z"), "{s}");
        assert!(s.contains("psql -v ON_ERROR_STOP=1 -f"), "{s}");
        assert!(s.contains("-- refused x: needs\n--   ownership\n"), "{s}");
        assert!(s.contains("SET lock_timeout = '5000ms';"), "{s}");
    }
}
