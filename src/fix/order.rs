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
use crate::sql::lex::{Tok, name_chains, tokens};
use crate::sql::qualified;

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

/// The identifiers of an object text such as `public."T"."c"` (`[public, T, c]`).
pub fn parts(object: &str) -> Vec<String> {
    // Up to the argument or column list: the first `(` outside double quotes (a quoted name
    // may hold one: `"s"."(f"(integer)`).
    let mut quoted = false;
    let end = object
        .char_indices()
        .find(|&(_, c)| {
            quoted ^= c == '"';
            c == '(' && !quoted
        })
        .map_or(object.len(), |(i, _)| i);
    let object = &object[..end];
    match tokens(object) {
        Ok(t) => name_chains(&t).into_iter().next().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
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
                // `table.column` is in the sequence's schema; `schema.table.column` says its own.
                let owner = match &parts(q.owned_by.as_deref().unwrap_or_default())[..] {
                    [t, c] => (s.clone(), t.clone(), c.clone()),
                    [os, t, c] => (os.clone(), t.clone(), c.clone()),
                    _ => continue,
                };
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
enum Strength {
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

/// A topological order (the lowest index first among those ready), and the plans left in
/// cycles. Weak edges that stand in the way of progress are dropped from `edges`.
fn sort(edges: &mut [Vec<(usize, Strength)>]) -> (Vec<usize>, BTreeSet<usize>) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = edges.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut cyclic = BTreeSet::new();
    let mut waiting = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (p, es) in edges.iter().enumerate() {
        waiting[p] = es.len();
        for (q, _) in es {
            dependents[*q].push(p);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&p| waiting[p] == 0).map(Reverse).collect();
    loop {
        while let Some(Reverse(p)) = ready.pop() {
            if done[p] {
                continue;
            }
            done[p] = true;
            order.push(p);
            for &d in &dependents[p] {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.push(Reverse(d));
                }
            }
        }
        let left: Vec<usize> = (0..n).filter(|&p| !done[p]).collect();
        if left.is_empty() {
            break;
        }
        // Stuck: in each cycle (a strongly connected part of what is left), drop the weak
        // edges; a part with none is a cycle of strong edges, and its plans go last.
        let mut parts = cycles(edges, &done);
        if parts.is_empty() {
            // Cannot happen (what is left waits on what is left), but never loop forever.
            parts.push((0..n).filter(|&p| !done[p]).collect());
        }
        let mut dropped = false;
        for part in &parts {
            for &p in part {
                let mut kept = Vec::new();
                for (q, s) in edges[p].drain(..) {
                    if s == Strength::Weak && part.contains(&q) {
                        dropped = true;
                        waiting[p] -= 1;
                        dependents[q].retain(|&d| d != p);
                    } else {
                        kept.push((q, s));
                    }
                }
                edges[p] = kept;
                if waiting[p] == 0 {
                    ready.push(Reverse(p));
                }
            }
        }
        if !dropped {
            for part in parts {
                for &p in &part {
                    cyclic.insert(p);
                    done[p] = true;
                    order.push(p);
                }
                // Placed; what waits for them outside the cycle may follow (and is skipped at
                // apply time, since they do not run).
                for &p in &part {
                    for &d in &dependents[p] {
                        if !done[d] {
                            waiting[d] -= 1;
                            if waiting[d] == 0 {
                                ready.push(Reverse(d));
                            }
                        }
                    }
                }
            }
        }
    }
    (order, cyclic)
}

/// The strongly connected parts (of more than one plan, or a plan waiting for itself) among
/// the plans not yet placed (Tarjan's algorithm, iterative).
fn cycles(edges: &[Vec<(usize, Strength)>], done: &[bool]) -> Vec<BTreeSet<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in (0..n).filter(|&p| !done[p]) {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            let succ: Vec<usize> = edges[v]
                .iter()
                .map(|(q, _)| *q)
                .filter(|q| !done[*q])
                .collect();
            if *i < succ.len() {
                let w = succ[*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut part = BTreeSet::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    part.insert(w);
                    if w == v {
                        break;
                    }
                }
                if part.len() > 1 {
                    out.push(part);
                }
            }
        }
    }
    out
}

