//! Admission decides exactly what PostgreSQL will check, as a role that is not superuser:
//! - a new foreign key needs REFERENCES on the referenced columns (granted on the table or on
//!   those columns), not on the whole table, and SELECT on that table for the orphan check
//!   pgmend runs first;
//! - a GRANT on a table the role does not own needs each privilege WITH GRANT OPTION (without
//!   it PostgreSQL grants less than asked, with a warning);
//! - `CREATE OR REPLACE FUNCTION` needs ownership of the function it replaces (same name and
//!   argument types), and only CREATE on the schema for a new overload.
//!
//! Each case is decided by `fix --dry-run` (the preview) and then by the server itself: the
//! admitted plans run (`fix --yes`), the refused ones, run by hand as the role, fail.

use sqlx::{AssertSqlSafe, Connection};

use super::{PlatformRole, Shape};
use crate::apply::fix_cli::{pgmend, text};
use crate::support::{TestDb, next_id};

const CHECKLIST: &str = r#"
[checklist]
name = "exact"

[[table]]
name = "child"
columns = [
    { name = "parent_id", type = "integer" },
    { name = "parent_code", type = "text" },
    { name = "other_id", type = "integer" },
]
foreign_keys = [
    { columns = ["parent_id"], references = "parent(id)" },
    { columns = ["parent_code"], references = "parent(code)" },
    { columns = ["other_id"], references = "parent2(id)" },
]

[[grant]]
role = "READER"
on = ["shared"]
allow = ["SELECT"]

[[grant]]
role = "WRITER"
on = ["shared"]
allow = ["INSERT"]

"#;

/// Function bodies are held to their definitions by snapshots only.
const FUNCTIONS: &str = r#"
[checklist]
name = "exact-functions"
snapshot = true

[[function]]
name = "theirs"
arguments = ""
definition = """CREATE OR REPLACE FUNCTION public.theirs()
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT 2 $function$"""

[[function]]
name = "theirs"
arguments = "n integer"
definition = """CREATE OR REPLACE FUNCTION public.theirs(n integer)
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT n $function$"""

[[function]]
name = "mine"
arguments = ""
definition = """CREATE OR REPLACE FUNCTION public.mine()
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT 2 $function$"""
"#;

