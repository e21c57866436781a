//! The load harness at small scale (seconds): application clients run their typical statements
//! (reads by owner, inserts, updates of the rows being fixed) against each scenario with a
//! workload (Supabase RLS fixes, Prisma index and constraint fixes) while `pgmend fix --all
//! --yes` applies its plans. It asserts what the issue asks and no other timing: no application
//! error, and no application statement waiting longer than `lock_timeout` plus 100 ms.

use std::time::Duration;

use pgmend_bench::load::{self, Load, Phase, Phases};

use crate::support::{TestDb, pgmend};

/// One scenario: load, fix under load, the figures and the fix's stdout.
async fn fix_under_load(scenario: &str, lock_timeout: Duration) -> (load::Figures, String) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, scenario, pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    load::scale_up(&mut c, scenario, 20_000).await.unwrap();
    let phases = Phases::default();
    let spec = Load {
        url: db.url().to_string(),
        clients: 4,
        statements: load::workload(scenario).unwrap(),
        duration: Duration::from_secs(300),
        max_per_client: u64::MAX,
        think: Duration::from_millis(5),
    };
    let running = tokio::spawn(load::run(spec, phases.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    phases.set(Phase::During);
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = pgmend();
    cmd.args(["fix", db.url(), "--preset", scenario, "--all", "--yes"])
        .arg("--lock-timeout")
        .arg(format!("{}ms", lock_timeout.as_millis()))
        .arg("--backup-dir")
        .arg(dir.path().join("backups"))
        .env("PGMEND_DATA_DIR", dir.path());
    for b in load::backfills(scenario) {
        cmd.arg("--backfill").arg(b);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    phases.set(Phase::After);
    tokio::time::sleep(Duration::from_millis(500)).await;
    phases.stop();
    let figures = running.await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{scenario}: {stdout}\n{stderr}");
    eprintln!("load on {scenario}: {figures:?}");
    (figures, stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_under_load_causes_no_application_error_and_no_long_wait() {
    let lock_timeout = Duration::from_millis(1000);
    for scenario in load::SCENARIOS {
        let (figures, stdout) = fix_under_load(scenario, lock_timeout).await;
        let fixed = stdout.lines().filter(|l| l.starts_with("fixed ")).count();
        assert!(fixed >= 5, "{scenario}: the fixes ran: {stdout}");
        if scenario == "event-platform" {
            for id in [
                "column.missing:public.rooms.\"appManifestVersion\"",
                "index.missing:public.\"winners_userId_idx\"",
            ] {
                assert!(stdout.contains(&format!("fixed    {id}")), "{id}: {stdout}");
            }
        }
        let during = figures.phase(Phase::During);
        assert!(
            during.statements > 0,
            "{scenario}: the application ran during the fix"
        );
        for p in [Phase::Before, Phase::During, Phase::After] {
            let f = figures.phase(p);
            assert!(
                f.errors.is_empty(),
                "{scenario} {p:?}: application errors {:?}",
                f.errors
            );
        }
        let bound = lock_timeout + Duration::from_millis(100);
        assert!(
            during.max <= bound,
            "{scenario}: an application statement waited {:?} (bound {bound:?})",
            during.max
        );
    }
}
