//! The load harness at small scale (seconds): application clients run their typical statements
//! (reads by owner, inserts, updates of the rows being fixed) against the Prisma scenario while
//! `pgmend fix --all --yes` applies its plans (a backfilled NOT NULL column, NOT VALID then
//! VALIDATE, indexes built CONCURRENTLY). It asserts what the issue asks and no other timing:
//! no application error, and no application statement waiting longer than `lock_timeout` plus
//! 100 ms.

use std::time::Duration;

use pgmend::bench::load::{self, Load, Phase, Phases};

use crate::support::{TestDb, pgmend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_under_load_causes_no_application_error_and_no_long_wait() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, "event-platform", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    load::scale_up(&mut c, "event-platform", 20_000)
        .await
        .unwrap();
    let lock_timeout = Duration::from_millis(1000);
    let phases = Phases::default();
    let spec = Load {
        url: db.url().to_string(),
        clients: 4,
        statements: load::workload("event-platform").unwrap(),
        duration: Duration::from_secs(300),
        max_per_client: u64::MAX,
        think: Duration::from_millis(5),
    };
    let running = tokio::spawn(load::run(spec, phases.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    phases.set(Phase::During);
    let dir = tempfile::tempdir().unwrap();
    let (url, backups) = (db.url().to_string(), dir.path().join("backups"));
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        pgmend()
            .args(["fix", &url, "--preset", "event-platform", "--all", "--yes"])
            .args(["--lock-timeout", "1s", "--backup-dir"])
            .arg(&backups)
            .arg("--backfill")
            .arg("rooms.appManifestVersion='1.0.0'")
            .env("PGMEND_DATA_DIR", &data)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    phases.set(Phase::After);
    tokio::time::sleep(Duration::from_millis(500)).await;
    phases.stop();
    let figures = running.await.unwrap().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_ne!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    for id in [
        "column.missing:public.rooms.\"appManifestVersion\"",
        "index.missing:public.\"rooms_appId_appManifestVersion_idx\"",
        "index.missing:public.\"winners_userId_idx\"",
    ] {
        assert!(
            stdout.contains(&format!("fixed    {id}")),
            "{id}: {stdout}\n{stderr}"
        );
    }
    let during = figures.phase(Phase::During);
    eprintln!("load: {figures:?}");
    assert!(during.statements > 0, "the application ran during the fix");
    for p in [Phase::Before, Phase::During, Phase::After] {
        let f = figures.phase(p);
        assert!(
            f.errors.is_empty(),
            "{p:?}: application errors {:?}",
            f.errors
        );
    }
    let bound = lock_timeout + Duration::from_millis(100);
    assert!(
        during.max <= bound,
        "an application statement waited {:?} (bound {bound:?})",
        during.max
    );
}
