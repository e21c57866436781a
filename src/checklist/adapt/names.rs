//! Resolving the names a checklist states against the database: the exact name when it
//! exists, else an existing object spelled the same under another convention
//! (`organization_id` is `organizationId`), else, for an object still to be created, the name
//! in the database's convention.

use std::collections::{BTreeMap, BTreeSet};

use super::detect::{self, Conventions};
use super::{Adaptation, AdaptationKind};
use crate::checklist::naming::normalized;
use crate::db::catalog::{RelationKind, Snapshot, Table};

/// The names resolved so far, and what was changed, in words.
pub(super) struct Names<'a> {
    pub snap: &'a Snapshot,
    /// The conventions a missing name is converted to: the database's, where the checklist's
    /// own names follow one too (a checklist that mixes them states each name on purpose).
    pub conv: Conventions,
    /// Relations the checklist states as views: found among views only, the others among
    /// tables only (a view `daily_mood` is not the table `"DailyMood"` it reads).
    pub views: BTreeSet<(String, String)>,
    /// (schema, stated name) → actual name of relations (tables and views).
    pub tables: BTreeMap<(String, String), String>,
    /// Stated column name → the actual names it resolved to (per table).
    columns: BTreeMap<String, BTreeSet<String>>,
    /// (schema, stated name) → actual name of enum types.
    pub enums: BTreeMap<(String, String), String>,
    /// Normalized column name → the database's spellings, over its own tables.
    db_columns: BTreeMap<String, BTreeSet<String>>,
    pub notes: Vec<Adaptation>,
    /// The checklist being adapted (its source), for the notes.
    pub source: String,
}

