//! Proof after a fix: for plans that touch grants, row level security or policies (or create
//! tables and views, which the API roles may or may not reach), the access matrix of the
//! relations they touch, measured before they run and after, as the same subjects. The change
//! is printed, shown in the app's re-check and recorded in each plan's journal entry; a subject
//! that sees more rows, or gains a command, is flagged.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::db::catalog::{ReadOptions, Snapshot, Table, read_snapshot};
use crate::fix::plan::Plan;
use crate::sql::qualified;

use super::{Budget, COMMANDS, Matrix, Subject, Verdict};

/// Counts go higher than the matrix's default: "8000 → denied" says more than "1000+ → denied".
pub const BUDGET: Budget = Budget {
    cap: 10_000,
    timeout: std::time::Duration::from_secs(3),
};

/// One subject's access to one relation, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `public.profiles`.
    pub relation: String,
    /// `anon`, `authenticated:<sub>`, …
    pub subject: String,
    /// Rows seen ("8000", "10000+", "denied", "absent" when the relation did not exist).
    pub before: String,
    pub after: String,
    /// The commands allowed or filtered (not denied, not "no policy"), before and after.
    pub commands_before: Vec<String>,
    pub commands_after: Vec<String>,
    /// The subject sees more rows, or may run a command it could not, than before (never for
    /// a relation the plans created).
    pub more: bool,
}

impl Change {
    /// "anon: 8000 rows → denied".
    pub fn line(&self, who: &str) -> String {
        let mut s = format!(
            "{who}: {} → {}",
            rows_word(&self.before),
            rows_word(&self.after)
        );
        let gained: Vec<&String> = self
            .commands_after
            .iter()
            .filter(|c| !self.commands_before.contains(c))
            .collect();
        let lost: Vec<&String> = self
            .commands_before
            .iter()
            .filter(|c| !self.commands_after.contains(c))
            .collect();
        if !gained.is_empty() {
            s.push_str(&format!(", may now {}", join(&gained)));
        }
        if !lost.is_empty() {
            s.push_str(&format!(", may no longer {}", join(&lost)));
        }
        s
    }
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

fn rows_word(r: &str) -> String {
    match r.parse::<u64>() {
        Ok(1) => "1 row".into(),
        Ok(n) => format!("{n} rows"),
        Err(_) if r.ends_with('+') => format!("{r} rows"),
        Err(_) => r.to_string(),
    }
}

/// The matrix before the plans ran, and what to measure again after.
#[derive(Debug, Clone)]
pub struct Proof {
    subjects: Vec<Subject>,
    schemas: Vec<String>,
    before: Matrix,
    /// Per plan (`finding_id`): the relations it touches, as they were named before.
    touched: Vec<(String, BTreeSet<String>)>,
}

/// The plan changes who may reach what: its SQL grants, revokes, writes policies, switches row
/// level security, or creates a table or view.
pub fn touches_access(plan: &Plan) -> bool {
    plan.steps.iter().any(|s| access_sql(&s.sql))
}

fn access_sql(sql: &str) -> bool {
    let u = sql.to_uppercase();
    [
        "GRANT ",
        "REVOKE ",
        " POLICY ",
        "ROW LEVEL SECURITY",
        "CREATE TABLE",
        "CREATE VIEW",
        "CREATE OR REPLACE VIEW",
        "SECURITY_INVOKER",
    ]
    .iter()
    .any(|k| u.contains(k))
}

/// The relations of `tables` that `plan` touches: listed in its tables, or named in the SQL of
/// a step that changes access.
fn touched_by(plan: &Plan, tables: &[&Table]) -> BTreeSet<String> {
    let sql: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| access_sql(&s.sql))
        .map(|s| s.sql.as_str())
        .collect();
    tables
        .iter()
        .map(|t| qualified(&t.schema, &t.name))
        .filter(|q| plan.tables.contains(q) || sql.iter().any(|s| names(s, q)))
        .collect()
}

