//! `pgmend demo [SCENARIO]`: a throwaway PostgreSQL with a seeded platform's broken database,
//! opened in the app with its preset. Everything is removed on exit.

use anyhow::Context;

use crate::checklist::Checklist;
use crate::cli::{Cli, DemoArgs};
use crate::db::{self, ConnParams, Env, SessionOptions, Source};
use crate::pgserver::Cluster;
use crate::runtime::{self, TuiConfig};
use crate::scenarios::{self, State};

use super::exit;

pub const DEFAULT_SCENARIO: &str = "mood-journal";

pub async fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<i32> {
    if args.list {
        for s in scenarios::all() {
            let mark = if s.id == DEFAULT_SCENARIO {
                " (default)"
            } else {
                ""
            };
            println!(
                "{:<18} {}{mark}\n{:<18} {}\n",
                s.id, s.title, "", s.description
            );
        }
        return Ok(exit::OK);
    }
    let id = args
        .scenario
        .clone()
        .unwrap_or_else(|| DEFAULT_SCENARIO.to_string());
    let scenario = scenarios::get(&id).with_context(|| {
        let ids = scenarios::ids();
        let names: Vec<&str> = ids.iter().map(String::as_str).collect();
        format!(
            "unknown scenario `{id}`{}; `pgmend demo --list` shows them",
            crate::toml_error::suggest(&id, &names)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        )
    })?;
    super::tui::needs_terminal()?;
    let loaded = crate::config::load(cli.config.as_deref())?;
    eprintln!(
        "pgmend demo: starting a throwaway PostgreSQL and loading {} …",
        scenario.title
    );
    let cluster = tokio::task::spawn_blocking(Cluster::start)
        .await?
        .context("the demo runs its own PostgreSQL")?;
    let dbname = format!("demo_{}", id.replace('-', "_"));
    let state = if args.intended {
        State::Intended
    } else {
        State::Broken
    };
    let url = cluster.create_database(&dbname).await?;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await?;
    scenarios::load(&mut conn, &id, state).await?;
    // Row estimates, as a production database would have them.
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await?;
    drop(conn);
    let resolved = db::resolve(Source::Argument(ConnParams::parse(&url)?), &Env::default())?;
    let cfg = TuiConfig {
        resolved: Some(resolved),
        options: SessionOptions::default(),
        profile: None,
        warnings: vec![
            format!("demo: {} ({:?}), removed on exit", scenario.title, state).to_lowercase(),
        ],
        checklists: vec![Checklist::preset(&id)?],
        check_settings: super::check_settings(&loaded, false),
        theme: super::tui::theme(args.theme.as_deref(), &loaded)?,
        keymap: super::tui::keymap(&loaded)?,
        schemas: Vec::new(),
        backup_dir: loaded.config.defaults.backup_dir.clone(),
        // A demo's database is removed on exit: never a recent connection.
        remember: None,
        loaded,
    };
    let result = runtime::run(cfg).await;
    drop(cluster);
    Ok(match result? {
        None => exit::OK,
        Some(_) => exit::ERROR,
    })
}
