//! Connections against the real test server: every failure names host, port, database and
//! user with its cause, and no password ever appears in a message.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use pgmend::db::{self, Cause, ConnParams, Env, SessionOptions, Source};

use crate::support::{TestDb, url_for};

fn env_with(vars: &[(&str, String)]) -> Env {
    Env {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        home: None,
        os_user: Some("nobody-in-particular".into()),
    }
}

fn server_parts() -> (String, u16, String) {
    let u = url::Url::parse(&url_for("postgres")).unwrap();
    (
        u.host_str().unwrap().to_string(),
        u.port().unwrap_or(5432),
        u.password().unwrap_or_default().to_string(),
    )
}

async fn try_connect(conn: &str, env: &Env) -> Result<db::Session, db::ConnectError> {
    let r = db::resolve(Source::Argument(ConnParams::parse(conn).unwrap()), env).unwrap();
    db::connect(&r, &SessionOptions::default()).await
}

#[tokio::test]
async fn wrong_password_is_named_as_such_without_the_password() {
    let (host, port, _) = server_parts();
    let planted = "Pl4nted-S3cret-pw";
    let e = try_connect(
        &format!("postgres://postgres:{planted}@{host}:{port}/postgres"),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            e.cause,
            Cause::AuthFailed {
                password_given: true,
                ..
            }
        ),
        "{e}"
    );
    let msg = e.to_string();
    assert!(msg.contains(&format!("{host}:{port}")), "{msg}");
    assert!(
        msg.contains("database \"postgres\", user \"postgres\""),
        "{msg}"
    );
    assert!(msg.contains("authentication failed"), "{msg}");
    assert!(!msg.contains(planted), "{msg}");
    assert!(!format!("{e:?}").contains(planted));
}

#[tokio::test]
async fn unknown_database() {
    let (host, port, pw) = server_parts();
    let e = try_connect(
        &format!("postgres://postgres:{pw}@{host}:{port}/no_such_db"),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause, Cause::NoDatabase);
    let msg = e.to_string();
    assert!(
        msg.contains("database \"no_such_db\" does not exist"),
        "{msg}"
    );
    assert!(!msg.contains(&pw), "{msg}");
}

#[tokio::test]
async fn refused_port() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = try_connect(
        &format!("postgres://u:pw@127.0.0.1:{port}/app"),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause, Cause::Refused);
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "cannot connect to 127.0.0.1:{port} (database \"app\", user \"u\")"
        )),
        "{msg}"
    );
    assert!(msg.contains("hint: is PostgreSQL running"), "{msg}");
}

#[tokio::test]
async fn silent_server_times_out() {
    // A socket that accepts TCP but never speaks the protocol.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let e = try_connect(
        &format!("postgres://u@127.0.0.1:{port}/app?connect_timeout=1&sslmode=disable"),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause, Cause::Timeout(Duration::from_secs(1)));
    assert!(e.to_string().contains("no answer within 1s"), "{e}");
    drop(l);
}

#[tokio::test]
async fn tls_required_but_server_has_none() {
    let (host, port, pw) = server_parts();
    let e = try_connect(
        &format!("postgres://postgres:{pw}@{host}:{port}/postgres?sslmode=require"),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e.cause, Cause::Tls(_)), "{e:?}");
    assert!(!e.to_string().contains(&pw));
}

#[tokio::test]
async fn unix_socket() {
    let Some(cl) = crate::support::cluster() else {
        return;
    };
    let db = TestDb::new().await;
    let conn = format!(
        "host={} port={} user=postgres dbname={}",
        cl.socket_dir().display(),
        cl.port(),
        db.name
    );
    let mut s = try_connect(&conn, &env_with(&[])).await.unwrap();
    let one: i32 = sqlx::query_scalar("select 1")
        .fetch_one(&mut s.conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
    assert!(s.resolved.target.to_string().starts_with("socket "));
}

#[tokio::test]
async fn missing_socket_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let e = try_connect(
        &format!("host={} port=5999 dbname=x user=y", dir.path().display()),
        &env_with(&[]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause, Cause::NoSocket);
    assert!(
        e.to_string()
            .contains(&format!("socket {}/.s.PGSQL.5999", dir.path().display())),
        "{e}"
    );
}

#[tokio::test]
async fn service_file_and_pgpass_supply_the_connection() {
    let (host, port, pw) = server_parts();
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let services = dir.path().join("pg_service.conf");
    std::fs::write(
        &services,
        format!(
            "[testsvc]\nhost={host}\nport={port}\nuser=postgres\ndbname={}\nsslmode=disable\n",
            db.name
        ),
    )
    .unwrap();
    let pgpass = dir.path().join("pgpass");
    std::fs::write(&pgpass, format!("{host}:{port}:*:postgres:{pw}\n")).unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = env_with(&[
        ("PGSERVICEFILE", services.display().to_string()),
        ("PGPASSFILE", pgpass.display().to_string()),
    ]);
    let mut s = try_connect("service=testsvc", &env).await.unwrap();
    let name: String = sqlx::query_scalar("select current_database()")
        .fetch_one(&mut s.conn)
        .await
        .unwrap();
    assert_eq!(name, db.name);

    // The same pgpass with loose permissions is ignored, as libpq does: authentication fails.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = db::resolve(
        Source::Argument(ConnParams::parse("service=testsvc").unwrap()),
        &env,
    )
    .unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("group or world access")),
        "{:?}",
        r.warnings
    );
    let e = db::connect(&r, &SessionOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.cause,
            Cause::AuthFailed {
                password_given: false,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("no password was given"), "{e}");
}

