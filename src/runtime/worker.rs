//! The worker: does the work effects ask for, on tasks, and answers with actions. One handler
//! per effect; `perform` only dispatches.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use super::{TuiConfig, fix, labels, recent, reconnect_if_lost, terminal};
use crate::app::action::{Choice, ConnectFailure};
use crate::app::{Action, ConnectionInfo, Effect};
use crate::backup::VerifiedBackup;
use crate::check;
use crate::db::catalog::{self, ReadOptions, Snapshot};
use crate::db::{ConnParams, Env, Resolved, Session, SessionOptions, Source};
use crate::fix::plan::Plan;

pub(super) struct Worker {
    pub cfg: Arc<TuiConfig>,
    /// The connection being used (changes when the picker or the password prompt say so).
    pub resolved: Option<Resolved>,
    pub options: SessionOptions,
    pub production: bool,
    pub profile: Option<String>,
    pub session: Arc<Mutex<Option<Session>>>,
    pub tx: mpsc::UnboundedSender<Action>,
    /// Where a finished backup task hands its verified backup (the run loop gives it back to
    /// [`Worker::backup_verified`]).
    pub verified_tx: mpsc::UnboundedSender<VerifiedBackup>,
    pub running: Vec<tokio::task::JoinHandle<()>>,
    /// The verified backup the next apply follows: taken by the apply, so one backup guards
    /// one apply.
    pub backup: Option<VerifiedBackup>,
    /// The plans the last preview refused, journaled when the engineer applies the others.
    pub preview_refused: Arc<std::sync::Mutex<Vec<crate::apply::admit::Refused>>>,
    /// The first read also sends a preview (the relation list) before the full snapshot.
    pub previewed: bool,
    /// The restore read and decided, waiting for the confirmation.
    pub restore: Arc<std::sync::Mutex<Option<super::restore::Ready>>>,
}

impl Worker {
    pub fn perform(&mut self, e: Effect, out: &mut impl Write) {
        match e {
            Effect::ConnectTo(choice) => self.connect_to(choice, out),
            Effect::ConnectWithPassword(pw) => {
                if let Some(r) = self.resolved.as_mut() {
                    r.password = Some(pw);
                }
                self.connect();
            }
            Effect::Connect => self.connect(),
            Effect::LoadSnapshot { request } => self.load_snapshot(request),
            Effect::RunCheck { request, snapshot } => self.run_check(request, snapshot),
            Effect::LoadDefinition { schema, name, args } => {
                self.load_definition(schema, name, args)
            }
            Effect::PlanFixes {
                finding_ids,
                snapshot,
                report,
            } => self.plan_fixes(&finding_ids, &snapshot, &report),
            Effect::RunBackup => self.run_backup(),
            Effect::ApplyPlans { plans, .. } => self.apply_plans(plans),
            Effect::MeasureAccess { request, snapshot } => {
                let (session, tx) = (self.session.clone(), self.tx.clone());
                self.running
                    .push(super::access::spawn(session, tx, request, snapshot));
            }
            Effect::VerifyBackup(path) => {
                let tx = self.tx.clone();
                self.spawn(async move {
                    let _ = tx.send(Action::Notice(super::commands::verify(&path).await));
                });
            }
            Effect::ExportPlans {
                finding_ids,
                snapshot,
                report,
            } => {
                let database = self
                    .resolved
                    .as_ref()
                    .map_or_else(String::new, |r| r.target.dbname.clone());
                let notice = super::commands::export(
                    &finding_ids,
                    &snapshot,
                    &report,
                    &self.cfg.checklists,
                    &database,
                );
                let _ = self.tx.send(Action::Notice(notice));
            }
            Effect::RememberRecent(url) => recent::remember(&url),
            Effect::LoadFiles => {
                let entries = super::files::journal_entries();
                let _ = self.tx.send(Action::FilesLoaded {
                    backups: super::files::backups(self.cfg.backup_dir.as_deref()),
                    journal: super::files::journal(&entries),
                });
                let _ = self.tx.send(Action::FilesKeyed { journal: entries });
            }
            Effect::PrepareRestore {
                backup,
                into,
                tables,
                entry,
            } => self.prepare_restore(backup, into, tables, entry),
            Effect::RunRestore => self.run_restore(),
            Effect::Cancel => {
                for h in self.running.drain(..) {
                    h.abort();
                }
            }
            Effect::Copy(text) => {
                let _ = out.write_all(terminal::osc52(&text).as_bytes());
                let _ = out.flush();
            }
            Effect::Quit => {}
        }
        self.running.retain(|h| !h.is_finished());
    }

