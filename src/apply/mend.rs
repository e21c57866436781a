//! The one write path: `mend(plans, guard, journal)`. The CLI (`pgmend fix`), the app's fix
//! flow and the completion of an interrupted apply all call it, on a writable session:
//! 1. admission: the role's privileges, and the backup's scope (a plan changing something the
//!    backup does not hold is refused, and journaled);
//! 2. for each plan, a write-ahead `started` line in the journal (fsynced) before its first step;
//! 3. the apply engine;
//! 4. each plan's outcome in the journal.
//!
//! It cannot be called without a [`Guard`]: a [`VerifiedBackup`] (only `backup` makes one, after
//! pg_restore read it whole) or the spelled-out `Declined` (`--no-backup`). The [`Journal`] is
//! resolved by the caller before the call, so a journal that cannot be located refuses the
//! apply before anything ran.

use sqlx::PgConnection;

use super::admit::{self, Refused};
use super::{ApplyOptions, PlanOutcome, StepEvent};
use crate::backup::{BackupRecord, VerifiedBackup};
use crate::fix::plan::Plan;
use crate::journal::{BackupNote, Entry, Journal};

/// What an apply follows.
#[derive(Debug, Clone)]
pub enum Guard {
    /// A backup pgmend took and verified.
    Verified(Box<VerifiedBackup>),
    /// `--no-backup`, spelled out: journaled as `"no_backup": true`.
    Declined,
}

impl Guard {
    pub fn backup(&self) -> Option<&BackupRecord> {
        match self {
            Guard::Verified(b) => Some(b.record()),
            Guard::Declined => None,
        }
    }

    fn note(&self) -> BackupNote<'_> {
        match self {
            Guard::Verified(b) => BackupNote::Taken(b.record()),
            Guard::Declined => BackupNote::Declined,
        }
    }
}

/// What `mend` did.
#[derive(Debug)]
pub struct Mended {
    /// Plans admission refused (journaled): nothing of them ran.
    pub refused: Vec<Refused>,
    /// The plans that went to the engine, and what became of each, in the same order.
    pub plans: Vec<Plan>,
    pub outcomes: Vec<PlanOutcome>,
    /// Each subject's access to the relations the plans touched, before and after, for plans
    /// that change grants, row-level security or policies (`access::proof`).
    pub access: crate::access::proof::Changes,
    /// Outcome lines that could not be written to the journal (the `started` line of each of
    /// those plans is there, so the journal shows them as interrupted).
    pub journal_errors: Vec<String>,
}

/// What a caller records with each plan's outcome once the plans ran, before the outcome lines
/// are journaled: the files holding each plan's statements (`fix --emit-migration`), in the
/// plans' order.
pub type Annotate<'a> = &'a dyn Fn(&[Plan], &[PlanOutcome]) -> Vec<Vec<std::path::PathBuf>>;

/// Admits `plans` against the role and the guard, journals the refused ones, applies the others
/// on `conn` (a writable session) with a write-ahead journal line each, and journals their
/// outcomes. `Err`: nothing was applied (the privileges could not be read, or the journal
/// could not be written before the first plan).
pub async fn mend(
    conn: &mut PgConnection,
    plans: Vec<Plan>,
    guard: &Guard,
    journal: &Journal,
    opts: &ApplyOptions,
    progress: impl Fn(StepEvent),
) -> Result<Mended, String> {
    mend_annotated(conn, plans, guard, journal, opts, progress, None).await
}

/// [`mend`], with what `annotate` says of each plan recorded in its outcome line.
pub async fn mend_annotated(
    conn: &mut PgConnection,
    plans: Vec<Plan>,
    guard: &Guard,
    journal: &Journal,
    opts: &ApplyOptions,
    progress: impl Fn(StepEvent),
    annotate: Option<Annotate<'_>>,
) -> Result<Mended, String> {
    let permitted = admit::permitted(conn, plans)
        .await
        .map_err(|e| format!("cannot check the role's privileges: {e}: nothing was applied"))?;
    let (admitted, refused) = match guard {
        Guard::Verified(b) => permitted.covered_by(&b.scope),
        Guard::Declined => permitted.without_backup(),
    };
    let target = journal.target();
    for r in &refused {
        journal
            .write(&Entry::refused_before(target, r, guard.backup()))
            .map_err(|e| format!("{e}: nothing was applied"))?;
    }
    let plans = admitted.plans().to_vec();
    let runs: Vec<String> = (0..plans.len()).map(crate::journal::run_id).collect();
    let note = guard.note();
    let before =
        |i: usize, plan: &Plan| journal.write(&Entry::started(target, plan, note, &runs[i]));
    // Who can see what, measured on this session before and after (only when a plan touches
    // grants, row-level security or policies).
    let proof = crate::access::proof::Proof::before(conn, &plans).await;
    let outcomes = super::apply_all(conn, &plans, opts, &before, progress).await;
    let access = match proof {
        Some(p) => p.after(conn, &plans).await,
        None => Default::default(),
    };
    let mut files = annotate.map(|a| a(&plans, &outcomes)).unwrap_or_default();
    files.resize(plans.len(), Vec::new());
    let mut journal_errors = Vec::new();
    for (((plan, o), run), files) in plans.iter().zip(&outcomes).zip(&runs).zip(files) {
        let mut entry = Entry::new(target, plan, &o.outcome, note).of_run(run);
        entry.migration = files;
        entry.access = access.for_plan(&plan.finding_id);
        if let Err(e) = journal.write(&entry) {
            journal_errors.push(e);
        }
    }
    Ok(Mended {
        refused,
        plans,
        outcomes,
        access,
        journal_errors,
    })
}
