//! `pgmend fix`: headless mending. `--dry-run` prints the plans as one SQL script; `--yes`
//! backs up (verified), applies each plan on a separate writable session, journals it, reads the
//! catalog again and checks again. Never a prompt: without `--yes` or `--dry-run` it refuses.

use std::time::Duration;

use crate::apply::PlanOutcome;
use crate::apply::admit::{self, Refused};
use crate::apply::{self, ApplyOptions, ApplyOutcome, EventKind, Guard, Mended, StepEvent};
use crate::backup::{BackupOptions, BackupScope};
use crate::check::Report;
use crate::cli::{CheckArgs, CheckFormat, Cli, ConnArg, FixArgs};
use crate::db::{self, SessionOptions};
use crate::fix::migration::{Emitted, Origin, Request};
use crate::fix::plan::Plan;
use crate::journal::{Entry, Journal};

use super::check::{checklists, evaluate};
use super::exit;

/// The check `fix` plans from and checks again with.
fn check_args(args: &FixArgs) -> CheckArgs {
    CheckArgs {
        conn: ConnArg {
            conn: args.conn.conn.clone(),
        },
        sources: args.sources.clone(),
        format: CheckFormat::Text,
        fail_on: args.fail_on,
        schemas: args.schemas.clone(),
        no_lints: args.no_lints,
        show_passed: false,
        baseline: None,
        write_baseline: None,
        fleet: Default::default(),
    }
}

/// The plans `--only`/`--all` select (a plan is selected by its finding or one it also fixes).
fn select(plans: Vec<Plan>, args: &FixArgs, report: &Report) -> anyhow::Result<Vec<Plan>> {
    if args.all {
        // The checklists' findings; the lints' only when asked for.
        return Ok(plans
            .into_iter()
            .filter(|p| args.lints || !p.finding_id.starts_with("lint."))
            .collect());
    }
    for id in &args.only {
        if !report.findings().any(|f| &f.id == id) {
            anyhow::bail!("--only {id}: no such finding (`pgmend check` lists the ids)");
        }
        if !plans
            .iter()
            .any(|p| &p.finding_id == id || p.also_fixes.contains(id))
        {
            anyhow::bail!("--only {id}: pgmend has no automatic fix for this finding");
        }
    }
    Ok(plans
        .into_iter()
        .filter(|p| {
            args.only
                .iter()
                .any(|id| &p.finding_id == id || p.also_fixes.contains(id))
        })
        .collect())
}