/// `sql` names the relation `q` (not as the start of a longer name).
fn names(sql: &str, q: &str) -> bool {
    sql.match_indices(q).any(|(i, _)| {
        let next = sql[i + q.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == '$')
    })
}

async fn snapshot(conn: &mut PgConnection) -> Option<Snapshot> {
    read_snapshot(conn, &ReadOptions::default()).await.ok()
}

impl Proof {
    /// Measures the relations `plans` touch, before they run; None when no plan changes
    /// access, or the matrix cannot be measured here (no API roles).
    pub async fn before(conn: &mut PgConnection, plans: &[Plan]) -> Option<Proof> {
        if !plans.iter().any(touches_access) {
            return None;
        }
        let snap = snapshot(conn).await?;
        let schemas = super::schemas_for(&snap, &[]);
        let subjects = super::subjects_for(conn, &snap, &schemas, &[], BUDGET)
            .await
            .ok()?;
        let all = super::derive::relations(&snap, &schemas);
        let touched: Vec<(String, BTreeSet<String>)> = plans
            .iter()
            .filter(|p| touches_access(p))
            .map(|p| (p.finding_id.clone(), touched_by(p, &all)))
            .collect();
        let union: BTreeSet<&String> = touched.iter().flat_map(|(_, t)| t).collect();
        let tables: Vec<&Table> = all
            .into_iter()
            .filter(|t| union.contains(&qualified(&t.schema, &t.name)))
            .collect();
        let before = super::build_of(conn, &snap, &tables, &schemas, &subjects, BUDGET).await;
        Some(Proof {
            subjects,
            schemas,
            before,
            touched,
        })
    }

    /// Measures the same relations (and those the plans created) after the plans ran.
    pub async fn after(self, conn: &mut PgConnection, plans: &[Plan]) -> Changes {
        let Some(snap) = snapshot(conn).await else {
            return Changes::default();
        };
        let all = super::derive::relations(&snap, &self.schemas);
        let mut touched = self.touched.clone();
        for p in plans.iter().filter(|p| touches_access(p)) {
            let now = touched_by(p, &all);
            match touched.iter_mut().find(|(id, _)| *id == p.finding_id) {
                Some((_, t)) => t.extend(now),
                None => touched.push((p.finding_id.clone(), now)),
            }
        }
        let union: BTreeSet<&String> = touched.iter().flat_map(|(_, t)| t).collect();
        let tables: Vec<&Table> = all
            .into_iter()
            .filter(|t| union.contains(&qualified(&t.schema, &t.name)))
            .collect();
        let after =
            super::build_of(conn, &snap, &tables, &self.schemas, &self.subjects, BUDGET).await;
        Changes {
            changes: compare(&self.before, &after, &union),
            touched,
            names: after.short_names(),
            subjects: self.subjects.iter().map(Subject::label).collect(),
        }
    }
}

/// Commands allowed or filtered for a cell.
fn commands(c: &super::Cell) -> Vec<String> {
    COMMANDS
        .iter()
        .filter(|k| {
            matches!(
                c.verdict(**k),
                Verdict::Allowed { .. } | Verdict::Filtered { .. } | Verdict::View { .. }
            )
        })
        .map(|k| k.sql().to_lowercase())
        .collect()
}

