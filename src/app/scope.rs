//! What a fix will do, in full, for the preview and the confirm step: how many of the asked
//! findings it mends and why the others wait, what its SQL creates beyond the row ("also
//! creates 25 policies"), its hazards, and which plans cannot be undone.

use std::collections::BTreeMap;

use crate::fix::plan::Plan;
use crate::sql::lex::{self, Tok};

/// What a statement creates or switches on, by its first words.
fn kind_of(words: &[String]) -> Option<&'static str> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let after_create = |w: &[&str]| -> Option<&'static str> {
        let w: Vec<&str> = w
            .iter()
            .copied()
            .filter(|x| {
                !matches!(
                    *x,
                    "or" | "replace" | "unique" | "materialized" | "temporary"
                )
            })
            .collect();
        Some(match *w.first()? {
            "table" => "table",
            "index" => "index",
            "policy" => "policy",
            "view" => "view",
            "type" => "type",
            "function" | "procedure" => "function",
            "trigger" => "trigger",
            "schema" => "schema",
            "extension" => "extension",
            "sequence" => "sequence",
            _ => return None,
        })
    };
    match w.as_slice() {
        ["create", rest @ ..] => after_create(rest),
        ["grant", ..] => Some("grant"),
        ["alter", "table", ..] if w.windows(3).any(|x| x == ["enable", "row", "level"]) => {
            Some("rls")
        }
        _ => None,
    }
}

/// The objects a plan's statements create (and tables it switches RLS on for), by kind.
pub fn creates(plan: &Plan) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for step in &plan.steps {
        let Ok(toks) = lex::tokens(&step.sql) else {
            continue;
        };
        for stmt in toks.split(|t| *t == Tok::Semicolon) {
            let words: Vec<String> = stmt
                .iter()
                .filter(|t| **t != Tok::Comment)
                .take(12)
                .filter_map(|t| match t {
                    Tok::Ident {
                        name,
                        quoted: false,
                    } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            if let Some(k) = kind_of(&words) {
                *out.entry(k).or_insert(0) += 1;
            }
        }
    }
    out
}

fn words(kind: &str, n: usize) -> String {
    let noun = match (kind, n) {
        ("rls", 1) => "table gets row-level security".to_string(),
        ("rls", _) => "tables get row-level security".to_string(),
        ("policy", 1) | ("index", 1) => kind.to_string(),
        ("policy", _) => "policies".to_string(),
        ("index", _) => "indexes".to_string(),
        (k, 1) => k.to_string(),
        (k, _) => format!("{k}s"),
    };
    format!("{n} {noun}")
}

/// "also creates 25 policies, 3 grants": what the plan creates beyond the object its row is
/// about (a `policy.missing` plan creating one policy says nothing more).
pub fn also(plan: &Plan) -> Option<String> {
    let mut made = creates(plan);
    let own = plan.finding_id.split(['.', ':']).next().unwrap_or("");
    let own = match own {
        "enum" => "type",
        "grant" | "privilege" | "privileges" => "grant",
        other => other,
    };
    // Row-level security is said for every table it reaches, the row's own included.
    if let Some(n) = made.get_mut(own).filter(|_| own != "rls") {
        *n = n.saturating_sub(1);
    }
    let rls = made.remove("rls").filter(|n| *n > 0);
    let mut parts: Vec<String> = made
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| words(k, n))
        .collect();
    let mut text = String::new();
    if !parts.is_empty() {
        let last = parts.pop().unwrap_or_default();
        text = if parts.is_empty() {
            format!("also creates {last}")
        } else {
            format!("also creates {} and {last}", parts.join(", "))
        };
    }
    if let Some(n) = rls {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&words("rls", n));
    }
    (!text.is_empty()).then_some(text)
}

