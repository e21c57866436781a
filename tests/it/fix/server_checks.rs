//! The checklist's SQL is analysed by the server (EXPLAIN, which runs nothing) just before its
//! plan runs: an expression the server rejects refuses the plan, nothing of it runs, and the
//! other plans go on.

use crate::support::{TestDb, pgmend};

const CHECKLIST: &str = r#"
[[policy]]
table = "t"
name = "bad"
command = "select"
roles = ["public"]
using = "no_such_column = 1"

[[policy]]
table = "t"
name = "good"
command = "select"
roles = ["public"]
using = "owner = current_user"

[[view]]
name = "v_bad"
definition = "SELECT nope FROM public.t"

[[view]]
name = "v_good"
definition = "SELECT id FROM public.t"

[[index]]
table = "t"
name = "t_bad_idx"
columns = [{ expression = "lower(missing)" }]
"#;

#[tokio::test]
async fn sql_the_server_rejects_refuses_its_plan_before_anything_runs() {
    let db = TestDb::new().await;
    // An `anon` role (other tests make one in this cluster too): the RLS lint then fires on t,
    // and its plan must not stand in for the checklist's policy plans under a bare --all.
    db.exec(
        "DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
         CREATE TABLE public.t (id int PRIMARY KEY, owner text);
         INSERT INTO public.t SELECT g, 'u' || g FROM generate_series(1, 5) g;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checks.toml");
    std::fs::write(&file, CHECKLIST).unwrap();
    let out = pgmend()
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&file)
        .args(["--all", "--yes", "--no-backup"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    for (id, why) in [
        (
            "policy.missing:policy bad on public.t",
            "column \"no_such_column\" does not exist",
        ),
        (
            "view.missing:public.v_bad",
            "column \"nope\" does not exist",
        ),
        (
            "index.missing:public.t_bad_idx",
            "column \"missing\" does not exist",
        ),
    ] {
        let line = stdout
            .lines()
            .skip_while(|l| !l.starts_with(&format!("refused  {id}")))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            line.contains("the server does not accept"),
            "{id}:\n{stdout}"
        );
        assert!(line.contains(why), "{id}: {line}\n{stdout}");
    }
    assert!(
        stdout.contains("fixed    policy.missing:policy good on public.t"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fixed    view.missing:public.v_good"),
        "{stdout}"
    );
    // A hand-written definition creates the view; PostgreSQL prints it its own way, and the
    // view is not held to the checklist's spelling.
    assert!(!stdout.contains("view.definition"), "{stdout}");
    // The lint's finding is left for --lints: RLS stays off (no API exposes this plain
    // database, so it is the policy-without-RLS lint that says so).
    assert!(
        stdout.contains("lint.policy_without_rls:public.t"),
        "{stdout}"
    );
    let mut c = db.connect().await;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT policyname::text FROM pg_policies WHERE tablename = 't'
         UNION ALL SELECT relname::text FROM pg_class
          WHERE relname IN ('v_bad', 'v_good', 't_bad_idx') ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(names, ["good", "v_good"]);
}
