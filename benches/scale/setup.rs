//! The server (throwaway cluster or --url) and the generated databases.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use pgmend::pgserver::{BinDir, Cluster};
use pgmend_bench::{Expected, generate, lint_heavy};
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
    /// What the plain shape builds (zero for the lint-heavy one).
    pub expected: Expected,
    pub schemas: usize,
    pub tables: usize,
}

/// The schema shapes the generators build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `pgmend_bench::generate`: few lint findings.
    Plain,
    /// `pgmend_bench::lint_heavy`: lint findings on every table.
    LintHeavy,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::Plain => "plain",
            Shape::LintHeavy => "lint-heavy",
        }
    }
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

    /// The `schemas` × `tables` database of the plain shape, generated unless --reuse finds it.
    pub async fn database(&self, args: &Args, schemas: usize, tables: usize) -> anyhow::Result<Db> {
        self.database_shaped(args, Shape::Plain, schemas, tables)
            .await
    }

    /// The `schemas` × `tables` database of `shape`, generated unless --reuse finds it.
    pub async fn database_shaped(
        &self,
        args: &Args,
        shape: Shape,
        schemas: usize,
        tables: usize,
    ) -> anyhow::Result<Db> {
        let name = match shape {
            Shape::Plain => format!("pgmend_bench_{schemas}x{tables}"),
            Shape::LintHeavy => format!("pgmend_bench_lint_{schemas}x{tables}"),
        };
        let url = self.url(&name);
        let expected = match shape {
            Shape::Plain => pgmend_bench::expected(schemas, tables),
            Shape::LintHeavy => Expected::default(),
        };
        if self.fresh(&name, args.reuse).await? {
            println!("database {name}: reused");
        } else {
            let started = Instant::now();
            let mut c = PgConnection::connect(&url).await?;
            let what = match shape {
                Shape::Plain => {
                    let e = generate(&mut c, schemas, tables).await?;
                    format!(
                        "{} tables, {} views, {} columns, {} indexes, {} policies, {} triggers, \
                         {} enums",
                        e.tables, e.views, e.columns, e.indexes, e.policies, e.triggers, e.enums
                    )
                }
                Shape::LintHeavy => {
                    let e = lint_heavy::generate(&mut c, schemas, tables).await?;
                    format!(
                        "{} tables, {} views in chains of 3, {} unindexed foreign keys, \
                         {} policies, {} SECURITY DEFINER functions, {} enums",
                        e.tables, e.views, e.foreign_keys, e.policies, e.functions, e.enums
                    )
                }
            };
            c.execute("ANALYZE").await?;
            c.close().await?;
            self.mark_complete(&name).await?;
            println!(
                "database {name}: generated in {} ({what})",
                crate::secs(started.elapsed())
            );
        }
        Ok(Db {
            name,
            url,
            expected,
            schemas,
            tables: schemas * tables,
        })
    }
}

const COMPLETE: &str = "pgmend bench: complete";

/// `pgmend` with a clean environment (no user config, no PG* variables). `PGMEND_BENCH_BIN`
/// names another build to measure (an older commit's, for a before/after in one run).
pub fn pgmend() -> Command {
    let bin =
        std::env::var_os("PGMEND_BENCH_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_pgmend").into());
    let mut c = Command::new(bin);
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
