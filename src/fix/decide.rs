//! What the engineer decides before a plan may run, carried by the plan as data:
//! - the value existing rows get in a column that becomes NOT NULL (a backfill expression,
//!   prefilled from the checklist's default, else a marked placeholder);
//! - what becomes of rows that share the values of a new unique key (keep the newest, keep the
//!   oldest, merge by hand, make the key partial).
//!
//! The preview fills in what the data shows (how many rows need a value, the duplicate groups:
//! `crate::apply::preview`); a plan with an open decision does not run ([`Plan::blocked`]).

use serde::{Deserialize, Serialize};

use super::plan::{Plan, Step, StepMode};
use super::problem::Problem;
use crate::sql::{qualified, quote_ident};

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
            _ => Err(format!(
                "{} has no primary key and no creation time to tell rows apart",
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
        let name = super::names::fit(&format!("{}_pgmend_duplicates", self.table));
        qualified(&self.schema, &name)
    }

    /// The steps that keep one row per group (the others saved aside), and their undo.
    fn dedupe(&self, newest: bool) -> Option<(Vec<Step>, Vec<Step>)> {
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
             LAST, {}) AS pgmend_rank FROM {tq} WHERE {}) AS ranked WHERE pgmend_rank > 1);\n\
             ALTER TABLE {saved} ENABLE ROW LEVEL SECURITY;\nREVOKE ALL ON {saved} FROM PUBLIC",
            keys_desc.join(", "),
            self.not_null()
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
        let b = self.backfill()?;
        let c = quote_ident(&b.column);
        let head = format!("UPDATE {} SET {c} = ", b.table_q());
        let tail = format!(" WHERE {c} IS NULL");
        self.steps.iter().find_map(|s| {
            let sql = s.sql.trim().trim_end_matches(';');
            let rest = sql.strip_prefix(&head)?;
            Some(rest.strip_suffix(&tail).unwrap_or(rest).trim().to_string())
        })
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

    /// Writes the backfill expression in place of the placeholder.
    pub fn set_backfill(&mut self, expression: &str) -> Result<(), String> {
        crate::sql::guard::expression(expression, "the backfill expression")
            .map_err(|e| e.to_string())?;
        let p = placeholder();
        for s in &mut self.steps {
            s.sql = s.sql.replace(&p, expression.trim());
        }
        if let Some(b) = self.backfill() {
            let check = super::plan::ServerCheck {
                description: format!("the backfill expression of {}", b.name()),
                sql: format!(
                    "EXPLAIN SELECT ({}) FROM {}",
                    expression.trim(),
                    b.table_q()
                ),
            };
            self.server_checks.push(check);
        }
        Ok(())
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

/// `--backfill 'schema.table.column=EXPR'` (the schema may be left out): the target and the
/// expression.
pub fn parse_backfill(arg: &str) -> Result<(Vec<String>, String), String> {
    let (target, expr) = arg
        .split_once('=')
        .ok_or_else(|| format!("--backfill {arg}: write it as table.column=EXPRESSION"))?;
    let parts: Vec<String> = target.trim().split('.').map(str::to_string).collect();
    if !(2..=3).contains(&parts.len()) || expr.trim().is_empty() {
        return Err(format!(
            "--backfill {arg}: write it as [schema.]table.column=EXPRESSION"
        ));
    }
    Ok((parts, expr.trim().to_string()))
}

/// `--duplicates 'schema.table(col, …)=keep-newest'`: the target and the choice.
pub fn parse_duplicates(arg: &str) -> Result<(String, DupChoice), String> {
    let (target, choice) = arg
        .rsplit_once('=')
        .ok_or_else(|| format!("--duplicates {arg}: write it as table(columns)=CHOICE"))?;
    let c = DupChoice::parse(choice).ok_or_else(|| {
        format!("--duplicates {arg}: the choice is keep-newest, keep-oldest, by-hand or partial")
    })?;
    Ok((target.trim().replace(' ', ""), c))
}

impl Backfill {
    /// `parts` (from [`parse_backfill`]) name this column.
    pub fn named(&self, parts: &[String]) -> bool {
        match parts {
            [t, c] => *t == self.table && *c == self.column,
            [s, t, c] => *s == self.schema && *t == self.table && *c == self.column,
            _ => false,
        }
    }
}

impl Duplicates {
    /// `target` (from [`parse_duplicates`], spaces removed) names this key.
    pub fn named(&self, target: &str) -> bool {
        let full = self.name().replace(' ', "");
        target == full || format!("{}.{target}", self.schema) == full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        let (p, e) = parse_backfill("public.rooms.ownerId=coalesce(1, 2)").unwrap();
        assert_eq!(p, ["public", "rooms", "ownerId"]);
        assert_eq!(e, "coalesce(1, 2)");
        assert!(parse_backfill("rooms=1").is_err());
        assert!(parse_backfill("rooms.x=").is_err());
        let (t, c) = parse_duplicates("members(email, org)=keep-oldest").unwrap();
        assert_eq!(
            (t.as_str(), c),
            ("members(email,org)", DupChoice::KeepOldest)
        );
        assert!(parse_duplicates("members(email)=newest").is_err());
    }
}
