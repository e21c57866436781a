//! The checklist wins over the lints: a lint finding that contradicts what a checklist item
//! states is moved to `Report::accepted`, with the item that accepts it. Shown, never counted,
//! never fixed.
//!
//! - `rls_disabled_in_exposed_schema`: the table's item (or an `[[rls]]` rule reaching it)
//!   states `disabled`;
//! - `view_without_security_invoker`: the view's item states `security_invoker = false`;
//! - `function_search_path_mutable`: the function's item states `search_path_set = false`;
//! - `no_primary_key`: the table's item states `primary_key = []`;
//! - any lint, on an object a snapshot checklist (`[checklist] snapshot = true`, what
//!   `pgmend checklist snapshot` writes) records: the snapshot is the expectation as it was.

use std::collections::{BTreeSet, HashMap};

use crate::checklist::{Checklist, RlsState};
use crate::db::catalog::Snapshot;
use crate::rules::{LintId, Rule};
use crate::sql::lex::{name_chains, tokens};

use super::{Accepted, Finding, Report};

/// `(schema, name)` pairs an object text names (`constraint "c" on public.t` → `public.t`).
fn named(object: &str) -> Vec<(String, String)> {
    let Ok(toks) = tokens(object) else {
        return Vec::new();
    };
    name_chains(&toks)
        .into_iter()
        .filter(|c| c.len() >= 2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect()
}

/// Relations, indexes and functions a snapshot checklist records.
fn recorded(cl: &Checklist) -> BTreeSet<(String, String)> {
    let f = &cl.file;
    let mut out = BTreeSet::new();
    for t in f.tables.iter().map(|t| t.get_ref()) {
        out.insert(cl.qualify(&t.name, t.schema.as_deref()));
    }
    for v in f.views.iter().map(|v| v.get_ref()) {
        out.insert(cl.qualify(&v.name, v.schema.as_deref()));
    }
    for i in f.indexes.iter().map(|i| i.get_ref()) {
        let (s, _) = cl.qualify(&i.table, i.schema.as_deref());
        if let Some(n) = &i.name {
            out.insert((s, n.to_string()));
        }
    }
    for g in f.functions.iter().map(|g| g.get_ref()) {
        out.insert(cl.qualify(&g.name, g.schema.as_deref()));
    }
    out
}

/// What one checklist accepts, gathered once per check (a finding is then looked up, never
/// scanned for: a snapshot of 10,000 tables may accept 10,000 findings).
struct Accepts {
    /// (lint, object) → the item that states the contrary.
    stated: HashMap<(LintId, (String, String)), String>,
    /// A snapshot checklist: what it records, and its label.
    recorded: Option<Recorded>,
}

/// The relations and functions a snapshot records, its extensions (quoted) and its label.
type Recorded = (BTreeSet<(String, String)>, BTreeSet<String>, String);

impl Accepts {
    fn new(cl: &Checklist, snapshot: &Snapshot) -> Accepts {
        let file = &cl.file;
        let at = |offset: usize| format!("{}:{}", cl.source, cl.line(offset));
        let mut stated = HashMap::new();
        for t in &file.tables {
            let spec = t.get_ref();
            let name = cl.qualify(&spec.name, spec.schema.as_deref());
            if spec.rls == Some(RlsState::Disabled) {
                stated.insert(
                    (LintId::RlsDisabledInExposedSchema, name.clone()),
                    format!("rls = \"disabled\" ({})", at(t.span().start)),
                );
            }
            if spec.primary_key.as_ref().is_some_and(Vec::is_empty) {
                stated.insert(
                    (LintId::NoPrimaryKey, name),
                    format!("primary_key = [] ({})", at(t.span().start)),
                );
            }
        }
        for r in &file.rls {
            let spec = r.get_ref();
            if let (Some(tn), Some(RlsState::Disabled)) = (&spec.table, spec.state) {
                stated.insert(
                    (
                        LintId::RlsDisabledInExposedSchema,
                        cl.qualify(tn, spec.schema.as_deref()),
                    ),
                    format!("state = \"disabled\" ({})", at(r.span().start)),
                );
            }
        }
        for v in &file.views {
            let spec = v.get_ref();
            if spec.security_invoker == Some(false) {
                stated.insert(
                    (
                        LintId::ViewWithoutSecurityInvoker,
                        cl.qualify(&spec.name, spec.schema.as_deref()),
                    ),
                    format!("security_invoker = false ({})", at(v.span().start)),
                );
            }
        }
        for g in &file.functions {
            let spec = g.get_ref();
            if spec.search_path_set == Some(false) {
                stated.insert(
                    (
                        LintId::FunctionSearchPathMutable,
                        cl.qualify(&spec.name, spec.schema.as_deref()),
                    ),
                    format!("search_path_set = false ({})", at(g.span().start)),
                );
            }
        }
        let recorded = file.checklist.snapshot.then(|| {
            let extensions = file
                .extensions
                .iter()
                .map(|x| crate::sql::quote_ident(&x.get_ref().name))
                .collect();
            let label = format!(
                "the snapshot {} records it as it is ({} from PostgreSQL {})",
                cl.source,
                file.checklist.name.as_deref().unwrap_or("a database"),
                snapshot.server.version_num / 10000
            );
            (recorded(cl), extensions, label)
        });
        Accepts { stated, recorded }
    }

    /// Why this checklist accepts `f`, if it does.
    fn accepts(&self, f: &Finding, lint: LintId, names: &[(String, String)]) -> Option<String> {
        if let Some(s) = names
            .iter()
            .find_map(|n| self.stated.get(&(lint, n.clone())))
        {
            return Some(format!("the checklist states {s}"));
        }
        let (rec, extensions, label) = self.recorded.as_ref()?;
        let extension = f
            .object
            .strip_prefix("extension ")
            .is_some_and(|e| extensions.contains(e));
        (extension || names.iter().any(|n| rec.contains(n))).then(|| label.clone())
    }
}

/// Moves the lint findings a checklist accepts into `report.accepted`.
pub(super) fn overrule(report: &mut Report, snapshot: &Snapshot, checklists: &[Checklist]) {
    if report.lint_findings.is_empty() {
        return;
    }
    let accepts: Vec<Accepts> = checklists
        .iter()
        .map(|cl| Accepts::new(cl, snapshot))
        .collect();
    let findings = std::mem::take(&mut report.lint_findings);
    for f in findings {
        let by = match f.rule {
            Rule::Lint(lint) => {
                let names = named(&f.object);
                accepts.iter().find_map(|a| a.accepts(&f, lint, &names))
            }
            Rule::Item(_) => None,
        };
        match by {
            Some(by) => report.accepted.push(Accepted { finding: f, by }),
            None => report.lint_findings.push(f),
        }
    }
}
