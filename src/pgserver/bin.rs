//! Finding PostgreSQL's server binaries (initdb, pg_ctl, postgres, pg_dump).

use std::path::{Path, PathBuf};
use std::process::Command;

/// What to tell a person who has no PostgreSQL server binaries at all.
pub const INSTALL_HINT: &str = "install PostgreSQL's server package \
(Debian/Ubuntu: `apt-get install postgresql`; Fedora/RHEL: `dnf install postgresql-server`; \
Arch: `pacman -S postgresql`; macOS: `brew install postgresql@16`), \
or set PGMEND_PG_BIN to the directory that holds initdb and pg_ctl";

#[derive(Debug, thiserror::Error)]
pub enum BinError {
    #[error("PGMEND_PG_BIN={0} does not hold initdb, pg_ctl and postgres")]
    BadOverride(PathBuf),
    #[error(
        "no PostgreSQL server binaries found (looked for initdb on PATH, in `pg_config --bindir` \
         and under /usr/lib/postgresql/*/bin): {INSTALL_HINT}"
    )]
    NotFound,
}

/// A directory holding a complete set of server binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinDir(pub PathBuf);

impl BinDir {
    pub fn tool(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn is_complete(dir: &Path) -> bool {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|t| dir.join(t).is_file())
    }

    /// The server's major version, from `postgres --version`.
    pub fn major_version(&self) -> Option<u32> {
        let out = Command::new(self.tool("postgres"))
            .arg("--version")
            .output()
            .ok()?;
        parse_major(&String::from_utf8_lossy(&out.stdout))
    }

    /// Finds server binaries: `PGMEND_PG_BIN`, then initdb on PATH, then `pg_config --bindir`,
    /// then the newest `/usr/lib/postgresql/*/bin`.
    pub fn discover() -> Result<BinDir, BinError> {
        if let Some(dir) = std::env::var_os("PGMEND_PG_BIN") {
            let dir = PathBuf::from(dir);
            return if Self::is_complete(&dir) {
                Ok(BinDir(dir))
            } else {
                Err(BinError::BadOverride(dir))
            };
        }
        let candidates = path_candidate()
            .into_iter()
            .chain(pg_config_candidate())
            .chain(versioned_dirs(Path::new("/usr/lib/postgresql")));
        for dir in candidates {
            if Self::is_complete(&dir) {
                return Ok(BinDir(dir));
            }
        }
        Err(BinError::NotFound)
    }
}

/// `initdb` found on PATH, resolved through symlinks to the directory that holds its siblings.
fn path_candidate() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("initdb"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(Path::to_path_buf))
}

fn pg_config_candidate() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!s.is_empty()).then(|| PathBuf::from(s))
}

/// `<root>/<major>/bin`, newest major first.
pub fn versioned_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, e.path().join("bin")))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// `postgres (PostgreSQL) 15.18 (Debian …)` → 15; `pg_dump (PostgreSQL) 9.6.24` → 9.
pub fn parse_major(version_output: &str) -> Option<u32> {
    let word = version_output
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    word.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_majors() {
        assert_eq!(
            parse_major("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(parse_major("pg_dump (PostgreSQL) 18beta1"), Some(18));
        assert_eq!(parse_major("nothing here"), None);
    }

    #[test]
    fn versioned_dirs_sort_newest_first() {
        let root = tempfile::tempdir().unwrap();
        for v in ["9", "15", "14", "not-a-version"] {
            std::fs::create_dir_all(root.path().join(v).join("bin")).unwrap();
        }
        let dirs = versioned_dirs(root.path());
        let names: Vec<_> = dirs
            .iter()
            .map(|d| {
                d.parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["15", "14", "9"]);
    }
}
