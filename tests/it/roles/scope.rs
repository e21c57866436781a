//! Scoped backups and refusals before the backup, on small databases, as a role that is not
//! superuser: what it cannot read is left out of the backup (and said), what it cannot change
//! is refused before the backup (naming the privilege and who holds it).

use pgmend::apply::admit;
use pgmend::backup::{self, BackupOptions, BackupScope, Excluded, Reason};
use pgmend::fix::plan::{LockInfo, Plan};
use sqlx::Connection;

use super::{PlatformRole, Shape};
use crate::apply::fix_cli::{pgmend, text};
use crate::backup::resolved;
use crate::support::{TestDb, next_id};

/// A database where `role` owns public.mine and the schema `app`, and another role owns the
/// rest: schema `private` (no USAGE for the role), schema `app_ro` (USAGE, no CREATE),
/// public.secret (no SELECT), public.theirs (SELECT only) and public.guarded (SELECT, RLS on).
async fn mixed(role: &PlatformRole) -> (TestDb, String) {
    let db = TestDb::new().await;
    let other = format!("other_{}_{}", std::process::id(), next_id());
    let r = &role.name;
    db.exec(&format!(
        r#"CREATE ROLE "{other}";
        GRANT ALL ON SCHEMA public TO "{r}";
        CREATE TABLE public.mine (id int PRIMARY KEY, note text);
        INSERT INTO public.mine SELECT g, 'n' || g FROM generate_series(1, 50) g;
        ALTER TABLE public.mine OWNER TO "{r}";
        CREATE TABLE public.secret (id int PRIMARY KEY, token text);
        INSERT INTO public.secret VALUES (1, 'never for the role');
        CREATE TABLE public.theirs (id int PRIMARY KEY, note text);
        INSERT INTO public.theirs VALUES (1, 'x');
        CREATE TABLE public.guarded (id int PRIMARY KEY, owner_name text);
        INSERT INTO public.guarded VALUES (1, 'a'), (2, 'b');
        ALTER TABLE public.guarded ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON public.guarded USING (owner_name = current_user);
        ALTER TABLE public.secret OWNER TO "{other}";
        ALTER TABLE public.theirs OWNER TO "{other}";
        ALTER TABLE public.guarded OWNER TO "{other}";
        GRANT SELECT ON public.theirs, public.guarded TO "{r}";
        CREATE SCHEMA private AUTHORIZATION "{other}";
        CREATE TABLE private.keys (id int);
        ALTER TABLE private.keys OWNER TO "{other}";
        CREATE SCHEMA app_ro AUTHORIZATION "{other}";
        GRANT USAGE ON SCHEMA app_ro TO "{r}";"#
    ))
    .await;
    (db, other)
}

