//! What the engineer decides before a plan may run, carried by the plan as data:
//! - the value existing rows get in a column that becomes NOT NULL (a backfill expression,
//!   prefilled from the checklist's default, else a marked placeholder);
//! - what becomes of rows that share the values of a new unique key (keep the newest, keep the
//!   oldest, merge by hand, make the key partial).
//!
//! The preview fills in what the data shows (how many rows need a value, the duplicate groups:
//! `crate::apply::preview`); a plan with an open decision does not run ([`Plan::blocked`]).

use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::problem::Problem;
use crate::sql::{qualified, quote_ident};

mod args;
mod duplicates;

pub use args::{parse_backfill, parse_duplicates};

/// What marks the backfill expression as not written yet.
pub const BACKFILL_MARK: &str = "/* pgmend: write the backfill expression here */";

/// The placeholder in the backfill step: valid SQL (an empty table needs no expression), that
/// the plan refuses to run on a table with rows until it is replaced.
pub fn placeholder() -> String {
    format!("NULL {BACKFILL_MARK}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    Backfill(Backfill),
    Duplicates(Duplicates),
}

/// A column that becomes NOT NULL, and the rows that need a value first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backfill {
    pub schema: String,
    pub table: String,
    pub column: String,
    /// The column is added by the plan (every row needs a value), not already there (only its
    /// NULLs do).
    pub new_column: bool,
    /// Counts the rows that need a value.
    pub count_sql: String,
    /// Counted by the preview.
    #[serde(default)]
    pub rows: Option<i64>,
}

/// Where the keys of the rows a backfill fills are kept, for undo.
pub(crate) fn backfilled_q(schema: &str, table: &str) -> String {
    qualified(
        schema,
        &super::names::fit(&format!("{table}_pgmend_backfilled")),
    )
}

impl Backfill {
    pub fn table_q(&self) -> String {
        qualified(&self.schema, &self.table)
    }

    /// `schema.table.column` as `--backfill` names it (unquoted).
    pub fn name(&self) -> String {
        format!("{}.{}.{}", self.schema, self.table, self.column)
    }

    /// The problem, stated with the counted rows.
    pub fn problem(&self, n: i64) -> String {
        let (table, column) = (self.table_q(), quote_ident(&self.column));
        if self.new_column {
            Problem::NoValue { table, column }.describe(n)
        } else {
            Problem::Nulls {
                table,
                columns: column,
            }
            .describe(n)
        }
    }

    /// The exact command that gives the expression headless.
    pub fn hint(&self) -> String {
        format!(
            "give the value those rows get: edit the UPDATE step in the preview (pgmend tui), \
             or run this `pgmend fix` again with --backfill '{}=<SQL expression>'",
            self.name()
        )
    }
}

/// Rows sharing the values of a unique key the plan adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicates {
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
    /// Which row of a group is the newest: a creation time, else the (single, ordered) key.
    pub order_by: Option<String>,
    /// What identifies a row (the primary key's columns): keeping one row per group needs it.
    pub key: Vec<String>,
    /// Found by the preview (the largest groups first, at most [`GROUPS_SHOWN`]).
    #[serde(default)]
    pub groups: Vec<DuplicateGroup>,
    /// How many groups there are in all.
    #[serde(default)]
    pub group_count: i64,
    #[serde(default)]
    pub chosen: Option<DupChoice>,
}

/// How many duplicate groups the preview reads.
pub const GROUPS_SHOWN: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// The key's values, as text (None: NULL).
    pub values: Vec<Option<String>>,
    pub rows: i64,
}

/// What the engineer chose for the duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DupChoice {
    KeepNewest,
    KeepOldest,
    ByHand,
    Partial,
}

impl DupChoice {
    pub const ALL: [DupChoice; 4] = [
        DupChoice::KeepNewest,
        DupChoice::KeepOldest,
        DupChoice::ByHand,
        DupChoice::Partial,
    ];

    /// As `--duplicates` spells it.
    pub fn flag(self) -> &'static str {
        match self {
            DupChoice::KeepNewest => "keep-newest",
            DupChoice::KeepOldest => "keep-oldest",
            DupChoice::ByHand => "by-hand",
            DupChoice::Partial => "partial",
        }
    }

    pub fn parse(s: &str) -> Option<DupChoice> {
        DupChoice::ALL.into_iter().find(|c| c.flag() == s.trim())
    }
}

impl Plan {
    /// Why the plan may not run yet: a decision the engineer has not made, with how to make it
    /// headless (`pgmend fix` flags). None: it may run.
    pub fn blocked(&self) -> Option<String> {
        self.blocked_in(false)
    }

