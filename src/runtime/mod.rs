//! The thin runtime around the pure core: it turns terminal events into actions, performs
//! effects on tokio tasks (connect, read the catalog, check), feeds their outcomes back as
//! actions, and draws. The UI never waits for the database.

mod files;
mod fix;
mod labels;
pub mod recent;
mod restore;
pub mod terminal;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::{Mutex, mpsc};

use crate::app::action::{Choice, ConnectFailure};
use crate::app::keymap::{Context, Keymap};
use crate::app::{Action, ConnectionInfo, Effect, State, update};
use crate::check;
use crate::checklist::Checklist;
use crate::db::catalog::{self, ReadOptions};
use crate::db::{ConnParams, Env, Resolved, Session, SessionOptions, Source};
use crate::theme::Theme;

/// Everything the interactive app needs to start.
pub struct TuiConfig {
    /// What to connect to first; `None` opens the connection picker.
    pub resolved: Option<Resolved>,
    /// The configuration (profiles for the picker).
    pub loaded: crate::config::Loaded,
    pub options: SessionOptions,
    pub profile: Option<(String, bool)>,
    pub warnings: Vec<String>,
    pub checklists: Vec<Checklist>,
    pub check_settings: check::Settings,
    pub theme: Theme,
    pub keymap: Keymap,
    pub schemas: Vec<String>,
    /// Where fix backups go (default: the XDG data dir).
    pub backup_dir: Option<std::path::PathBuf>,
}

/// A session the server dropped (a restart, pg_terminate_backend, the network) is opened
/// again, once, with the same settings: `Ok(Some(what happened))` then, `Ok(None)` when the
/// session was fine, `Err` when connecting again failed.
async fn reconnect_if_lost(s: &mut Session) -> Result<Option<String>, String> {
    use sqlx::Connection;
    let Err(lost) = s.conn.ping().await else {
        return Ok(None);
    };
    let why = match &lost {
        sqlx::Error::Database(d) => d.message().to_string(),
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => "the server closed it".to_string(),
        other => other.to_string(),
    };
    let options = SessionOptions {
        read_only: s.read_only,
        statement_timeout: s.statement_timeout,
        pooler: Some(s.pooled),
    };
    match crate::db::connect(&s.resolved, &options).await {
        Ok(fresh) => {
            tracing::warn!("the connection was lost ({why}); reconnected");
            *s = fresh;
            Ok(Some(format!(
                "the connection was lost ({why}); reconnected"
            )))
        }
        Err(e) => Err(format!(
            "the connection to the server was lost ({why}), and connecting again failed: {e}"
        )),
    }
}

/// Does the work effects ask for, on tasks, and answers with actions.
struct Worker {
    cfg: Arc<TuiConfig>,
    /// The connection being used (changes when the picker or the password prompt say so).
    resolved: Option<Resolved>,
    options: SessionOptions,
    production: bool,
    profile: Option<String>,
    session: Arc<Mutex<Option<Session>>>,
    tx: mpsc::UnboundedSender<Action>,
    running: Vec<tokio::task::JoinHandle<()>>,
    /// The verified backup the next apply follows.
    backup: Option<Arc<crate::backup::BackupRecord>>,
    pending_backup: Option<Arc<std::sync::Mutex<Option<crate::backup::BackupRecord>>>>,
    /// The plans the last preview refused, journaled when the engineer applies the others.
    preview_refused: Arc<std::sync::Mutex<Vec<crate::apply::admit::Refused>>>,
    /// The first read also sends a preview (the relation list) before the full snapshot.
    previewed: bool,
    /// The restore read and decided, waiting for the confirmation.
    restore: Arc<std::sync::Mutex<Option<restore::Ready>>>,
}