#[tokio::test]
async fn the_backup_leaves_out_what_the_role_cannot_read_and_says_so() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let (db, _) = mixed(&role).await;
    let dir = tempfile::tempdir().unwrap();
    let rec = backup::backup(
        &resolved(&role.url(&db)),
        dir.path(),
        &BackupOptions::default(),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("the role's backup failed: {e}"));
    let ex = |name: &str, reason| Excluded {
        name: name.into(),
        reason,
    };
    assert_eq!(rec.scope.schemas, [ex("private", Reason::NoAccess)]);
    assert_eq!(rec.scope.tables, [ex("public.secret", Reason::NoAccess)]);
    assert_eq!(
        rec.scope.table_data,
        [ex("public.guarded", Reason::RowSecurity)]
    );
    assert_eq!(
        rec.scope.describe(),
        "backup excludes schemas private (no access); tables public.secret (no access); \
         the rows of public.guarded (row-level security applies to the role)"
    );
    // Read whole again (verification is a full read) and listed: what is in it is what the
    // scope says.
    backup::verify_with(&rec.path, pgmend::journal::recorded_sha256(&rec.path))
        .await
        .unwrap();
    let pg_restore = backup::tools::find_pg_restore(None).unwrap();
    let out = std::process::Command::new(&pg_restore.path)
        .arg("--list")
        .arg(&rec.path)
        .output()
        .unwrap();
    let list = text(&out.stdout);
    assert!(list.contains("TABLE DATA public mine"), "{list}");
    assert!(list.contains("TABLE public guarded"), "{list}");
    assert!(!list.contains("TABLE DATA public guarded"), "{list}");
    assert!(!list.contains("secret"), "{list}");
    assert!(!list.contains("private"), "{list}");

    // `pgmend backup` as the role says the same.
    let out = pgmend(dir.path())
        .args(["backup", &role.url(&db), "--backup-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&rec.scope.describe()),
        "{}",
        text(&out.stderr)
    );

    // As superuser the same database is dumped whole.
    let su = backup::backup(
        &resolved(db.url()),
        dir.path(),
        &BackupOptions::default(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(su.scope.is_whole(), "{:?}", su.scope);
    assert_eq!(su.scope.describe(), "backup holds the whole database");
}

const CHECKLIST: &str = r#"
[checklist]
name = "mixed"

[[index]]
table = "mine"
name = "mine_note_idx"
columns = ["note"]

[[index]]
table = "theirs"
name = "theirs_note_idx"
columns = ["note"]

[[view]]
name = "theirs_view"
over = "theirs"
columns = ["id", "note"]

[[table]]
schema = "app_ro"
name = "events"
primary_key = ["id"]
columns = [{ name = "id", type = "bigint", nullable = false }]
"#;

#[tokio::test]
async fn plans_the_role_cannot_apply_are_refused_before_the_backup() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let (db, other) = mixed(&role).await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("mixed.toml");
    std::fs::write(&cl, CHECKLIST).unwrap();
    let url = role.url(&db);

    // The preview (--dry-run) already says so, and keeps the refused plans out of the script.
    let out = pgmend(tmp.path())
        .args(["fix", &url, "--checklist"])
        .arg(&cl)
        .args(["--all", "--no-lints", "--dry-run"])
        .output()
        .unwrap();
    let script = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let theirs = format!("needs ownership of public.theirs to change it (held by {other})");
    let create = format!(
        "needs CREATE on schema app_ro to create app_ro.events (held by {other}, its owner)"
    );
    assert!(script.contains(&theirs), "{script}");
    assert!(script.contains(&create), "{script}");
    assert!(
        script.contains("-- backup excludes schemas private (no access)"),
        "{script}"
    );
    let planned: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("-- finding: "))
        .collect();
    // A view over a table the role may only read needs SELECT on it, not ownership.
    assert_eq!(
        planned,
        [
            "index.missing:public.mine_note_idx",
            "view.missing:public.theirs_view"
        ],
        "{script}"
    );

    // A preview journals nothing.
    assert!(!tmp.path().join("journal.jsonl").exists());

    // The run: the refused plans never reach the backup or the server; the other one runs.
    let out = pgmend(tmp.path())
        .args(["fix", &url, "--checklist"])
        .arg(&cl)
        .args(["--all", "--no-lints", "--yes", "--backup-dir"])
        .arg(tmp.path().join("backups"))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains(&theirs), "{stdout}");
    assert!(stdout.contains(&create), "{stdout}");
    assert!(
        stdout.contains("fixed    index.missing:public.mine_note_idx"),
        "{stdout}"
    );
    assert!(!stdout.contains("failed"), "{stdout}");
    assert!(
        stderr.contains("backup excludes schemas private"),
        "{stderr}"
    );
    let mut c = db.connect().await;
    let idx: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE indexname LIKE '%note_idx' ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(idx, ["mine_note_idx"]);
    let events: Option<String> = sqlx::query_scalar("SELECT to_regclass('app_ro.events')::text")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(events, None);

    // The journal holds every plan: the refused ones with why, the check that refused them and
    // each privilege missing; nothing of them ran.
    let entries = pgmend::journal::read(&tmp.path().join("journal.jsonl")).unwrap();
    let refused: Vec<&pgmend::journal::Entry> =
        entries.iter().filter(|e| e.result == "refused").collect();
    let by_id = |id: &str| {
        refused
            .iter()
            .find(|e| e.finding_id == id)
            .unwrap_or_else(|| panic!("{id} not journaled: {entries:#?}"))
    };
    for (id, need) in [
        ("index.missing:public.theirs_note_idx", &theirs),
        ("table.missing:app_ro.events", &create),
    ] {
        let e = by_id(id);
        let a = e.admission.as_ref().expect("the admission's refusal");
        assert_eq!(a.stage, "privileges");
        assert_eq!(a.role.as_deref(), Some(role.name.as_str()));
        assert_eq!(a.missing, std::slice::from_ref(need), "{id}");
        assert_eq!(e.refused, [format!("{} {need}", role.name)], "{id}");
        assert!(e.steps.is_empty() && e.backup.is_none(), "{e:?}");
        assert_eq!(e.connection.user, role.name);
    }
    assert_eq!(refused.len(), 2, "{entries:#?}");
    assert!(
        entries
            .iter()
            .any(|e| e.result == "fixed" && e.finding_id == "index.missing:public.mine_note_idx")
    );
}

