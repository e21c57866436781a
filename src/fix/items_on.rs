//! The checklists' items by the table they are about, built once per [`super::cx::Cx`] on first
//! use: a plan asks "which `[[policy]]` / `[[index]]` / `[[trigger]]` / `[[grant]]` / `[[rls]]`
//! items reach this table?", and a scan of every item per plan made planning quadratic in the
//! size of the checklist (issue 15).

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use toml::Spanned;

use crate::checklist::{
    Checklist, ChecklistFile, GrantItem, IndexItem, PolicyItem, RlsItem, TriggerItem,
};

/// Items of one kind by (schema, table), in checklist then file order.
type ByTable<'a, T> = HashMap<(String, String), Vec<(&'a Checklist, &'a T)>>;

#[derive(Default)]
pub(crate) struct ItemsOn<'a> {
    policies: OnceCell<ByTable<'a, PolicyItem>>,
    indexes: OnceCell<ByTable<'a, IndexItem>>,
    triggers: OnceCell<ByTable<'a, TriggerItem>>,
    /// Grant items by each schema their `on` reaches (an item once per schema).
    grants: OnceCell<HashMap<String, Vec<(&'a Checklist, &'a GrantItem)>>>,
    /// `[[rls]]` rules by (schema, table) for those naming a table, by (schema, "") for the
    /// schema-wide ones.
    rls: OnceCell<ByTable<'a, RlsItem>>,
    /// The enum types the checklists describe, by (schema, name).
    enums: OnceCell<HashSet<(String, String)>>,
}

fn by_table<'a, T>(
    checklists: &'a [Checklist],
    pick: impl Fn(&'a ChecklistFile) -> &'a Vec<Spanned<T>>,
    key: impl Fn(&Checklist, &T) -> (String, String),
) -> ByTable<'a, T> {
    let mut m: ByTable<'a, T> = HashMap::new();
    for cl in checklists {
        for it in pick(&cl.file).iter().map(|s| s.get_ref()) {
            m.entry(key(cl, it)).or_default().push((cl, it));
        }
    }
    m
}

fn on<'m, 'a, T>(m: &'m ByTable<'a, T>, schema: &str, name: &str) -> &'m [(&'a Checklist, &'a T)] {
    m.get(&(schema.to_string(), name.to_string()))
        .map_or(&[], Vec::as_slice)
}

impl<'a> ItemsOn<'a> {
    pub fn policies(
        &self,
        cls: &'a [Checklist],
        schema: &str,
        name: &str,
    ) -> &[(&'a Checklist, &'a PolicyItem)] {
        let m = self.policies.get_or_init(|| {
            by_table(
                cls,
                |f| &f.policies,
                |cl, p| cl.qualify(&p.table, p.schema.as_deref()),
            )
        });
        on(m, schema, name)
    }

    pub fn indexes(
        &self,
        cls: &'a [Checklist],
        schema: &str,
        name: &str,
    ) -> &[(&'a Checklist, &'a IndexItem)] {
        let m = self.indexes.get_or_init(|| {
            by_table(
                cls,
                |f| &f.indexes,
                |cl, i| cl.qualify(&i.table, i.schema.as_deref()),
            )
        });
        on(m, schema, name)
    }

    pub fn triggers(
        &self,
        cls: &'a [Checklist],
        schema: &str,
        name: &str,
    ) -> &[(&'a Checklist, &'a TriggerItem)] {
        let m = self.triggers.get_or_init(|| {
            by_table(
                cls,
                |f| &f.triggers,
                |cl, t| cl.qualify(&t.table, t.schema.as_deref()),
            )
        });
        on(m, schema, name)
    }

    /// Grant items one of whose `on` entries is in `schema` (callers still ask
    /// `grants::covers` for the table).
    pub fn grants_in(
        &self,
        cls: &'a [Checklist],
        schema: &str,
    ) -> &[(&'a Checklist, &'a GrantItem)] {
        let m = self.grants.get_or_init(|| {
            let mut m: HashMap<String, Vec<(&'a Checklist, &'a GrantItem)>> = HashMap::new();
            for cl in cls {
                for g in cl.file.grants.iter().map(|g| g.get_ref()) {
                    let mut schemas: Vec<String> =
                        g.on.iter().map(|p| cl.qualify(p, None).0).collect();
                    schemas.sort();
                    schemas.dedup();
                    for s in schemas {
                        m.entry(s).or_default().push((cl, g));
                    }
                }
            }
            m
        });
        m.get(schema).map_or(&[], Vec::as_slice)
    }

    /// `[[rls]]` rules that may reach `schema.name`: those naming it, then the schema-wide
    /// rules of its schema (callers decide `having_column` and `except`).
    pub fn rls(
        &self,
        cls: &'a [Checklist],
        schema: &str,
        name: &str,
    ) -> impl Iterator<Item = &(&'a Checklist, &'a RlsItem)> {
        let m = self.rls.get_or_init(|| {
            by_table(
                cls,
                |f| &f.rls,
                |cl, r| match &r.table {
                    Some(t) => cl.qualify(t, r.schema.as_deref()),
                    None => (
                        r.schema
                            .as_deref()
                            .unwrap_or(cl.default_schema())
                            .to_string(),
                        String::new(),
                    ),
                },
            )
        });
        let named = if name.is_empty() {
            &[][..]
        } else {
            on(m, schema, name)
        };
        named.iter().chain(on(m, schema, ""))
    }

    /// A checklist describes enum `schema.name`.
    pub fn has_enum(&self, cls: &'a [Checklist], schema: &str, name: &str) -> bool {
        self.enums
            .get_or_init(|| {
                cls.iter()
                    .flat_map(|c| {
                        c.file.enums.iter().map(move |e| {
                            c.qualify(&e.get_ref().name, e.get_ref().schema.as_deref())
                        })
                    })
                    .collect()
            })
            .contains(&(schema.to_string(), name.to_string()))
    }
}
