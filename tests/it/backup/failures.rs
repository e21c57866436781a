//! Every way a backup fails says why and leaves no file behind.

use std::time::{Duration, Instant};

use pgmend::backup::{self, BackupError, BackupOptions};
use sqlx::Executor;

use super::{db_with_data, files_in, resolved, script};
use crate::support::TestDb;

async fn backup_with(
    db: &TestDb,
    dir: &std::path::Path,
    opts: BackupOptions,
) -> Result<backup::VerifiedBackup, BackupError> {
    backup::backup(&resolved(db.url()), dir, &opts, |_| {}).await
}

fn with_pg_dump(p: impl Into<std::path::PathBuf>) -> BackupOptions {
    BackupOptions {
        pg_dump: Some(p.into()),
        ..BackupOptions::default()
    }
}

#[tokio::test]
async fn pg_dump_missing() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let err = backup_with(&db, &dir, with_pg_dump("/nonexistent/pg_dump"))
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::PgDumpMissing(_)), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent/pg_dump"), "{msg}");
    assert!(msg.contains("nothing will be changed"), "{msg}");
    assert!(files_in(&dir).is_empty());
}

#[tokio::test]
async fn pg_dump_older_than_the_server_is_refused_naming_both_versions() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let fake = script(tmp.path(), "pg_dump", "echo 'pg_dump (PostgreSQL) 9.6.0'");
    let dir = tmp.path().join("b");
    let err = backup_with(&db, &dir, with_pg_dump(&fake))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, BackupError::PgDumpTooOld { .. }), "{msg}");
    let mut c = db.connect().await;
    let server: String =
        sqlx::query_scalar("SELECT (current_setting('server_version_num')::int / 10000)::text")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert!(msg.contains("pg_dump 9.6"), "{msg}");
    assert!(msg.contains(&format!("PostgreSQL {server}")), "{msg}");
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
}

#[tokio::test]
async fn failing_pg_dump_leaves_nothing_and_password_never_reaches_its_command_line() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let seen = tmp.path().join("seen");
    let fake = script(
        tmp.path(),
        "pg_dump",
        &format!(
            r#"if [ "$1" = --version ]; then echo 'pg_dump (PostgreSQL) 99.1'; exit 0; fi
echo "args: $*" > {seen}
echo "env: ${{PGPASSWORD:+set}} $PGUSER $PGDATABASE $PGAPPNAME" >> {seen}
echo 'pg_dump: error: connection to server failed: boom' >&2
exit 1"#,
            seen = seen.display()
        ),
    );
    let dir = tmp.path().join("b");
    let err = backup_with(&db, &dir, with_pg_dump(&fake))
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::DumpFailed { .. }), "{err}");
    assert!(err.to_string().contains("boom"), "{err}");
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    let seen = std::fs::read_to_string(seen).unwrap();
    let password = crate::support::cluster().map(|c| c.password().to_string());
    if let Some(pw) = password {
        assert!(!seen.contains(&pw), "password leaked into: {seen}");
    }
    assert!(seen.contains("--format=custom"), "{seen}");
    assert!(seen.contains("--lock-wait-timeout=5000ms"), "{seen}");
    assert!(
        seen.contains(&format!("env: set postgres {} pgmend", db.name)),
        "{seen}"
    );
}

#[tokio::test]
async fn killed_pg_dump_leaves_nothing() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let fake = script(
        tmp.path(),
        "pg_dump",
        r#"if [ "$1" = --version ]; then echo 'pg_dump (PostgreSQL) 99.1'; exit 0; fi
while [ $# -gt 0 ]; do [ "$1" = --file ] && f=$2; shift; done
echo partial > "$f"
kill -9 $$"#,
    );
    let dir = tmp.path().join("b");
    let err = backup_with(&db, &dir, with_pg_dump(&fake))
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Killed(_)), "{err}");
    assert!(err.to_string().contains("SIGKILL"), "{err}");
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
}

