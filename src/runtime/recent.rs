//! Recent connections for the picker: redacted connection strings (never a password) in the
//! XDG state directory, newest first.

use std::path::PathBuf;

const KEEP: usize = 10;

fn path() -> Option<PathBuf> {
    let d = directories::ProjectDirs::from("", "", "pgmend")?;
    Some(d.state_dir().unwrap_or(d.cache_dir()).join("recent.txt"))
}

pub fn load() -> Vec<String> {
    path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| {
            t.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Remembers a connection string (redacted) as the most recent one.
pub fn remember(conn: &str) {
    let Some(p) = path() else { return };
    let entry = crate::db::params::redact(conn);
    let mut list = load();
    list.retain(|l| *l != entry);
    list.insert(0, entry);
    list.truncate(KEEP);
    if let Some(dir) = p.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(p, list.join("\n") + "\n");
}
