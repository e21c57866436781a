//! The scenarios' fix flows (`pgmend fix --all --yes`, the real binary) as a platform role and as
//! superuser, on two copies of the same database: the role's backup is scoped and says what it
//! left out, the rows of every table stay as they were, the findings left are the same as the
//! superuser's (or the difference is the one listed, with why), and the backup verifies and
//! restores into a new database as the role.

use std::collections::BTreeSet;
use std::path::Path;

use pgmend::checklist::Checklist;
use pgmend::scenarios::{self, State};

use super::{PlatformRole, Shape};
use crate::apply::fix_cli::{check_findings, pgmend, text};
use crate::fix::{check, checksums};
use crate::support::TestDb;

const STANDIN: &str = include_str!("../../../assets/scenarios/supabase-standin.sql");

/// The broken scenario, shaped for the role; a Supabase app on the RDS-like server is
/// self-hosted there (see [`PlatformRole::hosts_supabase_app`]).
async fn scenario_db(id: &str, role: &PlatformRole) -> TestDb {
    let db = closed_scenario_db(id, role).await;
    let supabase_app = scenarios::get(id).is_some_and(|s| s.needs_supabase_standin);
    if supabase_app && role.shape == Shape::RdsLike {
        role.hosts_supabase_app(&db).await;
    }
    db
}

/// The broken scenario, shaped for the role and nothing more.
async fn closed_scenario_db(id: &str, role: &PlatformRole) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    role.shape(&db).await;
    db
}

