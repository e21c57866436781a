//! Ordering plans by a dependency graph over the objects they create, alter and mention.
//!
//! Each plan *creates* or *alters* objects (said by its rule and checklist item: a table and
//! its columns and keys, a column, a type, a view, a function…), and *mentions* names in its
//! SQL (found by the lexer: `"schema"."name"` chains, names inside `'…'::regclass` literals,
//! and bare names). A plan runs after every plan that creates an object it mentions, and after
//! every plan that alters such an object unless it creates or alters that object itself: a
//! type before its columns; a sequence, then its table, then the key, then the foreign keys
//! that reference it; a function before its triggers and policies; columns before the views
//! over them, and a view before the views over it. Extensions come before everything but
//! schemas.
//!
//! A qualified mention is a *strong* edge, a bare name (or a name inside a function body) a
//! *weak* one: a bare `user` may be a column rather than the table. Weak edges that close a
//! cycle are dropped; a cycle of strong edges is reported (the plans in it get a hazard, and
//! the apply engine skips them since what they wait for never ran). Where nothing orders two
//! plans, the report's order stands.

use std::collections::{BTreeSet, HashMap};

use crate::check::Finding;
use crate::checklist::TableItem;
use crate::rules::{ItemRule, Rule};
use crate::sql::lex::{Tok, name_chains, object_names as parts, tokens};

mod sort;
#[cfg(test)]
mod tests;

use sort::sort;

use super::cx::Cx;
use super::plan::Plan;

/// Something a plan can bring into being or change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Obj {
    Schema(String),
    Extension(String),
    /// A relation, sequence, type or function: `schema.name`.
    Named(String, String),
    Column(String, String, String),
    /// A primary or unique key: table and (sorted) columns.
    Key(String, String, Vec<String>),
}

/// What a plan does to the objects it names.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub creates: Vec<Obj>,
    pub alters: Vec<Obj>,
    /// Objects it changes in a way nothing else waits for (NOT NULL, a default): it still
    /// runs after what creates them, but not after their other alterations.
    pub touches: Vec<Obj>,
}

fn named(p: &[String]) -> Option<Obj> {
    (p.len() >= 2).then(|| Obj::Named(p[0].clone(), p[1].clone()))
}

fn column(p: &[String]) -> Option<Obj> {
    (p.len() >= 3).then(|| Obj::Column(p[0].clone(), p[1].clone(), p[2].clone()))
}

fn key(schema: &str, table: &str, cols: &[String]) -> Obj {
    let mut cols = cols.to_vec();
    cols.sort();
    Obj::Key(schema.to_string(), table.to_string(), cols)
}

/// The identity sequences the checklists give column `[schema, table, column]` (they come
/// into being with the column): the scan [`Specs`] replaces, kept as the tests' reference.
#[cfg(test)]
fn identity_sequences(cx: &Cx, col: &[String]) -> Vec<Obj> {
    let mut out = Vec::new();
    for cl in cx.checklists {
        for q in cl.file.sequences.iter().map(|q| q.get_ref()) {
            if !q.identity {
                continue;
            }
            let (s, n) = cl.qualify(&q.name, q.schema.as_deref());
            let owner = parts(q.owned_by.as_deref().unwrap_or_default());
            let owns = match &owner[..] {
                [t, c] => col.len() == 3 && s == col[0] && *t == col[1] && *c == col[2],
                [os, t, c] => col == [os.clone(), t.clone(), c.clone()],
                _ => false,
            };
            if owns {
                out.push(Obj::Named(s, n));
            }
        }
    }
    out
}

/// The checklist lookups [`effects`] needs, built once per ordering: a scan of the checklists
/// per plan made ordering quadratic (10,000 missing tables: 10,000 scans of 10,000 table
/// items, and of every sequence for each of their columns).
pub(crate) struct Specs<'a> {
    /// `[[table]]` items by (schema, name); the first one wins, as in [`Cx::table_spec`].
    tables: HashMap<(String, String), &'a TableItem>,
    /// Identity sequences by the column owning them, in the checklists' order.
    identity: HashMap<(String, String, String), Vec<Obj>>,
}

