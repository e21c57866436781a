use crate::support::{TestDb, cluster};

#[tokio::test]
async fn each_test_gets_its_own_database() {
    let a = TestDb::new().await;
    let b = TestDb::new().await;
    assert_ne!(a.name, b.name);
    a.exec("CREATE TABLE only_in_a (id int)").await;
    let mut cb = b.connect().await;
    let n: i64 = sqlx::query_scalar("select count(*) from pg_class where relname = 'only_in_a'")
        .fetch_one(&mut cb)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn cluster_has_socket_in_data_dir_and_fsync_off() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    let fsync: String = sqlx::query_scalar("show fsync")
        .fetch_one(&mut c)
        .await
        .unwrap();
    if let Some(cl) = cluster() {
        assert_eq!(fsync, "off");
        let sock = cl.socket_dir().join(format!(".s.PGSQL.{}", cl.port()));
        assert!(sock.exists(), "no socket at {}", sock.display());
    }
}

/// Run only as a child of `a_killed_owner_leaves_no_server_behind` (hence ignored): starts a
/// cluster, reports it in the file `PGMEND_CHILD_REPORT` names, and waits to be killed.
#[test]
#[ignore = "child process of a_killed_owner_leaves_no_server_behind"]
fn cluster_owner_child() {
    let report = std::env::var("PGMEND_CHILD_REPORT").expect("run by its parent test");
    let c = pgmend::pgserver::Cluster::start().unwrap();
    let pid = std::fs::read_to_string(c.data_dir().join("postmaster.pid")).unwrap();
    let line = format!(
        "{} {}\n",
        c.data_dir().display(),
        pid.lines().next().unwrap()
    );
    std::fs::write(&report, line).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[test]
fn a_killed_owner_leaves_no_server_behind() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "harness::cluster_owner_child", "--ignored"])
        .env("PGMEND_CHILD_REPORT", &report)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let line = loop {
        match std::fs::read_to_string(&report) {
            Ok(l) if l.ends_with('\n') => break l,
            _ => {
                assert!(
                    Instant::now() < deadline,
                    "the child never started its cluster"
                );
                assert!(child.try_wait().unwrap().is_none(), "the child ended early");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    let mut parts = line.split_whitespace();
    let data_dir = std::path::PathBuf::from(parts.next().unwrap());
    let postmaster: i32 = parts.next().unwrap().parse().unwrap();
    let alive = |pid: i32| std::path::Path::new(&format!("/proc/{pid}")).exists();
    assert!(alive(postmaster) && data_dir.exists());

    child.kill().unwrap(); // SIGKILL: no unwinding, no destructors.
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while (alive(postmaster) || data_dir.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !alive(postmaster),
        "postmaster {postmaster} survived its owner"
    );
    assert!(!data_dir.exists(), "{} was not removed", data_dir.display());
}
