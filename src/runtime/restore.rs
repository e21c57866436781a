//! The app's restore: verify the backup and read the target (nothing written), then run it,
//! each answering with actions. The same steps as `pgmend restore` ([`flow`]).

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::Action;
use crate::backup::restore::{self, RestoreProgress, flow, toc};
use crate::backup::tools::Tool;
use crate::db::{ConnParams, Env, Resolved, Source};

/// A restore read and decided, waiting for the confirmation.
pub type Ready = (flow::Prepared, (Tool, PathBuf));

/// Verifies the backup and decides where it goes: `into` is a database on the connected
/// server (`base`), or a URL.
pub async fn prepare(
    base: Option<Resolved>,
    backup: PathBuf,
    into: String,
    tables: Vec<String>,
    entry: Option<String>,
) -> Result<Ready, String> {
    crate::journal::verify_backup(&backup)
        .await
        .map_err(|e| format!("cannot restore from a backup that does not verify: {e}"))?;
    let tools = restore::restore_tools().map_err(|e| e.to_string())?;
    let toc = restore::read_toc(&tools.0, &backup)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let tables = tables
        .iter()
        .map(|t| toc::parse_table(t))
        .collect::<Result<Vec<_>, _>>()?;
    // An entry's tables: those the fix created were not there to back up.
    let tables = match &entry {
        Some(id) => toc.held(id, tables)?.0,
        None => tables,
    };
    let resolved = if into.contains("://") || into.contains('=') {
        let params = ConnParams::parse(&into).map_err(|e| e.to_string())?;
        crate::db::resolve(Source::Argument(params), &Env::from_process())
            .map_err(|e| e.to_string())?
    } else {
        let mut r = base.ok_or("not connected: type a postgres:// URL")?;
        r.target.dbname = into;
        r
    };
    let prepared = flow::prepare(&backup, toc, tables, resolved, false, false)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok((prepared, tools))
}

/// Runs it, with a progress line per entry.
pub async fn run(ready: Ready, tx: UnboundedSender<Action>) -> Result<String, String> {
    let progress = move |p: RestoreProgress| {
        let _ = tx.send(Action::RestoreProgress(format!(
            "{}/{} {}",
            p.done, p.total, p.what
        )));
    };
    let journal = crate::journal::default_path()
        .ok_or("no data directory for the journal (HOME unset?): nothing was restored")?;
    let clock = std::time::Instant::now();
    let done = flow::execute(&ready.0, &ready.1, progress)
        .await
        .map_err(|e| format!("{e:#}"));
    let p = &ready.0;
    let entry = crate::journal::Entry::restore(
        &p.into.target,
        &p.archive,
        &p.describe(),
        &done,
        None,
        clock.elapsed(),
    );
    match crate::journal::append(&journal, &entry) {
        Ok(()) => done,
        Err(e) => done.map(|d| {
            format!(
                "{d} (⚠ the journal {} could not be written: {e})",
                journal.display()
            )
        }),
    }
}
