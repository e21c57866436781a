//! Logs go to a file in the XDG state (or cache) directory, never to the screen.

use std::path::PathBuf;

/// Where the log file lives: `$XDG_STATE_HOME/pgmend/pgmend.log`, or the cache dir.
pub fn log_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "pgmend")?;
    let dir = dirs.state_dir().unwrap_or(dirs.cache_dir()).to_path_buf();
    Some(dir.join("pgmend.log"))
}

/// Starts logging at `level` (`PGMEND_LOG` overrides with a full filter). A log file that cannot
/// be opened disables logging rather than failing the command.
pub fn init(level: &str) -> Option<PathBuf> {
    let path = log_path()?;
    std::fs::create_dir_all(path.parent()?).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter =
        std::env::var("PGMEND_LOG").unwrap_or_else(|_| format!("pgmend={level},sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(filter).ok()?)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
