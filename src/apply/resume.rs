//! Interrupted applies: a journal `started` line with no outcome after it (pgmend was killed,
//! or the machine stopped, in the middle of a plan). What is half-done is read from the
//! catalog, never guessed: for each step of the plan, whether its effect is there (an index and
//! whether it is VALID, a constraint and whether it is validated, a column and whether it is
//! NOT NULL, rows still without a value). From that, two plans through the same write path:
//! the one that completes it (the steps after the last one done; an INVALID index is dropped
//! first by the engine) and the one that rolls it back (the plan's own undo).

use sqlx::PgConnection;

use crate::fix::plan::Plan;
use crate::journal::Entry;
use crate::sql::lex::{Tok, tokens};
use crate::sql::quote_ident;

/// Whether a step's effect is in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Yes,
    No,
    /// The catalog cannot tell (a statement pgmend does not read back).
    Unknown,
}

/// One step of an interrupted plan, as the catalog shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    pub description: String,
    pub done: Done,
    /// What it left half-done, in words: an INVALID index, a NOT VALID constraint, a column
    /// still nullable.
    pub half: Option<String>,
}

/// A state without anything half-done.
fn plain(done: Done) -> (Done, Option<String>) {
    (done, None)
}

/// An interrupted apply: its journal line, each step's state, and the plans that complete it
/// or roll it back (`None` when the catalog cannot tell where it stopped).
#[derive(Debug, Clone)]
pub struct Interrupted {
    pub entry: Entry,
    pub steps: Vec<StepState>,
    pub complete: Option<Plan>,
    pub roll_back: Option<Plan>,
}

impl Interrupted {
    /// The run id the `--resume`/`--roll-back` flags take.
    pub fn run(&self) -> &str {
        self.entry.run.as_deref().unwrap_or("")
    }

    /// What is half-done, in words (one line each).
    pub fn half_done(&self) -> Vec<String> {
        self.steps.iter().filter_map(|s| s.half.clone()).collect()
    }

    /// As `pgmend check` prints it.
    pub fn describe(&self) -> String {
        let e = &self.entry;
        let mut o = format!(
            "interrupted apply {} ({}), started {}: {}\n",
            self.run(),
            e.finding_id,
            e.time,
            e.title
        );
        for s in &self.steps {
            let mut state = match s.done {
                Done::Yes => "done".to_string(),
                Done::No => "not done".to_string(),
                Done::Unknown => "unknown (the catalog cannot tell)".to_string(),
            };
            if let Some(h) = &s.half {
                state.push_str(&format!("; half-done: {h}"));
            }
            o.push_str(&format!("  - {} [{state}]\n", s.description));
        }
        match (&self.complete, &self.roll_back) {
            (Some(c), _) if c.steps.is_empty() => o.push_str(&format!(
                "  every step is done: pgmend fix URL --resume {} --yes records it\n",
                self.run()
            )),
            (Some(c), _) => o.push_str(&format!(
                "  complete it ({} step(s) left): pgmend fix URL --resume {} --yes\n",
                c.steps.len(),
                self.run()
            )),
            (None, _) => o.push_str(
                "  the catalog cannot tell where it stopped: compare the steps above with the \
                 database, or restore the backup\n",
            ),
        }
        if let Some(r) = &self.roll_back {
            o.push_str(&format!(
                "  or roll it back ({} undo step(s)): pgmend fix URL --roll-back {} --yes\n",
                r.steps.len(),
                self.run()
            ));
        }
        o
    }
}

/// Reads each interrupted entry's state from the catalog.
pub async fn inspect(
    conn: &mut PgConnection,
    entries: Vec<Entry>,
) -> Result<Vec<Interrupted>, sqlx::Error> {
    let mut out = Vec::new();
    for entry in entries {
        let Some(plan) = entry.plan.clone() else {
            continue;
        };
        let mut steps = Vec::new();
        for s in &plan.steps {
            let prev_done = steps.last().is_none_or(|p: &StepState| p.done == Done::Yes);
            let (done, half) =
                step_done(conn, &s.sql, s.invalid_index_cleanup.as_deref(), prev_done).await?;
            steps.push(StepState {
                description: s.description.clone(),
                done,
                half,
            });
        }
        let complete = completion(&plan, &steps);
        let roll_back = (!plan.undo.is_empty()).then(|| rollback(&plan));
        out.push(Interrupted {
            entry,
            steps,
            complete,
            roll_back,
        });
    }
    Ok(out)
}

/// The steps after the last one done, as a plan of their own (`None` when a step the catalog
/// cannot read lies after it: where it stopped is not known).
fn completion(plan: &Plan, steps: &[StepState]) -> Option<Plan> {
    let from = steps
        .iter()
        .rposition(|s| s.done == Done::Yes)
        .map_or(0, |i| i + 1);
    if steps[from..].iter().any(|s| s.done == Done::Unknown) {
        return None;
    }
    let mut p = plan.clone();
    p.title = format!("complete the interrupted \"{}\"", plan.title);
    p.steps = plan.steps[from..].to_vec();
    p.after.clear();
    Some(p)
}

