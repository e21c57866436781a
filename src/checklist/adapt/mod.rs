//! Checklists that adapt to the database they meet (`adapt = true` in `[checklist]`, as the
//! built-in presets say): a preset is written from a write-up, in one naming convention and
//! with one type of id, while the database it checks may use another. Before checking, an
//! adapted copy of each such checklist is made:
//!
//! - every name it states resolves to the database's own spelling: the exact name when it
//!   exists, else the existing object spelled so under another convention (`organization_id`
//!   is `"organizationId"`, `chat_members` is `"ChatMembers"`), else, for an object still to be
//!   created, the name in the convention the database's own tables follow ([`detect`]);
//! - its SQL (`[[data]]` queries, policy expressions, CHECKs, index expressions, view, trigger
//!   and function definitions) is rewritten to those names ([`rewrite`]);
//! - a foreign-key column takes the type of the key it references ([`fk_types`]).
//!
//! Each change is an [`Adaptation`], shown with the check. Checklists without `adapt` (hand
//! written, snapshots) are used exactly as written.

pub mod detect;
mod fk_types;
mod items;
mod names;
mod rewrite;
#[cfg(test)]
mod tests;

use serde::Serialize;

use super::Checklist;
use crate::db::catalog::Snapshot;

/// One change made to a checklist so it fits the database, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adaptation {
    /// The checklist changed (`preset:NAME` or its path).
    pub checklist: String,
    /// What the checklist states: `column chat_members.user_id`.
    pub object: String,
    /// What it became: `the database names it "userId"`.
    pub change: String,
    pub kind: AdaptationKind,
}

/// What kind of change an [`Adaptation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdaptationKind {
    /// A name as the database spells it, or in its convention.
    Name,
    /// An existing key keeps the database's type.
    KeyType,
    /// A foreign-key column takes its referenced key's type.
    ForeignKeyType,
    /// An item left out (a view the table itself serves).
    LeftOut,
}

impl AdaptationKind {
    /// How a count of them is said: `46 names`.
    pub fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            AdaptationKind::Name => ("name", "names"),
            AdaptationKind::KeyType => ("key type", "key types"),
            AdaptationKind::ForeignKeyType => ("foreign-key type", "foreign-key types"),
            AdaptationKind::LeftOut => ("item left out", "items left out"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl Adaptation {
    /// Whether this change concerns the check item of checklist `source` about `object` (as a
    /// report quotes it, `public."ChatMembers"`): the relation it changed is the item's, under
    /// any spelling.
    pub fn concerns(&self, source: &str, object: &str) -> bool {
        use crate::checklist::naming::normalized;
        if self.checklist != source {
            return false;
        }
        let named = self.object.split_once(' ').map_or("", |(_, n)| n);
        let named = named.split(" (").next().unwrap_or_default();
        let relation = normalized(named.split('.').next().unwrap_or_default());
        !relation.is_empty()
            && crate::sql::lex::object_names(object)
                .iter()
                .any(|p| normalized(p) == relation)
    }
}

impl std::fmt::Display for Adaptation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.object, self.change)
    }
}

/// [`adapt`], when a checklist asks for it: None when none does (a snapshot checklist of tens of
/// thousands of items is then used as it is, never copied).
pub fn adapt_if_asked(
    checklists: &[Checklist],
    snapshot: &Snapshot,
) -> Option<(Vec<Checklist>, Vec<Adaptation>)> {
    checklists
        .iter()
        .any(|c| c.file.checklist.adapt)
        .then(|| adapt(checklists, snapshot))
}

/// The checklists as they apply to `snapshot`: adapted copies of those that ask for it, the
/// others unchanged; and every change made. Pure: the same snapshot gives the same result, so
/// the check and the fixes planned from it always agree.
pub fn adapt(checklists: &[Checklist], snapshot: &Snapshot) -> (Vec<Checklist>, Vec<Adaptation>) {
    let db = detect::conventions(snapshot);
    let mut notes = Vec::new();
    let out = checklists
        .iter()
        .map(|c| {
            if !c.file.checklist.adapt || snapshot.partial {
                return c.clone();
            }
            let mut adapted = c.clone();
            let own = own_conventions(c);
            let conv = detect::Conventions {
                tables: own.tables.and(db.tables),
                columns: own.columns.and(db.columns),
            };
            let mut names = names::Names::new(snapshot, conv);
            names.source = c.source.clone();
            items::adapt_names(&mut adapted, &mut names);
            notes.append(&mut names.notes);
            notes.extend(fk_types::type_foreign_keys(&mut adapted, snapshot));
            adapted
        })
        .collect();
    (out, notes)
}

/// The conventions a checklist's own names follow: its tables' and views' names, its columns'.
fn own_conventions(c: &Checklist) -> detect::Conventions {
    let relations = c
        .file
        .tables
        .iter()
        .map(|t| c.qualify(&t.get_ref().name, None).1)
        .chain(
            c.file
                .views
                .iter()
                .map(|v| c.qualify(&v.get_ref().name, None).1),
        )
        .collect::<Vec<_>>();
    let columns = c
        .file
        .tables
        .iter()
        .flat_map(|t| {
            t.get_ref()
                .columns
                .iter()
                .map(|col| col.get_ref().name.to_string())
        })
        .collect::<Vec<_>>();
    detect::Conventions {
        tables: detect::majority(relations.iter().map(String::as_str)),
        columns: detect::majority(columns.iter().map(String::as_str)),
    }
}