#[tokio::test]
async fn a_plan_changing_what_the_backup_leaves_out_is_refused() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let (db, _) = mixed(&role).await;
    let mut as_role = sqlx::PgConnection::connect(&role.url(&db)).await.unwrap();
    let scope = BackupScope::read(&mut as_role).await.unwrap();
    let plan = |id: &str, table: &str, mode: &str, touches_data: bool| Plan {
        finding_id: id.into(),
        title: id.into(),
        steps: vec![],
        undo: vec![],
        locks: vec![LockInfo {
            object: table.into(),
            mode: mode.into(),
            effect: String::new(),
        }],
        hazards: vec![],
        touches_data,
        preconditions: vec![],
        tables: vec![table.into()],
        also_fixes: vec![],
        after: vec![],
        server_checks: vec![],
        decisions: vec![],
        origin: Default::default(),
    };
    // With only public.mine chosen, a plan changing public.guarded is refused.
    let mut only = scope.clone();
    only.only = vec!["public.mine".into()];
    assert_eq!(
        only.misses(&plan("g", "public.guarded", "ACCESS EXCLUSIVE", false))
            .as_deref(),
        Some("public.guarded is not in the backup (it holds only public.mine)")
    );
    assert_eq!(
        only.misses(&plan("m", "public.mine", "ACCESS EXCLUSIVE", true)),
        None
    );
    let plans = vec![
        plan("in-private", "private.keys", "ACCESS EXCLUSIVE", false),
        plan("secret", "public.secret", "ACCESS EXCLUSIVE", false),
        plan("guarded-rows", "public.guarded", "ACCESS EXCLUSIVE", true),
        plan("guarded-ddl", "public.guarded", "ACCESS EXCLUSIVE", false),
        plan(
            "fk-to-secret",
            "public.secret",
            "SHARE ROW EXCLUSIVE",
            false,
        ),
        plan("mine", "public.mine", "ACCESS EXCLUSIVE", true),
    ];
    // Privileges as superuser (all held), so only the backup's scope decides here.
    let mut su = db.connect().await;
    let permitted = admit::permitted(&mut su, plans).await.unwrap();
    assert!(permitted.refused.is_empty());
    let (admitted, refused) = permitted.covered_by(&scope);
    let ok: Vec<&str> = admitted
        .plans()
        .iter()
        .map(|p| p.finding_id.as_str())
        .collect();
    assert_eq!(ok, ["guarded-ddl", "fk-to-secret", "mine"]);
    let why: Vec<(&str, &str)> = refused
        .iter()
        .map(|r| (r.plan.finding_id.as_str(), r.why.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            (
                "in-private",
                "private.keys is not in the backup (it excludes schema private: no access)"
            ),
            ("secret", "public.secret is not in the backup (no access)"),
            (
                "guarded-rows",
                "the rows of public.guarded are not in the backup (row-level security \
                 applies to the role) and the plan changes rows"
            ),
        ]
    );
}