/// `schema.name` of an object, quoted (for messages).
#[allow(dead_code)]
pub(crate) fn obj_label(o: &Obj) -> String {
    match o {
        Obj::Schema(s) | Obj::Extension(s) => s.clone(),
        Obj::Named(s, n) | Obj::Key(s, n, _) => qualified(s, n),
        Obj::Column(s, t, c) => format!("{}.{}", qualified(s, t), crate::sql::quote_ident(c)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_keep_parentheses_inside_quoted_names() {
        assert_eq!(super::parts(r#""(s"."¶(f"("a(" integer)"#), ["(s", "¶(f"]);
        assert_eq!(super::parts(r#"public."t""(x"(id)"#), ["public", "t\"(x"]);
        assert_eq!(super::parts("public.users(id)"), ["public", "users"]);
    }

    use crate::check::{Facts, LintOverrides, run};
    use crate::checklist::Checklist;
    use crate::db::catalog::{ServerInfo, Snapshot};

    /// A checklist whose items come in the worst order: each needs one written after it.
    const WORST: &str = r#"
[checklist]
name = "worst order"

[[view]]
name = "big_teams"
definition = "SELECT team_sizes.name FROM public.team_sizes WHERE (team_sizes.members > 10)"

[[view]]
name = "team_sizes"
definition = "SELECT t.name, count(u.id) AS members FROM (public.teams t LEFT JOIN public.users u ON ((u.team_id = t.id))) GROUP BY t.name"

[[trigger]]
table = "teams"
name = "teams_touch"
definition = "CREATE TRIGGER teams_touch BEFORE UPDATE ON public.teams FOR EACH ROW EXECUTE FUNCTION public.touch()"

[[table]]
name = "users"
primary_key = ["id"]
columns = [
  { name = "id", type = "integer", nullable = false, default = "nextval('users_id_seq'::regclass)" },
  { name = "team_id", type = "integer" },
  { name = "kind", type = "kind" },
]
[[table.foreign_keys]]
columns = ["team_id"]
references = "public.teams(id)"

[[table]]
name = "teams"
primary_key = ["id"]
columns = [{ name = "id", type = "integer", nullable = false }, { name = "name", type = "text" }]

[[function]]
name = "touch"
arguments = ""
definition = "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"

[[sequence]]
name = "users_id_seq"
type = "integer"

[[enum]]
name = "kind"
values = ["a", "b"]

[[schema]]
name = "public"
"#;

    fn snapshot() -> Snapshot {
        Snapshot::empty(ServerInfo {
            version_num: 150000,
            version: "PostgreSQL 15".into(),
            database: "t".into(),
            current_user: "t".into(),
            is_superuser: true,
        })
    }

    fn position(plans: &[crate::fix::Plan], id: &str) -> usize {
        plans
            .iter()
            .position(|p| p.finding_id == id || p.also_fixes.iter().any(|a| a == id))
            .unwrap_or_else(|| panic!("no plan for {id}: {:#?}", ids(plans)))
    }

    fn ids(plans: &[crate::fix::Plan]) -> Vec<&str> {
        plans.iter().map(|p| p.finding_id.as_str()).collect()
    }

    /// Everything a plan needs comes before it, whatever order the findings arrive in.
    #[test]
    fn plans_follow_what_they_need_in_any_arrival_order() {
        let snap = snapshot();
        let cl = Checklist::parse(WORST, "worst.toml").unwrap();
        let lists = [cl];
        let report = run(&snap, &lists, &Facts::default(), &LintOverrides::new());
        let findings: Vec<&crate::check::Finding> = report.findings().collect();
        let mut reversed = findings.clone();
        reversed.reverse();
        for arrival in [findings, reversed] {
            let plans = super::super::plans_for(arrival, &snap, &lists);
            let at = |id: &str| position(&plans, id);
            let before = |a: &str, b: &str| {
                assert!(
                    at(a) < at(b),
                    "{a} must come before {b}: {:#?}",
                    ids(&plans)
                );
            };
            before(
                "sequence.missing:public.users_id_seq",
                "table.missing:public.users",
            );
            before("enum.missing:public.kind", "table.missing:public.users");
            before("table.missing:public.teams", "table.missing:public.users");
            before(
                "table.missing:public.users",
                "view.missing:public.team_sizes",
            );
            before(
                "view.missing:public.team_sizes",
                "view.missing:public.big_teams",
            );
            before(
                "function.missing:public.touch()",
                "table.missing:public.teams",
            );
            // What a plan needs is named: a refusal of it skips this one.
            let users = &plans[at("table.missing:public.users")];
            assert!(
                users
                    .after
                    .iter()
                    .any(|a| a == "table.missing:public.teams"),
                "{:?}",
                users.after
            );
            assert!(
                plans
                    .iter()
                    .all(|p| !p.hazards.iter().any(|h| h.contains("cycle")))
            );
        }
    }

    /// Two plans that need each other through qualified names are a cycle: reported, and put
    /// last with each naming the other.
    #[test]
    fn a_cycle_of_qualified_mentions_is_reported() {
        let toml = r#"
[[view]]
name = "a"
definition = "SELECT b.x FROM public.b"
[[view]]
name = "b"
definition = "SELECT a.x FROM public.a"
"#;
        let snap = snapshot();
        let lists = [Checklist::parse(toml, "cycle.toml").unwrap()];
        let report = run(&snap, &lists, &Facts::default(), &LintOverrides::new());
        let plans = super::super::plans(&report, &snap, &lists);
        assert_eq!(plans.len(), 2, "{:#?}", ids(&plans));
        for p in &plans {
            assert!(
                p.hazards.iter().any(|h| h.contains("dependency cycle")),
                "{:?}",
                p.hazards
            );
            assert_eq!(p.after.len(), 1);
        }
    }
}

#[cfg(test)]
mod spec_tests {
    use super::*;
    use crate::checklist::{Checklist, Severity};
    use crate::db::catalog::{ServerInfo, Snapshot};

    const FIRST: &str = r#"
[[table]]
schema = "s"
name = "t"
primary_key = ["id"]
columns = [{ name = "id", type = "bigint" }, { name = "x", type = "integer" }]

[[table]]
name = "t"
columns = [{ name = "x", type = "integer" }]

[[sequence]]
schema = "s"
name = "t_id_seq"
identity = true
owned_by = "t.id"

[[sequence]]
name = "elsewhere_seq"
identity = true
owned_by = "s.t.id"

[[sequence]]
name = "serial_seq"
owned_by = "t.x"
"#;

    const SECOND: &str = r#"
[[table]]
schema = "s"
name = "t"
columns = [{ name = "other", type = "text" }]

[[table]]
schema = "s"
name = "u"
columns = [{ name = "id", type = "bigint" }]

[[sequence]]
name = "t_x_seq"
identity = true
owned_by = "public.t.x"
"#;

    fn lists() -> Vec<Checklist> {
        vec![
            Checklist::parse(FIRST, "first.toml").unwrap(),
            Checklist::parse(SECOND, "second.toml").unwrap(),
        ]
    }

    fn snapshot() -> Snapshot {
        Snapshot::empty(ServerInfo {
            version_num: 150000,
            version: String::new(),
            database: String::new(),
            current_user: String::new(),
            is_superuser: false,
        })
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn specs_answer_what_the_scans_answered() {
        let (snap, lists) = (snapshot(), lists());
        let cx = Cx::new(&snap, &lists);
        let specs = Specs::new(&cx);
        for (s, t) in [("s", "t"), ("public", "t"), ("s", "u"), ("s", "none")] {
            let scanned = cx
                .table_spec(s, t)
                .map(|(_, spec)| spec as *const TableItem);
            let indexed = specs.table(s, t).map(|spec| spec as *const TableItem);
            assert_eq!(indexed, scanned, "{s}.{t}");
        }
        // The first checklist's s.t wins over the second's.
        assert_eq!(specs.table("s", "t").unwrap().columns.len(), 2);
        for col in [
            &["s", "t", "id"][..],
            &["public", "t", "x"],
            &["s", "t", "x"],
            &["public", "t", "id"],
            &["s", "t"],
        ] {
            let col = strings(col);
            assert_eq!(
                specs.identity_sequences(&col),
                identity_sequences(&cx, &col),
                "{col:?}"
            );
        }
        assert_eq!(
            specs.identity_sequences(&strings(&["s", "t", "id"])),
            [
                Obj::Named("s".into(), "t_id_seq".into()),
                Obj::Named("public".into(), "elsewhere_seq".into())
            ]
        );
    }

    #[test]
    fn a_missing_table_creates_its_columns_keys_and_identity_sequences() {
        let (snap, lists) = (snapshot(), lists());
        let cx = Cx::new(&snap, &lists);
        let f = Finding::new(
            ItemRule::TableMissing,
            Severity::High,
            "s.t".into(),
            "missing".into(),
        );
        let e = effects(&Specs::new(&cx), &f);
        let (s, t) = (String::from("s"), String::from("t"));
        assert_eq!(
            e.creates,
            [
                Obj::Named(s.clone(), t.clone()),
                Obj::Column(s.clone(), t.clone(), "id".into()),
                Obj::Column(s.clone(), t.clone(), "x".into()),
                Obj::Key(s.clone(), t.clone(), vec!["id".into()]),
                Obj::Named(s.clone(), "t_id_seq".into()),
                Obj::Named("public".into(), "elsewhere_seq".into()),
            ]
        );
        assert!(e.alters.is_empty());
    }
}