/// `pgmend fix URL --preset ID --all --yes`: (exit code, stdout, stderr).
fn fix(data: &Path, url: &str, id: &str) -> (Option<i32>, String, String) {
    let backups = data.join("backups");
    let out = pgmend(data)
        .args(["fix", url, "--preset", id, "--all", "--yes", "--backup-dir"])
        .arg(&backups)
        .output()
        .unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn ids(v: Vec<(String, bool)>) -> BTreeSet<String> {
    v.into_iter().map(|(i, _)| i).collect()
}

/// Runs the flow for `id` as a role of `shape` and as superuser. `differences`: findings left
/// only in the role's database (with why); the rest must match.
async fn flow(shape: Shape, id: &str, differences: &[(&str, &str)]) {
    let role = PlatformRole::create(shape).await;
    let su_db = scenario_db(id, &role).await;
    let db = scenario_db(id, &role).await;
    let cls = [Checklist::preset(id).unwrap()];
    let (snap, _) = check(&db, &cls).await;
    let sums = checksums(&db, &snap).await;
    let url = role.url(&db);

    // Inventory and check work as the role, and see what the superuser sees.
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args(["inventory", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let before_role = ids(check_findings(tmp.path(), &url, id));
    let before_su = ids(check_findings(tmp.path(), db.url(), id));
    assert_eq!(
        before_role,
        before_su,
        "{id}: the role's check differs: only as the role {:#?}, only as superuser {:#?}",
        before_role.difference(&before_su).collect::<Vec<_>>(),
        before_su.difference(&before_role).collect::<Vec<_>>()
    );

    let su_tmp = tempfile::tempdir().unwrap();
    let (su_code, su_out, su_err) = fix(su_tmp.path(), su_db.url(), id);
    assert!(matches!(su_code, Some(0 | 1)), "{su_out}\n{su_err}");
    let (code, out, err) = fix(tmp.path(), &url, id);
    eprintln!("== {id} as {:?} ==\n{out}\n{err}", role.shape);
    assert!(matches!(code, Some(0 | 1)), "{out}\n{err}");

    // The backup says what it left out; so does the journal.
    let excluded = err
        .lines()
        .find(|l| l.starts_with("backup excludes schemas "))
        .unwrap_or_else(|| panic!("the backup does not say what it left out:\n{err}"));
    let left_out = match shape {
        Shape::SupabaseLike => ["auth", "storage", "realtime", "vault"].as_slice(),
        Shape::RdsLike => ["rdsadmin"].as_slice(),
    };
    for s in left_out {
        assert!(excluded.contains(s), "{s} not in: {excluded}");
    }
    // The schemas closed to the role are said to be.
    let no_access = excluded
        .split(')')
        .find(|g| g.ends_with("(no access"))
        .unwrap_or_else(|| panic!("no schema without access in: {excluded}"));
    assert!(
        no_access.contains(left_out[left_out.len() - 1]),
        "{excluded}"
    );
    let journal = std::fs::read_to_string(tmp.path().join("journal.jsonl")).unwrap();
    assert!(journal.contains(excluded), "{journal}");

    // No row changed (but for the rows a checklist's `seed` inserted), and the findings left
    // are the superuser's (but for those listed).
    let entries = pgmend::journal::read(&tmp.path().join("journal.jsonl")).unwrap();
    let seeds: Vec<&str> = entries
        .iter()
        .filter(|e| e.finding_id.starts_with("data.false:") && e.result == "fixed")
        .flat_map(|e| e.steps.iter().map(|s| s.sql.as_str()))
        .collect();
    let now = checksums(&db, &snap).await;
    for (table, sum) in &sums {
        if seeds
            .iter()
            .any(|sql| sql.contains(&format!("INSERT INTO {table} ")))
        {
            assert!(
                now[table].0 > sum.0,
                "{id}: the seed of {table} inserted nothing"
            );
        } else {
            assert_eq!(now.get(table), Some(sum), "{id}: rows of {table} changed");
        }
    }
    let after_role = ids(check_findings(tmp.path(), db.url(), id));
    let after_su = ids(check_findings(su_tmp.path(), su_db.url(), id));
    let only_role: BTreeSet<&String> = after_role.difference(&after_su).collect();
    let only_su: BTreeSet<&String> = after_su.difference(&after_role).collect();
    let want: BTreeSet<&str> = differences.iter().map(|(i, _)| *i).collect();
    assert!(
        only_su.is_empty()
            && only_role
                .iter()
                .map(|s| s.as_str())
                .collect::<BTreeSet<_>>()
                == want,
        "{id}: left only as the role: {only_role:#?}\nleft only as superuser: {only_su:#?}\n\
         role's run:\n{out}\n{err}\nsuperuser's run:\n{su_out}"
    );
    eprintln!(
        "{id} as {shape:?}: {} finding(s) before, {} after (superuser: {})",
        before_role.len(),
        after_role.len(),
        after_su.len()
    );

    // The backup verifies and restores, as the role, into a new database.
    let dump = std::fs::read_dir(tmp.path().join("backups"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "dump"))
        .expect("a backup");
    let out = pgmend(tmp.path())
        .args(["backups", "verify"])
        .arg(&dump)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The file says what it lacks, without the journal.
    assert!(
        text(&out.stdout).contains(&format!("{excluded} (taken as {})", role.name)),
        "{}",
        text(&out.stdout)
    );
    restore(&role, &db, &dump, &snap, &sums).await;
}

/// Restores `dump` as the role into a new database (with the platform's schemas in place, as
/// a new project has them) and compares every restored table's rows with `sums`.
async fn restore(
    role: &PlatformRole,
    source: &TestDb,
    dump: &Path,
    snap: &pgmend::db::catalog::Snapshot,
    sums: &std::collections::BTreeMap<String, (i64, String)>,
) {
    let fresh = TestDb::new().await;
    let mut c = source.connect().await;
    let has_auth: bool = sqlx::query_scalar("SELECT to_regclass('auth.users') IS NOT NULL")
        .fetch_one(&mut c)
        .await
        .unwrap();
    if has_auth {
        // A new project (or, self-hosted, a new database with the auth service set up): the
        // platform's schemas, and its auth users (the platform restores its own schemas; the
        // app's rows point at them).
        fresh.exec(STANDIN).await;
        let users: Option<serde_json::Value> =
            sqlx::query_scalar("SELECT json_agg(u) FROM auth.users u")
                .fetch_one(&mut c)
                .await
                .unwrap();
        let mut f = fresh.connect().await;
        sqlx::query(
            "INSERT INTO auth.users \
             SELECT * FROM json_populate_recordset(NULL::auth.users, $1::json)",
        )
        .bind(users.unwrap_or(serde_json::json!([])))
        .execute(&mut f)
        .await
        .unwrap();
    }
    fresh
        .exec(&format!(
            r#"ALTER DATABASE "{}" OWNER TO "{}"; GRANT ALL ON SCHEMA public TO "{}";"#,
            fresh.name, role.name, role.name
        ))
        .await;
    if has_auth && role.shape == Shape::RdsLike {
        role.hosts_supabase_app(&fresh).await;
    }
    let pg_restore = pgmend::backup::tools::find_pg_restore(None).unwrap();
    let out = std::process::Command::new(&pg_restore.path)
        .arg("--dbname")
        .arg(role.url(&fresh))
        .arg(dump)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    // What pg_restore cannot do as the role: statements about objects other roles own (the
    // platform's extensions' comments, the superuser's default privileges). Anything else is
    // a failure.
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("ERROR:")).collect();
    for e in &errors {
        assert!(
            e.contains("must be owner of extension") || e.contains("must be member of role"),
            "pg_restore as {}: {stderr}",
            role.name
        );
    }
    eprintln!(
        "pg_restore as {}: {} statement(s) about other roles' objects refused",
        role.name,
        errors.len()
    );
    let restored = checksums(&fresh, &app_only(snap)).await;
    for (t, sum) in &restored {
        assert_eq!(Some(sum), sums.get(t), "{t} restored with other rows");
    }
    assert!(!restored.is_empty());
}

/// The snapshot without the platform's schemas (which a backup leaves out).
fn app_only(snap: &pgmend::db::catalog::Snapshot) -> pgmend::db::catalog::Snapshot {
    let mut s = snap.clone();
    s.tables
        .retain(|t| !pgmend::db::catalog::is_managed_schema(&t.schema));
    s
}

#[tokio::test]
async fn mood_journal_as_supabase_owner() {
    flow(Shape::SupabaseLike, "mood-journal", &[]).await;
}

#[tokio::test]
async fn lms_as_supabase_owner() {
    flow(Shape::SupabaseLike, "lms", &[]).await;
}

#[tokio::test]
async fn chat_system_as_supabase_owner() {
    flow(Shape::SupabaseLike, "chat-system", &[]).await;
}

#[tokio::test]
async fn event_platform_as_supabase_owner() {
    flow(Shape::SupabaseLike, "event-platform", &[]).await;
}

#[tokio::test]
async fn virtual_audience_as_supabase_owner() {
    flow(Shape::SupabaseLike, "virtual-audience", &[]).await;
}

#[tokio::test]
async fn mood_journal_as_rds_master() {
    flow(Shape::RdsLike, "mood-journal", &[]).await;
}

#[tokio::test]
async fn lms_as_rds_master() {
    flow(Shape::RdsLike, "lms", &[]).await;
}

#[tokio::test]
async fn chat_system_as_rds_master() {
    flow(Shape::RdsLike, "chat-system", &[]).await;
}

#[tokio::test]
async fn event_platform_as_rds_master() {
    flow(Shape::RdsLike, "event-platform", &[]).await;
}

#[tokio::test]
async fn virtual_audience_as_rds_master() {
    flow(Shape::RdsLike, "virtual-audience", &[]).await;
}

/// A Supabase app's database as an RDS-like role, which is no member of anon and has no USAGE
/// on `auth`: every plan that needs `auth` (a foreign key to auth.users, a policy calling
/// auth.uid()) is refused before the backup, naming the schema and its owner; nothing fails
/// half-way, and the rest is mended.
#[tokio::test]
async fn a_supabase_app_as_an_rds_role_refuses_what_needs_auth() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let db = closed_scenario_db("mood-journal", &role).await;
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = fix(tmp.path(), &role.url(&db), "mood-journal");
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(!out.contains("failed "), "{out}");
    let refused: Vec<&str> = out.lines().filter(|l| l.starts_with("refused  ")).collect();
    let fixed = out.lines().filter(|l| l.starts_with("fixed  ")).count();
    assert!(
        out.contains("has no USAGE on schema auth, which auth.users is in (held by "),
        "{out}"
    );
    assert!(
        out.contains("has no USAGE on schema auth, which the plan's SQL uses (held by "),
        "{out}"
    );
    assert!(fixed > 0, "{out}");
    eprintln!(
        "mood-journal as an RDS-like role: {} refused, {fixed} fixed",
        refused.len()
    );
}
