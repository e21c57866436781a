//! pgmend's own directories on this machine. A leaf module: the journal and the backups live
//! under the data directory.

use std::path::PathBuf;

/// pgmend's data directory: `PGMEND_DATA_DIR`, else `$XDG_DATA_HOME/pgmend`.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("PGMEND_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "pgmend").map(|d| d.data_dir().to_path_buf())
}
