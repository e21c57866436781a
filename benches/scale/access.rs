//! `pgmend access` on the large database as three roles, next to `pg_dump --schema-only`
//! (issue 17: target ≤ 0.5×). Two roles may read every table (one of them through every
//! policy's role), the third holds nothing (denied from the catalog, never queried).

use sqlx::{Connection, Executor};

use crate::cli_runs::{line, pg_dump_schema, pgmend_run};
use crate::setup::{Db, Env};
use crate::{Args, secs, verdict};

const ROLES: [&str; 3] = [
    "pgmend_bench_reader",
    "pgmend_bench_member",
    "pgmend_bench_none",
];

pub async fn run(args: &Args, env: &Env, db: &Db) -> anyhow::Result<()> {
    println!(
        "\n== pgmend access (3 roles) vs pg_dump --schema-only on {} ==",
        db.name
    );
    let mut c = sqlx::PgConnection::connect(&db.url).await?;
    // Roles are cluster-wide: created once, granted in this database.
    for r in ROLES {
        c.execute(sqlx::AssertSqlSafe(format!(
            "DO $$ BEGIN CREATE ROLE {r} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )))
        .await?;
    }
    let schemas: Vec<String> = (1..=db.schemas)
        .map(pgmend_bench::generate::schema_name)
        .collect();
    for s in &schemas {
        c.execute(sqlx::AssertSqlSafe(format!(
            "GRANT USAGE ON SCHEMA {s} TO {r}, {m}; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}, {m}",
            r = ROLES[0],
            m = ROLES[1]
        )))
        .await?;
    }
    c.close().await?;

    let pg_dump = pg_dump_schema(args, env, db).await?;
    let base = pg_dump.wall;
    line("pg_dump --schema-only", &pg_dump, base);

    let mut argv: Vec<String> = vec!["access".into(), db.url.clone()];
    for r in ROLES {
        argv.extend(["--as".into(), r.to_string()]);
    }
    for s in &schemas {
        argv.extend(["--schema".into(), s.clone()]);
    }
    let text_args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let text = pgmend_run(args, &text_args).await?;
    line("pgmend access (3 roles)", &text, base);
    let mut json_args = text_args.clone();
    json_args.extend(["--format", "json"]);
    let json = pgmend_run(args, &json_args).await?;
    line("pgmend access --format json", &json, base);
    let ratio = text.wall.as_secs_f64() / base.as_secs_f64();
    println!(
        "  access matrix of {} relations × 3 roles: {} = {ratio:.3} × pg_dump (target ≤ 0.5: {})",
        db.tables + db.tables / 5,
        secs(text.wall),
        verdict(ratio <= 0.5)
    );
    if text.code != Some(0) {
        anyhow::bail!("pgmend access failed (exit {:?})", text.code);
    }
    Ok(())
}
