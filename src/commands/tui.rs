//! `pgmend [CONN]`: the interactive app.

use std::io::IsTerminal;

use anyhow::Context;

use crate::app::keymap::Keymap;
use crate::checklist::Checklist;
use crate::cli::{Cli, ConnArg, TuiArgs};
use crate::config;
use crate::runtime::{self, TuiConfig};
use crate::theme::Theme;

use super::exit;

/// The theme by name (config or flag), with the user's themes directory merged in.
pub fn theme(name: Option<&str>, loaded: &config::Loaded) -> anyhow::Result<Theme> {
    let name = name
        .or(loaded.config.defaults.theme.as_deref())
        .unwrap_or("dark");
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let user_dir = config::default_path().and_then(|p| p.parent().map(|d| d.join("themes")));
    Ok(Theme::load(name, user_dir.as_deref(), color)?)
}

pub fn needs_terminal() -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the interactive app needs a terminal; for scripts and CI use `pgmend inventory` or `pgmend check`"
        );
    }
    Ok(())
}

pub fn keymap(loaded: &config::Loaded) -> anyhow::Result<Keymap> {
    config::keys::apply(Keymap::default(), loaded)
}

pub async fn run(cli: &Cli, args: &TuiArgs) -> anyhow::Result<i32> {
    needs_terminal()?;
    let loaded = config::load(cli.config.as_deref())?;
    let conn = ConnArg {
        conn: cli.conn.clone(),
    };
    // With nothing saying where to connect, the picker opens instead of libpq's defaults.
    let env_says = ["DATABASE_URL", "PGHOST", "PGDATABASE", "PGSERVICE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    let pick = cli.conn.is_none() && cli.profile.is_none() && !env_says;
    let plan = super::plan(cli, &conn, true, &loaded)?;
    let mut checklists = Vec::new();
    for p in &args.presets {
        checklists.push(Checklist::preset(p)?);
    }
    for f in &args.checklists {
        checklists.push(Checklist::load(f)?);
    }
    let cfg = TuiConfig {
        resolved: (!pick).then_some(plan.resolved),
        options: plan.options,
        profile: plan.profile,
        warnings: plan.warnings,
        checklists,
        check_settings: super::check_settings(&loaded, false),
        theme: theme(args.theme.as_deref(), &loaded)?,
        keymap: keymap(&loaded)?,
        schemas: args.schemas.clone(),
        backup_dir: loaded.config.defaults.backup_dir.clone(),
        remember: cli.conn.clone(),
        loaded,
    };
    match runtime::run(cfg).await.context("the interactive app")? {
        None => Ok(exit::OK),
        Some(error) => {
            // The terminal is restored by now: the error stays readable after the app.
            eprintln!("pgmend: ended without a connection: {error}");
            Ok(exit::ERROR)
        }
    }
}
