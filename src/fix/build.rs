//! Building a [`Plan`] step by step: transaction groups, undo, locks, hazards, preconditions.

use super::plan::{LockInfo, Plan, Precondition, Step, StepMode};

/// A plan being built. Transactional steps go into the current group until [`B::next`] starts
/// another; an autocommit step always stands alone.
pub(crate) struct B {
    p: Plan,
    group: u32,
    undo_group: u32,
}

fn push(steps: &mut Vec<Step>, group: &mut u32, desc: String, sql: String, mode: StepMode) {
    let after_autocommit = steps
        .last()
        .is_some_and(|s| s.mode == StepMode::Autocommit && s.group == *group);
    if (mode == StepMode::Autocommit || after_autocommit) && !steps.is_empty() {
        *group += 1;
    }
    steps.push(Step {
        description: desc,
        sql,
        mode,
        group: *group,
        invalid_index_cleanup: None,
    });
}

impl B {
    pub fn new(finding_id: &str, title: impl Into<String>) -> B {
        B {
            p: Plan {
                finding_id: finding_id.to_string(),
                title: title.into(),
                steps: Vec::new(),
                undo: Vec::new(),
                locks: Vec::new(),
                hazards: Vec::new(),
                touches_data: false,
                preconditions: Vec::new(),
                tables: Vec::new(),
                also_fixes: Vec::new(),
                after: Vec::new(),
                server_checks: Vec::new(),
                decisions: Vec::new(),
                origin: Default::default(),
            },
            group: 1,
            undo_group: 1,
        }
    }

    /// A transactional step in the current group.
    pub fn tx(&mut self, desc: impl Into<String>, sql: impl Into<String>) -> &mut Self {
        push(
            &mut self.p.steps,
            &mut self.group,
            desc.into(),
            sql.into(),
            StepMode::Transactional,
        );
        self
    }

    /// Starts a new transaction group (when the current one has steps).
    pub fn next(&mut self) -> &mut Self {
        if self.p.steps.last().is_some_and(|s| s.group == self.group) {
            self.group += 1;
        }
        self
    }

    /// A step run alone, outside any transaction.
    pub fn auto(&mut self, desc: impl Into<String>, sql: impl Into<String>) -> &mut Self {
        push(
            &mut self.p.steps,
            &mut self.group,
            desc.into(),
            sql.into(),
            StepMode::Autocommit,
        );
        self
    }

    /// A `CREATE INDEX CONCURRENTLY` step: alone, and `cleanup` (the qualified index) is
    /// dropped first if a failed build left it INVALID.
    pub fn build_index(
        &mut self,
        desc: impl Into<String>,
        sql: impl Into<String>,
        cleanup: String,
    ) -> &mut Self {
        self.auto(desc, sql);
        if let Some(s) = self.p.steps.last_mut() {
            s.invalid_index_cleanup = Some(cleanup);
        }
        self
    }

    /// An undo step rebuilding an index CONCURRENTLY (see [`B::build_index`]).
    pub fn undo_build_index(
        &mut self,
        desc: impl Into<String>,
        sql: impl Into<String>,
        cleanup: String,
    ) -> &mut Self {
        self.undo_auto(desc, sql);
        if let Some(s) = self.p.undo.last_mut() {
            s.invalid_index_cleanup = Some(cleanup);
        }
        self
    }

    pub fn undo_tx(&mut self, desc: impl Into<String>, sql: impl Into<String>) -> &mut Self {
        push(
            &mut self.p.undo,
            &mut self.undo_group,
            desc.into(),
            sql.into(),
            StepMode::Transactional,
        );
        self
    }

    pub fn undo_next(&mut self) -> &mut Self {
        if self
            .p
            .undo
            .last()
            .is_some_and(|s| s.group == self.undo_group)
        {
            self.undo_group += 1;
        }
        self
    }

