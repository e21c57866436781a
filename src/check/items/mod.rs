//! Checklist items compared with the snapshot, one file per kind of item.

mod data;
mod lossless;
mod migration_remedy;
mod objects;
mod policies;
mod security;
mod tables;

use crate::checklist::Checklist;
use crate::db::catalog::Snapshot;
use crate::rules::Severity;
use crate::rules::{ItemKind, ItemRule};
use crate::sql::qualified;

use super::facts::Facts;
use super::{Finding, ItemResult, SourceRef};

/// What every item check works with.
pub(crate) struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub cl: &'a Checklist,
    pub facts: &'a Facts,
}

impl Ctx<'_> {
    pub fn source(&self, offset: usize) -> SourceRef {
        SourceRef {
            file: self.cl.source.clone(),
            line: self.cl.line(offset),
        }
    }

    /// `(schema, name)` for a name as the checklist wrote it.
    pub fn qualify(&self, name: &str, schema: Option<&str>) -> (String, String) {
        self.cl.qualify(name, schema)
    }

    /// Starts an item result; findings are added with [`Item::fail`].
    pub fn item(
        &self,
        kind: ItemKind,
        object: String,
        offset: usize,
        severity: Option<Severity>,
        why: &Option<String>,
    ) -> Item {
        Item(ItemResult {
            kind: kind.as_str(),
            object,
            severity: severity.unwrap_or(kind.default_severity()),
            why: why.clone(),
            source: self.source(offset),
            findings: Vec::new(),
            assumed: None,
        })
    }
}

/// An item result being built.
pub(crate) struct Item(pub ItemResult);

impl Item {
    /// Adds a finding with the item's severity, why and source. `rule` is like `table.missing`.
    pub fn fail(&mut self, rule: ItemRule, object: String, message: String) -> &mut Finding {
        self.fail_with(rule, object, message, None, None)
    }

    /// Adds a finding; a sub-spec's own severity and why win over the item's.
    pub fn fail_with(
        &mut self,
        rule: ItemRule,
        object: String,
        message: String,
        severity: Option<Severity>,
        why: Option<&str>,
    ) -> &mut Finding {
        let severity = severity
            .or(rule.default_severity())
            .unwrap_or(self.0.severity);
        let f = Finding::new(rule, severity, object, message)
            .why(why.or(self.0.why.as_deref()))
            .source(self.0.source.clone());
        // One rule may find several things on one object: keep ids unique within the item.
        let n = self.0.findings.iter().filter(|x| x.id == f.id).count();
        let f = if n > 0 {
            f.id_suffix(&n.to_string())
        } else {
            f
        };
        self.0.findings.push(f);
        self.0.findings.last_mut().expect("just pushed")
    }

    /// The whole item is an assumption (`assumed` on the item): every finding says so, and
    /// the item's severity is capped like theirs.
    pub fn assume(&mut self, assumed: &Option<crate::checklist::Assumed>) -> &mut Self {
        if let Some(a) = crate::checklist::assumed::assumption(assumed) {
            self.0.severity = self.0.severity.min(crate::checklist::assumed::CAP);
            self.0.assumed = Some(a);
        }
        self
    }

    /// How many findings the item has so far (for [`Item::assume_since`]).
    pub fn mark(&self) -> usize {
        self.0.findings.len()
    }

    /// The findings added since `mark` rest on this part's assumption (None: they do not).
    pub fn assume_since(&mut self, mark: usize, assumption: Option<String>) {
        if assumption.is_some() {
            for f in self.0.findings.iter_mut().skip(mark) {
                f.assume(assumption.clone());
            }
        }
    }

    pub fn done(mut self, out: &mut Vec<ItemResult>) {
        if let Some(a) = &self.0.assumed {
            for f in &mut self.0.findings {
                f.assume(Some(a.clone()));
            }
        }
        out.push(self.0);
    }
}

/// Checks every item of one checklist, in the file's order of kinds.
pub(crate) fn check_all(snap: &Snapshot, cl: &Checklist, facts: &Facts, out: &mut Vec<ItemResult>) {
    let ctx = Ctx { snap, cl, facts };
    objects::schemas(&ctx, out);
    objects::extensions(&ctx, out);
    objects::enums(&ctx, out);
    lossless::domains(&ctx, out);
    lossless::types(&ctx, out);
    lossless::sequences(&ctx, out);
    tables::tables(&ctx, out);
    objects::indexes(&ctx, out);
    objects::views(&ctx, out);
    security::rls(&ctx, out);
    policies::policies(&ctx, out);
    objects::triggers(&ctx, out);
    objects::functions(&ctx, out);
    security::grants(&ctx, out);
    lossless::default_privileges(&ctx, out);
    data::data(&ctx, out);
    data::credentials(&ctx, out);
    data::migrations(&ctx, out);
}

/// `schema.name` quoted.
pub(crate) fn q(schema: &str, name: &str) -> String {
    qualified(schema, name)
}
