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

use std::collections::BTreeSet;

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

/// Why a checklist accepts `f`, if one does.
fn accepted_by(f: &Finding, checklists: &[Checklist], snapshot: &Snapshot) -> Option<String> {
    let Rule::Lint(lint) = f.rule else {
        return None;
    };
    let names = named(&f.object);
    let at = |cl: &Checklist, offset: usize| format!("{}:{}", cl.source, cl.line(offset));
    for cl in checklists {
        let file = &cl.file;
        let stated = match lint {
            LintId::RlsDisabledInExposedSchema => file
                .tables
                .iter()
                .find_map(|t| {
                    let spec = t.get_ref();
                    (spec.rls == Some(RlsState::Disabled)
                        && names.contains(&cl.qualify(&spec.name, spec.schema.as_deref())))
                    .then(|| format!("rls = \"disabled\" ({})", at(cl, t.span().start)))
                })
                .or_else(|| {
                    file.rls.iter().find_map(|r| {
                        let spec = r.get_ref();
                        let reaches = spec.table.as_ref().is_some_and(|tn| {
                            names.contains(&cl.qualify(tn, spec.schema.as_deref()))
                        });
                        (reaches && spec.state == Some(RlsState::Disabled))
                            .then(|| format!("state = \"disabled\" ({})", at(cl, r.span().start)))
                    })
                }),
            LintId::ViewWithoutSecurityInvoker => file.views.iter().find_map(|v| {
                let spec = v.get_ref();
                (spec.security_invoker == Some(false)
                    && names.contains(&cl.qualify(&spec.name, spec.schema.as_deref())))
                .then(|| format!("security_invoker = false ({})", at(cl, v.span().start)))
            }),
            LintId::FunctionSearchPathMutable => file.functions.iter().find_map(|g| {
                let spec = g.get_ref();
                (spec.search_path_set == Some(false)
                    && names.contains(&cl.qualify(&spec.name, spec.schema.as_deref())))
                .then(|| format!("search_path_set = false ({})", at(cl, g.span().start)))
            }),
            LintId::NoPrimaryKey => file.tables.iter().find_map(|t| {
                let spec = t.get_ref();
                (spec.primary_key.as_ref().is_some_and(Vec::is_empty)
                    && names.contains(&cl.qualify(&spec.name, spec.schema.as_deref())))
                .then(|| format!("primary_key = [] ({})", at(cl, t.span().start)))
            }),
            _ => None,
        };
        if let Some(s) = stated {
            return Some(format!("the checklist states {s}"));
        }
        if file.checklist.snapshot {
            let rec = recorded(cl);
            let extension = f.object.strip_prefix("extension ").is_some_and(|e| {
                file.extensions
                    .iter()
                    .any(|x| crate::sql::quote_ident(&x.get_ref().name) == e)
            });
            if extension || names.iter().any(|n| rec.contains(n)) {
                return Some(format!(
                    "the snapshot {} records it as it is ({} from PostgreSQL {})",
                    cl.source,
                    file.checklist.name.as_deref().unwrap_or("a database"),
                    snapshot.server.version_num / 10000
                ));
            }
        }
    }
    None
}

/// Moves the lint findings a checklist accepts into `report.accepted`.
pub(super) fn overrule(report: &mut Report, snapshot: &Snapshot, checklists: &[Checklist]) {
    let findings = std::mem::take(&mut report.lint_findings);
    for f in findings {
        match accepted_by(&f, checklists, snapshot) {
            Some(by) => report.accepted.push(Accepted { finding: f, by }),
            None => report.lint_findings.push(f),
        }
    }
}
