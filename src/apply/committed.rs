//! What of a plan took effect: the steps that committed (for `fix --emit-migration`).

use super::{ApplyOutcome, StepStatus};
use crate::fix::plan::Plan;

/// The plan as far as it took effect: the steps that committed, with the SQL that ran. None
/// when nothing of it did (refused, skipped, or failed in its first unit).
pub fn committed(plan: &Plan, outcome: &ApplyOutcome) -> Option<Plan> {
    let results = match outcome {
        ApplyOutcome::Applied { steps, .. } | ApplyOutcome::Failed { steps, .. } => steps,
        ApplyOutcome::Refused { .. } | ApplyOutcome::Skipped { .. } => return None,
    };
    let steps: Vec<crate::fix::plan::Step> = results
        .iter()
        .filter(|r| matches!(r.status, StepStatus::Ok))
        .filter_map(|r| {
            let mut s = plan.steps.get(r.index)?.clone();
            s.sql = r.sql.clone();
            Some(s)
        })
        .collect();
    if steps.is_empty() {
        return None;
    }
    let mut p = plan.clone();
    if steps.len() < plan.steps.len() {
        p.title = format!(
            "{} (only the {} step(s) that committed: the plan failed)",
            p.title,
            steps.len()
        );
    }
    p.steps = steps;
    Some(p)
}