/// The plan's undo as a plan of its own: no precondition or decision of the forward plan.
fn rollback(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.title = format!("roll back the interrupted \"{}\"", plan.title);
    p.steps = plan.undo.clone();
    p.undo.clear();
    p.preconditions.clear();
    p.decisions.clear();
    p.server_checks.clear();
    p.after.clear();
    p
}

/// The words of a statement: identifiers (unquoted ones folded to lower case, keywords
/// included), quoted ones marked.
fn words(sql: &str) -> Vec<(String, bool)> {
    tokens(sql)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| match t {
            Tok::Ident { name, quoted } => Some((name, quoted)),
            Tok::Dot => Some((".".into(), false)),
            Tok::Open => Some(("(".into(), false)),
            _ => None,
        })
        .collect()
}

/// The dotted name starting at word `i`, as regclass text, and the index after it.
fn name_at(w: &[(String, bool)], mut i: usize) -> Option<(String, usize)> {
    let mut parts = vec![quote_ident(&w.get(i)?.0)];
    while w.get(i + 1).is_some_and(|x| x.0 == ".") {
        parts.push(quote_ident(&w.get(i + 2)?.0));
        i += 2;
    }
    Some((parts.join("."), i + 1))
}

fn kw(w: &[(String, bool)], i: usize, word: &str) -> bool {
    w.get(i).is_some_and(|(n, quoted)| !quoted && n == word)
}

