//! The Backups and Journal tabs' contents, read from disk.

use crate::app::action::FileEntry;

/// The database a backup file name carries (`mood_20250102T030405Z.dump` → `mood`).
fn database_of(name: &str) -> String {
    name.strip_suffix(".dump")
        .and_then(|n| n.rsplit_once('_'))
        .map_or_else(String::new, |(db, _)| db.to_string())
}

/// Every backup file, newest first.
pub fn backups(dir: Option<&std::path::Path>) -> Vec<FileEntry> {
    let Some(dir) = dir
        .map(|d| d.to_path_buf())
        .or_else(crate::backup::default_dir)
    else {
        return Vec::new();
    };
    let mut rows: Vec<FileEntry> = crate::backup::list(&dir)
        .unwrap_or_default()
        .into_iter()
        .map(|b| {
            let name = b.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let when = b.modified.map(|m| humantime::format_rfc3339_seconds(m).to_string()).unwrap_or_default();
            let verified = if b.verified_when_taken { "verified when taken" } else { "not verified by pgmend" };
            let label = format!("{name}  {:.1} MiB  {verified}", b.size as f64 / 1_048_576.0);
            let detail = format!(
                "{}\n{} bytes, written {when}\n{verified}\nrestore: r (into a new database), or pgmend restore {} --into NEW_DB\nverify:  pgmend backups verify {}",
                b.path.display(),
                b.size,
                b.path.display(),
                b.path.display()
            );
            FileEntry {
                database: database_of(&name),
                label,
                detail,
                path: Some(b.path),
            }
        })
        .collect();
    rows.reverse();
    rows
}

/// Every journal entry, newest first (read once: the Journal tab's rows and what they stand
/// for both come from it).
pub fn journal_entries() -> Vec<crate::journal::Entry> {
    let mut entries = crate::journal::default_path()
        .and_then(|p| crate::journal::read(&p).ok())
        .unwrap_or_default();
    entries.reverse();
    entries
}

/// The Journal tab's rows, one per entry, in the entries' order.
pub fn journal(entries: &[crate::journal::Entry]) -> Vec<FileEntry> {
    entries
        .iter()
        .map(|e| {
            let label = format!("{}  {:<7} {}", e.time, e.result, e.finding_id);
            let mut detail = format!(
                "{}\n{} on {}:{}/{} as {} — {} in {} ms\n",
                e.title,
                e.result,
                e.connection.host,
                e.connection.port,
                e.connection.database,
                e.connection.user,
                e.finding_id,
                e.duration_ms
            );
            if e.is_started() {
                detail.push_str(crate::journal::INTERRUPTED);
                detail.push('\n');
            }
            match (&e.backup, e.no_backup) {
                (Some(b), _) => detail.push_str(&format!(
                    "backup {} sha256 {}\n",
                    b.path.display(),
                    b.sha256
                )),
                (None, true) => detail.push_str("no backup (--no-backup was given)\n"),
                _ => {}
            }
            detail.push_str(&format!("id {}", e.id()));
            if let Some(k) = &e.kind {
                detail.push_str(&format!(" · {k}"));
            }
            if e.undoable() {
                detail.push_str(" · u undoes it");
            }
            if e.backup.is_some() && !e.tables.is_empty() {
                detail.push_str(" · r restores its tables beside the live ones");
            }
            detail.push('\n');
            if let Some(err) = &e.error {
                detail.push_str(&format!("error: {err}\n"));
            }
            for r in &e.refused {
                detail.push_str(&format!("refused: {r}\n"));
            }
            for s in &e.steps {
                detail.push_str(&format!(
                    "\n-- {} [{}; {} ms]\n{}\n",
                    s.description, s.result, s.duration_ms, s.sql
                ));
            }
            FileEntry {
                database: e.connection.database.clone(),
                label,
                detail,
                path: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_backup_file_names_its_database() {
        let name = crate::backup::file_name("my app", std::time::SystemTime::UNIX_EPOCH);
        assert_eq!(super::database_of(&name), "my_app");
        assert_eq!(super::database_of("notes.txt"), "");
    }
}
