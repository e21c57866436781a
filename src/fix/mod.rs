//! Fix plans: for a finding, the SQL that mends it (with undo, locks, hazards and data
//! preconditions), built from the snapshot and the checklist item the finding came from.
//! Plans are data; `crate::apply` runs them.
//!
//! What has a plan (see each module): missing schemas, extensions, enum types and values,
//! tables (with their keys, indexes, RLS, policies, grants and triggers), columns, NOT NULL,
//! defaults, primary/unique keys, checks, foreign keys, indexes, views, row-level security,
//! policies, grants and revokes, triggers, function search paths, and the lints
//! `unindexed_foreign_key`, `rls_disabled_in_exposed_schema`,
//! `api_role_privileges_on_user_data`, `view_without_security_invoker`,
//! `function_search_path_mutable`, `invalid_index` and `duplicate_index`.
//!
//! Nothing is ever generated inside a managed schema (`Snapshot::is_managed_schema`).
//!
//! Running plans: steps in order, the transactional steps of one group in one transaction,
//! autocommit steps alone. Preconditions are checked in order just before the plan runs (after
//! the plans before it, which may add the columns they query); the first that counts rows
//! refuses the plan. `undo` runs in its own order (it is written last step first).

mod build;
mod columns;
mod constraints;
mod cx;
mod functions;
mod grants;
mod indexes;
pub mod names;
mod objects;
pub mod plan;
mod policies;
pub mod problem;
pub(crate) use policies::recreate as create_policy_sql;
mod rls;
mod sqltype;
mod tables;
mod views;

use std::collections::{BTreeSet, HashSet};

use crate::check::{Finding, Report};
use crate::checklist::{Checklist, parse_reference};
use crate::db::catalog::Snapshot;

pub use names::index_name;
pub use plan::{LockInfo, Plan, Precondition, Step, StepMode};

use cx::Cx;

/// The plan mending `finding`, or None when pgmend cannot build one (see the module docs).
pub fn plan(finding: &Finding, snap: &Snapshot, checklists: &[Checklist]) -> Option<Plan> {
    plan_in(&Cx::new(snap, checklists), finding)
}

fn plan_in(cx: &Cx, f: &Finding) -> Option<Plan> {
    match f.rule.as_str() {
        "schema.missing" => objects::schema(cx, f),
        "extension.missing" => objects::extension(cx, f),
        "enum.missing" => objects::create_enum(cx, f),
        "enum.value_missing" => objects::add_enum_value(cx, f),
        "table.missing" => tables::create(cx, f),
        "column.missing" => columns::add(cx, f),
        "column.nullable" => columns::nullable(cx, f),
        "column.default" => columns::default(cx, f),
        "table.primary_key" => constraints::primary_key(cx, f),
        "unique.missing" => constraints::unique(cx, f),
        "check.missing" => constraints::check(cx, f),
        "fk.missing" => constraints::fk_missing(cx, f),
        "fk.action" => constraints::fk_action(cx, f),
        "index.missing" => indexes::index_missing(cx, f),
        "view.missing" => views::create(cx, f),
        "view.security_invoker" => views::security_invoker(cx, f),
        "table.rls" | "rls.state" | "lint.rls_disabled_in_exposed_schema" => {
            rls::rls_finding(cx, f)
        }
        "policy.missing" | "policy.owner_missing" => rls::policy_finding(cx, f),
        "policy.shape" => rls::reshape(cx, f),
        "grant.excess" => grants::excess(cx, f),
        "grant.missing" => grants::missing(cx, f),
        "lint.api_role_privileges_on_user_data" => grants::lint_api_roles(cx, f),
        "trigger.missing" => functions::trigger_missing(cx, f),
        "trigger.disabled" => functions::trigger_disabled(cx, f),
        "function.search_path" | "lint.function_search_path_mutable" => {
            functions::search_path(cx, f)
        }
        "lint.unindexed_foreign_key" => indexes::unindexed_fk(cx, f),
        "lint.invalid_index" => indexes::invalid_index(cx, f),
        "lint.duplicate_index" => indexes::duplicate_index(cx, f),
        "lint.view_without_security_invoker" => views::lint_invoker(cx, f),
        _ => None,
    }
}

