//! The guided fix: preview (editable SQL) → verified backup → confirm → apply → re-check.
//! Esc at any step before apply aborts with nothing changed.

use ratatui_textarea::TextArea;

use crate::fix::plan::{Plan, Step, StepMode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixStep {
    /// Plans are being generated.
    Planning,
    /// The SQL in the editor, with undo, locks, hazards and table sizes beside it.
    Preview,
    BackingUp,
    /// A summary of what will run where; production asks for the database name.
    Confirm,
    Applying,
    Rechecking,
    Done,
}

/// What a finished backup says (shown in the confirm step and journaled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// What it leaves out, in words (`BackupScope::describe`).
    pub excludes: String,
}

#[derive(Debug, Clone)]
pub struct FixFlow {
    pub step: FixStep,
    /// The findings the engineer asked to fix.
    pub finding_ids: Vec<String>,
    /// Findings without a plan (said in the preview).
    pub unfixable: Vec<String>,
    /// Plans refused before the backup, `id: why` (said in the preview).
    pub refused: Vec<String>,
    /// What the backup will leave out (said in the preview and the confirm step).
    pub scope: Option<String>,
    pub plans: Vec<Plan>,
    pub editor: TextArea<'static>,
    /// The script as generated, to tell whether it was edited.
    pub original: String,
    pub backup: Option<BackupSummary>,
    /// One line of progress (pg_dump bytes and time; the step being applied).
    pub progress: String,
    /// Lines of what happened, step by step.
    pub log: Vec<String>,
    /// Production: the database name typed to confirm.
    pub confirm_input: String,
    pub error: Option<String>,
    /// When the current step began (state clock, ms).
    pub since: u64,
    /// After the re-check: which of `finding_ids` are gone.
    pub fixed: Vec<String>,
    pub still: Vec<String>,
}

impl FixFlow {
    pub fn new(finding_ids: Vec<String>, now: u64) -> FixFlow {
        FixFlow {
            step: FixStep::Planning,
            finding_ids,
            unfixable: Vec::new(),
            refused: Vec::new(),
            scope: None,
            plans: Vec::new(),
            editor: TextArea::default(),
            original: String::new(),
            backup: None,
            progress: String::new(),
            log: Vec::new(),
            confirm_input: String::new(),
            error: None,
            since: now,
            fixed: Vec::new(),
            still: Vec::new(),
        }
    }

    pub fn script(&self) -> String {
        self.editor.lines().join("\n")
    }

    pub fn edited(&self) -> bool {
        self.script().trim_end() != self.original.trim_end()
    }

    pub fn set_plans(&mut self, plans: Vec<Plan>) {
        self.unfixable = self
            .finding_ids
            .iter()
            .filter(|id| !plans.iter().any(|p| &p.finding_id == *id))
            .filter(|id| {
                !self
                    .refused
                    .iter()
                    .any(|r| r.starts_with(&format!("{id}: ")))
            })
            .cloned()
            .collect();
        self.original = plans
            .iter()
            .map(Plan::script)
            .collect::<Vec<_>>()
            .join("\n");
        self.editor = TextArea::new(self.original.lines().map(str::to_string).collect());
        self.plans = plans;
        self.step = FixStep::Preview;
    }

    /// The plans to apply: the generated ones, or the editor's script read back into them.
    pub fn plans_to_apply(&self) -> Vec<Plan> {
        if self.edited() {
            read_back(&self.script(), &self.plans)
        } else {
            self.plans.clone()
        }
    }
}

