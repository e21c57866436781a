//! The server (throwaway cluster or --url) and the generated databases.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use pgmend::bench::{Expected, generate};
use pgmend::pgserver::{BinDir, Cluster};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

use crate::Args;

pub fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_string()
}

/// Where the databases live.
pub struct Env {
    _cluster: Option<Cluster>,
    admin: url::Url,
    pub bin: BinDir,
}

/// A generated database.
pub struct Db {
    pub name: String,
    pub url: String,
    pub expected: Expected,
}

impl Env {
    pub async fn start(args: &Args) -> anyhow::Result<Env> {
        let bin = BinDir::discover()?;
        Ok(match &args.url {
            Some(u) => Env {
                _cluster: None,
                admin: url::Url::parse(u)?,
                bin,
            },
            None => {
                let c = Cluster::start()?;
                println!("server: a throwaway cluster on port {}", c.port());
                Env {
                    admin: url::Url::parse(&c.url("postgres"))?,
                    _cluster: Some(c),
                    bin,
                }
            }
        })
    }

    pub fn url(&self, database: &str) -> String {
        let mut u = self.admin.clone();
        u.set_path(database);
        u.to_string()
    }

    pub fn tool(&self, name: &str) -> PathBuf {
        self.bin.tool(name)
    }

    pub async fn admin(&self) -> anyhow::Result<PgConnection> {
        Ok(PgConnection::connect(&self.url("postgres")).await?)
    }

    /// Creates (or, with --reuse, finds) database `name`, empty.
    pub async fn fresh(&self, name: &str, reuse: bool) -> anyhow::Result<bool> {
        let mut admin = self.admin().await?;
        let done: Option<String> = sqlx::query_scalar(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
        )
        .bind(name)
        .fetch_optional(&mut admin)
        .await?
        .flatten();
        if reuse && done.as_deref() == Some(COMPLETE) {
            return Ok(true);
        }
        admin
            .execute(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await?;
        admin
            .execute(AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE template0"
            )))
            .await?;
        Ok(false)
    }

    pub async fn mark_complete(&self, name: &str) -> anyhow::Result<()> {
        let mut admin = self.admin().await?;
        admin
            .execute(AssertSqlSafe(format!(
                "COMMENT ON DATABASE {name} IS '{COMPLETE}'"
            )))
            .await?;
        Ok(())
    }

    /// The `schemas` × `tables` database, generated unless --reuse finds it.
    pub async fn database(&self, args: &Args, schemas: usize, tables: usize) -> anyhow::Result<Db> {
        let name = format!("pgmend_bench_{schemas}x{tables}");
        let url = self.url(&name);
        let expected = pgmend::bench::expected(schemas, tables);
        if self.fresh(&name, args.reuse).await? {
            println!("database {name}: reused");
        } else {
            let started = Instant::now();
            let mut c = PgConnection::connect(&url).await?;
            generate(&mut c, schemas, tables).await?;
            c.execute("ANALYZE").await?;
            c.close().await?;
            self.mark_complete(&name).await?;
            println!(
                "database {name}: generated in {} ({} tables, {} views, {} columns, {} indexes, \
                 {} policies, {} triggers, {} enums)",
                crate::secs(started.elapsed()),
                expected.tables,
                expected.views,
                expected.columns,
                expected.indexes,
                expected.policies,
                expected.triggers,
                expected.enums
            );
        }
        Ok(Db {
            name,
            url,
            expected,
        })
    }
}

const COMPLETE: &str = "pgmend bench: complete";

/// `pgmend` with a clean environment (no user config, no PG* variables).
pub fn pgmend() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pgmend"));
    c.env("XDG_CONFIG_HOME", "/nonexistent-pgmend-bench")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("pgmend-bench-state"),
        )
        .env("NO_COLOR", "1");
    for v in [
        "PGMEND_CONFIG",
        "DATABASE_URL",
        "PGHOST",
        "PGPORT",
        "PGDATABASE",
        "PGUSER",
        "PGSERVICE",
        "PGPASSWORD",
    ] {
        c.env_remove(v);
    }
    c
}
