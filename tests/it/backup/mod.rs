//! Backups against the real server: pg_dump, pg_restore reading the file whole, and every way a
//! backup can fail leaving nothing behind.

mod failures;
mod verify;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pgmend::backup::{self, BackupOptions};
use pgmend::db::{ConnParams, Env, Resolved, Source, resolve};

use crate::support::TestDb;

/// What pgmend resolves `url` to (password included).
pub fn resolved(url: &str) -> Resolved {
    resolve(
        Source::Argument(ConnParams::parse(url).unwrap()),
        &Env::default(),
    )
    .unwrap()
}

/// A database with a few tables and data worth dumping.
pub async fn db_with_data() -> TestDb {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE TABLE "Orders" (id serial PRIMARY KEY, note text NOT NULL);
           INSERT INTO "Orders" (note) SELECT md5(g::text) FROM generate_series(1, 5000) g;
           CREATE TABLE items (id int PRIMARY KEY, qty int);
           INSERT INTO items SELECT g, g % 7 FROM generate_series(1, 2000) g;"#,
    )
    .await;
    db
}

/// Takes a backup with default options into `dir`.
pub async fn take(db: &TestDb, dir: &Path) -> backup::VerifiedBackup {
    backup::backup(&resolved(db.url()), dir, &BackupOptions::default(), |_| {})
        .await
        .unwrap_or_else(|e| panic!("backup failed: {e}"))
}

/// An executable shell script at `dir/name`.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Files in `dir` (none when it does not exist).
pub fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn dump_verify_and_restore_a_database_with_data() {
    let db = db_with_data().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("backups");
    let seen = std::sync::Mutex::new(Vec::new());
    let rec = backup::backup(&resolved(db.url()), &dir, &BackupOptions::default(), |p| {
        seen.lock().unwrap().push(p)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    // Where and how it was written: 0700 directory, 0600 file named after the database.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&rec.path), 0o600);
    let name = rec.path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("{}_", db.name)), "{name}");
    assert!(name.ends_with("Z.dump"), "{name}");
    assert_eq!(rec.database, db.name);
    assert!(rec.server_version.chars().next().unwrap().is_ascii_digit());
    assert!(rec.size > 10_000, "{}", rec.size);
    assert_eq!(rec.size, std::fs::metadata(&rec.path).unwrap().len());
    assert!(!seen.lock().unwrap().is_empty(), "progress was reported");

    // The sidecar holds the same sha256, and verify agrees.
    let side = std::fs::read_to_string(backup::sidecar_path(&rec.path)).unwrap();
    assert_eq!(side, format!("{}  {name}\n", rec.sha256));
    let v = backup::verify_with(&rec.path, None).await.unwrap();
    assert_eq!(v.sha256, rec.sha256);
    assert_eq!(v.checksum, backup::ChecksumCheck::Sidecar);
    let listed = backup::list(&dir).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].verified_when_taken);

    // It really holds the data: restore into a fresh database and count.
    let copy = TestDb::new().await;
    if copy.version_num().await < 150000 {
        // A PostgreSQL 14 dump creates the public schema itself.
        copy.exec("DROP SCHEMA public").await;
    }
    let bin = crate::support::cluster()
        .map(|c| c.bin().tool("pg_restore"))
        .unwrap_or_else(|| PathBuf::from("pg_restore"));
    let out = std::process::Command::new(bin)
        .args(["--no-owner", "-d", copy.url()])
        .arg(&rec.path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut c = copy.connect().await;
    let n: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM "Orders""#)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 5000);
}

#[tokio::test]
async fn backup_and_backups_commands() {
    let db = db_with_data().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let run = |args: &[&str]| {
        crate::apply::fix_cli::pgmend(&tmp.path().join("data"))
            .args(args)
            .arg("--backup-dir")
            .arg(&dir)
            .output()
            .unwrap()
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let out = run(&["backup", db.url()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = PathBuf::from(text(&out.stdout).trim());
    assert!(path.starts_with(&dir), "{}", path.display());
    assert!(
        text(&out.stderr).contains("backup verified"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["backups"]);
    let listed = text(&out.stdout);
    assert!(listed.contains(path.to_str().unwrap()), "{listed}");
    assert!(listed.contains("verified"), "{listed}");
    let out = run(&["backups", "verify", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("matches its .sha256 sidecar"));

    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(&["backups", "verify", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unreadable or incomplete"),
        "{}",
        text(&out.stderr)
    );
}