#[tokio::test]
async fn unwritable_backup_dir_fails_even_for_root() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let dir = file.join("backups");
    let err = backup_with(&db, &dir, BackupOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Dir { .. }), "{err}");
    assert!(err.to_string().contains("a-file/backups"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[tokio::test]
async fn a_locked_table_fails_the_dump_fast_and_is_named() {
    let db = db_with_data().await;
    let mut holder = db.connect().await;
    holder
        .execute(r#"BEGIN; LOCK TABLE "Orders" IN ACCESS EXCLUSIVE MODE"#)
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let start = Instant::now();
    let opts = BackupOptions {
        lock_wait_timeout: Duration::from_millis(500),
        ..BackupOptions::default()
    };
    let err = backup_with(&db, &dir, opts).await.unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, BackupError::LockTimeout { .. }), "{err}");
    assert!(err.to_string().contains(r#"public."Orders""#), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    eprintln!("lock-wait backup failure after {took:?}");
    holder.execute("ROLLBACK").await.unwrap();
}

/// A small file system of its own (a tmpfs of `size`; mounting needs root, which the test
/// machines are), unmounted when dropped.
struct SmallDisk {
    path: std::path::PathBuf,
    _tmp: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("small");
        std::fs::create_dir(&path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            mounted,
            "mounting a tmpfs needs root: run the tests as root"
        );
        SmallDisk { path, _tmp: tmp }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(&self.path)
            .status();
    }
}

/// About 3 MB of table data: more than a 64 KiB disk holds.
async fn db_bigger_than_64k() -> TestDb {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS t \
         FROM generate_series(1, 40000) g",
    )
    .await;
    db
}

/// A disk that fills up during the dump (the free-space check skipped, as
/// `--no-space-check` does): reported, and the partial file removed.
#[tokio::test]
async fn full_disk_is_reported_and_the_partial_file_removed() {
    let db = db_bigger_than_64k().await;
    let disk = SmallDisk::mount("64k");
    let opts = BackupOptions {
        space_check: false,
        ..BackupOptions::default()
    };
    let err = backup_with(&db, &disk.path, opts).await.unwrap_err();
    assert!(matches!(err, BackupError::DiskFull { .. }), "{err}");
    assert!(err.to_string().contains("disk full"), "{err}");
    assert!(
        files_in(&disk.path).is_empty(),
        "{:?}",
        files_in(&disk.path)
    );
}

/// Too little free space for the database's data: refused before pg_dump starts, with both
/// sizes, and no file written.
#[tokio::test]
async fn too_little_free_space_is_refused_before_the_dump_starts() {
    let db = db_bigger_than_64k().await;
    let disk = SmallDisk::mount("64k");
    let start = Instant::now();
    let err = backup_with(&db, &disk.path, BackupOptions::default())
        .await
        .unwrap_err();
    let BackupError::NoSpace { free, data, .. } = err else {
        panic!("{err}")
    };
    assert!(free <= 64 * 1024 && data > 2_000_000, "{free} {data}");
    let msg = err.to_string();
    assert!(
        msg.contains("not enough free space") && msg.contains("--no-space-check"),
        "{msg}"
    );
    assert!(
        files_in(&disk.path).is_empty(),
        "{:?}",
        files_in(&disk.path)
    );
    eprintln!("space check refused in {:?}", start.elapsed());
    // The same database fits a disk with room for it.
    let roomy = SmallDisk::mount("16m");
    let rec = backup_with(&db, &roomy.path, BackupOptions::default())
        .await
        .unwrap();
    assert!(
        rec.size > 0 && rec.size < data,
        "compressed: {} of {data}",
        rec.size
    );
}

/// `pgmend fix --yes` with a backup directory too small: refused before anything ran.
#[tokio::test]
async fn fix_refuses_when_the_backup_cannot_fit() {
    let db = db_bigger_than_64k().await;
    let disk = SmallDisk::mount("64k");
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("big.toml");
    std::fs::write(
        &cl,
        "[[table]]\nname = \"big\"\ncolumns = [{ name = \"note\", type = \"text\" }]\n",
    )
    .unwrap();
    let out = crate::support::pgmend()
        .args([
            "fix",
            db.url(),
            "--all",
            "--yes",
            "--no-lints",
            "--checklist",
        ])
        .arg(&cl)
        .arg("--backup-dir")
        .arg(&disk.path)
        .env("PGMEND_DATA_DIR", tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not enough free space for the backup") && err.contains("nothing was changed"),
        "{err}"
    );
    let mut c = db.connect().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'big' AND column_name = 'note'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(n, 0, "nothing ran");
}