/// `--backup-changed-only` (a large database, few tables changed): the backup holds the tables
/// the plans change, says so, and the plans still run.
#[tokio::test]
async fn a_backup_of_only_the_changed_tables_when_asked() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let (db, _) = mixed(&role).await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("mixed.toml");
    std::fs::write(&cl, CHECKLIST).unwrap();
    let backups = tmp.path().join("backups");
    let out = pgmend(tmp.path())
        .args(["fix", &role.url(&db), "--checklist"])
        .arg(&cl)
        .args(["--all", "--no-lints", "--yes", "--backup-changed-only"])
        .arg("--backup-dir")
        .arg(&backups)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // The view reads public.theirs: it is kept too (the backup errs on the side of more).
    assert!(
        stderr.contains(
            "backup holds only public.mine, public.theirs (--backup-changed-only); it excludes \
             schemas private (no access)"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains("fixed    index.missing:public.mine_note_idx"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fixed    view.missing:public.theirs_view"),
        "{stdout}"
    );
    let dump = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "dump"))
        .unwrap();
    let pg_restore = backup::tools::find_pg_restore(None).unwrap();
    let list = text(
        &std::process::Command::new(&pg_restore.path)
            .arg("--list")
            .arg(&dump)
            .output()
            .unwrap()
            .stdout,
    );
    assert!(list.contains("TABLE DATA public mine"), "{list}");
    assert!(list.contains("TABLE DATA public theirs"), "{list}");
    assert!(!list.contains("guarded"), "{list}");
    let journal = std::fs::read_to_string(tmp.path().join("journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"only\":[\"public.mine\",\"public.theirs\"]"),
        "{journal}"
    );
}

/// A plan changing rows the backup leaves out (a table the role owns whose row-level security
/// is forced on it, so pg_dump would read only the rows its policies show) is refused before
/// the backup and journaled with the check that refused it.
#[tokio::test]
async fn a_plan_outside_the_backup_is_refused_and_journaled() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let db = TestDb::new().await;
    let r = &role.name;
    db.exec(&format!(
        r#"GRANT ALL ON SCHEMA public TO "{r}";
        CREATE TABLE public.forced (id int PRIMARY KEY, note text);
        INSERT INTO public.forced VALUES (1, 'a'), (2, 'b');
        ALTER TABLE public.forced ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
        ALTER TABLE public.forced OWNER TO "{r}";
        CREATE TABLE public.mine (id int PRIMARY KEY, note text);
        ALTER TABLE public.mine OWNER TO "{r}";"#
    ))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("c.toml");
    std::fs::write(
        &cl,
        r#"[checklist]
name = "outside"

[[table]]
name = "forced"
columns = [{ name = "token", type = "uuid", nullable = false, default = "gen_random_uuid()" }]

[[index]]
table = "mine"
name = "mine_note_idx"
columns = ["note"]
"#,
    )
    .unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", &role.url(&db), "--checklist"])
        .arg(&cl)
        .args(["--all", "--no-lints", "--yes", "--backup-dir"])
        .arg(tmp.path().join("backups"))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let why = "the rows of public.forced are not in the backup (row-level security applies to \
               the role) and the plan changes rows";
    assert!(stdout.contains(why), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("fixed    index.missing:public.mine_note_idx"),
        "{stdout}"
    );
    let entries = pgmend::journal::read(&tmp.path().join("journal.jsonl")).unwrap();
    let e = entries
        .iter()
        .find(|e| e.finding_id == "column.missing:public.forced.token")
        .unwrap_or_else(|| panic!("not journaled: {entries:#?}"));
    assert_eq!(e.result, "refused");
    assert_eq!(e.refused, [why]);
    let a = e.admission.as_ref().unwrap();
    assert_eq!(
        (a.stage.as_str(), &a.role, &a.missing),
        ("backup", &None, &vec![])
    );
    assert!(e.steps.is_empty());
    let mut c = db.connect().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.forced'::regclass \
         AND attname = 'token'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(n, 0, "the refused column was never added");
}