    fn spawn(&mut self, f: impl Future<Output = ()> + Send + 'static) {
        self.running.push(tokio::spawn(f));
    }

    /// The picker's choice: a profile (its settings) or a URL, resolved, then connected.
    fn connect_to(&mut self, choice: Choice, out: &mut impl Write) {
        let picked = match &choice {
            Choice::Profile(name) => self
                .cfg
                .loaded
                .profile(name)
                .map_err(|e| e.to_string())
                .and_then(|(p, params)| {
                    self.production = p.production;
                    self.profile = Some(name.clone());
                    if let Some(t) = p.statement_timeout {
                        self.options.statement_timeout = t;
                    }
                    self.options.pooler = p.pooler.map(|x| x == crate::config::Pooler::Transaction);
                    crate::db::resolve(
                        Source::Profile {
                            name: name.clone(),
                            params,
                        },
                        &Env::from_process(),
                    )
                    .map_err(|e| e.to_string())
                }),
            Choice::Url(u) => ConnParams::parse(u)
                .map_err(|e| e.to_string())
                .and_then(|p| {
                    crate::db::resolve(Source::Argument(p), &Env::from_process())
                        .map_err(|e| e.to_string())
                }),
        };
        match picked {
            Ok(r) => {
                // The URL joins the recent list once connecting works
                // (`Effect::RememberRecent`).
                self.resolved = Some(r);
                self.perform(Effect::Connect, out);
            }
            Err(e) => {
                let _ = self.tx.send(Action::Connected(Err(e.into())));
            }
        }
    }

    fn connect(&mut self) {
        let Some(resolved) = self.resolved.clone() else {
            let _ = self.tx.send(Action::Connected(Err("no connection chosen"
                .to_string()
                .into())));
            return;
        };
        let options = self.options.clone();
        let (production, profile) = (self.production, self.profile.clone());
        let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
        self.spawn(async move {
            let result = crate::db::connect(&resolved, &options).await;
            let action = match result {
                Ok(s) => {
                    let t = &s.resolved.target;
                    let mut warnings = cfg.warnings.clone();
                    warnings.extend(s.warnings.iter().cloned());
                    let info = ConnectionInfo {
                        host: t.host_label(),
                        port: t.port,
                        database: t.dbname.clone(),
                        user: t.user.clone(),
                        server_version: String::new(),
                        read_only: s.read_only,
                        production,
                        profile,
                        warnings,
                    };
                    let interrupted = crate::journal::default_path()
                        .and_then(|p| crate::journal::interrupted_notice(&p, t));
                    *session.lock().await = Some(s);
                    let _ = tx.send(Action::Connected(Ok(info)));
                    if let Some(n) = interrupted {
                        let _ = tx.send(Action::Notice(n));
                    }
                    return;
                }
                Err(e) => Action::Connected(Err(ConnectFailure {
                    needs_password: matches!(
                        e.cause,
                        crate::db::Cause::AuthFailed {
                            password_given: false,
                            ..
                        }
                    ),
                    message: e.to_string(),
                })),
            };
            let _ = tx.send(action);
        });
    }

