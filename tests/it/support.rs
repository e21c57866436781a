//! The test harness: one throwaway PostgreSQL cluster per test binary (or the server named by
//! `PGMEND_TEST_URL`), and a fresh database for each test so tests run in parallel.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use pgmend::pgserver::Cluster;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

enum Server {
    Local(Cluster),
    External(url::Url),
}

static SERVER: OnceLock<Server> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn server() -> &'static Server {
    SERVER.get_or_init(|| match std::env::var("PGMEND_TEST_URL") {
        Ok(u) => Server::External(url::Url::parse(&u).expect("PGMEND_TEST_URL is not a valid URL")),
        Err(_) => match Cluster::start() {
            Ok(c) => Server::Local(c),
            // Tests never skip silently: say exactly what is missing.
            Err(e) => panic!("cannot start a throwaway PostgreSQL cluster for the tests: {e}"),
        },
    })
}

/// The local cluster, for tests that need its socket directory or binaries.
pub fn cluster() -> Option<&'static Cluster> {
    match server() {
        Server::Local(c) => Some(c),
        Server::External(_) => None,
    }
}

/// URL of `database` on the test server, as a superuser.
pub fn url_for(database: &str) -> String {
    match server() {
        Server::Local(c) => c.url(database),
        Server::External(u) => {
            let mut u = u.clone();
            u.set_path(database);
            u.to_string()
        }
    }
}

/// The user's connection and config variables, which tests keep out of the binary's
/// environment.
pub const USER_ENV: [&str; 8] = [
    "DATABASE_URL",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGSERVICE",
    "PGMEND_CONFIG",
];

/// The real binary, with the user's environment kept out: no PG* variables, no config file.
pub fn pgmend() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("pgmend").expect("the pgmend binary is built");
    for v in USER_ENV {
        c.env_remove(v);
    }
    c.env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config");
    c
}

/// A number unique within this test binary.
pub fn next_id() -> usize {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    url: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("pgmend_t{}_{n}", std::process::id());
        let mut admin = PgConnection::connect(&url_for("postgres"))
            .await
            .expect("connect to the test server as admin");
        admin
            .execute(AssertSqlSafe(format!(
                "CREATE DATABASE \"{name}\" TEMPLATE template0"
            )))
            .await
            .expect("create test database");
        let url = url_for(&name);
        TestDb { name, url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .expect("connect to test database")
    }

    /// The server's `server_version_num` (150018 for 15.18): fixtures and expectations that
    /// differ by major compare with it, never with the version string.
    pub async fn version_num(&self) -> i32 {
        let mut c = self.connect().await;
        let v: String = sqlx::query_scalar("SELECT current_setting('server_version_num')")
            .fetch_one(&mut c)
            .await
            .expect("read server_version_num");
        let _ = c.close().await;
        v.parse().expect("server_version_num is a number")
    }

    /// Runs SQL (several statements allowed) in the test database.
    pub async fn exec(&self, sql: &str) {
        let mut c = self.connect().await;
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut c).await {
            panic!("test SQL failed: {e}\n{sql}");
        }
        let _ = c.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}

/// A database a test had the binary create, by name: dropped when the test ends.
pub struct Created(pub String);

impl Drop for Created {
    fn drop(&mut self) {
        drop_database(&self.0);
    }
}

/// Drops a test database (WITH FORCE), from any context.
pub fn drop_database(name: &str) {
    let name = name.to_string();
    // Drop may run inside a tokio runtime: do the async work on a thread of its own.
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(async {
            let mut admin = PgConnection::connect(&url_for("postgres")).await.ok()?;
            admin
                .execute(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .await
                .ok()
        })
    })
    .join();
}
