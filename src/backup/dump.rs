//! Running pg_dump: connection settings through the environment (the password in PGPASSWORD,
//! never on the command line), progress by polling the file's size.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Instant, SystemTime};

use tokio::io::AsyncReadExt;

use super::error::classify;
use super::tools::{self, Tool};
use super::{
    BackupError, BackupOptions, BackupPhase, BackupProgress, BackupRecord, BackupScope,
    VerifiedBackup,
};
use crate::db::resolve::Endpoint;
use crate::db::{self, Resolved, SessionOptions};

/// Takes a verified `pg_dump -Fc` backup of the database `resolved` names into `dir`.
/// Nothing is left behind when it fails.
pub async fn backup(
    resolved: &Resolved,
    dir: &Path,
    opts: &BackupOptions,
    progress: impl Fn(BackupProgress) + Send,
) -> Result<VerifiedBackup, BackupError> {
    let pg_dump = tools::find_pg_dump(opts.pg_dump.as_deref())?;
    let pg_restore = tools::find_pg_restore(Some(&pg_dump.path))?;
    let (version_num, server_version, mut scope, sizes) =
        server_version(resolved, &opts.only_tables).await?;
    scope.only = opts.only_tables.clone();
    scope.created = opts.created.clone();
    let server_major = tools::server_major(version_num);
    if pg_dump.major < server_major {
        return Err(BackupError::PgDumpTooOld {
            path: pg_dump.path.display().to_string(),
            pg_dump_version: pg_dump.major_label(),
            server_version: tools::major_label(server_major),
        });
    }
    super::ensure_dir(dir)?;
    if opts.space_check {
        super::space::check(dir, sizes)?;
    }
    let started = SystemTime::now();
    let clock = Instant::now();
    let path = create_file(dir, &resolved.target.dbname, started)?;
    let result = async {
        run_pg_dump(resolved, &pg_dump, &path, &scope, opts, clock, &progress).await?;
        progress(BackupProgress {
            phase: BackupPhase::Verifying,
            bytes: file_len(&path),
            elapsed: clock.elapsed(),
        });
        super::scope::write_scope(&path, &scope).map_err(|e| {
            BackupError::Io(format!(
                "cannot write {}: {e}",
                super::scope::scope_path(&path).display()
            ))
        })?;
        let record = BackupRecord {
            path: path.clone(),
            size: 0,
            sha256: String::new(),
            server_version: server_version.clone(),
            database: resolved.target.dbname.clone(),
            started,
            duration: clock.elapsed(),
            pg_dump: pg_dump.version_text.clone(),
            scope: scope.clone(),
        };
        super::verify::taken(&pg_restore, record, clock).await
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(super::sidecar_path(&path));
        let _ = std::fs::remove_file(super::scope::scope_path(&path));
    }
    result
}

/// The server's version, what the role can dump (see [`BackupScope`]) and how big it is.
async fn server_version(
    resolved: &Resolved,
    only: &[String],
) -> Result<(u32, String, BackupScope, super::space::Sizes), BackupError> {
    let mut session = db::connect(resolved, &SessionOptions::default())
        .await
        .map_err(|e| BackupError::Server(e.to_string()))?;
    let row: (String, String) = sqlx::query_as(
        "SELECT current_setting('server_version_num'), current_setting('server_version')",
    )
    .fetch_one(&mut session.conn)
    .await
    .map_err(|e| BackupError::Server(e.to_string()))?;
    let scope = BackupScope::read(&mut session.conn)
        .await
        .map_err(|e| BackupError::Server(format!("cannot tell what the role can read: {e}")))?;
    let sizes = super::space::sizes(&mut session.conn, only)
        .await
        .map_err(|e| BackupError::Server(format!("cannot read the database's size: {e}")))?;
    let _ = sqlx::Connection::close(session.conn).await;
    let num = row
        .0
        .parse()
        .map_err(|_| BackupError::Server(format!("odd server_version_num {}", row.0)))?;
    Ok((num, row.1, scope, sizes))
}

