//! A fix plan: the SQL that mends one finding, split into steps, with the SQL that undoes it,
//! the locks it takes and its hazards in words an engineer understands. Plans are data: the
//! apply engine (`crate::apply`) runs them; the TUI shows and lets the engineer edit them.

use serde::{Deserialize, Serialize};

/// How a step must be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepMode {
    /// Inside a transaction of its own (with the other transactional steps of the same group).
    Transactional,
    /// Alone, outside any transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE on old
    /// servers, VALIDATE CONSTRAINT after a NOT VALID add).
    Autocommit,
}

/// One statement (or a group of statements that must commit together).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What the step does, in words ("create table public.session").
    pub description: String,
    /// The SQL, every identifier quoted by `crate::sql::quote_ident`, every literal by
    /// `crate::sql::quote_literal`.
    pub sql: String,
    pub mode: StepMode,
    /// Steps with the same group number and `Transactional` mode run in one transaction (so
    /// enabling RLS and creating its policies commit together).
    pub group: u32,
    /// When the step is a CREATE INDEX CONCURRENTLY: the index to drop (CONCURRENTLY) if a
    /// failed build left it INVALID, before a retry.
    pub invalid_index_cleanup: Option<String>,
}

/// A lock a step takes, on what, and what it blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// `public.users`.
    pub object: String,
    /// `ACCESS EXCLUSIVE`, `SHARE UPDATE EXCLUSIVE`, …
    pub mode: String,
    /// "blocks all reads and writes of public.users until the step commits".
    pub effect: String,
}

/// A query that must return no row for the plan to be safe (data-dependent fixes: unique,
/// NOT NULL, CHECK, FK validation). When it returns rows, the fix is refused with a sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precondition {
    pub description: String,
    /// A read-only query returning the offending rows (at most a sample: it carries its LIMIT).
    pub sample_sql: String,
    /// A read-only query returning the number of offending rows (one bigint).
    pub count_sql: String,
    /// What offending rows mean, stated as the problem (the refusal's wording).
    #[serde(default)]
    pub problem: Option<super::problem::Problem>,
}

/// The plan for one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The finding this plan mends (`Finding::id`).
    pub finding_id: String,
    pub title: String,
    pub steps: Vec<Step>,
    /// SQL that undoes the plan (run in reverse order of the steps).
    pub undo: Vec<Step>,
    pub locks: Vec<LockInfo>,
    /// Hazards in plain words (e.g. "views over tables with RLS bypass it before PostgreSQL 15").
    pub hazards: Vec<String>,
    /// Whether the plan changes table rows (false for pure DDL).
    pub touches_data: bool,
    /// Checks against the data that must pass before anything runs.
    pub preconditions: Vec<Precondition>,
    /// Tables whose size the preview shows (schema-qualified, quoted).
    pub tables: Vec<String>,
    /// Other findings (`Finding::id`) this plan mends too: a created table's indexes, policies
    /// and grants; the same RLS state reported by a checklist item and by a lint.
    /// [`crate::fix::plans`] leaves out the plans of findings another plan already mends.
    #[serde(default)]
    pub also_fixes: Vec<String>,
    /// The plans (`finding_id`) this one needs: it runs after them, and is skipped when one of
    /// them was refused, failed or skipped. Set by [`crate::fix::plans`] from the dependency
    /// graph.
    #[serde(default)]
    pub after: Vec<String>,
    /// Read-only statements (`EXPLAIN …`) the server must accept before the plan runs: they
    /// parse and analyse the checklist's SQL (a policy's USING, a view's query, an index
    /// expression) against the objects as they are then. One refused refuses the plan.
    #[serde(default)]
    pub server_checks: Vec<ServerCheck>,
    /// What the engineer must decide before the plan runs (a backfill expression, what becomes
    /// of duplicate rows): see [`super::decide`].
    #[serde(default)]
    pub decisions: Vec<super::decide::Decision>,
}

/// A checklist expression the server parses and analyses (never runs) before the plan does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCheck {
    /// What is checked ("the USING expression of policy p").
    pub description: String,
    /// An `EXPLAIN` of a statement holding the expression.
    pub sql: String,
}

impl Plan {
    /// A plan of these steps and nothing else (no undo, lock, hazard or check).
    pub fn of_steps(finding_id: &str, title: impl Into<String>, steps: Vec<Step>) -> Plan {
        Plan {
            finding_id: finding_id.to_string(),
            title: title.into(),
            steps,
            undo: vec![],
            locks: vec![],
            hazards: vec![],
            touches_data: false,
            preconditions: vec![],
            tables: vec![],
            also_fixes: vec![],
            after: vec![],
            server_checks: vec![],
            decisions: vec![],
        }
    }

    /// Every finding the plan mends: its own and `also_fixes`.
    pub fn fixes(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.finding_id.as_str()).chain(self.also_fixes.iter().map(String::as_str))
    }

    /// The plan can be undone (some fixes cannot: PostgreSQL has no way to drop an enum value).
    pub fn reversible(&self) -> bool {
        !self.undo.is_empty()
    }

    /// The steps as units of work, by position: consecutive transactional steps of one group
    /// commit together; an autocommit step stands alone.
    pub fn units(&self) -> Vec<Vec<usize>> {
        let steps = &self.steps;
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let joins = match (out.last(), s.mode) {
                (Some(last), StepMode::Transactional) => {
                    let prev = &steps[last[0]];
                    prev.mode == StepMode::Transactional && prev.group == s.group
                }
                _ => false,
            };
            match out.last_mut() {
                Some(last) if joins => last.push(i),
                _ => out.push(vec![i]),
            }
        }
        out
    }

    /// The plan as one SQL script (what `pgmend fix --dry-run` prints and the editor holds).
    pub fn script(&self) -> String {
        let mut out = format!("-- {}\n-- finding: {}\n", self.title, self.finding_id);
        for h in &self.hazards {
            out.push_str(&format!("-- hazard: {h}\n"));
        }
        for l in &self.locks {
            out.push_str(&format!(
                "-- lock: {} on {}: {}\n",
                l.mode, l.object, l.effect
            ));
        }
        for s in &self.steps {
            let how = match s.mode {
                StepMode::Transactional => format!("transaction {}", s.group),
                StepMode::Autocommit => "outside a transaction".to_string(),
            };
            out.push_str(&format!(
                "\n-- {} ({how})\n{}\n",
                s.description,
                s.sql.trim_end()
            ));
        }
        out
    }
}