impl Worker {
    fn perform(&mut self, e: Effect, out: &mut impl Write) {
        match e {
            Effect::ConnectTo(choice) => {
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
                            self.options.pooler =
                                p.pooler.map(|x| x == crate::config::Pooler::Transaction);
                            crate::db::resolve(
                                Source::Profile {
                                    name: name.clone(),
                                    params,
                                },
                                &Env::from_process(),
                            )
                            .map_err(|e| e.to_string())
                        }),
                    Choice::Url(u) => {
                        ConnParams::parse(u)
                            .map_err(|e| e.to_string())
                            .and_then(|p| {
                                crate::db::resolve(Source::Argument(p), &Env::from_process())
                                    .map_err(|e| e.to_string())
                            })
                    }
                };
                match picked {
                    Ok(r) => {
                        if let Choice::Url(u) = &choice {
                            recent::remember(u);
                        }
                        self.resolved = Some(r);
                        self.perform(Effect::Connect, out);
                    }
                    Err(e) => {
                        let _ = self.tx.send(Action::Connected(Err(e.into())));
                    }
                }
            }
            Effect::ConnectWithPassword(pw) => {
                if let Some(r) = self.resolved.as_mut() {
                    r.password = Some(pw);
                }
                self.perform(Effect::Connect, out);
            }
            Effect::Connect => {
                let Some(resolved) = self.resolved.clone() else {
                    let _ = self.tx.send(Action::Connected(Err("no connection chosen"
                        .to_string()
                        .into())));
                    return;
                };
                let options = self.options.clone();
                let (production, profile) = (self.production, self.profile.clone());
                let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
                self.running.push(tokio::spawn(async move {
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
                            *session.lock().await = Some(s);
                            Action::Connected(Ok(info))
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
                }));
            }
            Effect::LoadSnapshot { request } => {
                let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
                let preview = !std::mem::replace(&mut self.previewed, true);
                self.running.push(tokio::spawn(async move {
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
                                // The table list first (one cheap query), so it is on screen
                                // while the full snapshot is read.
                                if preview
                                    && let Ok(p) =
                                        catalog::read_relation_list(&mut s.conn, &opts).await
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
                }));
            }
            Effect::RunCheck { request, snapshot } => {
                let (cfg, session, tx) = (self.cfg.clone(), self.session.clone(), self.tx.clone());
                self.running.push(tokio::spawn(async move {
                    let mut guard = session.lock().await;
                    let conn = guard.as_mut().map(|s| &mut s.conn);
                    let (_, report) =
                        check::check_adapted(conn, &snapshot, &cfg.checklists, &cfg.check_settings)
                            .await;
                    drop(guard);
                    let report = Arc::new(report);
                    let _ = tx.send(Action::CheckDone {
                        request,
                        result: Ok(report.clone()),
                    });
                    labels::for_report(&tx, request, report);
                }));
            }
            Effect::LoadDefinition { schema, name, args } => {
                let (session, tx) = (self.session.clone(), self.tx.clone());
                self.running.push(tokio::spawn(async move {
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
                }));
            }
            Effect::PlanFixes {
                finding_ids,
                snapshot,
                report,
            } => {
                // The checklists as the check used them: adapting is pure, so the same
                // snapshot gives the same adapted copies.
                let adapted =
                    crate::checklist::adapt::adapt_if_asked(&self.cfg.checklists, &snapshot);
                let lists = adapted
                    .as_ref()
                    .map_or(&self.cfg.checklists[..], |a| &a.0[..]);
                let plans = fix::plans(&finding_ids, &snapshot, &report, lists);
                let Some(resolved) = self.resolved.clone() else {
                    let _ = self.tx.send(Action::PlansReady(Ok(plans)));
                    return;
                };
                let (tx, slot) = (self.tx.clone(), self.preview_refused.clone());
                slot.lock().expect("not poisoned").clear();
                self.running.push(tokio::spawn(async move {
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
                }));
            }
            Effect::RunBackup => {
                let Some(resolved) = self.resolved.clone() else {
                    return;
                };
                let (tx, dir) = (self.tx.clone(), self.cfg.backup_dir.clone());
                let (done_tx, slot) = (self.tx.clone(), Arc::new(std::sync::Mutex::new(None)));
                self.backup = None;
                let slot2 = slot.clone();
                self.running.push(tokio::spawn(async move {
                    let result = fix::run_backup(resolved, dir, tx).await;
                    let action = match result {
                        Ok(r) => {
                            let s = fix::summary(&r);
                            *slot2.lock().expect("not poisoned") = Some(r);
                            Action::BackupDone(Ok(s))
                        }
                        Err(e) => Action::BackupDone(Err(format!("backup failed: {e}"))),
                    };
                    let _ = done_tx.send(action);
                }));
                self.pending_backup = Some(slot);
            }
            Effect::ApplyPlans { plans, backup } => {
                let record = self
                    .pending_backup
                    .as_ref()
                    .and_then(|s| s.lock().expect("not poisoned").clone());
                let (Some(resolved), Some(record)) = (self.resolved.clone(), record) else {
                    let _ = self.tx.send(Action::ApplyDone(Err(
                        "no verified backup: nothing was applied".into(),
                    )));
                    return;
                };
                if record.sha256 != backup.sha256 {
                    let _ = self.tx.send(Action::ApplyDone(Err(
                        "the backup changed since it was verified: nothing was applied".into(),
                    )));
                    return;
                }
                let (options, tx) = (self.options.clone(), self.tx.clone());
                let refused =
                    std::mem::take(&mut *self.preview_refused.lock().expect("not poisoned"));
                // The apply engine's futures stay on one thread: it gets a thread and a runtime
                // of its own, and it is never aborted halfway (Esc does not reach it).
                std::thread::spawn(move || {
                    let result = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt.block_on(fix::run_apply(
                            resolved,
                            options,
                            plans,
                            refused,
                            Arc::new(record),
                            tx.clone(),
                        )),
                        Err(e) => Err(format!("cannot start the apply: {e}")),
                    };
                    let _ = tx.send(Action::ApplyDone(result));
                });
            }
            Effect::LoadFiles => {
                let _ = self.tx.send(Action::FilesLoaded {
                    backups: files::backups(self.cfg.backup_dir.as_deref()),
                    journal: files::journal(),
                });
                let (backups, journal) = files::keys(self.cfg.backup_dir.as_deref());
                let _ = self.tx.send(Action::FilesKeyed { backups, journal });
            }
            Effect::PrepareRestore {
                backup,
                into,
                tables,
                entry,
            } => {
                let (base, tx, slot) =
                    (self.resolved.clone(), self.tx.clone(), self.restore.clone());
                self.running.push(tokio::spawn(async move {
                    let answer = match restore::prepare(base, backup, into, tables, entry).await {
                        Ok(ready) => {
                            let said = ready.0.describe();
                            *slot.lock().expect("not poisoned") = Some(ready);
                            Ok(said)
                        }
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Action::RestorePrepared(answer));
                }));
            }
            Effect::RunRestore => {
                let ready = self.restore.lock().expect("not poisoned").take();
                let tx = self.tx.clone();
                let Some(ready) = ready else {
                    let _ = tx.send(Action::RestoreDone(Err(
                        "no restore was prepared: nothing was changed".into(),
                    )));
                    return;
                };
                // Not aborted by Esc: pg_restore runs in one transaction to its end.
                tokio::spawn(async move {
                    let result = restore::run(ready, tx.clone()).await;
                    let _ = tx.send(Action::RestoreDone(result));
                });
            }
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
}

