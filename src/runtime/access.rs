//! The Access tab's measurement, on a task: the matrix of the exposed schemas as the default
//! subjects, on the app's read-only session, answered with `Action::AccessMeasured`.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use crate::access::{self, Budget};
use crate::app::Action;
use crate::db::Session;
use crate::db::catalog::Snapshot;

pub fn spawn(
    session: Arc<Mutex<Option<Session>>>,
    tx: mpsc::UnboundedSender<Action>,
    request: u64,
    snapshot: Arc<Snapshot>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut guard = session.lock().await;
        let result = match guard.as_mut() {
            None => Err("not connected".to_string()),
            Some(s) => {
                let budget = Budget::default();
                let schemas = access::schemas_for(&snapshot, &[]);
                match access::subjects_for(&mut s.conn, &snapshot, &schemas, &[], budget).await {
                    Ok(subjects) => Ok(Arc::new(
                        access::build(&mut s.conn, &snapshot, &schemas, &subjects, budget).await,
                    )),
                    Err(e) => Err(e),
                }
            }
        };
        drop(guard);
        let _ = tx.send(Action::AccessMeasured { request, result });
    })
}