    /// [`Plan::blocked`], saying how to decide in the app (`app`) or headless.
    pub fn blocked_in(&self, app: bool) -> Option<String> {
        let mut why = Vec::new();
        for d in &self.decisions {
            match d {
                Decision::Backfill(b) if self.backfill_pending() && b.rows != Some(0) => {
                    let counted = match b.rows {
                        Some(n) => b.problem(n),
                        None => format!(
                            "{}: rows may need a value for NOT NULL column {}",
                            b.table_q(),
                            quote_ident(&b.column)
                        ),
                    };
                    let how = if app {
                        format!(
                            "write the value they get in the UPDATE step, in place of {}",
                            placeholder()
                        )
                    } else {
                        b.hint()
                    };
                    why.push(format!("{counted}; {how}"));
                }
                Decision::Duplicates(d) if d.open() => why.push(if app {
                    format!(
                        "{}; choose what becomes of them (F5 keep newest, F6 keep oldest, F7 \
                         merge by hand, F8 make the key partial)",
                        d.problem()
                    )
                } else {
                    format!(
                        "{}; choose what becomes of them: run this `pgmend fix` again with \
                         --duplicates '{}=keep-newest' (or keep-oldest, by-hand, partial)",
                        d.problem(),
                        d.name()
                    )
                }),
                _ => {}
            }
        }
        (!why.is_empty()).then(|| why.join("; "))
    }

    /// The backfill expression as the UPDATE step holds it (edited or not).
    pub fn backfill_expression(&self) -> Option<String> {
        let (i, head, tail) = self.backfill_step()?;
        let sql = self.steps[i].sql.trim().trim_end_matches(';');
        let rest = sql.strip_prefix(&head)?;
        Some(rest.strip_suffix(&tail).unwrap_or(rest).trim().to_string())
    }

    /// The backfill step's index, and the text before and after its expression.
    fn backfill_step(&self) -> Option<(usize, String, String)> {
        let b = self.backfill()?;
        let c = quote_ident(&b.column);
        let head = format!("UPDATE {} SET {c} = ", b.table_q());
        let tail = format!(" WHERE {c} IS NULL");
        let i = self
            .steps
            .iter()
            .position(|s| s.sql.trim_start().starts_with(&head))?;
        Some((i, head, tail))
    }

    /// A step still holds the backfill placeholder.
    pub fn backfill_pending(&self) -> bool {
        let p = placeholder();
        self.steps.iter().any(|s| s.sql.contains(&p))
    }

    pub fn backfill(&self) -> Option<&Backfill> {
        self.decisions.iter().find_map(|d| match d {
            Decision::Backfill(b) => Some(b),
            _ => None,
        })
    }

    pub fn duplicates(&self) -> Option<&Duplicates> {
        self.decisions.iter().find_map(|d| match d {
            Decision::Duplicates(d) => Some(d),
            _ => None,
        })
    }

    /// Writes the backfill expression (in place of the placeholder, or of the prefilled one).
    pub fn set_backfill(&mut self, expression: &str) -> Result<(), String> {
        crate::sql::guard::expression(expression, "the backfill expression")
            .map_err(|e| e.to_string())?;
        let (i, head, tail) = self
            .backfill_step()
            .ok_or_else(|| format!("{} has no backfill step", self.title))?;
        self.steps[i].sql = format!("{head}{}{tail}", expression.trim());
        Ok(())
    }

    /// The preview found no row to backfill: the backfill (and what remembers its rows for
    /// undo) leaves the plan, which goes straight from the nullable column to the check.
    pub fn drop_empty_backfill(&mut self) {
        let Some(b) = self.backfill().filter(|b| b.rows == Some(0)).cloned() else {
            return;
        };
        let Some((i, _, _)) = self.backfill_step() else {
            return;
        };
        self.steps.remove(i);
        let saved = backfilled_q(&b.schema, &b.table);
        let uses = |sql: &str| sql.contains(&saved);
        self.steps.retain(|s| !uses(&s.sql));
        self.undo.retain(|s| !uses(&s.sql));
        self.hazards.retain(|h| {
            !uses(h)
                && !h.contains(BACKFILL_MARK)
                && !h.starts_with("the backfill")
                && !h.starts_with("rows written with no")
        });
        self.locks.retain(|l| l.mode != "ROW EXCLUSIVE");
        self.hazards.push(format!(
            "no row of {} needed a value when the preview looked: rows written with no {} \
             before the check make the validation fail (nothing after it runs; undo drops the \
             check)",
            b.table_q(),
            quote_ident(&b.column)
        ));
    }

    /// The written backfill expression, for the server to analyse (`EXPLAIN`, which runs
    /// nothing) before anything runs: the preview's check and the apply's. None while the
    /// placeholder is there.
    pub fn backfill_check(&self) -> Option<super::plan::ServerCheck> {
        let b = self.backfill()?;
        if self.backfill_pending() {
            return None;
        }
        let e = self.backfill_expression()?;
        Some(super::plan::ServerCheck {
            description: format!("the backfill expression of {}", b.name()),
            sql: format!("EXPLAIN SELECT ({e}) FROM {}", b.table_q()),
        })
    }

