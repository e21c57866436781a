//! The journal's lines of an apply: what each plan's outcome and each refusal before the apply
//! say (`mend` writes them). Here, with the engine's types, so the journal knows nothing of
//! the engine.

use super::admit::{Lack, Refused};
use super::{ApplyOutcome, StepStatus};
use crate::backup::BackupRecord;
use crate::db::Target;
use crate::journal::{Admission, BackupNote, Entry, StepEntry, backup_ref};

impl Entry {
    pub fn new(
        target: &Target,
        plan: &crate::fix::plan::Plan,
        outcome: &ApplyOutcome,
        backup: BackupNote<'_>,
    ) -> Entry {
        let steps = outcome
            .steps()
            .iter()
            .map(|s| {
                let (sqlstate, message) = match &s.status {
                    StepStatus::Failed { sqlstate, message } => {
                        (sqlstate.clone(), Some(message.clone()))
                    }
                    StepStatus::Skipped { reason } => (None, Some(reason.clone())),
                    _ => (None, None),
                };
                StepEntry {
                    description: s.description.clone(),
                    sql: s.sql.clone(),
                    result: s.status.label().to_string(),
                    sqlstate,
                    message,
                    duration_ms: s.duration.as_millis() as u64,
                    attempts: s.attempts,
                    blockers: s.blockers.iter().map(ToString::to_string).collect(),
                    terminated: s.terminated.iter().map(ToString::to_string).collect(),
                }
            })
            .collect();
        let (error, refused) = match outcome {
            ApplyOutcome::Failed { error, .. } => (Some(error.clone()), Vec::new()),
            ApplyOutcome::Refused { refusals, .. } => {
                (None, refusals.iter().map(|r| r.problem.clone()).collect())
            }
            ApplyOutcome::Applied { .. } => (None, Vec::new()),
            ApplyOutcome::Skipped { reason } => (Some(format!("skipped: {reason}")), Vec::new()),
        };
        Entry {
            error,
            refused,
            steps,
            duration_ms: outcome.duration().as_millis() as u64,
            ..Entry::base(target, plan, outcome.label(), backup)
        }
    }

    /// A plan the preview's checks refused (`apply::admit`): nothing of it ran. `backup`: the
    /// backup taken before the refusal, when there was one.
    pub fn refused_before(
        target: &Target,
        refused: &Refused,
        backup: Option<&BackupRecord>,
    ) -> Entry {
        let plan = &refused.plan;
        let (role, missing) = match &refused.lack {
            Lack::Privileges { role, missing } => (Some(role.clone()), missing.clone()),
            Lack::Backup | Lack::Data => (None, Vec::new()),
        };
        Entry {
            refused: vec![refused.why.clone()],
            backup: backup.map(backup_ref),
            no_backup: false,
            admission: Some(Admission {
                stage: refused.lack.stage().into(),
                role,
                missing,
            }),
            ..Entry::base(target, plan, "refused", BackupNote::Declined)
        }
    }
}
