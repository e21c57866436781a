//! The real binary in a real terminal: tmux runs it, send-keys types, capture-pane reads the
//! screen.

use std::time::{Duration, Instant};

use crate::support::TestDb;

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(cmd: &str, width: u16, height: u16) -> Tmux {
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

    fn send(&self, keys: &[&str]) {
        let status = crate::tools::tmux_command()
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = crate::tools::tmux_command()
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (panics with the screen after `secs`).
    fn wait_for(&self, text: &str, secs: u64) -> String {
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

fn bin() -> &'static str {
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
    let s = t.wait_for("── CRITICAL ──", 30);
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
    t.wait_for("filter the list as you type", 5);
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
    let s = t.wait_for("── CRITICAL ──", 60);
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

#[tokio::test]
async fn fix_one_item_and_watch_it_turn_green() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let cmd = format!(
        "env XDG_DATA_HOME={0}/data XDG_STATE_HOME={0}/state {1} '{2}' --preset mood-journal",
        home.path().display(),
        bin(),
        db.url()
    );
    let t = Tmux::start(&cmd, 120, 40);
    let s = t.wait_for("── CRITICAL ──", 30);
    assert!(
        s.contains("✘ table      public.profiles  table public.profiles"),
        "{s}"
    );
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
    std::thread::sleep(std::time::Duration::from_millis(300));
    let s = t.screen();
    assert!(!s.contains("✘ table      public.profiles "), "{s}");
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
    let n: i64 = sqlx::query_scalar(
        "select count(*) from pg_tables where schemaname = 'public' and tablename = 'profiles'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(n, 1);
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
