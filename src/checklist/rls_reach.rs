//! Which tables an `[[rls]]` rule reaches: one definition for the check (which tables must have
//! row-level security) and the fixes (what a table they create or mend must get).

use super::{Checklist, RlsItem};

/// A table as an `[[rls]]` rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct RlsTarget<'t> {
    pub schema: &'t str,
    pub name: &'t str,
    pub columns: &'t [&'t str],
}

impl RlsItem {
    /// Whether this rule (of `cl`) reaches table `t`. A rule naming a table reaches that table.
    /// A schema-wide rule reaches every table of its schema that has its `having_column` and
    /// that `except` does not name (by name or `schema.name`), partitions included: a partition
    /// queried directly is guarded by its own row-level security, not its parent's (PostgreSQL
    /// applies the parent's only to rows read through the parent), so a partition without it
    /// is an open door, as `lint.rls_disabled_in_exposed_schema` says too. Enabling it on a
    /// partition changes nothing for reads through the parent.
    pub fn reaches(&self, cl: &Checklist, t: RlsTarget<'_>) -> bool {
        if let Some(table) = &self.table {
            return cl.qualify(table, self.schema.as_deref()) == (t.schema.into(), t.name.into());
        }
        self.schema.as_deref().unwrap_or(cl.default_schema()) == t.schema
            && self
                .having_column
                .as_ref()
                .is_none_or(|c| t.columns.contains(&c.as_str()))
            && !self
                .except
                .iter()
                .any(|e| e == t.name || *e == format!("{}.{}", t.schema, t.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[[rls]]
table = "events_2024"

[[rls]]
schema = "app"
having_column = "owner_id"
except = ["audit", "app.log"]

[[rls]]
schema = "public"
state = "forced"
"#;

    fn target<'t>(schema: &'t str, name: &'t str, columns: &'t [&'t str]) -> RlsTarget<'t> {
        RlsTarget {
            schema,
            name,
            columns,
        }
    }

    #[test]
    fn named_schema_wide_columns_and_exceptions() {
        let cl = Checklist::parse(TOML, "r.toml").unwrap();
        let rules: Vec<&RlsItem> = cl.file.rls.iter().map(|r| r.get_ref()).collect();
        let (named, owned, public) = (rules[0], rules[1], rules[2]);
        let owner: &[&str] = &["id", "owner_id"];
        // A rule naming a table reaches it (in the default schema) and nothing else.
        assert!(named.reaches(&cl, target("public", "events_2024", &[])));
        assert!(!named.reaches(&cl, target("public", "events_2025", &[])));
        assert!(!named.reaches(&cl, target("app", "events_2024", &[])));
        // A schema-wide rule: its schema, its column, not its exceptions.
        assert!(owned.reaches(&cl, target("app", "notes", owner)));
        assert!(!owned.reaches(&cl, target("app", "notes", &["id"])));
        assert!(!owned.reaches(&cl, target("public", "notes", owner)));
        assert!(!owned.reaches(&cl, target("app", "audit", owner)));
        assert!(!owned.reaches(&cl, target("app", "log", owner)));
        assert!(public.reaches(&cl, target("public", "anything", &[])));
        assert!(!public.reaches(&cl, target("app", "anything", &[])));
    }
}
