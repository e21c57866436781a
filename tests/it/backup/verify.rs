//! `verify` reads the file whole: a truncated dump that `pg_restore --list` still accepts is
//! caught, and so is a changed byte (through the sidecar or the journal's sha256).

use pgmend::backup::{self, BackupError, ChecksumCheck};
use pgmend::journal::{self, BackupRef, Connection, Entry};

use super::{db_with_data, take};

fn pg_restore_list(path: &std::path::Path) -> std::process::Output {
    let bin = pgmend::backup::tools::find_pg_restore(None).unwrap().path;
    std::process::Command::new(bin)
        .arg("--list")
        .arg(path)
        .output()
        .unwrap()
}

#[tokio::test]
async fn truncated_backup_passes_list_but_not_verify() {
    let db = db_with_data().await;
    let tmp = tempfile::tempdir().unwrap();
    let rec = take(&db, tmp.path()).await;
    let bytes = std::fs::read(&rec.path).unwrap();

    // Cut in half, no sidecar: only reading it whole can tell.
    let cut = tmp.path().join("cut.dump");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let list = pg_restore_list(&cut);
    assert!(
        list.status.success(),
        "pg_restore --list reads only the table of contents and accepts the truncated file: {}",
        String::from_utf8_lossy(&list.stderr)
    );
    let err = backup::verify_with(&cut, None).await.unwrap_err();
    assert!(matches!(err, BackupError::Unreadable { .. }), "{err}");
    assert!(err.to_string().contains("cut.dump"), "{err}");

    // The same with the original's sidecar beside it.
    std::fs::copy(backup::sidecar_path(&rec.path), backup::sidecar_path(&cut)).unwrap();
    assert!(backup::verify_with(&cut, None).await.is_err());

    // A changed byte in the data keeps the size and may keep the archive readable: the sha256
    // in the sidecar catches it.
    let mut flipped = bytes.clone();
    let i = bytes.len() - 40;
    flipped[i] ^= 0x01;
    std::fs::write(&rec.path, &flipped).unwrap();
    let err = backup::verify_with(&rec.path, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            BackupError::Checksum { .. } | BackupError::Unreadable { .. }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn verify_uses_the_journal_when_there_is_no_sidecar() {
    let db = db_with_data().await;
    let tmp = tempfile::tempdir().unwrap();
    let rec = take(&db, tmp.path()).await;
    std::fs::remove_file(backup::sidecar_path(&rec.path)).unwrap();
    let j = tmp.path().join("journal.jsonl");

    let v = backup::verify_with(&rec.path, Some(&j)).await.unwrap();
    assert_eq!(v.checksum, ChecksumCheck::NotRecorded);

    let entry = Entry {
        time: "2026-01-01T00:00:00.000Z".into(),
        connection: Connection {
            host: "127.0.0.1".into(),
            port: 5432,
            database: db.name.clone(),
            user: "postgres".into(),
        },
        finding_id: "table.missing:public.x".into(),
        also_fixes: vec![],
        title: "t".into(),
        result: "fixed".into(),
        error: None,
        refused: vec![],
        steps: vec![],
        duration_ms: 1,
        backup: Some(BackupRef {
            path: rec.path.clone(),
            sha256: rec.sha256.clone(),
            excludes: None,
            scope: Default::default(),
        }),
        no_backup: false,
        admission: None,
        access: Vec::new(),
    };
    journal::append(&j, &entry).unwrap();
    let v = backup::verify_with(&rec.path, Some(&j)).await.unwrap();
    assert_eq!(v.checksum, ChecksumCheck::Journal);

    let mut wrong = entry.clone();
    wrong.backup.as_mut().unwrap().sha256 = "0".repeat(64);
    journal::append(&j, &wrong).unwrap();
    let err = backup::verify_with(&rec.path, Some(&j)).await.unwrap_err();
    assert!(matches!(err, BackupError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("journal"), "{err}");
}

#[tokio::test]
async fn an_archive_from_a_newer_pg_dump_is_called_that_not_damaged() {
    let db = db_with_data().await;
    let tmp = tempfile::tempdir().unwrap();
    let rec = take(&db, tmp.path()).await;
    // The custom format's header: "PGDMP", then the format's major, minor and revision. A
    // newer pg_dump writes a higher minor (1.15 by 16, 1.16 by 17); 1.120 is newer than any.
    let mut bytes = std::fs::read(&rec.path).unwrap();
    assert_eq!(&bytes[..5], b"PGDMP");
    bytes[6] = 120;
    let newer = tmp.path().join("newer.dump");
    std::fs::write(&newer, &bytes).unwrap();
    let pg_restore = pgmend::backup::tools::find_pg_restore(None).unwrap();
    let err = backup::verify_using(&pg_restore, &newer, None)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::PgRestoreTooOld { .. }), "{err}");
    let text = err.to_string();
    for part in ["too old", "newer.dump", "1.120", "PGMEND_PG_BIN"] {
        assert!(text.contains(part), "{part:?} missing from: {text}");
    }
    assert!(!text.contains("unreadable"), "{text}");
    // The original still verifies with the same pg_restore.
    backup::verify_using(&pg_restore, &rec.path, None)
        .await
        .unwrap();
}
