//! What applying a plan takes and gives back.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::fix::plan::{Step, StepMode};

/// How plans are applied.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `lock_timeout` of every step: a step that cannot have its lock this fast gives up (and is
    /// retried) instead of queueing every other session behind it.
    pub lock_timeout: Duration,
    /// `statement_timeout` of every step.
    pub statement_timeout: Duration,
    /// Attempts in all for a step (or transactional group) that hits a lock timeout.
    pub retries: u32,
    /// Wait before the second attempt; doubled before each one after.
    pub backoff: Duration,
    /// Where the watcher session connects (a read-only session that reports who blocks a
    /// waiting step); without it, blockers are not reported.
    pub watch: Option<crate::db::Resolved>,
    /// How often the watcher looks.
    pub watch_interval: Duration,
    /// `--wait-for-locks`: past the retries, keep trying a unit that cannot have its lock
    /// until this long after its first attempt.
    pub wait_for_locks: Option<Duration>,
    /// `--terminate-blockers`: end the sessions holding a lock a step waited for, then try
    /// again. Never done otherwise.
    pub terminate_blockers: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            lock_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            watch: None,
            watch_interval: Duration::from_millis(100),
            wait_for_locks: None,
            terminate_blockers: false,
        }
    }
}

/// A session that holds a lock a step waits for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    pub pid: i32,
    pub user: Option<String>,
    pub application_name: Option<String>,
    /// `active`, `idle in transaction`, …
    pub state: Option<String>,
    /// Its current (or last) statement, truncated.
    pub query: String,
    /// How long its transaction (or statement) has been running, in seconds.
    pub for_secs: f64,
    /// The relations it holds locks on, with the modes (`public.t AccessExclusiveLock`).
    pub locks: Option<String>,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pid {} (user {}, application {}, {} for {:.1}s",
            self.pid,
            self.user.as_deref().unwrap_or("?"),
            self.application_name
                .as_deref()
                .filter(|a| !a.is_empty())
                .unwrap_or("-"),
            self.state.as_deref().unwrap_or("?"),
            self.for_secs
        )?;
        if let Some(l) = &self.locks {
            write!(f, ", holding {l}")?;
        }
        write!(f, "): {}", self.query)
    }
}

/// What became of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum StepStatus {
    Ok,
    Failed {
        sqlstate: Option<String>,
        message: String,
    },
    /// It ran, but its transaction was rolled back (another step of its group failed).
    RolledBack,
    Skipped {
        reason: String,
    },
}

impl StepStatus {
    pub fn skipped(reason: &str) -> StepStatus {
        StepStatus::Skipped {
            reason: reason.to_string(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            StepStatus::Ok => "ok",
            StepStatus::Failed { .. } => "failed",
            StepStatus::RolledBack => "rolled back",
            StepStatus::Skipped { .. } => "skipped",
        }
    }
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepResult {
    pub index: usize,
    pub description: String,
    /// The SQL that ran (the plan's, after any edit).
    pub sql: String,
    pub mode: StepMode,
    pub group: u32,
    #[serde(flatten)]
    pub status: StepStatus,
    pub duration: Duration,
    pub attempts: u32,
    /// Sessions seen blocking it.
    pub blockers: Vec<Blocker>,
    /// Blockers whose sessions pgmend ended (`--terminate-blockers`).
    pub terminated: Vec<Blocker>,
}

impl StepResult {
    pub fn new(index: usize, step: &Step, status: StepStatus) -> StepResult {
        StepResult {
            index,
            description: step.description.clone(),
            sql: step.sql.clone(),
            mode: step.mode,
            group: step.group,
            status,
            duration: Duration::ZERO,
            attempts: 0,
            blockers: Vec::new(),
            terminated: Vec::new(),
        }
    }
}

/// A precondition that found offending rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub description: String,
    /// The problem the offending rows show, counted: "public.rooms: 3 rows have no value for
    /// NOT NULL column "ownerId" …" (the precondition's description when it states none).
    pub problem: String,
    pub count: i64,
    /// A sample of the offending rows, each as a JSON object.
    pub sample: Vec<serde_json::Value>,
}

/// What applying a plan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ApplyOutcome {
    /// Every step ran and committed.
    Applied {
        steps: Vec<StepResult>,
        duration: Duration,
    },
    /// A precondition found offending rows: nothing ran.
    Refused {
        refusals: Vec<Refusal>,
        duration: Duration,
    },
    /// A step failed; the failed step's transaction was rolled back, later steps skipped.
    Failed {
        steps: Vec<StepResult>,
        error: String,
        duration: Duration,
    },
    /// Not run: a plan it depends on (`Plan::after`) was refused, failed or skipped itself.
    Skipped { reason: String },
}

impl ApplyOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            ApplyOutcome::Applied { .. } => "fixed",
            ApplyOutcome::Refused { .. } => "refused",
            ApplyOutcome::Failed { .. } => "failed",
            ApplyOutcome::Skipped { .. } => "skipped",
        }
    }

    pub fn steps(&self) -> &[StepResult] {
        match self {
            ApplyOutcome::Applied { steps, .. } | ApplyOutcome::Failed { steps, .. } => steps,
            ApplyOutcome::Refused { .. } | ApplyOutcome::Skipped { .. } => &[],
        }
    }

    pub fn duration(&self) -> Duration {
        match self {
            ApplyOutcome::Applied { duration, .. }
            | ApplyOutcome::Refused { duration, .. }
            | ApplyOutcome::Failed { duration, .. } => *duration,
            ApplyOutcome::Skipped { .. } => Duration::ZERO,
        }
    }
}

/// One plan's outcome in `apply_all`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanOutcome {
    pub finding_id: String,
    pub outcome: ApplyOutcome,
}

/// A progress report: which plan (its index in `apply_all`, 0 for `apply`), and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct StepEvent {
    pub plan: usize,
    pub finding_id: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Checking the session and the preconditions.
    Checking,
    /// Preconditions found offending rows: nothing will run.
    Refused {
        refusals: usize,
    },
    Started {
        step: usize,
        description: String,
        attempt: u32,
    },
    /// The step waits for locks these sessions hold.
    Blocked {
        step: usize,
        blockers: Vec<Blocker>,
    },
    /// The step gave up waiting for a lock; `retry_in` is None when no attempt is left.
    LockTimeout {
        step: usize,
        attempt: u32,
        retry_in: Option<Duration>,
    },
    /// `--terminate-blockers`: pgmend asked the server to end this blocker's session;
    /// `ended` is false when it was already gone.
    Terminated {
        step: usize,
        blocker: Blocker,
        ended: Result<bool, String>,
    },
    /// A failed CREATE INDEX CONCURRENTLY left this INVALID index; it was dropped.
    DroppedInvalidIndex {
        step: usize,
        index: String,
    },
    Finished {
        step: usize,
        status: StepStatus,
        duration: Duration,
    },
    Done {
        ok: bool,
    },
}
