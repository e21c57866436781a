//! A refused fix says what is wrong with the data ("3 rows have no value for NOT NULL column
//! "ownerId""), counted on the real server, through `pgmend fix … --yes`.

use super::fix_cli::{pgmend, text};
use crate::support::TestDb;

const SETUP: &str = r#"
CREATE TABLE rooms (id int PRIMARY KEY, name text);
INSERT INTO rooms VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE TABLE members (id int, email text, age int, room_id int);
INSERT INTO members VALUES (1, 'x@example.com', 30, 1), (2, 'x@example.com', -4, 9),
  (3, 'y@example.com', -1, 8), (4, 'y@example.com', 20, NULL), (5, 'z@example.com', NULL, 1);
"#;

const CHECKLIST: &str = r#"
[[table]]
name = "rooms"
columns = [{ name = "ownerId", type = "integer", nullable = false }]

[[table]]
name = "members"
columns = [{ name = "age", nullable = false }]
unique = [{ columns = ["email"] }]
checks = [{ name = "members_age_check", expression = "age >= 0" }]
[[table.foreign_keys]]
columns = ["room_id"]
references = "rooms(id)"
"#;

#[tokio::test]
async fn refusals_state_the_problem_in_the_data() {
    let db = TestDb::new().await;
    db.exec(SETUP).await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("cl.toml");
    std::fs::write(&cl, CHECKLIST).unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&cl)
        .args(["--all", "--yes", "--no-backup", "--no-lints"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let all = format!("{stdout}\n{}", text(&out.stderr));
    for want in [
        "public.rooms: 3 rows have no value for NOT NULL column \"ownerId\" (the column has no default)",
        "public.members: 1 row has NULL in age, which must be NOT NULL",
        "public.members: 2 rows violate CHECK (age >= 0)",
        "public.members: 2 values of (email) appear in more than one row",
        "public.members: 2 rows reference (room_id) values that public.rooms does not hold",
    ] {
        assert!(all.contains(want), "missing {want:?} in:\n{all}");
    }
    // The rule-shaped wording that read backwards is gone.
    assert!(!all.contains("is empty: existing rows"), "{all}");
    // Nothing was changed by a refused plan.
    let mut c = db.connect().await;
    let cols: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'rooms' AND column_name = 'ownerId'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(cols, 0);
}
