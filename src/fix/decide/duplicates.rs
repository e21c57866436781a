//! The duplicates of a new unique key: the groups as a table, the choices in words, and the
//! steps that keep one row per group (the others saved aside, for undo).

use super::{DupChoice, Duplicates, Problem};
use crate::fix::plan::{Step, StepMode};
use crate::sql::stmt::keep_private;
use crate::sql::{qualified, quote_ident};

impl Duplicates {
    pub fn table_q(&self) -> String {
        qualified(&self.schema, &self.table)
    }

    fn list(cols: &[String]) -> String {
        cols.iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn columns_q(&self) -> String {
        Self::list(&self.columns)
    }

    /// `schema.table(col, …)` as `--duplicates` names it (unquoted).
    pub fn name(&self) -> String {
        format!(
            "{}.{}({})",
            self.schema,
            self.table,
            self.columns.join(", ")
        )
    }

    /// Duplicates were found and nothing is chosen yet.
    pub fn open(&self) -> bool {
        self.group_count > 0 && self.chosen.is_none()
    }

    pub fn problem(&self) -> String {
        Problem::Duplicates {
            table: self.table_q(),
            columns: self.columns_q(),
        }
        .describe(self.group_count)
    }

    /// Each choice with what it does, or why it cannot be taken here.
    pub fn choices(&self) -> Vec<(DupChoice, Result<String, String>)> {
        let keep = |newest: bool| match (&self.order_by, self.key.is_empty()) {
            (Some(o), false) => Ok(format!(
                "keep the {} row of each group (by {}); move the others to {} (undo puts them \
                 back)",
                if newest { "newest" } else { "oldest" },
                quote_ident(o),
                self.saved_q()
            )),
            (_, true) => Err(format!(
                "{} has no primary key to tell the rows of a group apart",
                self.table_q()
            )),
            (None, false) => Err(format!(
                "{} has no creation time nor integer key to say which row is newest",
                self.table_q()
            )),
        };
        DupChoice::ALL
            .into_iter()
            .map(|c| {
                let what = match c {
                    DupChoice::KeepNewest => keep(true),
                    DupChoice::KeepOldest => keep(false),
                    DupChoice::ByHand => Ok(format!(
                        "merge by hand: leave this plan out, mend the rows yourself ({}), then \
                         fix again",
                        self.groups_sql()
                    )),
                    DupChoice::Partial => Ok(format!(
                        "make the key partial: leave this plan out and state the key as a unique \
                         index with a WHERE clause in the checklist (CREATE UNIQUE INDEX … ON {} \
                         ({}) WHERE …)",
                        self.table_q(),
                        self.columns_q()
                    )),
                };
                (c, what)
            })
            .collect()
    }

    /// The groups the preview read, as an aligned table: a header (the key's columns and
    /// `rows`), a rule, a line per group, and how many more there are.
    pub fn table(&self) -> Vec<String> {
        const CUT: usize = 24;
        let cell = |v: &Option<String>| match v {
            None => "NULL".to_string(),
            Some(s) if s.chars().count() > CUT => {
                format!("{}…", s.chars().take(CUT - 1).collect::<String>())
            }
            Some(s) => s.replace(['\n', '\r', '\t'], " "),
        };
        let mut rows: Vec<Vec<String>> = vec![
            self.columns
                .iter()
                .cloned()
                .chain(["rows".to_string()])
                .collect(),
        ];
        for g in &self.groups {
            rows.push(
                g.values
                    .iter()
                    .map(cell)
                    .chain([g.rows.to_string()])
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |r: &Vec<String>| {
            r.iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join(" │ ")
                .trim_end()
                .to_string()
        };
        let mut out = vec![line(&rows[0])];
        out.push(
            widths
                .iter()
                .map(|w| "─".repeat(*w))
                .collect::<Vec<_>>()
                .join("─┼─"),
        );
        out.extend(rows[1..].iter().map(line));
        let more = self.group_count - self.groups.len() as i64;
        if more > 0 {
            out.push(format!("… and {more} more group(s)"));
        }
        out
    }

    /// The choices in words, one a line, as `--duplicates` names them.
    pub fn choice_lines(&self) -> Vec<String> {
        self.choices()
            .into_iter()
            .map(|(c, what)| match what {
                Ok(w) => format!("{}: {w}", c.flag()),
                Err(why) => format!("{}: not possible, {why}", c.flag()),
            })
            .collect()
    }

    /// The query listing the groups (what the engineer runs to merge by hand).
    pub fn groups_sql(&self) -> String {
        let cols = self.columns_q();
        format!(
            "SELECT {cols}, count(*) FROM {} WHERE {} GROUP BY {cols} HAVING count(*) > 1",
            self.table_q(),
            self.not_null()
        )
    }

    fn not_null(&self) -> String {
        self.columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The table that keeps the removed rows.
    pub fn saved_q(&self) -> String {
        let name = crate::fix::names::fit(&format!("{}_pgmend_duplicates", self.table));
        qualified(&self.schema, &name)
    }

    /// The steps that keep one row per group (the others saved aside), and their undo.
    pub(super) fn dedupe(&self, newest: bool) -> Option<(Vec<Step>, Vec<Step>)> {
        let order = quote_ident(self.order_by.as_deref()?);
        if self.key.is_empty() {
            return None;
        }
        let key = Self::list(&self.key);
        let (tq, saved, cols) = (self.table_q(), self.saved_q(), self.columns_q());
        let dir = if newest { "DESC" } else { "ASC" };
        let keys_desc: Vec<String> = self
            .key
            .iter()
            .map(|k| format!("{} {dir}", quote_ident(k)))
            .collect();
        let save = format!(
            "CREATE TABLE {saved} AS SELECT * FROM {tq} WHERE ({key}) IN (SELECT {key} FROM \
             (SELECT {key}, row_number() OVER (PARTITION BY {cols} ORDER BY {order} {dir} NULLS \
             LAST, {}) AS pgmend_rank FROM {tq} WHERE {}) AS ranked WHERE pgmend_rank > 1);\n{}",
            keys_desc.join(", "),
            self.not_null(),
            keep_private(&saved)
        );
        let delete = format!("DELETE FROM {tq} WHERE ({key}) IN (SELECT {key} FROM {saved})");
        let step = |d: String, sql: String| Step {
            description: d,
            sql,
            mode: StepMode::Transactional,
            group: 1,
            invalid_index_cleanup: None,
        };
        let which = if newest { "newest" } else { "oldest" };
        let steps = vec![
            step(
                format!(
                    "save the rows of {tq} that are not the {which} of their ({cols}) group in {saved}"
                ),
                save,
            ),
            step(format!("delete the saved rows from {tq}"), delete),
        ];
        let undo = vec![
            step(
                format!("put the saved rows back into {tq}"),
                format!("INSERT INTO {tq} OVERRIDING SYSTEM VALUE SELECT * FROM {saved}"),
            ),
            step(
                format!("drop {saved}"),
                format!("DROP TABLE IF EXISTS {saved}"),
            ),
        ];
        Some((steps, undo))
    }
}
