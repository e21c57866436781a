//! The palette's commands that work on files: verify a backup, export the plans as SQL. Each
//! answers with one line for the status bar.

use std::path::{Path, PathBuf};

use crate::backup::{self, ChecksumCheck};
use crate::check::Report;
use crate::checklist::Checklist;
use crate::db::catalog::Snapshot;

/// `pgmend backups verify` for one file, in one line.
pub async fn verify(path: &Path) -> String {
    match crate::journal::verify_backup(path).await {
        Ok(v) => {
            let sum = match &v.checksum {
                ChecksumCheck::NotRecorded => v.checksum.describe().to_string(),
                c => format!("sha256 {}", c.describe()),
            };
            format!(
                "✔ verified {}: {} reads it whole; {sum}",
                v.path.display(),
                v.pg_restore
            )
        }
        Err(e) => format!("✘ {}: {e}", path.display()),
    }
}

/// Writes the plans for these findings (as `pgmend fix --dry-run` prints them) to a new file
/// in the current directory; says where, or why not.
pub fn export(
    finding_ids: &[String],
    snapshot: &Snapshot,
    report: &Report,
    checklists: &[Checklist],
    database: &str,
) -> String {
    let adapted = crate::checklist::adapt::adapt_if_asked(checklists, snapshot);
    let lists = adapted.as_ref().map_or(checklists, |a| &a.0[..]);
    let plans = super::fix::plans(finding_ids, snapshot, report, lists);
    if plans.is_empty() {
        return "pgmend has no plan for these findings: nothing written".into();
    }
    let script = plans
        .iter()
        .map(crate::fix::plan::Plan::script)
        .collect::<Vec<_>>()
        .join("\n");
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace([':', '-'], "");
    let path = PathBuf::from(format!(
        "pgmend-plan-{}-{stamp}.sql",
        backup::file_safe(database)
    ));
    let header = format!(
        "-- pgmend: {} plan(s) for {} finding(s) on database {database}; review, then run\n\
         -- them with `pgmend fix` (backup, confirm, apply, re-check) or by hand.\n\n",
        plans.len(),
        finding_ids.len()
    );
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, format!("{header}{script}\n").as_bytes())
        });
    match written {
        Ok(()) => format!("wrote {} plan(s) to {}", plans.len(), path.display()),
        Err(e) => format!("cannot write {}: {e}", path.display()),
    }
}