#[tokio::test]
async fn admission_checks_references_grant_options_and_routine_ownership_exactly() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let db = TestDb::new().await;
    let n = format!("{}_{}", std::process::id(), next_id());
    let (other, reader, writer) = (
        format!("other_{n}"),
        format!("reader_{n}"),
        format!("writer_{n}"),
    );
    let r = &role.name;
    db.exec(&format!(
        r#"CREATE ROLE "{other}"; CREATE ROLE "{reader}"; CREATE ROLE "{writer}";
        GRANT ALL ON SCHEMA public TO "{r}";
        CREATE TABLE public.parent (id int PRIMARY KEY, code text UNIQUE);
        INSERT INTO public.parent VALUES (1, 'a');
        ALTER TABLE public.parent OWNER TO "{other}";
        GRANT REFERENCES (id) ON public.parent TO "{r}";
        GRANT SELECT ON public.parent TO "{r}";
        CREATE TABLE public.parent2 (id int PRIMARY KEY);
        ALTER TABLE public.parent2 OWNER TO "{other}";
        GRANT REFERENCES ON public.parent2 TO "{r}";
        CREATE TABLE public.child (id int PRIMARY KEY, parent_id int, parent_code text, other_id int);
        ALTER TABLE public.child OWNER TO "{r}";
        CREATE TABLE public.shared (id int);
        ALTER TABLE public.shared OWNER TO "{other}";
        GRANT SELECT ON public.shared TO "{r}" WITH GRANT OPTION;
        GRANT INSERT ON public.shared TO "{r}";
        CREATE FUNCTION public.theirs() RETURNS integer LANGUAGE sql AS 'SELECT 1';
        ALTER FUNCTION public.theirs() OWNER TO "{other}";
        CREATE FUNCTION public.mine() RETURNS integer LANGUAGE sql AS 'SELECT 1';
        ALTER FUNCTION public.mine() OWNER TO "{r}";"#
    ))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("exact.toml");
    std::fs::write(
        &cl,
        CHECKLIST
            .replace("READER", &reader)
            .replace("WRITER", &writer),
    )
    .unwrap();
    let functions = tmp.path().join("functions.toml");
    std::fs::write(&functions, FUNCTIONS).unwrap();
    let url = role.url(&db);
    let out = pgmend(tmp.path())
        .args(["fix", &url, "--checklist"])
        .arg(&cl)
        .arg("--checklist")
        .arg(&functions)
        .args(["--all", "--no-lints", "--dry-run"])
        .output()
        .unwrap();
    let script = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let refused: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("-- refused "))
        .collect();
    let planned: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("-- finding: "))
        .collect();
    let refused_for = |what: &str| refused.iter().find(|l| l.contains(what)).copied();
    // REFERENCES on parent(id) only: the FK to id is planned, the one to code refused.
    assert!(
        planned.iter().any(|p| p.contains("child(parent_id)")),
        "{script}"
    );
    let code = refused_for("child(parent_code)").unwrap_or_else(|| panic!("{script}"));
    assert!(
        code.contains(&format!(
            "needs REFERENCES on public.parent (code) for the new foreign key (held by {other}, its owner"
        )),
        "{code}"
    );
    // REFERENCES without SELECT: the key could be made, but not its data check first.
    let other_fk = refused_for("child(other_id)").unwrap_or_else(|| panic!("{script}"));
    assert!(
        other_fk.contains(&format!(
            "needs SELECT on public.parent2 to read it (held by {other}, its owner"
        )),
        "{other_fk}"
    );
    // SELECT with grant option: granted; INSERT without it: refused.
    assert!(planned.iter().any(|p| p.contains(&reader)), "{script}");
    let ins = refused_for(&writer).unwrap_or_else(|| panic!("{script}"));
    assert!(
        ins.contains(&format!(
            "needs INSERT on public.shared WITH GRANT OPTION to grant or revoke it (held by {other}, its owner"
        )),
        "{ins}"
    );
    // Replacing another role's function: refused; a new overload of it and the role's own:
    // planned.
    let theirs =
        refused_for("function.definition:public.theirs()").unwrap_or_else(|| panic!("{script}"));
    assert!(
        theirs.contains(&format!(
            "needs ownership of function public.theirs() to replace it (held by {other})"
        )),
        "{theirs}"
    );
    assert!(
        planned.iter().any(|p| p.contains("theirs(n integer)")),
        "{script}"
    );
    assert!(
        planned.iter().any(|p| p.contains("public.mine()")),
        "{script}"
    );
    assert_eq!(refused.len(), 4, "{script}");

    // The run: what was admitted works.
    let out = pgmend(tmp.path())
        .args(["fix", &url, "--checklist"])
        .arg(&cl)
        .arg("--checklist")
        .arg(&functions)
        .args(["--all", "--no-lints", "--yes", "--no-backup"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("failed "),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("fixed ")).count(),
        planned.len(),
        "{stdout}"
    );
    let mut c = db.connect().await;
    let (fks, reads, two): (i64, bool, i32) = sqlx::query_as(AssertSqlSafe(format!(
        r#"SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.child'::regclass AND contype = 'f'),
                  has_table_privilege('{reader}', 'public.shared', 'SELECT'),
                  public.mine() + public.theirs(2)"#
    )))
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!((fks, reads, two), (1, true, 4));

    // And what was refused, run by hand as the role, the server refuses too (or, for the
    // GRANT, grants nothing).
    let mut as_role = sqlx::PgConnection::connect(&url).await.unwrap();
    for sql in [
        "ALTER TABLE public.child ADD FOREIGN KEY (parent_code) REFERENCES public.parent (code)",
        "CREATE OR REPLACE FUNCTION public.theirs() RETURNS integer LANGUAGE sql AS 'SELECT 2'",
    ] {
        let e = sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut as_role)
            .await
            .expect_err(sql);
        assert_eq!(
            e.as_database_error().and_then(|d| d.code()).as_deref(),
            Some("42501"),
            "{sql}: {e}"
        );
    }
    sqlx::raw_sql(AssertSqlSafe(format!(
        r#"GRANT INSERT ON public.shared TO "{writer}""#
    )))
    .execute(&mut as_role)
    .await
    .unwrap();
    let writes: bool = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT has_table_privilege('{writer}', 'public.shared', 'INSERT')"
    )))
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert!(!writes, "a GRANT without the grant option grants nothing");
}
