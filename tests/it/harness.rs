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
