//! The journal line of an apply: where (no password, even one planted in the URL), the SQL that
//! ran, each step's result, and the backup's path and sha256; `pgmend journal` prints it.

use assert_cmd::Command;
use pgmend::apply::ApplyOutcome;
use pgmend::backup::{self, BackupOptions};
use pgmend::journal::{self, BackupNote, Entry};

use super::{plan, quick, tx};
use crate::backup::resolved;
use crate::support::TestDb;

const PLANTED: &str = "planted-Pa55word-never-logged";

#[tokio::test]
async fn journal_records_the_sql_and_the_backup_never_the_password() {
    let db = TestDb::new().await;
    let role = format!("{}_owner", db.name);
    db.exec(&format!(
        "CREATE ROLE \"{role}\" LOGIN PASSWORD '{PLANTED}';
         ALTER DATABASE \"{}\" OWNER TO \"{role}\";
         ALTER SCHEMA public OWNER TO \"{role}\";
         CREATE TABLE public.kept (id int); INSERT INTO public.kept VALUES (1), (2);
         ALTER TABLE public.kept OWNER TO \"{role}\";",
        db.name
    ))
    .await;
    let mut u = url::Url::parse(db.url()).unwrap();
    u.set_username(&role).unwrap();
    u.set_password(Some(PLANTED)).unwrap();
    let r = resolved(u.as_str());
    assert_eq!(r.password.as_deref(), Some(PLANTED));

    let tmp = tempfile::tempdir().unwrap();
    let rec = backup::backup(&r, &tmp.path().join("b"), &BackupOptions::default(), |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = plan(
        "table.missing:public.session",
        vec![tx(
            1,
            "CREATE TABLE public.session (sid varchar PRIMARY KEY)",
        )],
    );
    let mut conn = pgmend::db::connect(
        &r,
        &pgmend::db::SessionOptions {
            read_only: false,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .conn;
    let mut opts = quick(&db);
    opts.watch = Some(r.clone());
    let out = super::apply(&mut conn, &p, &opts, |_| {}).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");

    let path = tmp.path().join("data").join("journal.jsonl");
    journal::append(
        &path,
        &Entry::new(&r.target, &p, &out, BackupNote::Taken(&rec)),
    )
    .unwrap();
    journal::append(
        &path,
        &Entry::new(&r.target, &p, &out, BackupNote::Declined),
    )
    .unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PLANTED), "password in the journal: {text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let first = &lines[0];
    assert_eq!(first["finding_id"], "table.missing:public.session");
    assert_eq!(first["result"], "fixed");
    assert_eq!(first["connection"]["user"], role.as_str());
    assert_eq!(first["connection"]["database"], db.name.as_str());
    assert_eq!(first["connection"]["host"], "127.0.0.1");
    assert_eq!(
        first["steps"][0]["sql"],
        "CREATE TABLE public.session (sid varchar PRIMARY KEY)"
    );
    assert_eq!(first["steps"][0]["result"], "ok");
    assert_eq!(first["backup"]["sha256"], rec.sha256.as_str());
    assert_eq!(first["backup"]["path"], rec.path.to_str().unwrap());
    assert!(first.get("no_backup").is_none());
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(lines[1]["no_backup"], true);
    assert!(lines[1].get("backup").is_none());
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    // `pgmend journal` prints it, as text and as the raw lines.
    let out = Command::cargo_bin("pgmend")
        .unwrap()
        .args(["journal", "--file"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("CREATE TABLE public.session"), "{shown}");
    assert!(shown.contains(&rec.sha256), "{shown}");
    assert!(shown.contains("backup: none (--no-backup)"), "{shown}");
    assert!(!shown.contains(PLANTED));
    let out = Command::cargo_bin("pgmend")
        .unwrap()
        .env("PGMEND_DATA_DIR", tmp.path().join("data"))
        .args(["journal", "--json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);

    // The journal's sha256 verifies the backup once its sidecar is gone.
    std::fs::remove_file(backup::sidecar_path(&rec.path)).unwrap();
    let v = backup::verify_with(&rec.path, journal::backup_sha256(&path, &rec.path))
        .await
        .unwrap();
    assert_eq!(v.checksum, backup::ChecksumCheck::Journal);
    db.exec(&format!("ALTER DATABASE \"{}\" OWNER TO postgres", db.name))
        .await;
}