/// Creates the (empty) backup file, mode 0600, never overwriting one.
fn create_file(dir: &Path, database: &str, at: SystemTime) -> Result<PathBuf, BackupError> {
    let base = super::file_name(database, at);
    for n in 1..100 {
        let name = if n == 1 {
            base.clone()
        } else {
            base.replace(".dump", &format!("_{n}.dump"))
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(_) => {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| BackupError::Io(format!("{}: {e}", path.display())))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(BackupError::Dir {
                    dir: dir.to_path_buf(),
                    message: e.to_string(),
                });
            }
        }
    }
    Err(BackupError::Dir {
        dir: dir.to_path_buf(),
        message: "too many backups with the same name".into(),
    })
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// libpq's environment for the connection `r` describes; inherited PG* variables are removed.
pub(crate) fn libpq_env(cmd: &mut tokio::process::Command, r: &Resolved) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    match &r.target.endpoint {
        Endpoint::Tcp { host, hostaddr } => {
            cmd.env("PGHOST", host);
            if let Some(a) = hostaddr {
                cmd.env("PGHOSTADDR", a);
            }
        }
        Endpoint::Socket { dir } => {
            cmd.env("PGHOST", dir);
        }
    }
    cmd.env("PGPORT", r.target.port.to_string())
        .env("PGDATABASE", &r.target.dbname)
        .env("PGUSER", &r.target.user)
        .env("PGAPPNAME", "pgmend")
        .env("PGSSLMODE", r.sslmode.as_str())
        .env(
            "PGCONNECT_TIMEOUT",
            r.connect_timeout.as_secs().max(2).to_string(),
        )
        .env("LC_ALL", "C");
    if let Some(pw) = &r.password {
        cmd.env("PGPASSWORD", pw);
    }
    if let Some(ca) = &r.sslrootcert {
        cmd.env("PGSSLROOTCERT", ca);
    }
    if let Some(o) = &r.options {
        cmd.env("PGOPTIONS", o);
    }
}

async fn run_pg_dump(
    r: &Resolved,
    pg_dump: &Tool,
    path: &Path,
    scope: &BackupScope,
    opts: &BackupOptions,
    clock: Instant,
    progress: &(impl Fn(BackupProgress) + Send),
) -> Result<(), BackupError> {
    let mut cmd = tokio::process::Command::new(&pg_dump.path);
    cmd.arg("--format=custom")
        .arg("--no-password")
        .arg(format!(
            "--lock-wait-timeout={}ms",
            opts.lock_wait_timeout.as_millis().max(1)
        ))
        .args(scope.pg_dump_args())
        .arg("--file")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    libpq_env(&mut cmd, r);
    let mut child = cmd
        .spawn()
        .map_err(|e| BackupError::PgDumpMissing(format!("{}: {e}", pg_dump.path.display())))?;
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let mut tick = tokio::time::interval(opts.progress_interval);
    let status = loop {
        tokio::select! {
            st = child.wait() => break st.map_err(|e| BackupError::Io(format!("pg_dump: {e}")))?,
            _ = tick.tick() => progress(BackupProgress {
                phase: BackupPhase::Dumping,
                bytes: file_len(path),
                elapsed: clock.elapsed(),
            }),
        }
    };
    let err_text = reader.await.unwrap_or_default();
    if !err_text.trim().is_empty() {
        tracing::info!(stderr = %err_text.trim(), "pg_dump");
    }
    if !status.success() {
        let dir = path.parent().unwrap_or(Path::new("."));
        return Err(classify(&err_text, status, dir, opts.lock_wait_timeout));
    }
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.sync_all();
    }
    progress(BackupProgress {
        phase: BackupPhase::Dumping,
        bytes: file_len(path),
        elapsed: clock.elapsed(),
    });
    Ok(())
}
