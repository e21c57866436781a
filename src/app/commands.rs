//! The palette's commands that are more than a key: fix all, back up now, verify a backup,
//! export the plans as SQL. Each asks the runtime for the work (an effect) and says so.

use super::action::Action;
use super::effect::Effect;
use super::rows::Row;
use super::state::{State, Tab};

/// Every fixable finding, less those resting on the checklist's assumptions (they are fixed
/// only one by one).
pub fn all_fixable(s: &State) -> Vec<String> {
    s.report.as_deref().map_or_else(Vec::new, |r| {
        r.findings()
            .filter(|f| f.fixable && !f.is_assumed())
            .map(|f| f.id.clone())
            .collect()
    })
}

pub fn run(s: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::FixAll => {
            // Fixes start from the Checklist: it shows what the flow is about.
            s.tab = Tab::Checklist;
            super::update_fix::start(s, &Action::FixAll).unwrap_or_default()
        }
        Action::Backup if s.conn.host.is_empty() => {
            s.status = Some("not connected: nothing to back up".into());
            vec![]
        }
        Action::Backup => {
            s.status = Some("taking a verified backup (pg_dump -Fc)…".into());
            vec![Effect::RunBackup]
        }
        Action::VerifyBackup => {
            let path = match (s.tab, s.selected_row()) {
                (Tab::Backups, Some(Row::Backup(i))) => {
                    s.backups.get(*i).and_then(|b| b.path.clone())
                }
                _ => None,
            };
            match path {
                Some(path) => {
                    s.status = Some(format!("verifying {}…", path.display()));
                    vec![Effect::VerifyBackup(path)]
                }
                None => {
                    s.status = Some("select a backup on the Backups tab first".into());
                    vec![]
                }
            }
        }
        Action::ExportSql => {
            let mut ids = super::update_fix::findings_to_fix(s);
            if ids.is_empty() || s.tab != Tab::Checklist {
                ids = all_fixable(s);
            }
            let (Some(snapshot), Some(report)) = (s.snapshot.clone(), s.report.clone()) else {
                s.status = Some("nothing checked yet: nothing to export".into());
                return vec![];
            };
            if ids.is_empty() {
                s.status = Some("no fixable finding: nothing to export".into());
                return vec![];
            }
            s.status = Some(format!("writing the plans for {} finding(s)…", ids.len()));
            vec![Effect::ExportPlans {
                finding_ids: ids,
                snapshot,
                report,
            }]
        }
        _ => vec![],
    }
}
