//! The guided fix: preview (editable SQL) → verified backup → confirm → apply → re-check.
//! Esc at any step before apply aborts with nothing changed. The flow is one enum whose steps
//! carry their own data: the editable plans exist from the preview to the confirmation, the
//! verified backup's summary from the confirmation on, so no step can be reached without what
//! it needs (a confirmation without a backup cannot be written).

use ratatui_textarea::TextArea;

use crate::fix::plan::{Plan, Step, StepMode};

/// The plans and the editor holding their script (as edited).
#[derive(Debug, Clone)]
pub struct Draft {
    pub plans: Vec<Plan>,
    pub editor: TextArea<'static>,
    /// The script as generated, to tell whether it was edited.
    pub original: String,
}

impl Draft {
    pub fn new(plans: Vec<Plan>) -> Draft {
        let original = plans
            .iter()
            .map(Plan::script)
            .collect::<Vec<_>>()
            .join("\n");
        Draft {
            editor: TextArea::new(original.lines().map(str::to_string).collect()),
            original,
            plans,
        }
    }

    pub fn script(&self) -> String {
        self.editor.lines().join("\n")
    }

    pub fn edited(&self) -> bool {
        self.script().trim_end() != self.original.trim_end()
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

/// Where the flow is, with what that step needs.
#[derive(Debug, Clone)]
pub enum FixStep {
    /// Plans are being generated.
    Planning,
    /// The SQL in the editor, with undo, locks, hazards and table sizes beside it.
    Preview(Draft),
    BackingUp(Draft),
    /// A summary of what will run where, after the verified backup; production asks for the
    /// database name (`typed`).
    Confirm {
        draft: Draft,
        backup: BackupSummary,
        typed: String,
    },
    /// The plans went to the apply (`edited`: as the engineer edited them).
    Applying {
        backup: BackupSummary,
        edited: bool,
    },
    Rechecking,
    /// After the re-check: which of the findings are gone, which are still there.
    Done {
        fixed: Vec<String>,
        still: Vec<String>,
    },
}

impl FixStep {
    pub fn name(&self) -> &'static str {
        match self {
            FixStep::Planning => "planning",
            FixStep::Preview(_) => "preview",
            FixStep::BackingUp(_) => "backing up",
            FixStep::Confirm { .. } => "confirm",
            FixStep::Applying { .. } => "applying",
            FixStep::Rechecking => "rechecking",
            FixStep::Done { .. } => "done",
        }
    }

    /// The flow is over, nothing changed by it or its outcome shown.
    pub fn done() -> FixStep {
        FixStep::Done {
            fixed: Vec::new(),
            still: Vec::new(),
        }
    }
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
    /// One line of progress (pg_dump bytes and time; the step being applied).
    pub progress: String,
    /// Lines of what happened, step by step.
    pub log: Vec<String>,
    pub error: Option<String>,
    /// When the current step began (state clock, ms).
    pub since: u64,
}

impl FixFlow {
    pub fn new(finding_ids: Vec<String>, now: u64) -> FixFlow {
        FixFlow {
            step: FixStep::Planning,
            finding_ids,
            unfixable: Vec::new(),
            refused: Vec::new(),
            scope: None,
            progress: String::new(),
            log: Vec::new(),
            error: None,
            since: now,
        }
    }

    /// The plans and their script, from the preview to the confirmation.
    pub fn draft(&self) -> Option<&Draft> {
        match &self.step {
            FixStep::Preview(d) | FixStep::BackingUp(d) | FixStep::Confirm { draft: d, .. } => {
                Some(d)
            }
            _ => None,
        }
    }

    pub fn script(&self) -> String {
        self.draft().map(Draft::script).unwrap_or_default()
    }

    /// The plans to apply (none outside the preview and confirmation).
    pub fn plans_to_apply(&self) -> Vec<Plan> {
        self.draft().map(Draft::plans_to_apply).unwrap_or_default()
    }

    /// The plans arrived: the preview.
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
        self.step = FixStep::Preview(Draft::new(plans));
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
                .unwrap_or_else(|| {
                    let mut p = Plan::of_steps(id.trim(), format!("edited: {}", id.trim()), vec![]);
                    p.touches_data = true;
                    p
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
        let steps = vec![
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
        ];
        let mut p = Plan::of_steps(id, format!("fix {id}"), steps);
        p.hazards = vec!["a hazard".into()];
        p
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