/// Reads an (edited) script in `Plan::script` form back into plans: `-- finding: ID` starts a
/// plan, `-- what (transaction N)` / `-- what (outside a transaction)` starts a step, SQL lines
/// belong to the step above them. A plan whose steps were all deleted is dropped; SQL before
/// any step marker becomes a transactional step of its own.
pub fn read_back(script: &str, originals: &[Plan]) -> Vec<Plan> {
    let mut out: Vec<Plan> = Vec::new();
    let mut current: Option<Plan> = None;
    let flush_step = |plan: &mut Plan| {
        if let Some(last) = plan.steps.last_mut() {
            last.sql = last.sql.trim().to_string();
        }
    };
    let mut lines = script.lines().peekable();
    while let Some(line) = lines.next() {
        // A plan's title line sits right above its `-- finding:` line.
        if line.starts_with("-- ") && lines.peek().is_some_and(|n| n.starts_with("-- finding: ")) {
            continue;
        }
        if let Some(id) = line.strip_prefix("-- finding: ") {
            if let Some(mut p) = current.take() {
                flush_step(&mut p);
                out.push(p);
            }
            let mut p = originals
                .iter()
                .find(|p| p.finding_id == id.trim())
                .cloned()
                .unwrap_or_else(|| Plan {
                    finding_id: id.trim().to_string(),
                    title: format!("edited: {}", id.trim()),
                    steps: vec![],
                    undo: vec![],
                    locks: vec![],
                    hazards: vec![],
                    touches_data: true,
                    preconditions: vec![],
                    tables: vec![],
                    also_fixes: vec![],
                    after: vec![],
                    server_checks: vec![],
                    decisions: vec![],
                    origin: Default::default(),
                });
            p.steps.clear();
            current = Some(p);
            continue;
        }
        let Some(plan) = current.as_mut() else {
            continue;
        };
        if let Some(marker) = step_marker(line) {
            flush_step(plan);
            let orig = originals
                .iter()
                .find(|p| p.finding_id == plan.finding_id)
                .and_then(|p| p.steps.iter().find(|s| s.description == marker.0));
            plan.steps.push(Step {
                description: marker.0,
                sql: String::new(),
                mode: marker.1,
                group: marker.2,
                invalid_index_cleanup: orig.and_then(|s| s.invalid_index_cleanup.clone()),
            });
            continue;
        }
        if line.trim_start().starts_with("-- ") && plan.steps.is_empty() {
            continue; // the plan's header comments
        }
        if plan.steps.is_empty() && !line.trim().is_empty() {
            plan.steps.push(Step {
                description: "edited SQL".into(),
                sql: String::new(),
                mode: StepMode::Transactional,
                group: 0,
                invalid_index_cleanup: None,
            });
        }
        if let Some(step) = plan.steps.last_mut() {
            step.sql.push_str(line);
            step.sql.push('\n');
        }
    }
    if let Some(mut p) = current.take() {
        flush_step(&mut p);
        out.push(p);
    }
    for p in &mut out {
        p.steps.retain(|s| !s.sql.trim().is_empty());
    }
    out.retain(|p| !p.steps.is_empty());
    out
}

/// `-- create table public.x (transaction 2)` → ("create table public.x", Transactional, 2).
fn step_marker(line: &str) -> Option<(String, StepMode, u32)> {
    let rest = line.strip_prefix("-- ")?;
    if let Some(d) = rest.strip_suffix(" (outside a transaction)") {
        return Some((d.to_string(), StepMode::Autocommit, 0));
    }
    let open = rest.rfind(" (transaction ")?;
    let n: u32 = rest[open + " (transaction ".len()..]
        .strip_suffix(')')?
        .parse()
        .ok()?;
    Some((rest[..open].to_string(), StepMode::Transactional, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str) -> Plan {
        Plan {
            finding_id: id.into(),
            title: format!("fix {id}"),
            steps: vec![
                Step {
                    description: "create table public.t".into(),
                    sql: "CREATE TABLE public.t (id int);".into(),
                    mode: StepMode::Transactional,
                    group: 1,
                    invalid_index_cleanup: None,
                },
                Step {
                    description: "index public.t (id)".into(),
                    sql: "CREATE INDEX CONCURRENTLY t_id_idx ON public.t (id);".into(),
                    mode: StepMode::Autocommit,
                    group: 0,
                    invalid_index_cleanup: Some("public.t_id_idx".into()),
                },
            ],
            undo: vec![],
            locks: vec![],
            hazards: vec!["a hazard".into()],
            touches_data: false,
            preconditions: vec![],
            tables: vec![],
            also_fixes: vec![],
            after: vec![],
            server_checks: vec![],
            decisions: vec![],
            origin: Default::default(),
        }
    }

    #[test]
    fn an_unedited_script_reads_back_to_the_same_steps() {
        let plans = vec![plan("a"), plan("b")];
        let script = plans
            .iter()
            .map(Plan::script)
            .collect::<Vec<_>>()
            .join("\n");
        let back = read_back(&script, &plans);
        assert_eq!(back, plans);
    }

    #[test]
    fn edits_change_sql_and_deleted_plans_are_dropped() {
        let plans = vec![plan("a"), plan("b")];
        let script = plans
            .iter()
            .map(Plan::script)
            .collect::<Vec<_>>()
            .join("\n");
        let edited = script.replacen(
            "CREATE TABLE public.t (id int);",
            "CREATE TABLE public.t (id bigint);",
            1,
        );
        let cut = edited.find("-- fix b").unwrap();
        let back = read_back(&edited[..cut], &plans);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].steps[0].sql, "CREATE TABLE public.t (id bigint);");
        assert_eq!(back[0].steps[1].mode, StepMode::Autocommit);
        assert_eq!(
            back[0].steps[1].invalid_index_cleanup.as_deref(),
            Some("public.t_id_idx")
        );
    }
}
