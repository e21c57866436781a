//! The thin runtime around the pure core: it turns terminal events into actions, performs
//! effects on tokio tasks (connect, read the catalog, check), feeds their outcomes back as
//! actions, and draws. The UI never waits for the database.

mod access;
mod commands;
mod files;
mod fix;
mod labels;
pub mod recent;
mod restore;
pub mod terminal;
mod worker;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::{Mutex, mpsc};

use crate::app::action::Choice;
use crate::app::keymap::{Context, Keymap};
use crate::app::{Action, Effect, State, update};
use crate::check;
use crate::checklist::Checklist;
use crate::db::{Resolved, Session, SessionOptions};
use crate::theme::Theme;
use worker::Worker;

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
    /// The connection string given on the command line: it joins the recent list once
    /// connecting works.
    pub remember: Option<String>,
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

/// Runs the interactive app until the person quits. `Some(error)` when it ends on a
/// connection error (nothing was ever read): the command exits non-zero with it.
pub async fn run(cfg: TuiConfig) -> anyhow::Result<Option<String>> {
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
    let (verified_tx, mut verified_rx) = mpsc::unbounded_channel();
    let mut worker = Worker {
        cfg: cfg.clone(),
        resolved: cfg.resolved.clone(),
        options: cfg.options.clone(),
        production: cfg.profile.as_ref().is_some_and(|p| p.1),
        profile: cfg.profile.as_ref().map(|p| p.0.clone()),
        session: Arc::new(Mutex::new(None)),
        tx: tx.clone(),
        verified_tx,
        running: Vec::new(),
        backup: None,
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
    // The picker's entries: for the start without a connection and for "switch connection".
    let mut picks: Vec<(Choice, bool)> = cfg
        .loaded
        .config
        .profiles
        .iter()
        .map(|(n, p)| (Choice::Profile(n.clone()), p.production))
        .collect();
    picks.extend(recent::load().into_iter().map(|u| (Choice::Url(u), false)));
    state.remember = cfg.remember.clone();
    if cfg.resolved.is_some() {
        state.picks = picks;
        worker.perform(Effect::Connect, &mut out);
    } else {
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
            Some(v) = verified_rx.recv() => Some(worker.backup_verified(v)),
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
    Ok(state.connection_error())
}
