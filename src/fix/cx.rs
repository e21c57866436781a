//! What every plan builder works with: the snapshot, the checklists, and the way back from a
//! finding to the checklist item it came from.

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use toml::Spanned;

use crate::check::Finding;
use crate::checklist::rls_reach::RlsTarget;
use crate::checklist::{
    Checklist, ChecklistFile, GrantItem, IndexItem, PolicyItem, RlsState, TableItem, TriggerItem,
};
use crate::db::catalog::{Constraint, Function, Index, RelationKind, Snapshot, Table};
use crate::sql::{qualified, quote_ident};

use super::items_on::ItemsOn;

pub(crate) struct Cx<'a> {
    pub snap: &'a Snapshot,
    pub checklists: &'a [Checklist],
    /// Lookups built on first use and shared by every plan of one `plans` call.
    by_object: OnceCell<HashMap<String, &'a Table>>,
    constraints: OnceCell<HashMap<String, (&'a Table, &'a Constraint)>>,
    indexes: OnceCell<HashMap<String, (&'a Table, &'a Index)>>,
    functions: OnceCell<HashMap<String, &'a Function>>,
    names: RefCell<HashMap<String, Rc<HashSet<String>>>>,
    /// `[[table]]` items by (schema, name): the first checklist's wins.
    table_specs: OnceCell<HashMap<(String, String), Spec<'a>>>,
    /// The other items by the table they are about.
    on: ItemsOn<'a>,
    /// Views by the relations they name ([`super::views::readers`]).
    readers: OnceCell<HashMap<(String, String), Vec<usize>>>,
}

/// A `[[table]]` item and the checklist it is in.
type Spec<'a> = (&'a Checklist, &'a TableItem);