/// Large objects: pg_dump reads them all or none, so as a role that cannot read one another
/// role owns it fails outright. The backup leaves them out (`-B`) and says so; once the role
/// may read them all, they are in it again.
#[tokio::test]
async fn large_objects_the_role_cannot_read_are_left_out_and_said() {
    let role = PlatformRole::create(Shape::RdsLike).await;
    let (db, other) = mixed(&role).await;
    let r = &role.name;
    // One large object of another role's, one of the role's own.
    db.exec(&format!(
        r#"DO $$ DECLARE o oid; BEGIN
             o := lo_from_bytea(0, 'theirs'::bytea);
             EXECUTE format('ALTER LARGE OBJECT %s OWNER TO %I', o, '{other}');
           END $$;
        SET ROLE "{r}";
        SELECT lo_from_bytea(0, 'mine'::bytea);
        RESET ROLE;"#
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let resolved = resolved(&role.url(&db));

    // What pgmend has to avoid: pg_dump as the role, told only what else to leave out, fails
    // on the other role's large object.
    let mut as_role = sqlx::PgConnection::connect(&role.url(&db)).await.unwrap();
    let mut scope = BackupScope::read(&mut as_role).await.unwrap();
    assert_eq!(scope.large_objects, Some(Reason::NoAccess));
    scope.large_objects = None;
    let pg_dump = backup::tools::find_pg_dump(None).unwrap();
    let out = std::process::Command::new(&pg_dump.path)
        .arg("--format=custom")
        .arg("--file")
        .arg(dir.path().join("plain.dump"))
        .args(scope.pg_dump_args())
        .arg(role.url(&db))
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("permission denied for large object"),
        "{}",
        text(&out.stderr)
    );

    // pgmend's backup leaves them out and says so; it verifies (a full read).
    let rec = backup::backup(&resolved, dir.path(), &BackupOptions::default(), |_| {})
        .await
        .unwrap_or_else(|e| panic!("the role's backup failed: {e}"));
    assert_eq!(rec.scope.large_objects, Some(Reason::NoAccess));
    assert_eq!(
        rec.scope.describe(),
        "backup excludes schemas private (no access); tables public.secret (no access); \
         the rows of public.guarded (row-level security applies to the role); large objects \
         (no access)"
    );
    backup::verify_with(&rec.path, pgmend::journal::recorded_sha256(&rec.path))
        .await
        .unwrap();
    let pg_restore = backup::tools::find_pg_restore(None).unwrap();
    let list = |p: &std::path::Path| {
        let out = std::process::Command::new(&pg_restore.path)
            .arg("--list")
            .arg(p)
            .output()
            .unwrap();
        text(&out.stdout).to_uppercase()
    };
    let l = list(&rec.path);
    assert!(!l.contains("BLOB") && !l.contains("LARGE OBJECT"), "{l}");
    assert!(l.contains("TABLE DATA PUBLIC MINE"), "{l}");
    // The scope beside the file says it too.
    let beside = backup::scope::read_scope(&rec.path).unwrap();
    assert_eq!(beside.large_objects, Some(Reason::NoAccess));

    // Granted SELECT on the other role's large object, the role reads them all: they are in.
    db.exec(&format!(
        r#"DO $$ DECLARE o oid; BEGIN
             FOR o IN SELECT oid FROM pg_largeobject_metadata LOOP
               EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO %I', o, '{r}');
             END LOOP;
           END $$;"#
    ))
    .await;
    let rec = backup::backup(&resolved, dir.path(), &BackupOptions::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(rec.scope.large_objects, None);
    assert!(!rec.scope.describe().contains("large objects"));
    let l = list(&rec.path);
    assert!(l.contains("BLOB") || l.contains("LARGE OBJECT"), "{l}");
}
