//! What PUBLIC and the API roles hold on a relation: privileges on the whole relation, and
//! those held on some columns only (column grants, `pg_attribute.attacl`), which reach the
//! data as surely: `GRANT UPDATE (secret) ON t TO anon` lets anon change every row's secret.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::catalog::{Privilege, Table};
use crate::db::privileges;
use crate::sql::quote_ident;

/// One grantee's reach on a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// `PUBLIC`, `anon` or `authenticated`.
    pub who: &'static str,
    /// Privileges on the relation itself.
    pub table: BTreeSet<Privilege>,
    /// Privileges held on some columns only (not on the relation), with those columns in
    /// column order.
    pub columns: BTreeMap<Privilege, Vec<String>>,
}

impl Exposure {
    /// Holds `p` on the relation or on at least one column.
    pub fn holds(&self, p: Privilege) -> bool {
        self.table.contains(&p) || self.columns.contains_key(&p)
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty() && self.columns.is_empty()
    }

    /// May read column `name` (SELECT on the relation or on that column).
    pub fn reads_column(&self, name: &str) -> bool {
        self.table.contains(&Privilege::Select)
            || self
                .columns
                .get(&Privilege::Select)
                .is_some_and(|c| c.iter().any(|c| c == name))
    }

    /// Every privilege held anywhere on the relation.
    pub fn privileges(&self) -> BTreeSet<Privilege> {
        self.table
            .iter()
            .chain(self.columns.keys())
            .copied()
            .collect()
    }

    /// `SELECT, UPDATE (secret)`: relation privileges bare, column ones with their columns.
    pub fn text(&self) -> String {
        let parts: Vec<String> = self
            .privileges()
            .into_iter()
            .map(|p| match (self.table.contains(&p), self.columns.get(&p)) {
                (false, Some(cols)) => {
                    let cols: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
                    format!("{} ({})", p.as_sql(), cols.join(", "))
                }
                _ => p.as_sql().to_string(),
            })
            .collect();
        parts.join(", ")
    }
}

/// `who`'s privileges on `t` and its columns; `PUBLIC` by its own grants only.
pub fn of(snap: &crate::db::catalog::Snapshot, t: &Table, who: &'static str) -> Exposure {
    let table = if who == "PUBLIC" {
        privileges::public_table_privileges(t)
    } else {
        privileges::table_privileges(snap, t, who)
    };
    let mut columns: BTreeMap<Privilege, Vec<String>> = BTreeMap::new();
    for c in t.columns.iter().filter(|c| !c.acl.is_empty()) {
        let role = if who == "PUBLIC" { "public" } else { who };
        for p in privileges::column_privileges(snap, c, role) {
            if !table.contains(&p) {
                columns.entry(p).or_default().push(c.name.to_string());
            }
        }
    }
    Exposure {
        who,
        table,
        columns,
    }
}

/// `PUBLIC: SELECT; anon: SELECT, UPDATE (secret)`.
pub fn text(exposure: &[Exposure]) -> String {
    let parts: Vec<String> = exposure
        .iter()
        .map(|e| format!("{}: {}", e.who, e.text()))
        .collect();
    parts.join("; ")
}

/// Signed-out clients are among these grantees (anon, or PUBLIC which anon belongs to): the
/// lints grade such findings higher than those reaching signed-in users only.
pub fn signed_out(who: &[&str]) -> bool {
    who.iter().any(|w| *w != "authenticated")
}

/// The grantees, `anon, authenticated`.
pub fn who(exposure: &[Exposure]) -> Vec<&'static str> {
    exposure.iter().map(|e| e.who).collect()
}

/// The grantees among PUBLIC and the API roles that may read `t` (SELECT on it or on a column).
pub fn readers(ctx: &super::LintContext<'_>, t: &Table) -> Vec<Exposure> {
    ctx.api_exposure(t)
        .into_iter()
        .filter(|e| e.holds(Privilege::Select))
        .collect()
}

/// Findings for relations of `kind` in exposed schemas that PUBLIC or an API role may read:
/// relations without row level security (materialized views, foreign tables). High when anon
/// or PUBLIC reads them, medium when only signed-in users do.
pub fn unprotected_in_api(
    ctx: &super::LintContext<'_>,
    lint: &super::Lint,
    kind: crate::db::catalog::RelationKind,
    noun: &str,
) -> Vec<crate::check::Finding> {
    use crate::rules::Severity;
    let mut out = Vec::new();
    for t in ctx.app_relations(&[kind]) {
        if !ctx.is_exposed(&t.schema) {
            continue;
        }
        let all = ctx.api_exposure(t);
        let readers: Vec<Exposure> = all
            .iter()
            .filter(|e| e.holds(Privilege::Select))
            .cloned()
            .collect();
        if readers.is_empty() {
            continue;
        }
        let object = super::table_object(t);
        let names = who(&readers);
        let severity = if signed_out(&names) {
            lint.severity
        } else {
            Severity::Medium
        };
        let revoke_from = who(&all);
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "{noun} {object} is in an exposed schema and has no row level security: {} \
                     can read every row",
                    names.join(", ")
                ),
            )
            .expected("not readable by anon, authenticated or PUBLIC")
            .actual(text(&readers))
            .remedy(format!(
                "REVOKE ALL ON {object} FROM {}; (or move it to a schema the API does not \
                 expose: ALTER {} {object} SET SCHEMA private;)",
                revoke_from.join(", "),
                if kind == crate::db::catalog::RelationKind::MaterializedView {
                    "MATERIALIZED VIEW"
                } else {
                    "FOREIGN TABLE"
                }
            )),
        );
    }
    out
}
