//! The checklist items for objects beside tables: sequences, domains, composite types and
//! default privileges (re-exported by `format`).

use serde::Deserialize;

use super::assumed::Assumed;
use crate::rules::Severity;

/// A sequence (`serial` columns own theirs; identity columns' are implied and never listed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceItem {
    pub name: String,
    pub schema: Option<String>,
    /// `smallint`, `integer` or `bigint`.
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// The column owning it (`table.column` or `schema.table.column`, written as SQL names).
    pub owned_by: Option<String>,
    /// The sequence of an identity column (`owned_by`): it comes with its column, so it is
    /// never created on its own; its parameters are checked and altered.
    #[serde(default)]
    pub identity: bool,
    /// Privileges granted on the sequence (`GRANT USAGE ON SEQUENCE …`).
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// What a role must hold on a column or a sequence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// A role, or `public`.
    pub role: String,
    pub allow: Vec<String>,
}

impl SequenceItem {
    /// The owning column `(schema, table, column)`: `table.column` is in `schema` (the
    /// sequence's own), `schema.table.column` says its own.
    pub fn owner(&self, schema: &str) -> Option<(String, String, String)> {
        let parts = crate::sql::lex::object_names(self.owned_by.as_deref()?);
        match &parts[..] {
            [t, c] => Some((schema.to_string(), t.clone(), c.clone())),
            [s, t, c] => Some((s.clone(), t.clone(), c.clone())),
            _ => None,
        }
    }
}

/// A domain over a base type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainItem {
    pub name: String,
    pub schema: Option<String>,
    /// The base type as PostgreSQL prints it.
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default)]
    pub not_null: bool,
    /// SQL.
    pub default: Option<String>,
    /// CHECK conditions (without `CHECK`): SQL; `{ name = "…", expression = "…" }` to name one.
    #[serde(default)]
    pub checks: Vec<DomainCheckSpec>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

/// A domain's CHECK: its condition, or a named one.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DomainCheckSpec {
    Expression(String),
    Named { name: String, expression: String },
}

impl DomainCheckSpec {
    pub fn expression(&self) -> &str {
        match self {
            DomainCheckSpec::Expression(e) | DomainCheckSpec::Named { expression: e, .. } => e,
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            DomainCheckSpec::Named { name, .. } => Some(name),
            DomainCheckSpec::Expression(_) => None,
        }
    }
}

/// A composite type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeItem {
    pub name: String,
    pub schema: Option<String>,
    pub attributes: Vec<AttributeSpec>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] GRANT privileges ON kind TO
/// grantee`: what objects `role` creates later grant by themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultPrivilegeItem {
    /// The creating role.
    pub role: String,
    pub schema: Option<String>,
    /// `tables`, `sequences`, `functions`, `types` or `schemas`.
    pub on: String,
    pub grantee: String,
    pub privileges: Vec<String>,
    pub severity: Option<Severity>,
    pub why: Option<String>,
    /// Not stated by the checklist's source: `true`, or the assumption in words (see
    /// `checklist::assumed`).
    #[serde(default)]
    pub assumed: Option<Assumed>,
}