/// Reads one step's effect from the catalog; `prev_done`: the step before it is done.
async fn step_done(
    conn: &mut PgConnection,
    sql: &str,
    cleanup: Option<&str>,
    prev_done: bool,
) -> Result<(Done, Option<String>), sqlx::Error> {
    let w = words(sql);
    if kw(&w, 0, "create") && w.iter().any(|x| x.0 == "index" && !x.1) {
        let Some(index) = cleanup.map(str::to_string).or_else(|| index_name(&w)) else {
            return Ok(plain(Done::Unknown));
        };
        let valid: Option<bool> = sqlx::query_scalar(
            "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
        )
        .bind(&index)
        .fetch_optional(&mut *conn)
        .await?;
        return Ok(match valid {
            Some(true) => plain(Done::Yes),
            Some(false) => (
                Done::No,
                Some(format!(
                    "the index {index} is INVALID: its CONCURRENTLY build was interrupted"
                )),
            ),
            None => plain(Done::No),
        });
    }
    if kw(&w, 0, "create") && kw(&w, 1, "table") {
        let Some((t, _)) = name_at(&w, 2) else {
            return Ok(plain(Done::Unknown));
        };
        return Ok(plain(if relation_exists(conn, &t).await? {
            Done::Yes
        } else {
            Done::No
        }));
    }
    if kw(&w, 0, "update") {
        return update_done(conn, sql, &w).await.map(plain);
    }
    if !(kw(&w, 0, "alter") && kw(&w, 1, "table")) {
        return Ok(plain(Done::Unknown));
    }
    let mut i = 2;
    while kw(&w, i, "only") || (kw(&w, i, "if") && kw(&w, i + 1, "exists")) {
        i += if kw(&w, i, "only") { 1 } else { 2 };
    }
    let Some((table, i)) = name_at(&w, i) else {
        return Ok(plain(Done::Unknown));
    };
    if kw(&w, i, "add") && kw(&w, i + 1, "constraint") {
        let name = &w.get(i + 2).map(|x| x.0.clone()).unwrap_or_default();
        return Ok(match constraint(conn, &table, name).await? {
            None => plain(Done::No),
            Some(false) => (
                Done::Yes,
                Some(format!(
                    "the constraint {} on {table} is NOT VALID: added, not yet validated",
                    quote_ident(name)
                )),
            ),
            Some(true) => plain(Done::Yes),
        });
    }
    if kw(&w, i, "validate") && kw(&w, i + 1, "constraint") {
        let name = &w.get(i + 2).map(|x| x.0.clone()).unwrap_or_default();
        // Gone: never added, or a later step dropped it (a helper check), which that step's
        // own state tells.
        return Ok(plain(match constraint(conn, &table, name).await? {
            Some(true) => Done::Yes,
            Some(false) | None => Done::No,
        }));
    }
    if kw(&w, i, "drop") && kw(&w, i + 1, "constraint") && !kw(&w, i + 2, "if") {
        let name = &w.get(i + 2).map(|x| x.0.clone()).unwrap_or_default();
        return Ok(plain(match constraint(conn, &table, name).await? {
            Some(_) => Done::No,
            None if prev_done => Done::Yes,
            // Not added yet: the steps before it will add it.
            None => Done::No,
        }));
    }
    if kw(&w, i, "alter") && kw(&w, i + 1, "column") {
        let col = w.get(i + 2).map(|x| x.0.clone()).unwrap_or_default();
        let rest: Vec<&str> = w[(i + 3).min(w.len())..]
            .iter()
            .map(|x| x.0.as_str())
            .collect();
        if rest == ["set", "not", "null"] {
            let not_null: Option<bool> = sqlx::query_scalar(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = to_regclass($1) \
                 AND attname = $2 AND NOT attisdropped",
            )
            .bind(&table)
            .bind(&col)
            .fetch_optional(&mut *conn)
            .await?;
            return Ok(match not_null {
                Some(true) => plain(Done::Yes),
                Some(false) => (
                    Done::No,
                    Some(format!(
                        "the column {table}.{} is still nullable (not yet NOT NULL)",
                        quote_ident(&col)
                    )),
                ),
                None => plain(Done::No),
            });
        }
    }
    if kw(&w, i, "add") && (kw(&w, i + 1, "column") || w.get(i + 1).is_some_and(|x| x.1)) {
        let at = if kw(&w, i + 1, "column") {
            i + 2
        } else {
            i + 1
        };
        let at = if kw(&w, at, "if") { at + 3 } else { at };
        let col = w.get(at).map(|x| x.0.clone()).unwrap_or_default();
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) \
             AND attname = $2 AND NOT attisdropped)",
        )
        .bind(&table)
        .bind(&col)
        .fetch_one(&mut *conn)
        .await?;
        return Ok(plain(if exists { Done::Yes } else { Done::No }));
    }
    Ok(plain(Done::Unknown))
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table`: the index, qualified
/// with the table's schema.
fn index_name(w: &[(String, bool)]) -> Option<String> {
    let mut i = w.iter().position(|x| x.0 == "index" && !x.1)? + 1;
    while kw(w, i, "concurrently") || kw(w, i, "if") || kw(w, i, "not") || kw(w, i, "exists") {
        i += 1;
    }
    let name = w.get(i)?.0.clone();
    let on = w.iter().position(|x| x.0 == "on" && !x.1)?;
    let (table, _) = name_at(w, on + 1)?;
    let schema = table.rsplit_once('.').map(|(s, _)| s.to_string());
    Some(match schema {
        Some(s) => format!("{s}.{}", quote_ident(&name)),
        None => quote_ident(&name),
    })
}

/// `UPDATE t SET c = … WHERE c IS NULL` (a backfill): done when no row is left without a value.
async fn update_done(
    conn: &mut PgConnection,
    sql: &str,
    w: &[(String, bool)],
) -> Result<Done, sqlx::Error> {
    let Some((table, _)) = name_at(w, 1) else {
        return Ok(Done::Unknown);
    };
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.rfind(" WHERE ") else {
        return Ok(Done::Unknown);
    };
    let cond = sql[at + " WHERE ".len()..].trim().trim_end_matches(';');
    if !cond.to_ascii_uppercase().ends_with(" IS NULL") || cond.contains(';') {
        return Ok(Done::Unknown);
    }
    let left: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE {cond})"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(if left { Done::No } else { Done::Yes })
}

async fn relation_exists(conn: &mut PgConnection, regclass: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(regclass)
        .fetch_one(&mut *conn)
        .await
}

/// Whether constraint `name` is on `table`: `Some(validated)`, `None` when it is not there.
async fn constraint(
    conn: &mut PgConnection,
    table: &str,
    name: &str,
) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2",
    )
    .bind(table)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::plan::{Step, StepMode};

    fn step(sql: &str) -> Step {
        Step {
            description: sql.into(),
            sql: sql.into(),
            mode: StepMode::Transactional,
            group: 1,
            invalid_index_cleanup: None,
        }
    }

    fn state(done: Done) -> StepState {
        StepState {
            description: String::new(),
            done,
            half: None,
        }
    }

    fn plan(n: usize) -> Plan {
        let mut p = Plan::of_steps(
            "f",
            "t",
            (0..n).map(|i| step(&format!("SELECT {i}"))).collect(),
        );
        p.undo = vec![step("DROP")];
        p.after = vec!["other".into()];
        p
    }

    #[test]
    fn completion_runs_what_follows_the_last_step_done() {
        use Done::*;
        let p = plan(4);
        let c = completion(&p, &[state(Yes), state(No), state(Yes), state(No)]).unwrap();
        assert_eq!(c.steps, p.steps[3..]);
        assert!(c.after.is_empty());
        let c = completion(&p, &[state(No), state(No), state(No), state(No)]).unwrap();
        assert_eq!(c.steps, p.steps);
        assert!(completion(&p, &[state(Yes), state(Unknown), state(No), state(No)]).is_none());
        let c = completion(&p, &[state(Unknown), state(Yes), state(Yes), state(Yes)]).unwrap();
        assert!(c.steps.is_empty(), "every step done");
        let r = rollback(&p);
        assert_eq!(r.steps, p.undo);
        assert!(r.undo.is_empty() && r.preconditions.is_empty());
    }

    #[test]
    fn names_are_read_from_the_statements() {
        let w = words(r#"CREATE UNIQUE INDEX CONCURRENTLY "Ix" ON public."T" (a)"#);
        assert_eq!(index_name(&w).as_deref(), Some(r#"public."Ix""#));
        let w = words(r#"ALTER TABLE ONLY "s"."T" ADD CONSTRAINT k CHECK (a > 0) NOT VALID"#);
        let (table, next) = name_at(&w, 3).unwrap();
        assert_eq!(table, r#"s."T""#);
        assert!(kw(&w, next, "add") && kw(&w, next + 1, "constraint"));
    }
}
