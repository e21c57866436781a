//! `pgmend backup` (a verified pg_dump of the database) and `pgmend backups [list|verify FILE]`.

use std::path::{Path, PathBuf};

use crate::backup::{self, BackupOptions, BackupPhase, BackupProgress, VerifiedBackup};
use crate::cli::{BackupArgs, BackupsArgs, BackupsCommand, Cli};
use crate::db::Resolved;

use super::exit;

/// The backup directory: the flag, else the default in pgmend's data directory.
/// `--backup-dir`, else config.toml's `[defaults] backup_dir`, else the XDG data dir.
pub fn backup_dir(cli: &crate::cli::Cli, flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let configured = crate::config::load(cli.config.as_deref())?
        .config
        .defaults
        .backup_dir;
    match flag.map(Path::to_path_buf).or(configured) {
        Some(d) => Ok(d),
        None => backup::default_dir().ok_or_else(|| {
            anyhow::anyhow!("no data directory (HOME unset?): give --backup-dir DIR")
        }),
    }
}

/// `12.3 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Progress on stderr when it is a terminal (nothing in CI logs): the bytes pg_dump has
/// written, then the bytes verify has read.
fn progress_printer(p: &crate::progress::Progress) -> impl Fn(BackupProgress) + Send + '_ {
    move |b: BackupProgress| {
        p.set_message(match b.phase {
            BackupPhase::Dumping => "dumping",
            BackupPhase::Verifying => "verifying",
        });
        p.set_position(b.bytes);
    }
}

/// Takes a verified backup, telling the engineer where it goes and where it went.
pub async fn take(
    resolved: &Resolved,
    dir: &Path,
    opts: &BackupOptions,
) -> anyhow::Result<VerifiedBackup> {
    eprintln!("backing up {} into {}", resolved.target, dir.display());
    let progress = crate::progress::Progress::bytes("dumping");
    let result = backup::backup(resolved, dir, opts, progress_printer(&progress)).await;
    progress.finish();
    let rec = result?;
    eprintln!(
        "backup verified: {} ({}, sha256 {}, {:.1}s)",
        rec.path.display(),
        human_size(rec.size),
        rec.sha256,
        rec.duration.as_secs_f64()
    );
    eprintln!("{}", rec.scope.describe());
    Ok(rec)
}

pub async fn run(cli: &Cli, args: &BackupArgs) -> anyhow::Result<i32> {
    let loaded = crate::config::load(cli.config.as_deref())?;
    let plan = super::plan(cli, &args.conn, true, &loaded)?;
    for w in plan.warnings.iter().chain(&plan.resolved.warnings) {
        eprintln!("warning: {w}");
    }
    let dir = backup_dir(cli, args.backup_dir.as_deref())?;
    let opts = BackupOptions {
        lock_wait_timeout: args.lock_wait_timeout,
        space_check: !args.no_space_check,
        ..BackupOptions::default()
    };
    let rec = take(&plan.resolved, &dir, &opts).await?;
    println!("{}", rec.path.display());
    Ok(exit::OK)
}

pub async fn run_backups(cli: &Cli, args: &BackupsArgs) -> anyhow::Result<i32> {
    match &args.command {
        None | Some(BackupsCommand::List) => {
            let dir = backup_dir(cli, args.backup_dir.as_deref())?;
            let files = backup::list(&dir)?;
            if files.is_empty() {
                println!("no backups in {}", dir.display());
                return Ok(exit::OK);
            }
            println!("backups in {}:", dir.display());
            for f in files {
                let date = f
                    .modified
                    .map(|m| humantime::format_rfc3339_seconds(m).to_string())
                    .unwrap_or_else(|| "?".into());
                let state = if f.verified_when_taken {
                    "verified"
                } else {
                    "unverified"
                };
                println!(
                    "  {date}  {:>10}  {state:<10}  {}",
                    human_size(f.size),
                    f.path.display()
                );
            }
            Ok(exit::OK)
        }
        Some(BackupsCommand::Verify { file }) => match crate::journal::verify_backup(file).await {
            Ok(v) => {
                let how = v.checksum.describe();
                println!(
                    "ok: {} is readable whole ({}, sha256 {}: {how})",
                    v.path.display(),
                    human_size(v.size),
                    v.sha256
                );
                if let Some(scope) = backup::scope::read_scope(file) {
                    println!("{} (taken as {})", scope.describe(), scope.role);
                }
                Ok(exit::OK)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(exit::ERROR)
            }
        },
    }
}
