//! Finding `pg_dump` and `pg_restore`: `PGMEND_PG_DUMP` when set, otherwise the newest of
//! `PGMEND_PG_BIN`, PATH, `pg_config --bindir` and `/usr/lib/postgresql/*/bin`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::BackupError;
use crate::pgserver::bin::versioned_dirs;

/// A client program and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub path: PathBuf,
    /// `pg_dump (PostgreSQL) 15.18 (Debian …)`: the first line of `--version`.
    pub version_text: String,
    /// Comparable major: 1500 for 15.x, 906 for 9.6.x.
    pub major: u32,
}

impl Tool {
    /// The major as people write it: `15`, `9.6`.
    pub fn major_label(&self) -> String {
        major_label(self.major)
    }
}

/// `15` for 1500, `9.6` for 906.
pub fn major_label(major: u32) -> String {
    if major >= 1000 {
        (major / 100).to_string()
    } else {
        format!("{}.{}", major / 100, major % 100)
    }
}

/// The comparable major of a `server_version_num` (150018 → 1500, 90624 → 906).
pub fn server_major(version_num: u32) -> u32 {
    if version_num >= 100_000 {
        version_num / 10_000 * 100
    } else {
        version_num / 100
    }
}

/// The comparable major in `pg_dump (PostgreSQL) 9.6.0` (906) or `… 15.18 (Debian)` (1500).
pub fn parse_version(text: &str) -> Option<u32> {
    let word = text
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let mut nums = word
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u32>().ok());
    let major = nums.next()??;
    if major >= 10 {
        Some(major * 100)
    } else {
        Some(major * 100 + nums.next().flatten().unwrap_or(0))
    }
}

/// Runs `PATH --version`; `None` when it cannot run or prints no version.
pub fn probe(path: &Path) -> Result<Tool, String> {
    let out = Command::new(path)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("").trim().to_string();
    match parse_version(&first) {
        Some(major) if out.status.success() => Ok(Tool {
            path: path.to_path_buf(),
            version_text: first,
            major,
        }),
        _ => Err(format!(
            "{} --version printed no version ({})",
            path.display(),
            if first.is_empty() {
                out.status.to_string()
            } else {
                first
            }
        )),
    }
}

/// Directories that may hold PostgreSQL client programs, in search order.
fn candidate_dirs() -> Vec<PathBuf> {
    // PGMEND_PG_BIN (the server binaries pgmend and its tests use) may hold a newer major.
    let mut dirs: Vec<PathBuf> = std::env::var_os("PGMEND_PG_BIN")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.extend(
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !s.is_empty() {
            dirs.push(PathBuf::from(s));
        }
    }
    dirs.extend(versioned_dirs(Path::new("/usr/lib/postgresql")));
    dirs
}

/// The newest `name` among the candidate directories.
fn newest(name: &str) -> Option<Tool> {
    let mut seen = Vec::new();
    let mut best: Option<Tool> = None;
    for dir in candidate_dirs() {
        let p = dir.join(name);
        let Ok(real) = std::fs::canonicalize(&p) else {
            continue;
        };
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        if let Ok(t) = probe(&p)
            && best.as_ref().is_none_or(|b| t.major > b.major)
        {
            best = Some(t);
        }
    }
    best
}

/// `pg_dump`: `explicit`, else `PGMEND_PG_DUMP`, else the newest found.
pub fn find_pg_dump(explicit: Option<&Path>) -> Result<Tool, BackupError> {
    let chosen = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PGMEND_PG_DUMP").map(PathBuf::from));
    match chosen {
        Some(p) => {
            if !p.is_file() {
                return Err(BackupError::PgDumpMissing(format!(
                    "{} does not exist",
                    p.display()
                )));
            }
            probe(&p).map_err(BackupError::PgDumpMissing)
        }
        None => newest("pg_dump").ok_or_else(|| {
            BackupError::PgDumpMissing(
                "no pg_dump on PATH, in `pg_config --bindir` or under /usr/lib/postgresql/*/bin \
                 (Debian/Ubuntu: apt-get install postgresql-client)"
                    .into(),
            )
        }),
    }
}

/// `pg_restore`: beside `pg_dump` when there is one, else the newest found.
pub fn find_pg_restore(beside: Option<&Path>) -> Result<Tool, BackupError> {
    if let Some(dir) = beside.and_then(Path::parent)
        && let Ok(t) = probe(&dir.join("pg_restore"))
    {
        return Ok(t);
    }
    newest("pg_restore").ok_or_else(|| {
        BackupError::PgRestoreMissing(
            "no pg_restore on PATH, in `pg_config --bindir` or under /usr/lib/postgresql/*/bin"
                .into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_major() {
        assert_eq!(parse_version("pg_dump (PostgreSQL) 9.6.0"), Some(906));
        assert_eq!(
            parse_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"),
            Some(1500)
        );
        assert_eq!(parse_version("pg_dump (PostgreSQL) 18beta1"), Some(1800));
        assert_eq!(server_major(150018), 1500);
        assert_eq!(server_major(90624), 906);
        assert_eq!(major_label(906), "9.6");
        assert_eq!(major_label(1700), "17");
    }
}
