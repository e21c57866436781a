//! Which tables an `[[rls]]` rule reaches: one definition for the check (which tables must have
//! row-level security) and the fixes (what a table they create or mend must get).

use super::{Checklist, RlsItem};

/// A table as an `[[rls]]` rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct RlsTarget<'t> {
    pub schema: &'t str,
    pub name: &'t str,
    /// A partition of another table.
    pub partition: bool,
    pub columns: &'t [&'t str],
}

impl RlsItem {
    /// Whether this rule (of `cl`) reaches table `t`. A rule naming a table reaches that table,
    /// a partition too. A schema-wide rule reaches its schema's tables that have its
    /// `having_column` and that `except` does not name (by name or `schema.name`), but not
    /// partitions: rows read through the partitioned table are guarded by its row-level
    /// security, and enabling it on a partition without policies would refuse every direct
    /// read of it, so a partition is reached only by name.
    pub fn reaches(&self, cl: &Checklist, t: RlsTarget<'_>) -> bool {
        if let Some(table) = &self.table {
            return cl.qualify(table, self.schema.as_deref()) == (t.schema.into(), t.name.into());
        }
        self.schema.as_deref().unwrap_or(cl.default_schema()) == t.schema
            && !t.partition
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

    fn target<'t>(
        schema: &'t str,
        name: &'t str,
        partition: bool,
        columns: &'t [&'t str],
    ) -> RlsTarget<'t> {
        RlsTarget {
            schema,
            name,
            partition,
            columns,
        }
    }

    #[test]
    fn named_schema_wide_partitions_columns_and_exceptions() {
        let cl = Checklist::parse(TOML, "r.toml").unwrap();
        let rules: Vec<&RlsItem> = cl.file.rls.iter().map(|r| r.get_ref()).collect();
        let (named, owned, public) = (rules[0], rules[1], rules[2]);
        let owner: &[&str] = &["id", "owner_id"];
        // A rule naming a table reaches it, partition or not, and nothing else.
        assert!(named.reaches(&cl, target("public", "events_2024", true, &[])));
        assert!(!named.reaches(&cl, target("public", "events_2025", true, &[])));
        assert!(!named.reaches(&cl, target("app", "events_2024", false, &[])));
        // A schema-wide rule: its schema, its column, not its exceptions, never a partition.
        assert!(owned.reaches(&cl, target("app", "notes", false, owner)));
        assert!(!owned.reaches(&cl, target("app", "notes", true, owner)));
        assert!(!owned.reaches(&cl, target("app", "notes", false, &["id"])));
        assert!(!owned.reaches(&cl, target("public", "notes", false, owner)));
        assert!(!owned.reaches(&cl, target("app", "audit", false, owner)));
        assert!(!owned.reaches(&cl, target("app", "log", false, owner)));
        // Every table of its schema but the partitions.
        assert!(public.reaches(&cl, target("public", "anything", false, &[])));
        assert!(!public.reaches(&cl, target("public", "p1", true, &[])));
        assert!(!public.reaches(&cl, target("app", "anything", false, &[])));
    }
}
