//! Interrupted applies on the command line: the section `pgmend check` prints (what is
//! half-done, read from the catalog, and the plans that complete it or roll it back), and
//! `pgmend fix --resume RUN` / `--roll-back RUN`, which apply one of those plans through the one
//! write path (backup, `apply::mend`, journal) and read the state again.

use crate::apply::resume::{self, Interrupted};
use crate::apply::{ApplyOutcome, Guard};
use crate::backup::BackupOptions;
use crate::cli::{Cli, FixArgs};
use crate::db::Target;
use crate::journal::{self, Journal};

use super::exit;

/// The interrupted applies on `target` in the default journal, read against the catalog.
pub async fn interrupted(
    conn: &mut sqlx::PgConnection,
    target: &Target,
) -> anyhow::Result<Vec<Interrupted>> {
    let Some(path) = journal::default_path() else {
        return Ok(Vec::new());
    };
    let cut = journal::interrupted(&path, target);
    if cut.is_empty() {
        return Ok(Vec::new());
    }
    Ok(resume::inspect(conn, cut).await?)
}

/// What `pgmend check` prints about them (nothing when there is none).
pub async fn section(conn: &mut sqlx::PgConnection, target: &Target) -> String {
    match interrupted(conn, target).await {
        Ok(found) => found
            .iter()
            .map(|i| format!("\n{}", i.describe()))
            .collect(),
        Err(e) => format!("\ncannot read what the interrupted applies left: {e}\n"),
    }
}

/// `pgmend fix --resume RUN` or `--roll-back RUN`.
pub async fn run(cli: &Cli, args: &FixArgs, run: &str) -> anyhow::Result<i32> {
    let roll_back = args.roll_back.is_some();
    let loaded = crate::config::load(cli.config.as_deref())?;
    let plan = super::plan(cli, &args.conn, true, &loaded)?;
    super::fix::confirm_production(args, &plan)?;
    let target = plan.resolved.target.clone();
    // Located (and checked writable) before anything runs; a dry run only reads it.
    let journal = if args.dry_run {
        journal::default_path()
            .map(|p| Journal::at(p, &target))
            .ok_or_else(|| anyhow::anyhow!("no data directory for the journal (HOME unset?)"))?
    } else {
        Journal::resolve(&target).map_err(|e| {
            anyhow::anyhow!("{e}: set PGMEND_DATA_DIR (or HOME); nothing was changed")
        })?
    };
    let mut session = super::connect(cli, &args.conn, true, &loaded).await?;
    if session.pooled && !args.dry_run {
        anyhow::bail!("{}", crate::db::connect::POOLER_WARNING);
    }
    let found: Vec<_> = journal::interrupted(journal.path(), &target)
        .into_iter()
        .filter(|e| e.run.as_deref() == Some(run))
        .collect();
    if found.is_empty() {
        anyhow::bail!(
            "no interrupted apply {run} on {target} in the journal {} (`pgmend check` lists them)",
            journal.path().display()
        );
    }
    let it = resume::inspect(&mut session.conn, found).await?.remove(0);
    print!("{}", it.describe());
    let chosen = if roll_back {
        it.roll_back.clone().ok_or_else(|| {
            anyhow::anyhow!("the interrupted plan has no undo: restore the backup instead")
        })?
    } else {
        it.complete.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "the catalog cannot tell where it stopped: nothing was changed (--roll-back \
                 {run} runs its undo)"
            )
        })?
    };
    if args.dry_run {
        print!("{}", chosen.script());
        return Ok(exit::OK);
    }
    let (result, done) = if roll_back {
        ("rolled back", "rolled back")
    } else {
        ("fixed", "completed")
    };
    if chosen.steps.is_empty() {
        journal
            .write(&it.entry.closing(
                result,
                format!("interrupted; every step was found done by --resume {run}"),
            ))
            .map_err(|e| anyhow::anyhow!(e))?;
        println!("nothing left to run: every step is done; the journal records it");
        return Ok(exit::OK);
    }
    let guard = if args.no_backup {
        eprintln!("warning: --no-backup: applying without a backup");
        Guard::Declined
    } else {
        let dir = super::backup::backup_dir(cli, args.backup_dir.as_deref())?;
        let v = super::backup::take(&plan.resolved, &dir, &BackupOptions::default())
            .await
            .map_err(|e| e.context("no backup, so nothing was changed"))?;
        Guard::Verified(Box::new(v))
    };
    let (mended, _) = super::fix::apply_mended(
        &plan.resolved,
        &plan.options,
        args,
        vec![chosen],
        &guard,
        &journal,
        None,
    )
    .await?;
    for r in &mended.refused {
        print!("{}", super::fix::describe_refused(r));
    }
    let mut ok = false;
    for (p, o) in mended.plans.iter().zip(&mended.outcomes) {
        print!("{}", super::fix::describe(p, &o.outcome));
        ok = matches!(o.outcome, ApplyOutcome::Applied { .. });
    }
    if ok {
        journal
            .write(&it.entry.closing(
                result,
                format!(
                    "interrupted; {done} later by pgmend fix --{} {run}",
                    if roll_back { "roll-back" } else { "resume" }
                ),
            ))
            .map_err(|e| anyhow::anyhow!(e))?;
    }
    // The state again, from the catalog.
    let after = resume::inspect(&mut session.conn, vec![it.entry.clone()])
        .await?
        .remove(0);
    let half = after.half_done();
    if half.is_empty() {
        println!("after: nothing is half-done");
    } else {
        for h in half {
            println!("after: still half-done: {h}");
        }
    }
    Ok(if ok { exit::OK } else { exit::ERROR })
}