/// Where a rule's plans go: dependencies first.
fn phase(rule: &str) -> u32 {
    match rule {
        "schema.missing" => 0,
        "extension.missing" => 10,
        "enum.missing" => 20,
        "enum.value_missing" => 25,
        "table.missing" => 30,
        "column.missing" | "column.default" => 40,
        "column.nullable" => 45,
        "table.primary_key" => 50,
        "unique.missing" => 51,
        "check.missing" => 52,
        "fk.missing" | "fk.action" => 53,
        "index.missing" | "lint.unindexed_foreign_key" | "lint.invalid_index" => 54,
        "lint.duplicate_index" => 55,
        "view.missing" | "view.security_invoker" | "lint.view_without_security_invoker" => 60,
        "table.rls" | "rls.state" | "lint.rls_disabled_in_exposed_schema" => 70,
        "policy.missing" | "policy.owner_missing" | "policy.shape" => 71,
        "grant.excess" | "grant.missing" | "lint.api_role_privileges_on_user_data" => 80,
        "trigger.missing" | "trigger.disabled" => 90,
        _ => 100,
    }
}

/// Plans for every finding of the report that has one, dependencies first (schemas,
/// extensions, enums → tables, referenced ones first → columns → keys, constraints, indexes →
/// views → RLS and policies → grants → triggers → functions). A finding another plan already
/// mends (`Plan::also_fixes`: a table's indexes, the same RLS state found twice…) gets no plan
/// of its own.
pub fn plans(report: &Report, snap: &Snapshot, checklists: &[Checklist]) -> Vec<Plan> {
    let cx = Cx::new(snap, checklists);
    let findings: Vec<&Finding> = report.findings().collect();
    let mut candidates: Vec<(usize, Plan)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| plan_in(&cx, f).map(|p| (i, p)))
        .collect();
    // The plans mending most go first, so the narrower ones they include are left out.
    let mut by_breadth: Vec<usize> = (0..candidates.len()).collect();
    by_breadth.sort_by_key(|&k| std::cmp::Reverse(candidates[k].1.also_fixes.len()));
    let mut covered: HashSet<String> = HashSet::new();
    let mut keep = vec![false; candidates.len()];
    for k in by_breadth {
        let p = &candidates[k].1;
        if covered.contains(&p.finding_id) {
            continue;
        }
        covered.extend(p.fixes().map(str::to_string));
        keep[k] = true;
    }
    let mut kept: Vec<(usize, Plan)> = candidates
        .drain(..)
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect();
    kept.sort_by_key(|(i, _)| (phase(&findings[*i].rule), *i));
    order_tables(&mut kept, &findings, checklists);
    kept.into_iter().map(|(_, p)| p).collect()
}

/// Puts the created tables in an order where every table comes after those its foreign keys
/// reference (keeping the report's order otherwise).
fn order_tables(kept: &mut [(usize, Plan)], findings: &[&Finding], checklists: &[Checklist]) {
    let is_table = |i: usize| findings[i].rule == "table.missing";
    let Some(start) = kept.iter().position(|(i, _)| is_table(*i)) else {
        return;
    };
    let end = start
        + kept[start..]
            .iter()
            .take_while(|(i, _)| is_table(*i))
            .count();
    let deps = |f: &Finding| -> BTreeSet<String> {
        let Some(src) = &f.source else {
            return BTreeSet::new();
        };
        let Some(cl) = checklists.iter().find(|c| c.source == src.file) else {
            return BTreeSet::new();
        };
        cl.file
            .tables
            .iter()
            .filter(|t| cl.line(t.span().start) == src.line)
            .flat_map(|t| t.get_ref().foreign_keys.iter())
            .filter_map(|fk| parse_reference(&fk.get_ref().references))
            .map(|(s, t, _)| {
                let s = s.unwrap_or_else(|| cl.default_schema().to_string());
                format!("table.missing:{}", crate::sql::qualified(&s, &t))
            })
            .collect()
    };
    let slice = &mut kept[start..end];
    let mut done: Vec<(usize, Plan)> = Vec::new();
    let mut todo: Vec<(usize, Plan)> = slice.to_vec();
    while !todo.is_empty() {
        let pending: BTreeSet<String> = todo.iter().map(|(_, p)| p.finding_id.clone()).collect();
        let ready = todo
            .iter()
            .position(|(i, p)| {
                deps(findings[*i])
                    .iter()
                    .all(|d| d == &p.finding_id || !pending.contains(d))
            })
            .unwrap_or(0); // a cycle: keep the report's order
        done.push(todo.remove(ready));
    }
    slice.clone_from_slice(&done);
}

/// Sets `Finding::fixable` on every finding of the report: true when a plan mends it.
pub fn mark_fixable(report: &mut Report, snap: &Snapshot, checklists: &[Checklist]) {
    let fixed: HashSet<String> = plans(report, snap, checklists)
        .iter()
        .flat_map(|p| p.fixes().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for item in &mut report.items {
        for f in &mut item.findings {
            f.fixable = fixed.contains(&f.id);
        }
    }
    for f in &mut report.lint_findings {
        f.fixable = fixed.contains(&f.id);
    }
}