#[tokio::test]
async fn sessions_are_named_read_only_and_time_limited() {
    let db = TestDb::new().await;
    let r = db::resolve(
        Source::Argument(ConnParams::parse(db.url()).unwrap()),
        &env_with(&[]),
    )
    .unwrap();
    let opts = SessionOptions {
        statement_timeout: Duration::from_millis(1500),
        ..SessionOptions::default()
    };
    let mut s = db::connect(&r, &opts).await.unwrap();
    let (app, timeout, ro): (String, String, String) = sqlx::query_as(
        "select current_setting('application_name'), current_setting('statement_timeout'), current_setting('default_transaction_read_only')",
    )
    .fetch_one(&mut s.conn)
    .await
    .unwrap();
    assert_eq!(
        (app.as_str(), timeout.as_str(), ro.as_str()),
        ("pgmend", "1500ms", "on")
    );
    let err = sqlx::raw_sql("create table must_fail (id int)")
        .execute(&mut s.conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-only transaction"), "{err}");
    let err = sqlx::raw_sql("select pg_sleep(5)")
        .execute(&mut s.conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("statement timeout"), "{err}");
}

#[tokio::test]
async fn port_6543_is_treated_as_a_transaction_pooler() {
    let r = db::resolve(
        Source::Argument(ConnParams::parse("postgres://u@db.example.com:6543/app").unwrap()),
        &env_with(&[]),
    )
    .unwrap();
    assert!(db::connect::looks_pooled(&r));
    let r = db::resolve(
        Source::Argument(ConnParams::parse("postgres://u@db.example.com:5432/app").unwrap()),
        &env_with(&[]),
    )
    .unwrap();
    assert!(!db::connect::looks_pooled(&r));
}

#[tokio::test]
async fn pooled_sessions_carry_the_timeout_in_each_snapshot_transaction() {
    let db = TestDb::new().await;
    db.exec("DO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, a text, b int)', i); END LOOP; END $$")
        .await;
    let r = db::resolve(
        Source::Argument(ConnParams::parse(db.url()).unwrap()),
        &env_with(&[]),
    )
    .unwrap();
    let opts = SessionOptions {
        pooler: Some(true),
        ..SessionOptions::default()
    };
    let mut s = db::connect(&r, &opts).await.unwrap();
    assert!(s.pooled);
    assert!(s.warnings.iter().any(|w| w.contains("transaction pooler")));
    // No startup settings were sent: a pooler would refuse or drop them.
    let app: String = sqlx::query_scalar("select current_setting('default_transaction_read_only')")
        .persistent(false)
        .fetch_one(&mut s.conn)
        .await
        .unwrap();
    assert_eq!(app, "off");
    let mut read = pgmend::db::catalog::ReadOptions {
        statement_timeout_ms: Some(1),
        ..Default::default()
    };
    let e = pgmend::db::catalog::read_snapshot(&mut s.conn, &read)
        .await
        .unwrap_err();
    // A timeout that fires just as one statement of the batch ends is reported by PostgreSQL
    // as a cancel "due to user request": ending a statement clears the timeout's indicator but
    // not the pending cancel, which the next statement then raises.
    let text = e.to_string();
    assert!(
        text.contains("statement timeout") || text.contains("due to user request"),
        "{e}"
    );
    read.statement_timeout_ms = Some(30_000);
    let snap = pgmend::db::catalog::read_snapshot(&mut s.conn, &read)
        .await
        .unwrap();
    assert_eq!(snap.tables.len(), 300);
}
