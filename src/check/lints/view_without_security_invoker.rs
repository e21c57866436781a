//! A view in an exposed schema that the API roles can read and that runs with its owner's
//! rights (no `security_invoker`): whatever lies beneath, its readers act as the owner. High
//! when it reads tables with row level security, or relations its readers may not read
//! themselves (a private schema); medium when pgmend cannot tell what it reads, or when it
//! reads only what its readers may read anyway (the hole opens with the next revoke).
//!
//! Before PostgreSQL 15 no view can run as its invoker: the finding stands, with REVOKE as
//! its remedy and no automatic fix (the reference linter says nothing there).
//!
//! Which tables a view reads is read from its definition (`sql_text::name_chains`, as
//! `sql_text::mentions_relation` reads it): a relation is matched qualified, or unqualified when
//! the server may have written it so (it is in `public` or the reading user's schema, the
//! default search path, or its name is unique). A view over row-level-secured tables is
//! reported; a view whose definition names no
//! relation of the snapshot at all (tables outside the schemas read, set-returning functions)
//! is reported too, lower, since it might.

use std::collections::{HashMap, HashSet};

use super::sql_text::name_chains;
use super::{Lint, LintContext, exposure_text, table_object};
use crate::check::Finding;
use crate::db::catalog::{Grantee, Privilege, RelationKind, Schema, Snapshot, Table};
use crate::db::privileges;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ViewWithoutSecurityInvoker,
    severity: Severity::High,
    title: "View bypasses row level security",
    why: "A view runs with its owner's privileges unless it has security_invoker = true, so \
          clients reading it get every row of the tables beneath, whatever their policies say.",
    remedy: "ALTER VIEW <view> SET (security_invoker = true); (PostgreSQL 15+), or REVOKE SELECT \
             ON <view> FROM anon, authenticated, PUBLIC;",
    run,
};

/// The snapshot's relations by the names a deparsed definition may write them with, built
/// once per run (a scan of every relation per view, each lexing the view again, made this lint
/// cubic in the size of the database; issue 15).
struct Relations<'a> {
    /// By (schema, name): `schema.name` anywhere in a chain. The index orders the findings'
    /// text as the snapshot orders relations.
    qualified: HashMap<(&'a str, &'a str), Vec<(usize, &'a Table)>>,
    /// By name, those the server may have written without their schema: in `public` or the
    /// reading user's schema (the default search path), or no other relation has the name.
    bare: HashMap<&'a str, Vec<(usize, &'a Table)>>,
    /// The relations each view's definition names, by the view's position.
    direct: HashMap<usize, Vec<usize>>,
}