    fn load_snapshot(&mut self, request: u64) {
        let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
        let preview = !std::mem::replace(&mut self.previewed, true);
        self.spawn(async move {
            let mut guard = session.lock().await;
            let mut notice = None;
            let result = match guard.as_mut() {
                None => Err("not connected".to_string()),
                Some(s) => match reconnect_if_lost(s).await {
                    Err(e) => Err(e),
                    Ok(note) => {
                        notice = note;
                        let opts = ReadOptions {
                            schemas: cfg.schemas.clone(),
                            persistent_statements: !s.pooled,
                            statement_timeout_ms: s
                                .pooled
                                .then_some(s.statement_timeout.as_millis() as u64),
                        };
                        // The table list first (one cheap query), so it is on screen while
                        // the full snapshot is read.
                        if preview
                            && let Ok(p) = catalog::read_relation_list(&mut s.conn, &opts).await
                        {
                            let snapshot = Arc::new(p);
                            let _ = tx.send(Action::SnapshotPreview { request, snapshot });
                        }
                        catalog::read_snapshot(&mut s.conn, &opts)
                            .await
                            .map(Arc::new)
                            .map_err(|e| e.to_string())
                    }
                },
            };
            let loaded = result.as_ref().ok().cloned();
            let _ = tx.send(Action::SnapshotLoaded { request, result });
            if let Some(snap) = loaded {
                labels::for_snapshot(&tx, request, snap);
            }
            if let Some(n) = notice {
                let _ = tx.send(Action::Notice(n));
            }
        });
    }

    fn run_check(&mut self, request: u64, snapshot: Arc<Snapshot>) {
        let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
        self.spawn(async move {
            let mut guard = session.lock().await;
            let conn = guard.as_mut().map(|s| &mut s.conn);
            let (adapted, mut report) =
                check::check_adapted(conn, &snapshot, &cfg.checklists, &cfg.check_settings).await;
            drop(guard);
            let lists = adapted.as_deref().unwrap_or(&cfg.checklists);
            crate::fix::mark_fixable(&mut report, &snapshot, lists);
            let report = Arc::new(report);
            let _ = tx.send(Action::CheckDone {
                request,
                result: Ok(report.clone()),
            });
            labels::for_report(&tx, request, report);
        });
    }

    fn load_definition(&mut self, schema: String, name: String, args: String) {
        let (session, tx) = (self.session.clone(), self.tx.clone());
        self.spawn(async move {
            let key = format!("{}({args})", crate::sql::qualified(&schema, &name));
            let mut guard = session.lock().await;
            let result = match guard.as_mut() {
                None => Err("not connected".to_string()),
                Some(s) => sqlx::query_scalar::<_, String>(
                    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                     WHERE n.nspname = $1 AND p.proname = $2 AND pg_get_function_identity_arguments(p.oid) = $3 AND p.prokind IN ('f', 'p')",
                )
                .bind(&schema)
                .bind(&name)
                .bind(&args)
                .persistent(!s.pooled)
                .fetch_optional(&mut s.conn)
                .await
                .map_err(|e| e.to_string())
                .and_then(|d| d.ok_or_else(|| "PostgreSQL has no definition for it (an aggregate, or it was dropped)".to_string())),
            };
            let _ = tx.send(Action::DefinitionLoaded { key, result });
        });
    }

    fn plan_fixes(
        &mut self,
        finding_ids: &[String],
        snapshot: &Snapshot,
        report: &crate::check::Report,
    ) {
        // The checklists as the check used them: adapting is pure, so the same snapshot gives
        // the same adapted copies.
        let adapted = crate::checklist::adapt::adapt_if_asked(&self.cfg.checklists, snapshot);
        let lists = adapted
            .as_ref()
            .map_or(&self.cfg.checklists[..], |a| &a.0[..]);
        let plans = fix::plans(finding_ids, snapshot, report, lists);
        let Some(resolved) = self.resolved.clone() else {
            let _ = self.tx.send(Action::PlansReady(Ok(plans)));
            return;
        };
        let (tx, slot) = (self.tx.clone(), self.preview_refused.clone());
        slot.lock().expect("not poisoned").clear();
        self.spawn(async move {
            match fix::admit_plans(&resolved, plans).await {
                Ok((plans, scope, refused, by_data)) => {
                    let mut lines: Vec<String> = refused
                        .iter()
                        .map(|r| format!("{}: {}", r.plan.finding_id, r.why))
                        .collect();
                    lines.extend(by_data);
                    *slot.lock().expect("not poisoned") = refused;
                    let _ = tx.send(Action::PlansScoped {
                        scope,
                        refused: lines,
                    });
                    let _ = tx.send(Action::PlansReady(Ok(plans)));
                }
                Err(e) => {
                    let _ = tx.send(Action::PlansReady(Err(e)));
                }
            }
        });
    }