impl<'a> Specs<'a> {
    pub(crate) fn new(cx: &Cx<'a>) -> Specs<'a> {
        let mut tables = HashMap::new();
        let mut identity: HashMap<(String, String, String), Vec<Obj>> = HashMap::new();
        for cl in cx.checklists {
            for t in cl.file.tables.iter().map(|t| t.get_ref()) {
                tables
                    .entry(cl.qualify(&t.name, t.schema.as_deref()))
                    .or_insert(t);
            }
            for q in cl.file.sequences.iter().map(|q| q.get_ref()) {
                if !q.identity {
                    continue;
                }
                let (s, n) = cl.qualify(&q.name, q.schema.as_deref());
                let Some(owner) = q.owner(&s) else { continue };
                identity.entry(owner).or_default().push(Obj::Named(s, n));
            }
        }
        Specs { tables, identity }
    }

    fn table(&self, schema: &str, name: &str) -> Option<&'a TableItem> {
        self.tables
            .get(&(schema.to_string(), name.to_string()))
            .copied()
    }

    /// The identity sequences the checklists give column `[schema, table, column]` (they come
    /// into being with the column).
    fn identity_sequences(&self, col: &[String]) -> Vec<Obj> {
        match col {
            [s, t, c] => self
                .identity
                .get(&(s.clone(), t.clone(), c.clone()))
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// What the plan for `f` creates and alters.
pub(crate) fn effects(specs: &Specs, f: &Finding) -> Effects {
    use ItemRule as R;
    let mut e = Effects::default();
    let p = parts(&f.object);
    let Rule::Item(rule) = f.rule else {
        return e;
    };
    match rule {
        R::SchemaMissing => e.creates.extend(p.first().map(|s| Obj::Schema(s.clone()))),
        R::ExtensionMissing => e
            .creates
            .extend(p.first().map(|x| Obj::Extension(x.clone()))),
        R::ExtensionVersion | R::ExtensionSchema => e
            .alters
            .extend(p.first().map(|x| Obj::Extension(x.clone()))),
        R::EnumMissing
        | R::DomainMissing
        | R::TypeMissing
        | R::SequenceMissing
        | R::ViewMissing
        | R::FunctionMissing => e.creates.extend(named(&p)),
        R::EnumValueMissing
        | R::EnumOrder
        | R::DomainShape
        | R::TypeShape
        | R::SequenceShape
        | R::ViewDefinition
        | R::ViewColumns
        | R::ViewCheckOption
        | R::ViewSecurityInvoker
        | R::FunctionDefinition
        | R::FunctionReturns
        | R::FunctionLanguage
        | R::TablePersistence
        | R::TableInherits
        | R::TablePartition => e.alters.extend(named(&p)),
        R::TableMissing => {
            e.creates.extend(named(&p));
            if let [s, t, ..] = &p[..]
                && let Some(spec) = specs.table(s, t)
            {
                for c in &spec.columns {
                    e.creates.push(Obj::Column(
                        s.clone(),
                        t.clone(),
                        c.get_ref().name.to_string(),
                    ));
                }
                if let Some(pk) = &spec.primary_key {
                    e.creates.push(key(s, t, pk));
                }
                for u in &spec.unique {
                    e.creates.push(key(s, t, &u.get_ref().columns));
                }
                for c in &spec.columns {
                    let col = [s.clone(), t.clone(), c.get_ref().name.to_string()];
                    e.creates.extend(specs.identity_sequences(&col));
                }
            }
        }
        R::TablePrimaryKey | R::UniqueMissing => {
            if let [s, t, ..] = &p[..]
                && let Some(spec) = specs.table(s, t)
            {
                if rule == R::TablePrimaryKey {
                    e.creates
                        .extend(spec.primary_key.iter().map(|pk| key(s, t, pk)));
                } else {
                    e.creates
                        .extend(spec.unique.iter().map(|u| key(s, t, &u.get_ref().columns)));
                }
            }
        }
        // `OWNED BY` changes nothing another plan relies on.
        R::SequenceOwnedBy => {}
        R::ColumnMissing => {
            e.creates.extend(column(&p));
            e.creates.extend(specs.identity_sequences(&p));
        }
        R::ColumnIdentity => {
            e.alters.extend(column(&p));
            e.creates.extend(specs.identity_sequences(&p));
        }
        // NOT NULL and a default change nothing another plan relies on (a key sets NOT NULL
        // itself): their refusal must not hold anything back.
        R::ColumnNullable | R::ColumnDefault => e.touches.extend(column(&p)),
        R::ColumnType | R::ColumnGenerated | R::ColumnCollation => e.alters.extend(column(&p)),
        _ => {}
    }
    e
}

/// The names a plan's SQL mentions.
#[derive(Default)]
struct Mentions {
    /// Qualified `schema.name` pairs (and their three-part column forms).
    chains: BTreeSet<(String, String)>,
    columns: BTreeSet<(String, String, String)>,
    /// Every identifier, alone (weak evidence).
    words: BTreeSet<String>,
    /// Identifiers found only inside string constants (function bodies): weak.
    in_strings: BTreeSet<String>,
}

fn mentions(plan: &Plan) -> Mentions {
    let mut m = Mentions::default();
    for s in &plan.steps {
        let Ok(toks) = tokens(&s.sql) else { continue };
        for chain in name_chains(&toks) {
            if chain.len() >= 2 {
                m.chains.insert((chain[0].clone(), chain[1].clone()));
            }
            if chain.len() >= 3 {
                m.columns
                    .insert((chain[0].clone(), chain[1].clone(), chain[2].clone()));
            }
            m.words.extend(chain);
        }
        for t in &toks {
            if let Tok::Str(body) = t
                && let Ok(inner) = tokens(body)
            {
                for chain in name_chains(&inner) {
                    m.in_strings.extend(chain);
                }
            }
        }
    }
    m
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Strength {
    Weak,
    Strong,
}

impl Mentions {
    fn named(&self, s: &str, n: &str) -> Option<Strength> {
        if self.chains.contains(&(s.to_string(), n.to_string())) {
            Some(Strength::Strong)
        } else if self.words.contains(n) || self.in_strings.contains(n) {
            Some(Strength::Weak)
        } else {
            None
        }
    }

    fn has_word(&self, w: &str) -> bool {
        self.words.contains(w) || self.in_strings.contains(w)
    }

    fn mentions(&self, o: &Obj) -> Option<Strength> {
        match o {
            Obj::Schema(s) => {
                if self.chains.iter().any(|(a, _)| a == s) {
                    Some(Strength::Strong)
                } else {
                    self.has_word(s).then_some(Strength::Weak)
                }
            }
            Obj::Extension(_) => None,
            Obj::Named(s, n) => self.named(s, n),
            Obj::Column(s, t, c) => {
                if self.columns.contains(&(s.clone(), t.clone(), c.clone())) {
                    return Some(Strength::Strong);
                }
                let table = self.named(s, t)?;
                self.has_word(c).then_some(table)
            }
            Obj::Key(s, t, cols) => {
                let table = self.named(s, t)?;
                cols.iter().all(|c| self.has_word(c)).then_some(table)
            }
        }
    }
}

/// Orders `plans` (in the report's order, with their findings) and fills each plan's `after`
/// with the finding ids of the plans it needs.
pub(crate) fn order(cx: &Cx, items: Vec<(&Finding, Plan)>) -> Vec<Plan> {
    let n = items.len();
    let specs = Specs::new(cx);
    let effects: Vec<Effects> = items.iter().map(|(f, _)| effects(&specs, f)).collect();
    let mentions: Vec<Mentions> = items.iter().map(|(_, p)| mentions(p)).collect();
    let makes_extension: Vec<bool> = effects
        .iter()
        .map(|e| {
            e.creates
                .iter()
                .any(|o| matches!(o, Obj::Extension(_) | Obj::Schema(_)))
        })
        .collect();
    // Who creates or alters each object, and the objects under each name.
    let mut creators: HashMap<&Obj, Vec<usize>> = HashMap::new();
    let mut alterers: HashMap<&Obj, Vec<usize>> = HashMap::new();
    for (i, e) in effects.iter().enumerate() {
        for o in &e.creates {
            creators.entry(o).or_default().push(i);
        }
        for o in &e.alters {
            alterers.entry(o).or_default().push(i);
        }
    }
    let mut by_name: HashMap<&str, BTreeSet<&Obj>> = HashMap::new();
    let mut extensions: Vec<&Obj> = Vec::new();
    for o in creators.keys().chain(alterers.keys()) {
        match o {
            Obj::Schema(s) => by_name.entry(s).or_default().insert(o),
            Obj::Named(_, n) | Obj::Column(_, n, _) | Obj::Key(_, n, _) => {
                by_name.entry(n).or_default().insert(o)
            }
            Obj::Extension(_) => {
                extensions.push(o);
                true
            }
        };
    }
    // edges[p] = (q, strength): p runs after q.
    let mut edges: Vec<Vec<(usize, Strength)>> = vec![Vec::new(); n];
    for p in 0..n {
        let own = &effects[p];
        let m = &mentions[p];
        let mut candidates: BTreeSet<&Obj> = BTreeSet::new();
        for w in m.words.iter().chain(&m.in_strings) {
            if let Some(objs) = by_name.get(w.as_str()) {
                candidates.extend(objs);
            }
        }
        let mut add = |q: usize, s: Strength| {
            if q != p {
                match edges[p].iter_mut().find(|(x, _)| *x == q) {
                    Some(e) => e.1 = e.1.max(s),
                    None => edges[p].push((q, s)),
                }
            }
        };
        if !makes_extension[p] {
            for o in &extensions {
                for &q in creators.get(o).into_iter().flatten() {
                    add(q, Strength::Strong);
                }
            }
        }
        for o in candidates {
            if own.creates.contains(o) {
                continue;
            }
            // A key is built over its columns: the plan adding one of them never needs the key
            // (its `ADD COLUMN` names the table and the column, as the key's plan does).
            if let Obj::Key(s, t, cols) = o
                && cols.iter().any(|c| {
                    own.creates
                        .contains(&Obj::Column(s.clone(), t.clone(), c.clone()))
                })
            {
                continue;
            }
            let Some(s) = m.mentions(o) else { continue };
            for &q in creators.get(o).into_iter().flatten() {
                add(q, s);
            }
            if !own.alters.contains(o) && !own.touches.contains(o) {
                for &q in alterers.get(o).into_iter().flatten() {
                    add(q, s);
                }
            }
        }
    }
    let (sequence, cyclic) = sort(&mut edges);
    let mut plans: Vec<Option<Plan>> = items.into_iter().map(|(_, p)| Some(p)).collect();
    let ids: Vec<String> = plans
        .iter()
        .map(|p| p.as_ref().map(|p| p.finding_id.clone()).unwrap_or_default())
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in sequence {
        let mut plan = plans[i].take().expect("each plan once");
        plan.after = edges[i].iter().map(|(q, _)| ids[*q].clone()).collect();
        plan.after.sort();
        if cyclic.contains(&i) {
            let others: Vec<&str> = edges[i]
                .iter()
                .filter(|(q, _)| cyclic.contains(q))
                .map(|(q, _)| ids[*q].as_str())
                .collect();
            plan.hazards.push(format!(
                "part of a dependency cycle (with {}): it is not run; mend these by hand",
                others.join(", ")
            ));
        }
        out.push(plan);
    }
    out
}
