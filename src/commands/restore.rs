//! `pgmend restore BACKUP --into NEW_DB_OR_URL [--table T]... [--entry ID] [--list] [--yes]`:
//! the way back. The backup is verified first; the whole database goes into a new (or empty)
//! database, chosen tables into a side schema of an existing one; nothing is written before a
//! confirmation (a prompt, or `--yes`), and a failed restore leaves nothing behind.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;

use crate::backup::restore::target::Mode;
use crate::backup::restore::{self, RestoreProgress, Toc, flow, toc};
use crate::cli::{Cli, ConnArg, RestoreArgs};
use crate::db::{self, ConnParams, Resolved};

use super::exit;

pub async fn run(cli: &Cli, args: &RestoreArgs) -> anyhow::Result<i32> {
    let verified = crate::journal::verify_backup(&args.backup)
        .await
        .map_err(|e| anyhow::anyhow!("cannot restore from a backup that does not verify: {e}"))?;
    eprintln!(
        "backup verified: {} (sha256 {}{})",
        verified.path.display(),
        verified.sha256,
        match verified.checksum {
            crate::backup::ChecksumCheck::NotRecorded => ", no checksum was recorded for it",
            _ => "",
        }
    );
    let tools = restore::restore_tools()?;
    let toc = restore::read_toc(&tools.0, &args.backup).await?;
    let tables = chosen_tables(args, &toc)?;
    if args.list {
        print!("{}", listing(&toc, &tables)?);
        return Ok(exit::OK);
    }
    let into = args
        .into
        .as_deref()
        .context("say where to restore: --into NEW_DB_OR_URL")?;
    let resolved = resolve_into(cli, into)?;
    let prepared = flow::prepare(
        &args.backup,
        toc,
        tables,
        resolved,
        args.over_source_database,
        args.no_owner,
    )
    .await?;
    confirm(
        args,
        &prepared.mode,
        &prepared.into.target.dbname,
        &prepared.describe(),
    )?;
    // Where the journal goes is known before anything is written.
    let journal = crate::journal::default_path()
        .context("no data directory for the journal (HOME unset?): nothing was restored")?;
    let fresh = if prepared.mode == Mode::OverSource {
        let dir = super::backup::backup_dir(cli, args.backup_dir.as_deref())?;
        Some(
            super::backup::take(&prepared.into, &dir, &Default::default())
                .await
                .map_err(|e| {
                    e.context("no backup of the database as it is now, so nothing was restored")
                })?,
        )
    } else {
        None
    };
    let clock = std::time::Instant::now();
    let progress = crate::progress::Progress::count("restoring", 0);
    let done = flow::execute(&prepared, &tools, show(&progress))
        .await
        .map_err(|e| format!("{e:#}"));
    progress.finish();
    let entry = crate::journal::Entry::restore(
        &prepared.into.target,
        &args.backup,
        &prepared.describe(),
        &done,
        fresh.as_ref().map(|v| v.record()),
        clock.elapsed(),
    );
    let journaled = crate::journal::append(&journal, &entry).map_err(|e| {
        format!(
            "the journal {} could not be written: {e}",
            journal.display()
        )
    });
    println!("{}", done.map_err(anyhow::Error::msg)?);
    journaled.map_err(anyhow::Error::msg)?;
    if let Some(side) = &prepared.side {
        println!("compare with the live rows, e.g.:");
        for (s, n) in &prepared.tables {
            println!(
                "  SELECT * FROM {} EXCEPT SELECT * FROM {};",
                crate::sql::qualified(side, n),
                crate::sql::qualified(s, n)
            );
        }
        println!(
            "drop it when done: DROP SCHEMA {} CASCADE;",
            crate::sql::quote_ident(side)
        );
    }
    Ok(exit::OK)
}

fn show(p: &crate::progress::Progress) -> impl Fn(RestoreProgress) + Send + '_ {
    move |r: RestoreProgress| {
        p.set_length(r.total as u64);
        p.set_position(r.done as u64);
        p.set_message(format!("restoring {}", r.what));
    }
}