/// "fixes 8 of 11 findings; 2 wait for a fix that will not run; 1 refused (why below)": a
/// plan that needs another (`after`) that is not in this run is skipped, and says so.
pub fn summary(asked: &[String], plans: &[Plan], refused: &[String]) -> String {
    let runs = |p: &Plan| {
        p.after
            .iter()
            .all(|a| plans.iter().any(|q| q.finding_id == *a))
    };
    let by = |id: &str, ok: bool| {
        plans
            .iter()
            .any(|p| runs(p) == ok && p.fixes().any(|f| f == id))
    };
    let mended = asked.iter().filter(|id| by(id, true)).count();
    let waiting = asked
        .iter()
        .filter(|id| !by(id, true) && by(id, false))
        .count();
    let refused_n = asked
        .iter()
        .filter(|id| refused.iter().any(|r| r.starts_with(&format!("{id}: "))))
        .count();
    let blocked = plans
        .iter()
        .filter(|p| p.blocked_in(true).is_some())
        .count();
    let rest = asked.len().saturating_sub(mended + waiting + refused_n);
    let mut out = format!(
        "fixes {mended} of {} finding{}",
        asked.len(),
        if asked.len() == 1 { "" } else { "s" }
    );
    if waiting > 0 {
        out.push_str(&format!(
            "; {waiting} wait for a fix that will not run (refused, or not asked)"
        ));
    }
    if refused_n > 0 {
        out.push_str(&format!("; {refused_n} refused (why below)"));
    }
    if rest > 0 {
        out.push_str(&format!("; {rest} need you (pgmend has no fix)"));
    }
    if blocked > 0 {
        out.push_str(&format!("; {blocked} plan(s) wait for your decision"));
    }
    out
}

/// Every hazard of the plans, once each.
pub fn hazards(plans: &[Plan]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in plans.iter().flat_map(|p| &p.hazards) {
        if !out.contains(h) {
            out.push(h.clone());
        }
    }
    out
}

/// The plans that cannot be undone (no undo SQL: an enum value cannot be dropped).
pub fn irreversible(plans: &[Plan]) -> Vec<&Plan> {
    plans.iter().filter(|p| !p.reversible()).collect()
}

/// What the engineer types to confirm: the database name on production, `yes` when a step
/// cannot be undone, nothing otherwise (enter).
pub fn confirm_word(plans: &[Plan], production: bool, database: &str) -> Option<String> {
    if production {
        Some(database.to_string())
    } else if !irreversible(plans).is_empty() {
        Some("yes".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::build::B;

    fn plan(id: &str, sql: &str, undo: bool) -> Plan {
        let mut b = B::new(id, id);
        b.tx("d", sql).hazard("h");
        if undo {
            b.undo_tx("undo", "DROP TABLE x;");
        }
        b.done()
    }

    #[test]
    fn counts_what_a_plan_creates_beyond_its_row() {
        let p = plan(
            "rls.disabled:tables in public",
            "ALTER TABLE public.a ENABLE ROW LEVEL SECURITY;\nALTER TABLE public.b ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY \"a own\" ON public.a USING (true);\nCREATE POLICY p2 ON public.b USING (true);\n\
             -- CREATE INDEX in a comment does not count\nGRANT SELECT ON public.a TO anon;",
            true,
        );
        assert_eq!(
            also(&p).as_deref(),
            Some("also creates 1 grant and 2 policies; 2 tables get row-level security")
        );
        let own = plan(
            "policy.missing:p on public.a",
            "CREATE POLICY p ON public.a USING (true);",
            true,
        );
        assert_eq!(also(&own), None);
        let t = plan(
            "table.missing:public.t",
            "CREATE TABLE public.t (id int);\nCREATE UNIQUE INDEX t_i ON public.t (id);",
            true,
        );
        assert_eq!(also(&t).as_deref(), Some("also creates 1 index"));
    }

    #[test]
    fn the_summary_counts_findings_and_an_irreversible_plan_asks_for_yes() {
        let asked: Vec<String> = ["a:1", "b:2", "c:3", "d:4"].map(String::from).into();
        let plans = vec![
            plan("a:1", "CREATE TABLE t();", true),
            plan("b:2", "ALTER TYPE e ADD VALUE 'x';", false),
        ];
        let refused = vec!["c:3: permission denied".to_string()];
        assert_eq!(
            summary(&asked, &plans, &refused),
            "fixes 2 of 4 findings; 1 refused (why below); 1 need you (pgmend has no fix)"
        );
        assert_eq!(confirm_word(&plans, false, "db").as_deref(), Some("yes"));
        // A plan that needs one refused: it waits, and is not counted as fixed.
        let mut needs = plan("d:4", "CREATE VIEW v AS SELECT 1;", true);
        needs.after = vec!["c:3".into()];
        let plans = vec![plans[0].clone(), needs];
        assert_eq!(
            summary(&asked, &plans, &refused),
            "fixes 1 of 4 findings; 1 wait for a fix that will not run (refused, or not asked); \
             1 refused (why below); 1 need you (pgmend has no fix)"
        );
        assert_eq!(confirm_word(&plans[..1], false, "db"), None);
        assert_eq!(confirm_word(&plans[..1], true, "db").as_deref(), Some("db"));
        assert_eq!(hazards(&plans), vec!["h".to_string()]);
    }
}