impl<'a> Relations<'a> {
    fn new(snap: &'a Snapshot) -> Relations<'a> {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for t in &snap.tables {
            *count.entry(t.name.as_str()).or_default() += 1;
        }
        let mut qualified: HashMap<(&str, &str), Vec<(usize, &Table)>> = HashMap::new();
        let mut bare: HashMap<&str, Vec<(usize, &Table)>> = HashMap::new();
        for (k, t) in snap.tables.iter().enumerate() {
            qualified
                .entry((t.schema.as_str(), t.name.as_str()))
                .or_default()
                .push((k, t));
            if t.schema == "public"
                || t.schema == snap.server.current_user
                || count[t.name.as_str()] == 1
            {
                bare.entry(t.name.as_str()).or_default().push((k, t));
            }
        }
        Relations {
            qualified,
            bare,
            direct: HashMap::new(),
        }
    }

    /// Positions of the relations the definition of the view at `at` names, in order.
    fn named_by(&mut self, at: usize, view: &Table) -> &[usize] {
        let (qualified, bare) = (&self.qualified, &self.bare);
        self.direct.entry(at).or_insert_with(|| {
            let def = view.definition.as_deref().unwrap_or_default();
            let mut found: Vec<usize> = Vec::new();
            for chain in name_chains(def) {
                for w in chain.windows(2) {
                    for &(k, t) in qualified
                        .get(&(w[0].name.as_str(), w[1].name.as_str()))
                        .into_iter()
                        .flatten()
                    {
                        if w[0].is(&t.schema) && w[1].is(&t.name) {
                            found.push(k);
                        }
                    }
                }
                for &(k, t) in bare.get(chain[0].name.as_str()).into_iter().flatten() {
                    if chain[0].is(&t.name) {
                        found.push(k);
                    }
                }
            }
            found.sort_unstable();
            found.dedup();
            found
        })
    }
}

/// Relations of the snapshot the view's definition names, and through the views among them,
/// the relations those read (a view over a view over a table reads the table).
fn reads<'a>(rels: &mut Relations<'a>, snap: &'a Snapshot, at: usize) -> Vec<&'a Table> {
    let mut seen: HashSet<usize> = HashSet::from([at]);
    let mut out: Vec<&Table> = Vec::new();
    let mut todo = vec![at];
    while let Some(v) = todo.pop() {
        for &k in rels.named_by(v, &snap.tables[v]).to_vec().iter() {
            if !seen.insert(k) {
                continue;
            }
            let t = &snap.tables[k];
            out.push(t);
            if t.kind == RelationKind::View {
                todo.push(k);
            }
        }
    }
    out
}

/// Whether `who` (PUBLIC or an API role) may read `t` itself: SELECT on it, and USAGE on its
/// schema when that is not the view's (a reader reaching the view reaches its schema).
fn reads_directly(
    ctx: &LintContext<'_>,
    schemas: &HashMap<&str, &Schema>,
    view: &Table,
    t: &Table,
    who: &str,
) -> bool {
    let snap = ctx.snapshot;
    let usage = t.schema == view.schema
        || schemas.get(t.schema.as_str()).is_some_and(|s| {
            if who == "PUBLIC" {
                s.acl.iter().any(|i| {
                    i.grantee == Grantee::Public
                        && i.privileges.iter().any(|p| p.privilege == Privilege::Usage)
                })
            } else {
                privileges::schema_privileges(snap, s, who).contains(&Privilege::Usage)
            }
        });
    let select = if who == "PUBLIC" {
        privileges::public_table_privileges(t).contains(&Privilege::Select)
    } else {
        privileges::table_privileges(snap, t, who).contains(&Privilege::Select)
    };
    usage && select
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let pre15 = ctx.snapshot.server.version_num < 150000;
    let mut out = Vec::new();
    let snap = ctx.snapshot;
    let mut rels = Relations::new(snap);
    let schemas: HashMap<&str, &Schema> =
        snap.schemas.iter().map(|s| (s.name.as_str(), s)).collect();
    for (at, v) in snap.tables.iter().enumerate() {
        if !ctx.is_app_relation(v, &[RelationKind::View]) {
            continue;
        }
        if !ctx.is_exposed(&v.schema) || v.security_invoker == Some(true) {
            continue;
        }
        let exposure = ctx.api_exposure(v);
        if exposure.is_empty() {
            continue;
        }
        let read = reads(&mut rels, snap, at);
        let rls: Vec<String> = read
            .iter()
            .filter(|t| t.rls_enabled)
            .map(|t| table_object(t))
            .collect();
        let who = super::exposure::who(&exposure);
        // Relations (not views: a view's own rights are its owner's too) its readers may not
        // read themselves.
        let denied: Vec<String> = read
            .iter()
            .filter(|t| t.kind != RelationKind::View)
            .filter(|t| who.iter().any(|w| !reads_directly(ctx, &schemas, v, t, w)))
            .map(|t| table_object(t))
            .collect();
        let object = table_object(v);
        let (severity, what) = if !rls.is_empty() {
            (
                lint.severity,
                format!("bypasses row level security on {}", rls.join(", ")),
            )
        } else if !denied.is_empty() {
            (
                lint.severity,
                format!(
                    "reads {}, which its readers may not read themselves",
                    denied.join(", ")
                ),
            )
        } else if read.is_empty() {
            (
                Severity::Medium,
                "reads relations pgmend cannot identify, which may have row level security"
                    .to_string(),
            )
        } else {
            (
                Severity::Medium,
                "reads only what its readers may read themselves today, but any row level \
                 security or revoke on those tables will not apply through it"
                    .to_string(),
            )
        };
        let (expected, remedy) = if pre15 {
            (
                "not selectable by API roles (security_invoker needs PostgreSQL 15)",
                format!(
                    "security_invoker does not exist before PostgreSQL 15: REVOKE SELECT ON \
                     {object} FROM {}; and read the tables directly or through a function",
                    who.join(", ")
                ),
            )
        } else {
            (
                "security_invoker = true",
                format!("ALTER VIEW {object} SET (security_invoker = true);"),
            )
        };
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "view {object} runs with its owner's rights and {what}: {} can read it",
                    who.join(", ")
                ),
            )
            .expected(expected)
            .actual(format!(
                "security_invoker not set; {}",
                exposure_text(&exposure)
            ))
            .remedy(remedy),
        );
    }
    out
}