impl<'a> Names<'a> {
    pub fn new(snap: &'a Snapshot, conv: Conventions) -> Names<'a> {
        let mut db_columns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for t in detect::user_tables(snap) {
            for c in &t.columns {
                db_columns
                    .entry(normalized(&c.name))
                    .or_default()
                    .insert(c.name.to_string());
            }
        }
        Names {
            snap,
            conv,
            views: BTreeSet::new(),
            tables: BTreeMap::new(),
            columns: BTreeMap::new(),
            enums: BTreeMap::new(),
            db_columns,
            notes: Vec::new(),
            source: String::new(),
        }
    }

    pub fn note(&mut self, kind: AdaptationKind, object: String, change: String) {
        let a = Adaptation {
            checklist: self.source.clone(),
            object,
            change,
            kind,
        };
        if !self.notes.contains(&a) {
            self.notes.push(a);
        }
    }

    /// A schema whose names the application does not choose (system, platform-managed).
    pub fn fixed_schema(&self, schema: &str) -> bool {
        schema.starts_with("pg_")
            || schema == "information_schema"
            || self
                .snap
                .schemas
                .iter()
                .any(|s| s.name == schema && s.managed)
    }

    /// An existing relation named `name`, or spelled so under another convention (the only
    /// such one).
    pub fn existing(&self, schema: &str, name: &str) -> Option<&'a Table> {
        if let Some(t) = self.snap.table(schema, name) {
            return Some(t);
        }
        let n = normalized(name);
        let view = self.views.contains(&(schema.to_string(), name.to_string()));
        let mut found = self.snap.tables.iter().filter(|t| {
            t.schema == schema
                && normalized(&t.name) == n
                && view == matches!(t.kind, RelationKind::View | RelationKind::MaterializedView)
        });
        match (found.next(), found.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }

    /// The actual name of the relation the checklist calls `schema.name`.
    pub fn table(&mut self, schema: &str, name: &str) -> String {
        let key = (schema.to_string(), name.to_string());
        if let Some(a) = self.tables.get(&key) {
            return a.clone();
        }
        let actual = if self.fixed_schema(schema) {
            name.to_string()
        } else if let Some(t) = self.existing(schema, name) {
            if t.name != name {
                self.note(
                    AdaptationKind::Name,
                    format!("table {name}"),
                    format!("the database names it {}", quoted(&t.name)),
                );
            }
            t.name.clone()
        } else {
            match self.conv.tables.map(|c| (c, c.spell(name))) {
                Some((c, spelled)) if spelled != name => {
                    self.note(
                        AdaptationKind::Name,
                        format!("table {name}"),
                        format!(
                            "created as {} ({c} tables in this database)",
                            quoted(&spelled)
                        ),
                    );
                    spelled
                }
                _ => name.to_string(),
            }
        };
        self.tables.insert(key, actual.clone());
        actual
    }

    /// The actual name of column `name` of the relation `schema.table` (its actual name);
    /// `label` is the table as the checklist calls it.
    pub fn column(&mut self, schema: &str, table: &str, label: &str, name: &str) -> String {
        if self.fixed_schema(schema) {
            return name.to_string();
        }
        let existing = self.snap.table(schema, table);
        let mut conv = self.conv.columns;
        if let Some(t) = existing {
            if t.columns.iter().any(|c| c.name == name) {
                return self.remember(name, name.to_string());
            }
            let n = normalized(name);
            let mut found = t.columns.iter().filter(|c| normalized(&c.name) == n);
            if let (Some(c), None) = (found.next(), found.next()) {
                self.note(
                    AdaptationKind::Name,
                    format!("column {label}.{name}"),
                    format!("the database names it {}", quoted(&c.name)),
                );
                return self.remember(name, c.name.to_string());
            }
            if conv.is_some() {
                conv = detect::table_columns(t).or(conv);
            }
        }
        match conv.map(|c| (c, c.spell(name))) {
            Some((c, spelled)) if spelled != name => {
                self.note(
                    AdaptationKind::Name,
                    format!("column {label}.{name}"),
                    format!(
                        "created as {} ({c} columns in this database)",
                        quoted(&spelled)
                    ),
                );
                self.remember(name, spelled)
            }
            _ => self.remember(name, name.to_string()),
        }
    }

    fn remember(&mut self, stated: &str, actual: String) -> String {
        self.columns
            .entry(stated.to_string())
            .or_default()
            .insert(actual.clone());
        actual
    }

    /// The actual name of the enum type `schema.name`: an existing one spelled otherwise;
    /// a missing type keeps its name (types follow no table or column convention).
    pub fn enum_type(&mut self, schema: &str, name: &str) -> String {
        let key = (schema.to_string(), name.to_string());
        if let Some(a) = self.enums.get(&key) {
            return a.clone();
        }
        let in_schema = || self.snap.enums.iter().filter(|e| e.schema == schema);
        let actual = if in_schema().any(|e| e.name == name) || self.fixed_schema(schema) {
            name.to_string()
        } else {
            let n = normalized(name);
            let mut found = in_schema().filter(|e| normalized(&e.name) == n);
            match (found.next(), found.next()) {
                (Some(e), None) => {
                    let actual = e.name.clone();
                    self.note(
                        AdaptationKind::Name,
                        format!("enum {name}"),
                        format!("the database names it {}", quoted(&actual)),
                    );
                    actual
                }
                _ => name.to_string(),
            }
        };
        self.enums.insert(key, actual.clone());
        actual
    }

    /// Stated column name → actual, where every table resolved it the same way (or the
    /// convention's spelling is among several): what SQL text is rewritten with.
    pub fn column_map(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (stated, actual) in &self.columns {
            let pick = if actual.len() == 1 {
                actual.first().cloned()
            } else {
                self.conv
                    .columns
                    .map(|c| c.spell(stated))
                    .filter(|s| actual.contains(s))
            };
            if let Some(p) = pick.filter(|p| p != stated) {
                out.insert(stated.clone(), p);
            }
        }
        out
    }

    /// A column the SQL text names that no item states: the database's only column spelled
    /// so under another convention, when no column has the name itself.
    pub fn db_column(&self, name: &str) -> Option<String> {
        let spellings = self.db_columns.get(&normalized(name))?;
        if spellings.contains(name) || spellings.len() != 1 {
            return None;
        }
        spellings.first().cloned()
    }
}

/// `name` as a message shows it: double-quoted.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