    /// Takes and verifies a backup; the verified backup comes back through `verified_tx`.
    fn run_backup(&mut self) {
        let Some(resolved) = self.resolved.clone() else {
            return;
        };
        let (tx, dir, verified) = (
            self.tx.clone(),
            self.cfg.backup_dir.clone(),
            self.verified_tx.clone(),
        );
        self.backup = None;
        self.spawn(async move {
            match fix::run_backup(resolved, dir, tx.clone()).await {
                Ok(v) => {
                    let _ = verified.send(v);
                }
                Err(e) => {
                    let _ = tx.send(Action::BackupDone(Err(format!("backup failed: {e}"))));
                }
            }
        });
    }

    /// A backup task finished and verified its backup: kept for the apply, and its summary
    /// goes to the app.
    pub fn backup_verified(&mut self, v: VerifiedBackup) -> Action {
        let summary = fix::summary(&v);
        self.backup = Some(v);
        Action::BackupDone(Ok(summary))
    }

    fn apply_plans(&mut self, plans: Vec<Plan>) {
        let (Some(resolved), Some(backup)) = (self.resolved.clone(), self.backup.take()) else {
            let _ = self.tx.send(Action::ApplyDone(Err(
                "no verified backup: nothing was applied".into(),
            )));
            return;
        };
        // The journal is located before anything is applied.
        let journal = match crate::journal::Journal::resolve(&resolved.target) {
            Ok(j) => j,
            Err(e) => {
                let _ = self
                    .tx
                    .send(Action::ApplyDone(Err(format!("{e}: nothing was applied"))));
                return;
            }
        };
        let (options, tx) = (self.options.clone(), self.tx.clone());
        let refused = std::mem::take(&mut *self.preview_refused.lock().expect("not poisoned"));
        let run = fix::Apply {
            resolved,
            options,
            plans,
            refused_before: refused,
            guard: crate::apply::Guard::Verified(Box::new(backup)),
            journal,
        };
        // The apply engine's futures stay on one thread: it gets a thread and a runtime of its
        // own, and it is never aborted halfway (Esc does not reach it).
        std::thread::spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(fix::run_apply(run, tx.clone())),
                Err(e) => Err(format!("cannot start the apply: {e}")),
            };
            let _ = tx.send(Action::ApplyDone(result));
        });
    }
}

impl Worker {
    /// Verifies the backup and reads the restore's target, writing nothing.
    fn prepare_restore(
        &mut self,
        backup: std::path::PathBuf,
        into: String,
        tables: Vec<String>,
        entry: Option<String>,
    ) {
        let (base, tx, slot) = (self.resolved.clone(), self.tx.clone(), self.restore.clone());
        self.spawn(async move {
            let answer = match super::restore::prepare(base, backup, into, tables, entry).await {
                Ok(ready) => {
                    let said = ready.0.describe();
                    *slot.lock().expect("not poisoned") = Some(ready);
                    Ok(said)
                }
                Err(e) => Err(e),
            };
            let _ = tx.send(Action::RestorePrepared(answer));
        });
    }

    /// Runs the prepared restore; not aborted by Esc (pg_restore runs in one transaction to
    /// its end).
    fn run_restore(&mut self) {
        let ready = self.restore.lock().expect("not poisoned").take();
        let tx = self.tx.clone();
        let Some(ready) = ready else {
            let _ = tx.send(Action::RestoreDone(Err(
                "no restore was prepared: nothing was changed".into(),
            )));
            return;
        };
        tokio::spawn(async move {
            let result = super::restore::run(ready, tx.clone()).await;
            let _ = tx.send(Action::RestoreDone(result));
        });
    }
}
