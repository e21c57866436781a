//! The Access tab: the matrix is measured by the runtime when the tab is shown for a snapshot
//! not measured yet (never while the UI waits), and its relations are the tab's rows.

use super::rows::Row;
use super::state::{State, Tab};
use super::{Effect, Phase};

/// The measurement the Access tab needs now: when it is shown, a full snapshot is loaded, and
/// the matrix was not measured (nor is being measured) for that snapshot.
pub fn measure_if_due(s: &mut State) -> Vec<Effect> {
    let Some(snap) = s.snapshot.clone() else {
        return vec![];
    };
    if s.tab != Tab::Access
        || snap.partial
        || s.access.loading
        || s.access.request == Some(s.request)
        || !matches!(s.phase, Phase::Ready)
    {
        return vec![];
    }
    s.access.loading = true;
    s.access.request = Some(s.request);
    vec![Effect::MeasureAccess {
        request: s.request,
        snapshot: snap,
    }]
}

/// A measurement arrived: kept when it is for the current snapshot.
pub fn measured(
    s: &mut State,
    request: u64,
    result: Result<std::sync::Arc<crate::access::Matrix>, String>,
) {
    if s.access.request != Some(request) {
        return;
    }
    s.access.loading = false;
    s.access.matrix = Some(result);
    super::update::rebuild(s, Tab::Access);
}

/// The tab's rows: one per relation of the matrix.
pub fn rows(s: &State) -> Vec<Row> {
    match &s.access.matrix {
        Some(Ok(m)) => (0..m.relations.len()).map(Row::Access).collect(),
        _ => Vec::new(),
    }
}

/// "public.profiles  anon denied · A 12 · B 7 · service_role 40": the rows each subject sees,
/// the signed-in users shortened to a letter (the detail names them).
pub fn label(s: &State, i: usize) -> String {
    let Some(Ok(m)) = &s.access.matrix else {
        return String::new();
    };
    let Some(r) = m.relations.get(i) else {
        return String::new();
    };
    let seen: Vec<String> = r
        .cells
        .iter()
        .zip(m.short_names())
        .map(|(c, name)| format!("{name} {}", c.rows.short()))
        .collect();
    format!("{}  {}", r.qualified(), seen.join(" · "))
}
