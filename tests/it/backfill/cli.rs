//! `pgmend fix` headless: refused before any backup without the engineer's decisions (with the
//! duplicate groups as a table and the exact flags to give), applied with them.

use super::{CHECKLIST, SETUP, digest, scalar};
use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

fn files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn refused_at_preview_before_any_backup_then_applied_with_the_decisions() {
    let db = TestDb::new().await;
    db.exec(SETUP).await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("cl.toml");
    std::fs::write(&cl, CHECKLIST).unwrap();
    let backups = tmp.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let rooms_before = digest(&db, "SELECT id, name, opened FROM rooms").await;

    // No decision given: both plans refused before the backup, each saying the problem and the
    // flag that decides it; the duplicate groups as a table, largest first.
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&cl)
        .args(["--all", "--yes", "--no-lints", "--backup-dir"])
        .arg(&backups)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let all = format!("{stdout}\n{}", text(&out.stderr));
    for want in [
        "public.rooms: 3 rows have no value for NOT NULL column \"ownerId\" (the column has no default)",
        "--backfill 'public.rooms.ownerId=<SQL expression>'",
        "public.members: 2 values of (email) appear in more than one row",
        "--duplicates 'public.members(email)=keep-newest'",
        "  email         │ rows",
        "  ──────────────┼─────",
        "  c@example.com │ 3",
        "  a@example.com │ 2",
        "  keep-newest: keep the newest row of each group (by created_at)",
        "  by-hand: merge by hand",
        "nothing to fix",
    ] {
        assert!(all.contains(want), "missing {want:?} in:\n{all}");
    }
    assert!(!all.contains("{\"email\""), "no raw JSON line: {all}");
    assert_eq!(files(&backups), Vec::<String>::new(), "no backup was taken");
    // The journal records the refusals, and nothing applied.
    let journal = std::fs::read_to_string(tmp.path().join("journal.jsonl")).unwrap_or_default();
    for line in journal.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["result"], "refused", "{line}");
    }
    let cols: i64 = scalar(
        &db,
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'rooms' AND column_name = 'ownerId'",
    )
    .await;
    assert_eq!(cols, 0, "nothing changed");

    // An expression the server does not accept is refused at preview too.
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&cl)
        .args(["--all", "--yes", "--no-lints", "--backup-dir"])
        .arg(&backups)
        .args(["--backfill", "rooms.ownerId=no_such_column + 1"])
        .output()
        .unwrap();
    let all = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains(
            "the server does not accept the backfill expression of public.rooms.ownerId: column \"no_such_column\" does not exist"
        ),
        "{all}"
    );
    assert_eq!(files(&backups), Vec::<String>::new(), "no backup was taken");

    // The dry run with the decisions prints the whole sequence.
    let decided = [
        "--backfill",
        "rooms.ownerId=id * 10",
        "--duplicates",
        "members(email)=keep-newest",
    ];
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&cl)
        .args(["--all", "--dry-run", "--no-lints"])
        .args(decided)
        .output()
        .unwrap();
    let script = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let steps = [
        "ALTER TABLE public.rooms ADD COLUMN \"ownerId\" integer;\n",
        "UPDATE public.rooms SET \"ownerId\" = id * 10 WHERE \"ownerId\" IS NULL",
        "ADD CONSTRAINT \"rooms_ownerId_not_null\" CHECK (\"ownerId\" IS NOT NULL) NOT VALID",
        "VALIDATE CONSTRAINT \"rooms_ownerId_not_null\"",
        "ALTER COLUMN \"ownerId\" SET NOT NULL",
        "DROP CONSTRAINT \"rooms_ownerId_not_null\"",
    ];
    let mut at = 0;
    for s in steps {
        let i = script[at..]
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} missing or out of order in:\n{script}"));
        at += i + s.len();
    }
    assert!(
        script.contains(
            "CREATE TABLE public.members_pgmend_duplicates AS SELECT * FROM public.members"
        ),
        "{script}"
    );

    // Applied: a verified backup first, then both plans.
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&cl)
        .args(["--all", "--yes", "--no-lints", "--backup-dir"])
        .arg(&backups)
        .args(decided)
        .output()
        .unwrap();
    let all = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("after: no finding remains"), "{all}");
    let dumps = files(&backups);
    assert_eq!(
        dumps.iter().filter(|f| f.ends_with(".dump")).count(),
        1,
        "{dumps:?}\n{all}"
    );
    let owners: Vec<i32> = {
        let mut c = db.connect().await;
        sqlx::query_scalar("SELECT \"ownerId\" FROM rooms ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    };
    assert_eq!(owners, [10, 20, 30]);
    let not_null: bool = scalar(
        &db,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'rooms'::regclass AND attname = 'ownerId'",
    )
    .await;
    assert!(not_null);
    let checks: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'rooms'::regclass AND contype = 'c'",
    )
    .await;
    assert_eq!(checks, 0, "the helper check is dropped");
    assert_eq!(
        digest(&db, "SELECT id, name, opened FROM rooms").await,
        rooms_before,
        "the other columns are unchanged"
    );
    let kept: Vec<i32> = {
        let mut c = db.connect().await;
        sqlx::query_scalar("SELECT id FROM members ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    };
    assert_eq!(
        kept,
        [2, 3, 4, 7, 8],
        "the newest of each group, and the NULLs"
    );
    let saved: i64 = scalar(&db, "SELECT count(*) FROM members_pgmend_duplicates").await;
    assert_eq!(saved, 3);
}