    /// Takes the engineer's choice for the duplicates. Keeping the newest or oldest row puts
    /// the steps that do it (and their undo) first; merging by hand or a partial key leaves
    /// the plan out: [`Plan::left_out`] then says what to do.
    pub fn choose(&mut self, choice: DupChoice) -> Result<(), String> {
        let Some(d) = self.duplicates().cloned() else {
            return Err(format!("{} has no duplicates to resolve", self.title));
        };
        if matches!(choice, DupChoice::KeepNewest | DupChoice::KeepOldest) {
            let Some((steps, undo)) = d.dedupe(choice == DupChoice::KeepNewest) else {
                let why = d
                    .choices()
                    .into_iter()
                    .find(|(c, _)| *c == choice)
                    .and_then(|(_, r)| r.err())
                    .unwrap_or_default();
                return Err(why);
            };
            for s in &mut self.steps {
                s.group += 1;
            }
            let last_undo = self.undo.iter().map(|s| s.group).max().unwrap_or(0);
            self.steps.splice(0..0, steps);
            self.undo.extend(undo.into_iter().map(|mut s| {
                s.group = last_undo + 1;
                s
            }));
            // The precondition the deletion makes true goes: it would refuse the plan first.
            let tq = d.table_q();
            self.preconditions.retain(
                |p| !matches!(&p.problem, Some(Problem::Duplicates { table, .. }) if *table == tq),
            );
            self.touches_data = true;
            let verb = if choice == DupChoice::KeepNewest {
                "newest"
            } else {
                "oldest"
            };
            self.hazards.push(format!(
                "deletes every row of {tq} but the {verb} of each ({}) group; they are kept in \
                 {} until you drop it",
                d.columns_q(),
                d.saved_q()
            ));
        }
        for dec in &mut self.decisions {
            if let Decision::Duplicates(x) = dec {
                x.chosen = Some(choice);
            }
        }
        Ok(())
    }

    /// What to do instead when the engineer chose to leave the plan out.
    pub fn left_out(&self) -> Option<String> {
        let d = self.duplicates()?;
        let c = d.chosen?;
        matches!(c, DupChoice::ByHand | DupChoice::Partial).then(|| {
            d.choices()
                .into_iter()
                .find(|(x, _)| *x == c)
                .and_then(|(_, r)| r.ok())
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::build::B;

    fn backfilled(expr: &str, rows: Option<i64>) -> Plan {
        let mut b = B::new("column.missing:public.t.c", "add column c to public.t");
        b.tx("add", "ALTER TABLE public.t ADD COLUMN c int")
            .tx(
                "backfill",
                format!("UPDATE public.t SET c = {expr} WHERE c IS NULL"),
            )
            .decide(Decision::Backfill(Backfill {
                schema: "public".into(),
                table: "t".into(),
                column: "c".into(),
                new_column: true,
                count_sql: "SELECT count(*) FROM public.t".into(),
                rows,
            }));
        b.done()
    }

    #[test]
    fn a_placeholder_blocks_only_where_rows_need_a_value() {
        let p = backfilled(&placeholder(), Some(3));
        let why = p.blocked().unwrap();
        assert!(
            why.starts_with("public.t: 3 rows have no value for NOT NULL column c"),
            "{why}"
        );
        assert!(
            why.contains("--backfill 'public.t.c=<SQL expression>'"),
            "{why}"
        );
        assert!(p.backfill_check().is_none());
        assert_eq!(backfilled(&placeholder(), Some(0)).blocked(), None);
        assert!(backfilled(&placeholder(), None).blocked().is_some());
        let mut p = backfilled("7", Some(3));
        assert_eq!(p.blocked(), None);
        p.set_backfill("id * 2").unwrap();
        assert_eq!(p.backfill_expression().as_deref(), Some("id * 2"));
        assert_eq!(
            p.backfill_check().unwrap().sql,
            "EXPLAIN SELECT (id * 2) FROM public.t"
        );
        assert!(p.set_backfill("1; DROP TABLE x").is_err());
    }

    #[test]
    fn duplicate_groups_read_as_a_table() {
        let d = Duplicates {
            schema: "public".into(),
            table: "m".into(),
            columns: vec!["email".into(), "org".into()],
            order_by: None,
            key: vec![],
            groups: vec![
                DuplicateGroup {
                    values: vec![Some("a@x".into()), None],
                    rows: 12,
                },
                DuplicateGroup {
                    values: vec![Some("b@x".into()), Some("acme".into())],
                    rows: 2,
                },
            ],
            group_count: 5,
            chosen: None,
        };
        assert_eq!(
            d.table(),
            [
                "email │ org  │ rows",
                "──────┼──────┼─────",
                "a@x   │ NULL │ 12",
                "b@x   │ acme │ 2",
                "… and 3 more group(s)",
            ]
        );
        // Without a key nor a creation time, one row cannot be kept: said, not offered.
        let keep = &d.choices()[0];
        assert!(
            keep.1.as_ref().unwrap_err().contains("no primary key"),
            "{keep:?}"
        );
        let mut p = backfilled("1", Some(0));
        p.decisions = vec![Decision::Duplicates(d)];
        assert!(p.choose(DupChoice::KeepNewest).is_err());
        p.choose(DupChoice::ByHand).unwrap();
        assert!(p.left_out().unwrap().starts_with("merge by hand"));
    }
}