    pub fn undo_auto(&mut self, desc: impl Into<String>, sql: impl Into<String>) -> &mut Self {
        push(
            &mut self.p.undo,
            &mut self.undo_group,
            desc.into(),
            sql.into(),
            StepMode::Autocommit,
        );
        self
    }

    pub fn lock(&mut self, object: &str, mode: &str, effect: impl Into<String>) -> &mut Self {
        let l = LockInfo {
            object: object.to_string(),
            mode: mode.to_string(),
            effect: effect.into(),
        };
        if !self.p.locks.contains(&l) {
            self.p.locks.push(l);
        }
        self
    }

    pub fn hazard(&mut self, h: impl Into<String>) -> &mut Self {
        let h = h.into();
        if !self.p.hazards.contains(&h) {
            self.p.hazards.push(h);
        }
        self
    }

    pub fn pre(
        &mut self,
        desc: impl Into<String>,
        count_sql: impl Into<String>,
        sample_sql: impl Into<String>,
    ) -> &mut Self {
        self.p.preconditions.push(Precondition {
            description: desc.into(),
            sample_sql: sample_sql.into(),
            count_sql: count_sql.into(),
            problem: None,
        });
        self
    }

    /// What the last precondition's offending rows mean (the refusal states it).
    pub fn problem(&mut self, p: super::problem::Problem) -> &mut Self {
        if let Some(last) = self.p.preconditions.last_mut() {
            last.problem = Some(p);
        }
        self
    }

    /// The server must accept `explain` (an `EXPLAIN` of a statement holding checklist SQL)
    /// before the plan runs.
    pub fn server_check(&mut self, what: impl Into<String>, explain: String) -> &mut Self {
        self.p.server_checks.push(super::plan::ServerCheck {
            description: what.into(),
            sql: explain,
        });
        self
    }

    pub fn table(&mut self, tq: &str) -> &mut Self {
        if !self.p.tables.iter().any(|t| t == tq) {
            self.p.tables.push(tq.to_string());
        }
        self
    }

    /// Something the engineer must decide before the plan runs.
    pub fn decide(&mut self, d: super::decide::Decision) -> &mut Self {
        if !self.p.decisions.contains(&d) {
            self.p.decisions.push(d);
        }
        self
    }

    pub fn covers(&mut self, id: impl Into<String>) -> &mut Self {
        let id = id.into();
        if id != self.p.finding_id && !self.p.also_fixes.contains(&id) {
            self.p.also_fixes.push(id);
        }
        self
    }

    pub fn touches_data(&mut self) -> &mut Self {
        self.p.touches_data = true;
        self
    }

    pub fn done(self) -> Plan {
        self.p
    }
}

/// Lock wording shared by the builders.
pub(crate) mod locks {
    pub const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";
    pub const SHARE_UPDATE_EXCLUSIVE: &str = "SHARE UPDATE EXCLUSIVE";
    pub const SHARE_ROW_EXCLUSIVE: &str = "SHARE ROW EXCLUSIVE";
    pub const ROW_EXCLUSIVE: &str = "ROW EXCLUSIVE";

    pub fn brief(tq: &str) -> String {
        format!(
            "blocks every read and write of {tq} while the statement runs (catalog change only: \
             milliseconds, but it waits behind long transactions and queues others behind it)"
        )
    }

    pub fn concurrent(tq: &str) -> String {
        format!(
            "reads and writes of {tq} go on; blocks VACUUM and other schema changes of {tq} \
             while the index builds"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        let mut b = B::new("x", "t");
        b.tx("a", "A")
            .tx("b", "B")
            .auto("c", "C")
            .tx("d", "D")
            .next()
            .tx("e", "E");
        b.build_index("f", "F", "s.i".into()).tx("g", "G");
        let p = b.done();
        let g: Vec<u32> = p.steps.iter().map(|s| s.group).collect();
        assert_eq!(g, [1, 1, 2, 3, 4, 5, 6]);
        assert_eq!(p.steps[5].invalid_index_cleanup.as_deref(), Some("s.i"));
    }
}