fn compare(before: &Matrix, after: &Matrix, relations: &BTreeSet<&String>) -> Vec<Change> {
    let mut out = Vec::new();
    for q in relations {
        let b = before.relations.iter().find(|r| &&r.qualified() == q);
        let a = after.relations.iter().find(|r| &&r.qualified() == q);
        for s in &after.subjects {
            let label = s.label();
            let cb = b.and_then(|r| r.cell(&label));
            let ca = a.and_then(|r| r.cell(&label));
            let word = |c: Option<&super::Cell>| c.map_or("absent".to_string(), |c| c.rows.short());
            let seen = |c: Option<&super::Cell>| c.and_then(|c| c.rows.seen()).unwrap_or(0);
            let (cmd_b, cmd_a) = (
                cb.map(commands).unwrap_or_default(),
                ca.map(commands).unwrap_or_default(),
            );
            // A relation the plans created is reached as they asked: not "more" than before.
            let more =
                cb.is_some() && (seen(ca) > seen(cb) || cmd_a.iter().any(|c| !cmd_b.contains(c)));
            out.push(Change {
                relation: (*q).clone(),
                subject: label,
                before: word(cb),
                after: word(ca),
                commands_before: cmd_b,
                commands_after: cmd_a,
                more,
            });
        }
    }
    out
}

/// What the plans changed, relation by relation and subject by subject.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub changes: Vec<Change>,
    /// Per plan (`finding_id`), the relations it touched.
    pub touched: Vec<(String, BTreeSet<String>)>,
    /// Short names of the subjects (A, B for signed-in users), in `subjects` order.
    names: Vec<String>,
    subjects: Vec<String>,
}

impl Changes {
    /// The changes on the relations `plan` touched (for its journal entry).
    pub fn for_plan(&self, finding_id: &str) -> Vec<Change> {
        let Some((_, t)) = self.touched.iter().find(|(id, _)| id == finding_id) else {
            return Vec::new();
        };
        self.changes
            .iter()
            .filter(|c| t.contains(&c.relation))
            .cloned()
            .collect()
    }

    fn short(&self, subject: &str) -> String {
        self.subjects
            .iter()
            .position(|s| s == subject)
            .and_then(|i| self.names.get(i).cloned())
            .unwrap_or_else(|| subject.to_string())
    }

    /// "access public.profiles: anon: 8000 rows → denied; A: 8000 rows → 160 rows", one line
    /// per relation whose access changed, then who A and B are, and a warning for each subject
    /// that gained access.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let relations: BTreeSet<&String> = self.changes.iter().map(|c| &c.relation).collect();
        for r in relations {
            let here: Vec<&Change> = self.changes.iter().filter(|c| &c.relation == r).collect();
            if here
                .iter()
                .all(|c| c.before == c.after && c.commands_before == c.commands_after)
            {
                continue;
            }
            let parts: Vec<String> = here
                .iter()
                .map(|c| c.line(&self.short(&c.subject)))
                .collect();
            out.push(format!("access {r}: {}", parts.join("; ")));
            for c in here.iter().filter(|c| c.more) {
                out.push(format!(
                    "  ⚠ {} has more access to {r} than before: {}",
                    self.short(&c.subject),
                    c.line(&self.short(&c.subject))
                ));
            }
        }
        if !out.is_empty() {
            for (s, n) in self.subjects.iter().zip(&self.names) {
                if s != n {
                    out.push(format!("  ({n} = {})", s.replacen(':', " ", 1)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stop_at_the_name() {
        assert!(names(
            "GRANT SELECT ON TABLE public.notes TO authenticated",
            "public.notes"
        ));
        assert!(!names(
            "ALTER TABLE public.notes_log ENABLE ROW LEVEL SECURITY",
            "public.notes"
        ));
        assert!(names(
            "CREATE POLICY p ON public.\"Notes\" FOR SELECT",
            "public.\"Notes\""
        ));
        assert!(access_sql("alter table x enable row level security"));
        assert!(!access_sql("CREATE INDEX i ON t (a)"));
    }

    #[test]
    fn a_line_says_rows_and_commands() {
        let c = Change {
            relation: "public.p".into(),
            subject: "anon".into(),
            before: "8000".into(),
            after: "denied".into(),
            commands_before: vec!["select".into(), "insert".into()],
            commands_after: vec![],
            more: false,
        };
        assert_eq!(
            c.line("anon"),
            "anon: 8000 rows → denied, may no longer select, insert"
        );
    }
}