/// `--table` and the tables of `--entry`'s journal entry.
fn chosen_tables(args: &RestoreArgs, toc: &Toc) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for t in &args.tables {
        out.push(toc::parse_table(t).map_err(anyhow::Error::msg)?);
    }
    if let Some(id) = &args.entry {
        let path = crate::journal::default_path()
            .context("no data directory for the journal (HOME unset?)")?;
        let entry = crate::journal::find(&path, id).map_err(anyhow::Error::msg)?;
        if entry.tables.is_empty() {
            anyhow::bail!(
                "journal entry {id} names no table it changed (it was journaled before pgmend \
                 kept them): give --table T"
            );
        }
        if let Some(b) = &entry.backup
            && !same_file(&b.path, &args.backup)
        {
            eprintln!(
                "warning: journal entry {id} was preceded by backup {}, not this one",
                b.path.display()
            );
        }
        let tables = entry
            .tables
            .iter()
            .map(|t| toc::parse_table(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(anyhow::Error::msg)?;
        let (kept, skipped) = toc.held(id, tables).map_err(anyhow::Error::msg)?;
        for (s, n) in skipped {
            eprintln!(
                "note: {} is not in the backup (journal entry {id} created it): skipped",
                crate::sql::qualified(&s, &n)
            );
        }
        out.extend(kept);
    }
    out.dedup();
    Ok(out)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `--list`: the entries a restore would run.
fn listing(toc: &Toc, tables: &[(String, String)]) -> anyhow::Result<String> {
    let mut o = format!(
        "backup of database {}: {} entries\n",
        toc.dbname.as_deref().unwrap_or("(unknown)"),
        toc.entries.len()
    );
    if tables.is_empty() {
        o.push_str("a whole restore runs them all:\n");
        for e in &toc.entries {
            o.push_str(&format!("  {}\n", e.line));
        }
    } else {
        let picked = toc.tables(tables).map_err(anyhow::Error::msg)?;
        o.push_str(&format!(
            "--table restores these {} into a side schema (columns and rows only):\n",
            picked.len()
        ));
        for e in picked {
            o.push_str(&format!("  {}\n", e.line));
        }
    }
    Ok(o)
}

/// `--into`: a URL or conninfo names the server and database; a bare name is a database on
/// the server of the default connection (or `--profile`).
fn resolve_into(cli: &Cli, into: &str) -> anyhow::Result<Resolved> {
    let loaded = crate::config::load(cli.config.as_deref())?;
    let params = ConnParams::parse(into).context("--into")?;
    let bare = !into.contains("://") && !into.contains('=');
    if bare && cli.profile.is_some() {
        let mut p = super::plan(cli, &ConnArg { conn: None }, false, &loaded)?;
        p.resolved.target.dbname = into.trim().to_string();
        return Ok(p.resolved);
    }
    if params.dbname.is_none() {
        anyhow::bail!(
            "--into {}: name the database to restore into",
            db::params::redact(into)
        );
    }
    Ok(super::plan(
        cli,
        &ConnArg {
            conn: Some(into.to_string()),
        },
        false,
        &loaded,
    )?
    .resolved)
}

/// Nothing is written before a confirmation: `--yes`, or `yes` typed at the prompt (over the
/// source database: its name, with `--confirm-database` standing in for the prompt).
fn confirm(args: &RestoreArgs, mode: &Mode, database: &str, what: &str) -> anyhow::Result<()> {
    eprintln!("about to {what}");
    let word = if *mode == Mode::OverSource {
        database
    } else {
        "yes"
    };
    if args.yes {
        if *mode == Mode::OverSource && args.confirm_database.as_deref() != Some(database) {
            anyhow::bail!(
                "restoring over the database the backup came from: add --confirm-database \
                 {database} to --yes; nothing was changed"
            );
        }
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to confirm on: add --yes to restore; nothing was changed");
    }
    eprint!("type {word} to go on: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    if line.trim() != word {
        anyhow::bail!("not confirmed: nothing was changed");
    }
    Ok(())
}