pub async fn run(cli: &Cli, args: &FixArgs) -> anyhow::Result<i32> {
    if !args.dry_run && !args.yes {
        anyhow::bail!(
            "pgmend fix changes the database only with --yes (there is no prompt); \
             use --dry-run to print the SQL it would run"
        );
    }
    if let Some(run) = args.resume.as_deref().or(args.roll_back.as_deref()) {
        return super::resume::run(cli, args, run).await;
    }
    if !args.all && args.only.is_empty() && args.undo.is_none() {
        anyhow::bail!("say what to fix: --only ID (repeatable), --all or --undo ENTRY");
    }
    // The migration's folder is checked before anything changes.
    let emit = (!args.emit_migration.is_empty())
        .then(|| Request::parse(&args.emit_migration, args.migration_name.as_deref()))
        .transpose()
        .map_err(|e| anyhow::anyhow!(e))?;
    if let Some(req) = &emit {
        req.prepare()?;
    }
    let cargs = check_args(args);
    let loaded = crate::config::load(cli.config.as_deref())?;
    let plan = super::plan(cli, &cargs.conn, true, &loaded)?;
    confirm_production(args, &plan)?;
    // Where the journal goes, before anything else: without one, nothing is applied.
    let journal = if args.yes && !args.dry_run {
        Some(Journal::resolve(&plan.resolved.target).map_err(|e| {
            anyhow::anyhow!("{e}: set PGMEND_DATA_DIR (or HOME); nothing was changed")
        })?)
    } else {
        None
    };
    let lists = checklists(cli, &cargs).await?;
    if lists.is_empty() && !args.lints && args.only.is_empty() && args.undo.is_none() {
        anyhow::bail!(
            "nothing to fix against: give --preset NAME, --checklist FILE, --expect-sql PATH or \
             --expect-db URL, or --lints to fix the lints' findings alone"
        );
    }
    let mut session = super::connect(cli, &cargs.conn, true, &loaded).await?;
    for w in &session.warnings {
        eprintln!("warning: {w}");
    }
    // A standby, or a session that cannot hold a transaction: refused before any backup.
    if args.yes
        && !session.pooled
        && let Some(why) = db::writable::check(&mut session.conn).await?
    {
        anyhow::bail!("{why}: nothing was backed up or changed");
    }
    let (snap, adapted, report) = evaluate(cli, &cargs, &lists, &mut session).await?;
    let adapted = adapted.as_deref().unwrap_or(&lists);
    // `--all` alone plans the checklists' findings only: a lint's plan (which may cover a
    // checklist finding too) never stands in for them.
    // Findings that rest on the checklist's assumptions are never planned by `--all` (only
    // by `--only ID`).
    let all = if args.all {
        let lints = report.lint_findings.iter().filter(|_| args.lints);
        let counted = report
            .items
            .iter()
            .flat_map(|i| &i.findings)
            .chain(lints)
            .filter(|f| !f.is_assumed());
        crate::fix::plans_for(counted, &snap, adapted)
    } else {
        crate::fix::plans(&report, &snap, adapted)
    };
    let plans = match (&args.undo, &args.sql) {
        (Some(id), _) => vec![undo_plan(id, &session.resolved.target)?],
        (None, Some(file)) => vec![hand_written(file, args, &report)?],
        (None, None) => select(all, args, &report)?,
    };
    let unfixable = report
        .findings()
        .filter(|f| crate::fix::plan(f, &snap, adapted).is_none())
        .count();
    // The preview's checks, before any backup: the role's privileges, then what the backup
    // will hold (a plan changing something outside it is refused, the others go on).
    let backfills = args
        .backfill
        .iter()
        .map(|a| crate::fix::decide::parse_backfill(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!(e))?;
    let choices = args
        .duplicates
        .iter()
        .map(|a| crate::fix::decide::parse_duplicates(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!(e))?;
    let permitted = admit::permitted(&mut session.conn, plans).await?;
    // The data, before any backup: offending rows refuse a plan here, and the engineer's
    // backfill expressions and duplicate choices settle the decisions.
    let (mut filled, mut chosen) = (vec![false; backfills.len()], vec![false; choices.len()]);
    let permitted = permitted
        .check_data(
            &mut session.conn,
            plan.options.statement_timeout,
            |p| backfill(p, &backfills, &mut filled),
            |p| choose(p, &choices, &mut chosen),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    for (a, _) in args.backfill.iter().zip(&filled).filter(|(_, u)| !**u) {
        eprintln!("warning: --backfill {a}: no plan backfills that column");
    }
    for (a, _) in args.duplicates.iter().zip(&chosen).filter(|(_, u)| !**u) {
        eprintln!("warning: --duplicates {a}: no plan meets duplicates of that key");
    }
    let mut scope = BackupScope::read(&mut session.conn).await?;
    if args.backup_changed_only {
        (scope.only, scope.created) = changed_tables(permitted.plans(), &snap);
    }
    let (admitted, refused) = if args.no_backup {
        permitted.without_backup()
    } else {
        permitted.covered_by(&scope)
    };
    if args.dry_run {
        let plans = admitted.plans();
        let refused_why: Vec<(String, String)> = refused
            .iter()
            .map(|r| (r.plan.finding_id.clone(), r.why.clone()))
            .collect();
        let header = crate::fix::script::ScriptHeader {
            target: &session.resolved.target.to_string(),
            planned_at: &humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string(),
            backup: &scope.describe(),
            lock_timeout: args.lock_timeout,
            statement_timeout: plan.options.statement_timeout,
            refused: &refused_why,
        };
        print!("{}", crate::fix::script::render(plans, &header));
        if let Some(req) = &emit {
            let origin = Origin {
                target: header.target,
                applied: false,
                now: std::time::SystemTime::now(),
            };
            eprint!("{}", req.write(plans, &origin)?.describe());
        }
        eprintln!(
            "{} plan(s), {} refused; {unfixable} finding(s) have no automatic fix",
            plans.len(),
            refused.len()
        );
        return Ok(exit::OK);
    }
    let journal = journal.expect("resolved with --yes");
    for r in &refused {
        print!("{}", describe_refused(r));
    }
    journal_refused(&journal, &refused)?;
    if session.pooled {
        anyhow::bail!("{}", db::connect::POOLER_WARNING);
    }
    let resolved = plan.resolved.clone();
    let mut failed = false;
    if admitted.plans().is_empty() {
        println!("nothing to fix");
    } else {
        let guard = if args.no_backup {
            eprintln!("warning: --no-backup: applying without a backup");
            Guard::Declined
        } else {
            let dir = super::backup::backup_dir(cli, args.backup_dir.as_deref())?;
            let opts = BackupOptions {
                only_tables: scope.only.clone(),
                created: scope.created.clone(),
                space_check: !args.no_space_check,
                ..BackupOptions::default()
            };
            let verified = super::backup::take(&resolved, &dir, &opts)
                .await
                .map_err(|e| e.context("no backup, so nothing was changed"))?;
            Guard::Verified(Box::new(verified))
        };
        let (mended, emitted) = apply_mended(
            &resolved,
            &plan.options,
            args,
            admitted.plans().to_vec(),
            &guard,
            &journal,
            emit.as_ref(),
        )
        .await?;
        // What the role can read may have changed since the preview: `mend` checked the plans
        // again against what the backup holds.
        for r in &mended.refused {
            print!("{}", describe_refused(r));
        }
        for (p, o) in mended.plans.iter().zip(&mended.outcomes) {
            let assumed = report
                .findings()
                .find(|f| f.id == p.finding_id)
                .and_then(|f| f.assumed.as_deref());
            print!("{}", describe(p, &o.outcome));
            // A plan for an assumption of the checklist never fails the run.
            match (&o.outcome, assumed) {
                (ApplyOutcome::Failed { .. }, Some(a)) => {
                    println!("  (assumed, so the run goes on: {a})")
                }
                (ApplyOutcome::Failed { .. }, None) => failed = true,
                _ => {}
            }
        }
        for line in mended.access.lines() {
            println!("{line}");
        }
        match emitted {
            Some(Ok(e)) => print!("{}", e.describe()),
            Some(Err(e)) => return Err(e.context("the fixes ran and are journaled")),
            None => {}
        }
        if let Some(e) = mended.journal_errors.first() {
            anyhow::bail!("the fixes ran but {e}");
        }
    }
    let (snap, adapted, after) = evaluate(cli, &cargs, &lists, &mut session).await?;
    let adapted = adapted.as_deref().unwrap_or(&lists);
    print!(
        "{}",
        summary(&after, |f| crate::fix::plan(f, &snap, adapted).is_some())
    );
    let t = args.fail_on.threshold();
    Ok(if failed {
        exit::ERROR
    } else if after.worst().is_some_and(|w| w >= t) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// `--undo ID`: the journal entry's undo SQL as a plan (for the database it ran on).
fn undo_plan(id: &str, target: &db::Target) -> anyhow::Result<Plan> {
    let path = crate::journal::default_path()
        .ok_or_else(|| anyhow::anyhow!("no data directory for the journal (HOME unset?)"))?;
    let entry = crate::journal::find(&path, id).map_err(anyhow::Error::msg)?;
    let c = &entry.connection;
    if c.database != target.dbname || c.port != target.port {
        anyhow::bail!(
            "journal entry {id} ran on {}:{} (database \"{}\"), not on {target}: connect to that \
             database to undo it",
            c.host,
            c.port,
            c.database
        );
    }
    entry.undo_plan().map_err(anyhow::Error::msg)
}

/// `--sql FILE --only ID`: the engineer's SQL for a finding, as a hand-written plan.
fn hand_written(file: &std::path::Path, args: &FixArgs, report: &Report) -> anyhow::Result<Plan> {
    let [id] = args.only.as_slice() else {
        anyhow::bail!("--sql goes with exactly one --only ID: the finding it mends");
    };
    let finding = report.findings().find(|f| &f.id == id).ok_or_else(|| {
        anyhow::anyhow!("--only {id}: no such finding (`pgmend check` lists the ids)")
    })?;
    let sql = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("--sql {}: {e}", file.display()))?
    };
    crate::fix::hand::plan(finding, &sql).map_err(anyhow::Error::msg)
}

/// A production profile asks for the database name before `--yes` changes it.
pub(super) fn confirm_production(args: &FixArgs, plan: &super::Plan) -> anyhow::Result<()> {
    if args.yes
        && let Some((name, true)) = &plan.profile
    {
        let db = &plan.resolved.target.dbname;
        if args.confirm_database.as_deref() != Some(db.as_str()) {
            anyhow::bail!(
                "profile `{name}` is marked production: add --confirm-database {db} to apply fixes to it"
            );
        }
    }
    Ok(())
}

/// Applies the plans through the one write path, on a writable session of their own.
pub(super) async fn apply_mended(
    resolved: &db::Resolved,
    options: &SessionOptions,
    args: &FixArgs,
    plans: Vec<crate::fix::plan::Plan>,
    guard: &Guard,
    journal: &Journal,
    emit: Option<&Request>,
) -> anyhow::Result<(Mended, Option<anyhow::Result<Emitted>>)> {
    let write_opts = SessionOptions {
        read_only: false,
        ..options.clone()
    };
    let mut writer = db::connect(resolved, &write_opts).await?;
    let opts = ApplyOptions {
        lock_timeout: args.lock_timeout,
        statement_timeout: options.statement_timeout,
        retries: args.retries,
        wait_for_locks: args.wait_for_locks,
        terminate_blockers: args.terminate_blockers,
        watch: Some(resolved.clone()),
        ..ApplyOptions::default()
    };
    let shown = plans.clone();
    // The migration is written once the plans ran, and its files go into their journal lines.
    let emitted = std::cell::RefCell::new(None);
    let annotate = |plans: &[Plan], outcomes: &[PlanOutcome]| {
        let Some(req) = emit else {
            return Vec::new();
        };
        let e = emit_applied(req, resolved, plans, outcomes);
        let files = plans
            .iter()
            .map(|p| {
                e.as_ref()
                    .map(|e| e.files_of(&p.finding_id))
                    .unwrap_or_default()
            })
            .collect();
        *emitted.borrow_mut() = Some(e);
        files
    };
    let mended = apply::mend_annotated(
        &mut writer.conn,
        plans,
        guard,
        journal,
        &opts,
        print_event(&shown),
        Some(&annotate),
    )
    .await;
    let _ = sqlx::Connection::close(writer.conn).await;
    let mended = mended.map_err(|e| anyhow::anyhow!(e))?;
    Ok((mended, emitted.into_inner()))
}

/// `--emit-migration` after `--yes`: what of each plan took effect, as the app's migration.
fn emit_applied(
    req: &Request,
    resolved: &db::Resolved,
    plans: &[Plan],
    outcomes: &[PlanOutcome],
) -> anyhow::Result<Emitted> {
    let applied: Vec<Plan> = plans
        .iter()
        .zip(outcomes)
        .filter_map(|(p, o)| apply::committed(p, &o.outcome))
        .collect();
    let origin = Origin {
        target: &resolved.target.to_string(),
        applied: true,
        now: std::time::SystemTime::now(),
    };
    req.write(&applied, &origin)
}

fn print_event(plans: &[Plan]) -> impl Fn(StepEvent) + '_ {
    move |e: StepEvent| {
        let steps = plans
            .iter()
            .find(|p| p.finding_id == e.finding_id)
            .map_or(0, |p| p.steps.len());
        match e.kind {
            EventKind::Started {
                step,
                description,
                attempt,
            } => eprintln!(
                "[{}] step {}/{steps}{}: {description}",
                e.finding_id,
                step + 1,
                if attempt > 1 {
                    format!(" (attempt {attempt})")
                } else {
                    String::new()
                }
            ),
            EventKind::Blocked { blockers, .. } => {
                for b in blockers {
                    eprintln!("[{}]   waiting for a lock held by {b}", e.finding_id);
                }
            }
            EventKind::LockTimeout { retry_in, .. } => eprintln!(
                "[{}]   lock timeout{}",
                e.finding_id,
                retry_in.map_or(": giving up".to_string(), |d| format!(
                    "; retrying in {}",
                    humantime::format_duration(Duration::from_millis(d.as_millis() as u64))
                ))
            ),
            EventKind::Terminated { blocker, ended, .. } => eprintln!(
                "[{}]   --terminate-blockers: {} {blocker}",
                e.finding_id,
                match ended {
                    Ok(true) => "ended the session of".to_string(),
                    Ok(false) => "already gone:".to_string(),
                    Err(why) => format!("could not end ({why})"),
                }
            ),
            EventKind::DroppedInvalidIndex { index, .. } => eprintln!(
                "[{}]   dropped the INVALID index {index} a failed build left",
                e.finding_id
            ),
            _ => {}
        }
    }
}

/// `--backup-changed-only`: the existing relations the plans change (what the backup holds),
/// and the ones they create (which need no backup).
fn changed_tables(
    plans: &[Plan],
    snap: &crate::db::catalog::Snapshot,
) -> (Vec<String>, Vec<String>) {
    let (mut only, mut created) = (Vec::new(), Vec::new());
    for name in plans
        .iter()
        .flat_map(crate::backup::scope::changed_relations)
    {
        let exists = crate::backup::scope::split_qualified(&name)
            .is_some_and(|(s, n)| snap.table(&s, &n).is_some());
        let list = if exists { &mut only } else { &mut created };
        if !list.contains(&name) {
            list.push(name);
        }
    }
    (only, created)
}

/// Journals the plans refused before anything ran (with why, and each privilege the role
/// lacks), so the journal holds every plan `fix --yes` was asked for.
fn journal_refused(journal: &Journal, refused: &[Refused]) -> anyhow::Result<()> {
    for r in refused {
        journal
            .write(&Entry::refused_before(journal.target(), r, None))
            .map_err(|e| anyhow::anyhow!(e))?;
    }
    Ok(())
}

/// A plan refused before anything ran: the privilege the role lacks (and who holds it), or
/// what the backup would not hold.
pub(super) fn describe_refused(r: &Refused) -> String {
    format!(
        "refused  {}: nothing was run\n  {}\n",
        r.plan.finding_id,
        r.why.replace('\n', "\n  ")
    )
}

/// `--backfill`: the expression written into the plan's backfill (marking the ones used).
fn backfill(p: &mut Plan, backfills: &[(Vec<String>, String)], used: &mut [bool]) {
    let Some(b) = p.backfill().cloned() else {
        return;
    };
    for (i, (target, expr)) in backfills.iter().enumerate() {
        if b.named(target) {
            used[i] = true;
            if let Err(e) = p.set_backfill(expr) {
                eprintln!("warning: --backfill {}: {e}", b.name());
            }
        }
    }
}

/// `--duplicates`: the choice taken for the duplicates the preview found (marking the ones
/// used).
fn choose(p: &mut Plan, choices: &[(String, crate::fix::decide::DupChoice)], used: &mut [bool]) {
    let Some(d) = p.duplicates().filter(|d| d.open()).cloned() else {
        return;
    };
    for (i, (target, choice)) in choices.iter().enumerate() {
        if d.named(target) {
            used[i] = true;
            if let Err(e) = p.choose(*choice) {
                eprintln!("warning: --duplicates {}={}: {e}", d.name(), choice.flag());
            }
        }
    }
}

/// One plan's outcome, as the engineer reads it.
pub(super) fn describe(plan: &Plan, o: &ApplyOutcome) -> String {
    let ms = o.duration().as_millis();
    match o {
        ApplyOutcome::Applied { steps, .. } => {
            format!(
                "fixed    {} ({} step(s), {ms}ms)\n",
                plan.finding_id,
                steps.len()
            )
        }
        ApplyOutcome::Refused { refusals, .. } => {
            let mut s = format!("refused  {}: nothing was run\n", plan.finding_id);
            for r in refusals {
                s.push_str(&format!("  {}\n", r.problem));
                for row in r.sample.iter().take(5) {
                    let row = row.to_string();
                    let cut: String = row.chars().take(160).collect();
                    let more = if cut.len() < row.len() { "…" } else { "" };
                    s.push_str(&format!("    {cut}{more}\n"));
                }
            }
            s
        }
        ApplyOutcome::Skipped { reason } => {
            format!("skipped  {}: {reason}\n", plan.finding_id)
        }
        ApplyOutcome::Failed { steps, error, .. } => {
            let mut s = format!("failed   {}: {error}\n", plan.finding_id);
            for b in steps.iter().flat_map(|s| &s.blockers) {
                s.push_str(&format!("  blocked by {b}\n"));
            }
            s
        }
    }
}

/// The check after the fixes: counts, and every finding that remains.
fn summary(r: &Report, has_plan: impl Fn(&crate::check::Finding) -> bool) -> String {
    let remaining: Vec<_> = r.findings().collect();
    if remaining.is_empty() {
        return "after: no finding remains\n".into();
    }
    let counts: Vec<String> = r
        .counts()
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let mut s = format!(
        "after: {} finding(s) remain ({})\n",
        remaining.len(),
        counts.join(", ")
    );
    for f in remaining {
        let note = match (&f.assumed, has_plan(f)) {
            (Some(a), _) => format!(" (assumed, not counted: {a})"),
            (None, true) => String::new(),
            (None, false) => " (no automatic fix)".into(),
        };
        s.push_str(&format!("  {:<8} {}{note}\n", f.severity.as_str(), f.id));
    }
    s
}
