//! `pgmend access` on the Supabase scenarios: the rows each subject sees, measured by the
//! binary, equal the counts made here independently with plain SQL as the superuser; broken →
//! fixed shows anon losing everything and each user keeping only their own rows.

use serde_json::Value;

use super::{count, fix_all, scenario, two_ids};
use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// `pgmend access URL --format json` with `args`: the document.
pub(crate) fn access_json(db: &TestDb, args: &[&str]) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args(["access", db.url(), "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// The cell of `subject` on `public.<table>`.
pub(crate) fn cell<'a>(doc: &'a Value, table: &str, subject: &str) -> &'a Value {
    let r = doc["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["schema"] == "public" && r["name"] == table)
        .unwrap_or_else(|| panic!("no relation {table}"));
    r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"] == subject)
        .unwrap_or_else(|| panic!("no cell {subject} on {table}: {r}"))
}

/// The rows a cell says: Some(n) counted, None denied; panics on anything else.
pub(crate) fn rows(c: &Value) -> Option<u64> {
    match c["rows"]["state"].as_str() {
        Some("counted") => Some(c["rows"]["n"].as_u64().unwrap()),
        Some("denied") => None,
        _ => panic!("unexpected rows: {c}"),
    }
}

const CAP: &str = "1000000";

#[tokio::test]
async fn mood_journal_matrix_broken_then_fixed() {
    let db = scenario("mood-journal").await;
    let mut c = db.connect().await;
    // Broken: default subjects, two real users picked from the owner column.
    let before = access_json(&db, &["--cap", CAP]);
    let subjects: Vec<String> = before["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["sub"]
                .as_str()
                .map_or(s["role"].as_str().unwrap().to_string(), |u| {
                    format!("authenticated:{u}")
                })
        })
        .collect();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
    assert_eq!(subjects[0], "anon");
    assert_eq!(subjects[3], "service_role");
    let a = subjects[1]
        .strip_prefix("authenticated:")
        .unwrap()
        .to_string();
    let b = subjects[2]
        .strip_prefix("authenticated:")
        .unwrap()
        .to_string();
    assert_ne!(a, b);
    let entries = r#"SELECT 1 FROM "JournalEntry""#;
    let all = count(&mut c, entries).await as u64;
    let own = |u: &str| format!(r#"SELECT 1 FROM "JournalEntry" WHERE "userId"::text = '{u}'"#);
    let (a_rows, b_rows) = (
        count(&mut c, &own(&a)).await as u64,
        count(&mut c, &own(&b)).await as u64,
    );
    assert!(a_rows > 0 && b_rows > 0 && all > a_rows + b_rows);
    // RLS off, Supabase's default grants: everyone sees every row.
    for s in &subjects {
        let cl = cell(&before, "JournalEntry", s);
        assert_eq!(rows(cl), Some(all), "{s} before the fix: {cl}");
        assert_eq!(cl["select"]["verdict"], "allowed", "{cl}");
    }

    // The fix, as `fix_all` runs it, keeping its journal.
    let data = tempfile::tempdir().unwrap();
    let stdout = super::fix_all_in(&db, "mood-journal", data.path());
    let user = |u: &str| format!("authenticated:{u}");
    let after = access_json(
        &db,
        &[
            "--cap",
            CAP,
            "--as",
            "anon",
            "--as",
            &user(&a),
            "--as",
            &user(&b),
            "--as",
            "service_role",
        ],
    );
    let anon = cell(&after, "JournalEntry", "anon");
    assert!(
        matches!(rows(anon), None | Some(0)),
        "anon after the fix: {anon}"
    );
    assert_ne!(anon["select"]["verdict"], "allowed", "{anon}");
    let ca = cell(&after, "JournalEntry", &user(&a));
    assert_eq!(rows(ca), Some(a_rows), "A after the fix: {ca}");
    assert_eq!(ca["select"]["verdict"], "filtered", "{ca}");
    assert!(!ca["select"]["policies"].as_array().unwrap().is_empty());
    assert_eq!(rows(cell(&after, "JournalEntry", &user(&b))), Some(b_rows));
    let svc = cell(&after, "JournalEntry", "service_role");
    assert_eq!(rows(svc), Some(all), "{svc}");
    assert_eq!(svc["select"]["verdict"], "allowed");
    // Every owned table and view: A's own rows, counted here.
    for (t, col) in [
        ("DailyMood", "\"userId\""),
        ("ChatSession", "\"userId\""),
        ("daily_mood", "user_id"),
    ] {
        let n = count(
            &mut c,
            &format!("SELECT 1 FROM public.\"{t}\" WHERE {col}::text = '{a}'"),
        )
        .await;
        assert_eq!(rows(cell(&after, t, &user(&a))), Some(n as u64), "{t} as A");
    }
    // Proof after the fix: the re-check says what changed, with the numbers counted here, and
    // the journal records it on the plan that changed it.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("access public.\"JournalEntry\": "))
        .unwrap_or_else(|| panic!("no access line for JournalEntry: {stdout}"));
    for said in [
        format!("anon: {all} rows → denied"),
        format!("A: {all} rows → {a_rows} rows"),
        format!("B: {all} rows → {b_rows} rows"),
        format!("service_role: {all} rows → {all} rows"),
    ] {
        assert!(line.contains(&said), "{said} not in {line}");
    }
    assert!(
        !stdout.contains("has more access to public.\"JournalEntry\""),
        "{stdout}"
    );
    let journal = std::fs::read_to_string(data.path().join("journal.jsonl")).unwrap();
    let proven: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .flat_map(|e| e["access"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["relation"] == "public.\"JournalEntry\"" && c["subject"] == "anon")
        .collect();
    assert!(!proven.is_empty(), "{journal}");
    assert_eq!(proven[0]["before"], all.to_string());
    assert_eq!(proven[0]["after"], "denied");
    // The text form says the same in words.
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args([
            "access",
            db.url(),
            "--as",
            "anon",
            "--as",
            &user(&a),
            "--as",
            "service_role",
            "--schema",
            "public",
        ])
        .output()
        .unwrap();
    let s = text(&out.stdout);
    eprintln!("{s}");
    assert!(s.contains("public.\"JournalEntry\" (table, RLS on)"), "{s}");
}

#[tokio::test]
async fn lms_staff_see_every_ticket_a_student_only_their_own() {
    let db = scenario("lms").await;
    fix_all(&db, "lms");
    let mut c = db.connect().await;
    let (a, b) = two_ids(&mut c, super::lms::STUDENTS).await;
    let (s1, s2) = two_ids(
        &mut c,
        "SELECT id::text FROM users WHERE role = 'admin' ORDER BY 1",
    )
    .await;
    let user = |u: &str| format!("authenticated:{u}");
    let doc = access_json(
        &db,
        &[
            "--cap",
            CAP,
            "--as",
            &user(&a),
            "--as",
            &user(&b),
            "--as",
            &user(&s1),
            "--as",
            &user(&s2),
        ],
    );
    let all = count(&mut c, "SELECT 1 FROM support_tickets").await as u64;
    for s in [&s1, &s2] {
        let cl = cell(&doc, "support_tickets", &user(s));
        assert_eq!(rows(cl), Some(all), "staff {s}: {cl}");
    }
    for s in [&a, &b] {
        let own = count(
            &mut c,
            &format!("SELECT 1 FROM support_tickets WHERE user_id::text = '{s}'"),
        )
        .await as u64;
        assert!(own >= 2 && own < all);
        let cl = cell(&doc, "support_tickets", &user(s));
        assert_eq!(rows(cl), Some(own), "student {s}: {cl}");
        assert_eq!(cl["select"]["verdict"], "filtered", "{cl}");
    }
}

/// A table created without grants (Supabase's new default): policies for signed-in users, no
/// privilege. The matrix shows the user denied; `fix --all --yes` grants what the policies are
/// written for, and the user then sees their own rows, counted here.
#[tokio::test]
async fn a_table_without_grants_is_denied_until_the_fix_grants_it() {
    let db = TestDb::new().await;
    db.exec(pgmend::scenarios::SUPABASE_STANDIN).await;
    let (a, b) = (
        "6d3c1a3e-0000-4000-8000-00000000000a",
        "6d3c1a3e-0000-4000-8000-00000000000b",
    );
    db.exec(&format!(
        "CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
         INSERT INTO public.notes SELECT g, CASE WHEN g % 3 = 0 THEN '{a}'::uuid WHEN g % 3 = 1 THEN '{b}'::uuid END
           FROM generate_series(1, 30) g;
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_read ON public.notes FOR SELECT TO authenticated USING (user_id = (select auth.uid()));
         REVOKE ALL ON public.notes FROM anon, authenticated;"
    ))
    .await;
    let mut c = db.connect().await;
    let user = |u: &str| format!("authenticated:{u}");
    let args = ["--as", "anon", "--as", &user(a), "--as", &user(b)];
    let before = access_json(&db, &args);
    let ca = cell(&before, "notes", &user(a));
    assert_eq!(rows(ca), None, "{ca}");
    assert_eq!(ca["select"]["verdict"], "denied");

    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--lints", "--all", "--yes", "--no-backup"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("lint.authenticated_without_grant"),
        "{stdout}\n{}",
        text(&out.stderr)
    );

    // The proof after the fix: signed-in users went from denied to their own rows, flagged as
    // more access than before for the engineer to confirm.
    let own_a = count(
        &mut c,
        &format!("SELECT 1 FROM notes WHERE user_id = '{a}'"),
    )
    .await;
    let line = stdout
        .lines()
        .find(|l| l.starts_with("access public.notes: "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("anon: denied → denied"), "{line}");
    assert!(
        line.contains(&format!("A: denied → {own_a} rows, may now select")),
        "{line}"
    );
    assert!(
        stdout.contains("⚠ A has more access to public.notes than before"),
        "{stdout}"
    );
    let after = access_json(&db, &args);
    for u in [a, b] {
        let own = count(
            &mut c,
            &format!("SELECT 1 FROM notes WHERE user_id = '{u}'"),
        )
        .await as u64;
        let cl = cell(&after, "notes", &user(u));
        assert_eq!(rows(cl), Some(own), "{cl}");
        assert_eq!(cl["select"]["policies"][0], "own_read");
    }
    // Only what the policies are written for: no insert, and anon still nothing.
    assert_eq!(
        cell(&after, "notes", &user(a))["insert"]["verdict"],
        "denied"
    );
    assert_eq!(rows(cell(&after, "notes", "anon")), None);
}