/// Runs the interactive app until the person quits.
pub async fn run(cfg: TuiConfig) -> anyhow::Result<()> {
    let _guard = terminal::TerminalGuard::enter()?;
    let backend = CrosstermBackend::new(std::io::stdout());
    let mut term = Terminal::new(backend)?;
    let size = term.size()?;
    let cfg = Arc::new(cfg);
    let label = cfg.resolved.as_ref().map_or_else(
        || "choose a connection".to_string(),
        |r| r.target.to_string(),
    );
    let mut state = State::new(label, size.width, size.height);
    state.help = cfg.keymap.help();
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut worker = Worker {
        cfg: cfg.clone(),
        resolved: cfg.resolved.clone(),
        options: cfg.options.clone(),
        production: cfg.profile.as_ref().is_some_and(|p| p.1),
        profile: cfg.profile.as_ref().map(|p| p.0.clone()),
        session: Arc::new(Mutex::new(None)),
        tx: tx.clone(),
        running: Vec::new(),
        backup: None,
        pending_backup: None,
        preview_refused: Arc::new(std::sync::Mutex::new(Vec::new())),
        previewed: false,
        restore: Arc::new(std::sync::Mutex::new(None)),
    };

    // Terminal events come from a thread of their own: reading them blocks.
    let (etx, mut erx) = mpsc::unbounded_channel::<Event>();
    std::thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if etx.send(ev).is_err() {
                break;
            }
        }
    });
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut out = std::io::stdout();
    if cfg.resolved.is_some() {
        worker.perform(Effect::Connect, &mut out);
    } else {
        let mut picks: Vec<(Choice, bool)> = cfg
            .loaded
            .config
            .profiles
            .iter()
            .map(|(n, p)| (Choice::Profile(n.clone()), p.production))
            .collect();
        picks.extend(recent::load().into_iter().map(|u| (Choice::Url(u), false)));
        crate::app::update::open_picker(&mut state, picks);
    }
    loop {
        term.draw(|f| crate::ui::draw(f, &state, &cfg.theme))?;
        let action = tokio::select! {
            Some(ev) = erx.recv() => match ev {
                Event::Key(k) if k.kind != KeyEventKind::Release => cfg.keymap.action(Context::of_state(&state), k),
                Event::Resize(w, h) => Some(Action::Resize(w, h)),
                _ => None,
            },
            Some(a) = rx.recv() => Some(a),
            _ = tick.tick() => Some(Action::Tick(started.elapsed().as_millis() as u64)),
            _ = sigterm.recv() => Some(Action::Quit),
        };
        let Some(action) = action else { continue };
        for e in update(&mut state, action) {
            worker.perform(e, &mut out);
        }
        if state.quit {
            break;
        }
    }
    worker.perform(Effect::Cancel, &mut out);
    Ok(())
}
