//! The real binary in a real terminal: tmux runs it, send-keys types, capture-pane reads the
//! screen.

use std::time::{Duration, Instant};

use crate::support::TestDb;

/// A tmux server of our own (its own socket), killed when dropped.
pub(crate) struct Tmux {
    socket: String,
}

impl Tmux {
    pub(crate) fn start(cmd: &str, width: u16, height: u16) -> Tmux {
        let socket = format!(
            "pgmend-test-{}-{}",
            std::process::id(),
            crate::support::next_id()
        );
        let t = Tmux { socket };
        let status = crate::tools::tmux_command()
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(format!("{cmd}; echo PGMEND-EXITED=$?; sleep 60"))
            .env("NO_COLOR", "")
            .env_remove("PGMEND_CONFIG")
            .env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config")
            .status()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(status.success());
        t
    }

    pub(crate) fn send(&self, keys: &[&str]) {
        let status = crate::tools::tmux_command()
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub(crate) fn screen(&self) -> String {
        let out = crate::tools::tmux_command()
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (panics with the screen after `secs`).
    pub(crate) fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {secs}s for {text:?}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn resize(&self, w: u16, h: u16) {
        let status = crate::tools::tmux_command()
            .args([
                "-L",
                &self.socket,
                "resize-window",
                "-t",
                "t",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        crate::tools::tmux_kill_server(&self.socket);
    }
}

pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_pgmend")
}

#[tokio::test]
async fn a_person_browses_checks_filters_and_quits() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    let t = Tmux::start(
        &format!("{} '{}' --preset mood-journal", bin(), db.url()),
        120,
        40,
    );
    let s = t.wait_for("── CRITICAL ·", 30);
    assert!(
        s.contains("postgres@127.0.0.1") && s.contains("read-only"),
        "{s}"
    );
    assert!(s.contains("table public.profiles does not exist"), "{s}");
    assert!(
        !s.contains(url::Url::parse(db.url()).unwrap().password().unwrap()),
        "no password on screen"
    );
    // The detail pane of the selected failing item: why, expected, actual.
    assert!(
        s.contains("why: ") && s.contains("expected: ") && s.contains("actual  : absent"),
        "{s}"
    );
    // Walk the tabs.
    t.send(&["2"]);
    let s = t.wait_for("┌ Tables (", 5);
    assert!(s.contains("public.\"ChatMessage\""), "{s}");
    t.send(&["Tab"]);
    t.wait_for("┌ Views (", 5);
    t.send(&["6"]);
    let s = t.wait_for("┌ Policies & RLS (", 5);
    assert!(s.contains("RLS OFF"), "{s}");
    // A function's definition is fetched on demand (pg_get_functiondef).
    t.send(&["7"]);
    t.wait_for("CREATE OR REPLACE FUNCTION", 10);
    t.send(&["9"]);
    let s = t.wait_for("┌ Migrations (", 5);
    assert!(s.contains("20241012093000_init"), "{s}");
    // Filter the tables as you type; the detail pane follows the selection.
    t.send(&["2", "/", "J", "o", "u", "r"]);
    let s = t.wait_for("(1 of ", 5);
    assert!(
        s.contains("public.\"JournalEntry\"") && s.contains("columns"),
        "{s}"
    );
    t.send(&["Enter", "Escape"]);
    t.wait_for("┌ Tables (11)", 5);
    // Help comes from the live keymap.
    t.send(&["?"]);
    t.wait_for("what the screen means", 5);
    t.send(&["Escape"]);
    // Shrink to 40×12: still drawn, no crash.
    t.resize(40, 12);
    let s = t.wait_for("Tables", 5);
    assert!(!s.contains("panicked"), "{s}");
    t.resize(120, 40);
    t.send(&["q"]);
    let s = t.wait_for("PGMEND-EXITED=", 10);
    assert!(s.contains("PGMEND-EXITED=0"), "{s}");
}

#[test]
fn the_demo_starts_its_own_server_and_quits_cleanly() {
    let t = Tmux::start(&format!("{} demo event-platform", bin()), 100, 30);
    let s = t.wait_for("── CRITICAL ·", 60);
    assert!(s.contains("migration"), "{s}");
    t.send(&["9"]);
    let s = t.wait_for("20251227091500_manifest_versioning", 5);
    assert!(
        s.contains("✘ Prisma 20251227091500_manifest_versioning"),
        "{s}"
    );
    t.send(&["q"]);
    let s = t.wait_for("PGMEND-EXITED=", 20);
    assert!(s.contains("PGMEND-EXITED=0"), "{s}");
}

#[tokio::test]
async fn picker_then_hidden_password_prompt() {
    let db = TestDb::new().await;
    let u = url::Url::parse(db.url()).unwrap();
    let password = u.password().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let cfg_dir = home.path().join("config/pgmend");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(
        cfg_dir.join("config.toml"),
        format!("[profiles.testdb]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"postgres\"\ndbname = \"{}\"\n", u.port().unwrap(), db.name),
    )
    .unwrap();
    let cmd = format!(
        "env -u DATABASE_URL -u PGHOST -u PGDATABASE -u PGSERVICE -u PGPASSWORD XDG_CONFIG_HOME={0}/config XDG_STATE_HOME={0}/state HOME={0} {1}",
        home.path().display(),
        bin()
    );
    let t = Tmux::start(&cmd, 100, 30);
    t.wait_for("profile testdb", 20);
    t.send(&["Enter"]);
    t.wait_for("the server asks for a password", 20);
    t.send(&["-l", &password]);
    let s = t.wait_for(&"•".repeat(password.chars().count()), 5);
    assert!(!s.contains(&password), "{s}");
    t.send(&["Enter"]);
    let s = t.wait_for("read-only", 20);
    assert!(
        s.contains(&format!(
            "postgres@127.0.0.1:{}/{}",
            u.port().unwrap(),
            db.name
        )),
        "{s}"
    );
    assert!(s.contains("profile testdb"), "{s}");
    t.send(&["q"]);
    assert!(t.wait_for("PGMEND-EXITED=", 10).contains("PGMEND-EXITED=0"));
}

/// The broken mood-journal database, and the app on it in a terminal of this size, with its
/// data, state and working directory in a temporary home.
async fn broken_mood_journal(
    width: u16,
    height: u16,
) -> (TestDb, sqlx::PgConnection, tempfile::TempDir, Tmux) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let cmd = format!(
        "cd {0} && env XDG_DATA_HOME={0}/data XDG_STATE_HOME={0}/state {1} '{2}' --preset mood-journal",
        home.path().display(),
        bin(),
        db.url()
    );
    let t = Tmux::start(&cmd, width, height);
    (db, c, home, t)
}

/// Whether the table the first fix creates is there.
async fn has_profiles(c: &mut sqlx::PgConnection) -> bool {
    sqlx::query_scalar::<_, i64>(
        "select count(*) from pg_tables where schemaname = 'public' and tablename = 'profiles'",
    )
    .fetch_one(c)
    .await
    .unwrap()
        == 1
}

#[tokio::test]
async fn fix_one_item_and_watch_it_turn_green() {
    let (db, mut c, home, t) = broken_mood_journal(120, 40).await;
    let s = t.wait_for("── CRITICAL ·", 30);
    assert!(s.contains("✘ fixable   critical public.profiles "), "{s}");
    fix_the_first_item(&t);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let s = t.screen();
    assert!(!s.contains("✘ fixable   critical public.profiles "), "{s}");
    // The Backups tab lists the verified backup; the Journal tab what ran.
    t.send(&["0"]);
    let s = t.wait_for("verified when taken", 10);
    assert!(s.contains(".dump"), "{s}");
    t.send(&["Tab"]);
    let s = t.wait_for("table.missing:public.profiles", 10);
    assert!(s.contains("CREATE TABLE public.profiles"), "{s}");
    t.send(&["q"]);
    assert!(t.wait_for("PGMEND-EXITED=", 10).contains("PGMEND-EXITED=0"));
    // The table is there, the backup verifies, and the journal says what ran.
    assert!(has_profiles(&mut c).await);
    let journal = std::fs::read_to_string(home.path().join("data/pgmend/journal.jsonl")).unwrap();
    assert!(
        journal.contains("table.missing:public.profiles")
            && journal.contains("CREATE TABLE public.profiles"),
        "{journal}"
    );
    assert!(!journal.contains(url::Url::parse(db.url()).unwrap().password().unwrap()));
    let backups: Vec<_> = std::fs::read_dir(home.path().join("data/pgmend/backups"))
        .unwrap()
        .flatten()
        .collect();
    assert!(
        backups
            .iter()
            .any(|e| e.path().extension().is_some_and(|x| x == "dump")),
        "{backups:?}"
    );
}

/// Duplicates under a new unique key, in a real terminal: the groups as a table, nothing runs
/// until F5 (keep the newest) is pressed, then backup, confirm, apply.
#[tokio::test]
async fn duplicates_are_resolved_by_the_engineers_choice() {
    let db = TestDb::new().await;
    // In a schema of its own: no API exposes it, so no lint depends on the roles other tests
    // create alongside.
    db.exec(&format!(
        "CREATE SCHEMA app; SET search_path = app; {}",
        crate::backfill::SETUP
    ))
    .await;
    let home = tempfile::tempdir().unwrap();
    let cl = home.path().join("members.toml");
    std::fs::write(
        &cl,
        "[[table]]\nschema = \"app\"\nname = \"members\"\nunique = [{ columns = [\"email\"] }]\n",
    )
    .unwrap();
    let cmd = format!(
        "env XDG_DATA_HOME={0}/data XDG_STATE_HOME={0}/state {1} '{2}' --checklist {3}",
        home.path().display(),
        bin(),
        db.url(),
        cl.display()
    );
    let t = Tmux::start(&cmd, 120, 40);
    t.wait_for("unique", 30);
    t.send(&["f"]);
    let s = t.wait_for("c@example.com │ 3", 20);
    assert!(s.contains("a@example.com │ 2"), "{s}");
    assert!(s.contains("F5 keep the newest row"), "{s}");
    t.send(&["C-s"]);
    let s = t.wait_for("not yet", 10);
    assert!(!s.contains("about to run"), "{s}");
    t.send(&["F5"]);
    t.wait_for("CREATE TABLE app.members_pgmend_duplicates", 10);
    t.send(&["C-s"]);
    let s = t.wait_for("about to run", 60);
    assert!(s.contains("backup verified"), "{s}");
    t.send(&["Enter"]);
    let s = t.wait_for("enter closes", 60);
    assert!(s.contains("✔ unique.missing:app.members(email)"), "{s}");
    t.send(&["Enter", "q"]);
    assert!(t.wait_for("PGMEND-EXITED=", 10).contains("PGMEND-EXITED=0"));
    let mut c = db.connect().await;
    let kept: Vec<i32> = sqlx::query_scalar("SELECT id FROM app.members ORDER BY id")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert_eq!(kept, [2, 3, 4, 7, 8]);
}

#[tokio::test]
async fn the_access_tab_measures_who_sees_what() {
    let (_db, mut c, _home, t) = broken_mood_journal(120, 40).await;
    let all: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM "JournalEntry""#)
        .fetch_one(&mut c)
        .await
        .unwrap();
    t.wait_for("── CRITICAL ·", 30);
    // The last tab, one Shift-Tab away: measured on the app's read-only session.
    t.send(&["BTab"]);
    let s = t.wait_for("┌ Access (", 10);
    assert!(s.contains("= Acc"), "{s}");
    let s = t.wait_for("service_role", 30);
    // RLS is off on the broken database: anon reads every journal entry.
    assert!(
        s.contains(&format!(
            "public.\"JournalEntry\"  anon {all} · A {all} · B {all}"
        )),
        "{s}"
    );
    t.send(&["/", "J", "o", "u", "r", "Enter"]);
    let s = t.wait_for("table, RLS off", 5);
    assert!(
        s.contains("select, insert, update, delete: all (RLS off)")
            && s.contains("A = authenticated "),
        "{s}"
    );
    t.send(&["q"]);
    let s = t.wait_for("PGMEND-EXITED=", 10);
    assert!(s.contains("PGMEND-EXITED=0"), "{s}");
}

/// Issue 20 in a real terminal at 80×24: the header's units, the tab bar that scrolls and
/// labels every tab with its key, Journal scoped to this database, help that explains and
/// ends, the palette's "export plan as SQL" writing a file, and the preview's scope.
#[tokio::test]
async fn guidance_at_80_columns() {
    let (db, mut c, home, t) = broken_mood_journal(80, 24).await;
    let s = t.wait_for("── CRITICAL ·", 30);
    // One unit per figure: items by severity, then findings.
    assert!(
        s.contains(" items (") && s.contains(" crit, ") && s.contains(" findings"),
        "{s}"
    );
    assert!(s.contains("✘ fixable   critical public.profiles"), "{s}");
    // The bar scrolls: the Journal's key is `-`, on its label.
    assert!(s.contains("0 Bkup ›"), "{s}");
    t.send(&["-"]);
    let s = t.wait_for("┌ Journal (", 5);
    assert!(s.contains("‹") && s.contains("- Jrnl"), "{s}");
    assert!(
        s.contains(&format!("{} only (a: every database)", db.name)),
        "{s}"
    );
    t.send(&["a"]);
    t.wait_for("every database (a: this one)", 5);
    t.send(&["0"]);
    t.wait_for("┌ Backups (", 5);
    // Help: the concepts, and it stops at its last line.
    t.send(&["1", "?"]);
    t.wait_for("what the screen means", 5);
    for _ in 0..8 {
        t.send(&["PageDown"]);
    }
    let s = t.wait_for("make the key partial", 5);
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .rposition(|l| l.contains("make the key partial"))
        .unwrap();
    assert!(lines[at + 1].contains('└'), "{s}");
    t.send(&["Escape"]);
    // An escape right before another key reads as alt-key: let it land alone.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The palette holds every action; export plan as SQL writes the selected item's plans.
    t.send(&[":"]);
    let s = t.wait_for("switch connection", 5);
    assert!(
        s.contains("fix all") && s.contains("export plan as SQL"),
        "{s}"
    );
    t.send(&["-l", "export"]);
    t.send(&["Enter"]);
    let s = t.wait_for("plan(s) to pgmend-plan-", 10);
    assert!(!s.contains("cannot write"), "{s}");
    let file = std::fs::read_dir(home.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("pgmend-plan-"))
        .expect("the exported plan");
    let sql = std::fs::read_to_string(file.path()).unwrap();
    assert!(
        sql.contains("-- finding: table.missing:public.profiles"),
        "{sql}"
    );
    assert!(sql.contains("CREATE TABLE public.profiles"), "{sql}");
    // backup from the palette: a verified pg_dump, listed on the Backups tab, then verified
    // again from there.
    t.send(&[":"]);
    t.wait_for("switch connection", 5);
    t.send(&["-l", "backup"]);
    t.send(&["Enter"]);
    t.wait_for("✔ backup verified", 60);
    t.send(&["0"]);
    let s = t.wait_for("verified when taken", 10);
    assert!(s.contains(&format!("{}_", db.name)), "{s}");
    t.send(&[":"]);
    t.wait_for("switch connection", 5);
    t.send(&["-l", "verify backup"]);
    t.send(&["Enter"]);
    t.wait_for("✔ verified", 60);
    t.send(&["1"]);
    // The preview says how much of what was asked it fixes.
    t.send(&["f"]);
    let s = t.wait_for("fixes 1 of 1 finding", 20);
    assert!(s.contains("CREATE TABLE public.profiles"), "{s}");
    t.send(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.send(&["q"]);
    assert!(t.wait_for("PGMEND-EXITED=", 10).contains("PGMEND-EXITED=0"));
    // Nothing was changed.
    assert!(!has_profiles(&mut c).await);
}

/// A URL that fails: the picker stays open with the error, the URL is never saved to the
/// recent list, and the app exits non-zero when it ends without a connection.
#[test]
fn a_failed_connection_keeps_the_picker_and_exits_non_zero() {
    let home = tempfile::tempdir().unwrap();
    let env = format!(
        "env -u DATABASE_URL -u PGHOST -u PGDATABASE -u PGSERVICE -u PGPASSWORD XDG_CONFIG_HOME={0}/config XDG_STATE_HOME={0}/state XDG_DATA_HOME={0}/data HOME={0}",
        home.path().display()
    );
    let t = Tmux::start(&format!("{env} {}", bin()), 100, 30);
    // First use: nothing to pick, and the demo is named.
    t.wait_for("pgmend demo", 20);
    t.send(&["-l", "postgres://nobody@127.0.0.1:1/nothing"]);
    t.send(&["Enter"]);
    let s = t.wait_for("could not connect", 20);
    assert!(s.contains("Where to?"), "the picker stays open: {s}");
    assert!(s.contains("postgres://nobody@127.0.0.1:1/nothing"), "{s}");
    assert!(
        !home.path().join("state/pgmend/recent.txt").exists(),
        "a failed URL is never saved"
    );
    // Esc clears the URL (the error stays), a second Esc leaves: on a connection error.
    t.send(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.send(&["Escape"]);
    let s = t.wait_for("PGMEND-EXITED=", 10);
    assert!(s.contains("PGMEND-EXITED=2"), "{s}");
    drop(t);
    // Given on the command line: the failure screen, then a non-zero exit.
    let t = Tmux::start(
        &format!("{env} {} 'postgres://nobody@127.0.0.1:1/nothing'", bin()),
        100,
        30,
    );
    t.wait_for("cannot continue", 20);
    t.send(&["q"]);
    let s = t.wait_for("PGMEND-EXITED=", 10);
    assert!(s.contains("PGMEND-EXITED=2"), "{s}");
    assert!(!home.path().join("state/pgmend/recent.txt").exists());
}

/// `f` on the first item (public.profiles), ctrl-s, enter: backed up, applied, re-checked.
fn fix_the_first_item(t: &Tmux) {
    t.send(&["f"]);
    // The SQL, not just the title: a capture may land while the editor is still being drawn.
    let s = t.wait_for("CREATE TABLE public.profiles", 20);
    assert!(s.contains("ctrl-s: back up"), "{s}");
    t.send(&["C-s"]);
    let s = t.wait_for("about to run", 60);
    assert!(s.contains("backup verified"), "{s}");
    t.send(&["Enter"]);
    let s = t.wait_for("enter closes", 60);
    assert!(s.contains("✔ table.missing:public.profiles"), "{s}");
    t.send(&["Enter"]);
}

/// The way back in a real terminal: fix one item, restore the backup it took into a new
/// database from the Backups tab (its rows match the database before the fix), then undo the
/// fix from the Journal tab through the same backup, confirm and apply.
#[tokio::test]
async fn restore_a_backup_and_undo_a_fix_from_the_app() {
    let (db, mut c, home, t) = broken_mood_journal(120, 40).await;
    // The app only reads until the fix below: these are the rows before it.
    let before = crate::restore::checksums(db.url(), "public").await;
    t.wait_for("── CRITICAL ·", 30);
    fix_the_first_item(&t);

    // The backup leaves the platform's schemas out: the database restored into is a fresh
    // "project" (the Supabase stand-in alone), which counts as empty.
    let new_db = format!("{}_restored", db.name);
    let _dropped = crate::support::Created(new_db.clone());
    let mut admin =
        <sqlx::PgConnection as sqlx::Connection>::connect(&crate::support::url_for("postgres"))
            .await
            .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{new_db}\" TEMPLATE template0"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let mut fresh =
        <sqlx::PgConnection as sqlx::Connection>::connect(&crate::support::url_for(&new_db))
            .await
            .unwrap();
    sqlx::raw_sql(pgmend::scenarios::SUPABASE_STANDIN)
        .execute(&mut fresh)
        .await
        .unwrap();
    drop(fresh);

    // Backups tab: r, the default name (<db>_restored), enter, the summary, enter.
    t.send(&["0"]);
    t.wait_for("verified when taken", 10);
    t.send(&["r"]);
    let s = t.wait_for("into database:", 10);
    assert!(s.contains(&new_db), "{s}");
    t.send(&["Enter"]);
    let s = t.wait_for("enter restores", 30);
    assert!(
        s.contains("about to restore ") && s.contains("the empty"),
        "{s}"
    );
    t.send(&["Enter"]);
    let s = t.wait_for("✔ restored", 60);
    assert!(s.contains("enter closes"), "{s}");
    t.send(&["Enter"]);
    let restored_url = crate::support::url_for(&new_db);
    assert_eq!(
        crate::restore::checksums(&restored_url, "public").await,
        before,
        "the restored rows are the rows before the fix"
    );

    // Journal tab: u opens the undo SQL in the fix flow; backup, confirm, apply.
    // The restore is journaled too (the newest entry); the fix is the one below it.
    // The restore is journaled on the database it restored into (listed with `a`); this
    // database's Journal holds the fix.
    t.send(&["Tab"]);
    let s = t.wait_for("Journal (1)", 10);
    assert!(s.contains("fixed   table.missing:public.pro"), "{s}");
    t.send(&["u"]);
    let s = t.wait_for("undo: create table", 10);
    assert!(s.contains("DROP TABLE"), "{s}");
    t.send(&["C-s"]);
    let s = t.wait_for("about to run", 60);
    // The undo has no undo of its own: confirming it asks for `yes`.
    assert!(s.contains("IRREVERSIBLE"), "{s}");
    t.send(&["-l", "yes"]);
    t.send(&["Enter"]);
    t.wait_for("enter closes", 60);
    t.send(&["Enter"]);
    t.send(&["q"]);
    assert!(t.wait_for("PGMEND-EXITED=", 10).contains("PGMEND-EXITED=0"));
    let n: i64 = sqlx::query_scalar(
        "select count(*) from pg_tables where schemaname = 'public' and tablename = 'profiles'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(n, 0, "the undo dropped the table the fix created");
    let journal = std::fs::read_to_string(home.path().join("data/pgmend/journal.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"undo\""), "{journal}");
    assert!(journal.contains("\"kind\":\"restore\""), "{journal}");
}