impl<'a> Cx<'a> {
    pub fn new(snap: &'a Snapshot, checklists: &'a [Checklist]) -> Cx<'a> {
        Cx {
            snap,
            checklists,
            by_object: OnceCell::new(),
            constraints: OnceCell::new(),
            indexes: OnceCell::new(),
            functions: OnceCell::new(),
            names: RefCell::new(HashMap::new()),
            table_specs: OnceCell::new(),
            on: ItemsOn::default(),
            readers: OnceCell::new(),
        }
    }

    /// The constraint the lints name `constraint "c" on schema.table`.
    pub fn constraint_by_object(&self, object: &str) -> Option<(&'a Table, &'a Constraint)> {
        self.constraints
            .get_or_init(|| {
                let mut m = HashMap::new();
                for t in &self.snap.tables {
                    let tq = qualified(&t.schema, &t.name);
                    for c in &t.constraints {
                        m.insert(
                            format!("constraint {} on {tq}", quote_ident(&c.name)),
                            (t, c),
                        );
                    }
                }
                m
            })
            .get(object)
            .copied()
    }

    /// An index by its quoted, schema-qualified name.
    pub fn index_by_object(&self, object: &str) -> Option<(&'a Table, &'a Index)> {
        self.indexes
            .get_or_init(|| {
                let mut m = HashMap::new();
                for t in &self.snap.tables {
                    for i in &t.indexes {
                        m.insert(qualified(&t.schema, &i.name), (t, i));
                    }
                }
                m
            })
            .get(object)
            .copied()
    }

    /// A function by the object the lints name it with (`schema.f(integer, text)`); the first
    /// of the snapshot's order when two print alike.
    pub fn function_by_object(&self, object: &str) -> Option<&'a Function> {
        self.functions
            .get_or_init(|| {
                let mut m = HashMap::new();
                for x in &self.snap.functions {
                    m.entry(format!(
                        "{}({})",
                        qualified(&x.schema, &x.name),
                        x.identity_arguments
                    ))
                    .or_insert(x);
                }
                m
            })
            .get(object)
            .copied()
    }

    /// Names of the relations, indexes and sequences of a schema (they share one namespace),
    /// as a set: a plan asks whether a name is free, once per finding.
    pub fn names_in(&self, schema: &str) -> Rc<HashSet<String>> {
        if let Some(n) = self.names.borrow().get(schema) {
            return n.clone();
        }
        let names: HashSet<String> = self
            .snap
            .tables
            .iter()
            .filter(|t| t.schema == schema)
            .flat_map(|t| {
                std::iter::once(t.name.clone()).chain(t.indexes.iter().map(|i| i.name.clone()))
            })
            .chain(
                self.snap
                    .sequences
                    .iter()
                    .filter(|s| s.schema == schema)
                    .map(|s| s.name.clone()),
            )
            .collect();
        let names = Rc::new(names);
        self.names
            .borrow_mut()
            .insert(schema.to_string(), names.clone());
        names
    }

    /// The checklist item of kind `pick` a finding came from (by its source file and line).
    pub fn item<T>(
        &self,
        f: &Finding,
        pick: impl Fn(&'a ChecklistFile) -> &'a Vec<Spanned<T>>,
    ) -> Option<(&'a Checklist, &'a T)> {
        let src = f.source.as_ref()?;
        let cl = self.checklists.iter().find(|c| c.source == src.file)?;
        let items = pick(&cl.file);
        // Items are in file order: a binary search by line (a linear look when a checklist
        // built otherwise misses).
        let at = items.partition_point(|s| cl.line(s.span().start) < src.line);
        items
            .get(at)
            .filter(|s| cl.line(s.span().start) == src.line)
            .or_else(|| items.iter().find(|s| cl.line(s.span().start) == src.line))
            .map(|s| (cl, s.get_ref()))
    }

    pub fn managed(&self, schema: &str) -> bool {
        self.snap.is_managed_schema(schema)
    }

    pub fn server_version(&self) -> i32 {
        self.snap.server.version_num
    }

    pub fn role_exists(&self, role: &str) -> bool {
        self.snap.roles.iter().any(|r| r.name == role)
    }

    /// A table (plain, partitioned or foreign) by schema and name.
    pub fn table(&self, schema: &str, name: &str) -> Option<&'a Table> {
        self.snap.table(schema, name).filter(|t| {
            matches!(
                t.kind,
                RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
            )
        })
    }

    /// A relation whose quoted name is `object` (`public."ChatMessage"`).
    pub fn relation_by_object(&self, object: &str) -> Option<&'a Table> {
        self.by_object
            .get_or_init(|| {
                self.snap
                    .tables
                    .iter()
                    .map(|t| (qualified(&t.schema, &t.name), t))
                    .collect()
            })
            .get(object)
            .copied()
    }

    /// The `[[table]]` item describing `schema.name`, from any checklist.
    pub fn table_spec(&self, schema: &str, name: &str) -> Option<(&'a Checklist, &'a TableItem)> {
        self.table_specs
            .get_or_init(|| {
                let mut m = HashMap::new();
                for cl in self.checklists {
                    for t in cl.file.tables.iter().map(|s| s.get_ref()) {
                        m.entry(cl.qualify(&t.name, t.schema.as_deref()))
                            .or_insert((cl, t));
                    }
                }
                m
            })
            .get(&(schema.to_string(), name.to_string()))
            .copied()
    }

    /// The row-level security the checklists want on a table with these columns: the strongest
    /// of its `[[table]]` item's `rls` and the `[[rls]]` rules that reach it.
    pub fn wanted_rls(&self, t: RlsTarget<'_>) -> Option<RlsState> {
        let (schema, name) = (t.schema, t.name);
        let mut want: Option<RlsState> = None;
        let mut raise = |s: RlsState| {
            want = Some(match (want, s) {
                (Some(RlsState::Forced), _) | (_, RlsState::Forced) => RlsState::Forced,
                (Some(RlsState::Enabled), _) | (_, RlsState::Enabled) => RlsState::Enabled,
                _ => RlsState::Disabled,
            })
        };
        if let Some((_, t)) = self.table_spec(schema, name)
            && let Some(s) = t.rls
        {
            raise(s);
        }
        // The rules naming this table, then its schema's schema-wide ones.
        for (cl, r) in self.on.rls(self.checklists, schema, name) {
            if r.reaches(cl, t) {
                raise(r.state.unwrap_or(RlsState::Enabled));
            }
        }
        want
    }

    /// The `[[policy]]` items on `schema.name`, from every checklist, in their order.
    pub fn policies_on(&self, schema: &str, name: &str) -> &[(&'a Checklist, &'a PolicyItem)] {
        self.on.policies(self.checklists, schema, name)
    }

    /// The `[[index]]` items on `schema.name`.
    pub fn indexes_on(&self, schema: &str, name: &str) -> &[(&'a Checklist, &'a IndexItem)] {
        self.on.indexes(self.checklists, schema, name)
    }

    /// The `[[trigger]]` items on `schema.name`.
    pub fn triggers_on(&self, schema: &str, name: &str) -> &[(&'a Checklist, &'a TriggerItem)] {
        self.on.triggers(self.checklists, schema, name)
    }

    /// The `[[grant]]` items reaching some relation of `schema` (by name or `schema.*`).
    pub fn grants_in(&self, schema: &str) -> &[(&'a Checklist, &'a GrantItem)] {
        self.on.grants_in(self.checklists, schema)
    }

    /// Positions in `snap.tables` of the views whose definitions may name `schema.name`, in
    /// order.
    pub fn views_naming(&self, schema: &str, name: &str) -> &[usize] {
        self.readers
            .get_or_init(|| super::views::readers(self.snap))
            .get(&(schema.to_string(), name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// A checklist describes the enum type `schema.name`.
    pub fn checklist_enum(&self, schema: &str, name: &str) -> bool {
        self.on.has_enum(self.checklists, schema, name)
    }
}
