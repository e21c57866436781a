//! Policies that call `auth.uid()`, `auth.jwt()`, `auth.role()`, `auth.email()` or
//! `current_setting(...)` once per row instead of once per query.
//!
//! A call counts as wrapped when it sits inside a scalar subquery without FROM, which the
//! planner evaluates once (an InitPlan). PostgreSQL deparses `(select auth.uid())` as
//! `( SELECT auth.uid() AS uid)`, and the lint reads that deparsed text.

use super::{Lint, LintContext, policy_object};
use crate::check::Finding;
use crate::rules::Severity;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::AuthFunctionPerRow,
    severity: Severity::Medium,
    title: "Policy calls an auth function for every row",
    why: "A policy that calls auth.uid() or current_setting() directly evaluates it for every \
          row it filters, which makes large scans many times slower than calling it once.",
    remedy: "Wrap the call in a scalar subquery: USING (user_id = (select auth.uid())) instead \
             of USING (user_id = auth.uid()).",
    run,
};

const CALLS: &[&str] = &[
    "auth.uid(",
    "auth.jwt(",
    "auth.role(",
    "auth.email(",
    "current_setting(",
];

/// The calls in a deparsed expression that are not wrapped in a scalar subquery, as written
/// (`auth.uid()`, `current_setting('app.x'::text, true)`).
pub fn unwrapped_calls(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    // Open parens enclosing each position, and each paren's match (literals skipped).
    let mut stack: Vec<usize> = Vec::new();
    let mut enclosing: Vec<Vec<usize>> = vec![Vec::new(); chars.len() + 1];
    let mut closer = vec![chars.len(); chars.len()];
    let mut in_literal = false;
    for (i, &c) in chars.iter().enumerate() {
        enclosing[i] = stack.clone();
        match c {
            '\'' => in_literal = !in_literal,
            '(' if !in_literal => stack.push(i),
            ')' if !in_literal => {
                if let Some(open) = stack.pop() {
                    closer[open] = i;
                }
            }
            _ => {}
        }
    }
    let starts_at = |i: usize, s: &str| {
        chars[i..]
            .iter()
            .take(s.chars().count())
            .copied()
            .eq(s.chars())
    };
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let Some(call) = CALLS.iter().find(|c| starts_at(i, c)) else {
            continue;
        };
        let before: String = chars[..i].iter().collect();
        let boundary = match i.checked_sub(1).map(|j| chars[j]) {
            None => true,
            Some('.') => *call == "current_setting(" && before.ends_with("pg_catalog."),
            Some(c) => !(c.is_alphanumeric() || matches!(c, '_' | '"' | '$')),
        };
        if !boundary {
            continue;
        }
        let open = i + call.chars().count() - 1;
        let end = closer[open].min(chars.len() - 1);
        let wrapped = enclosing[i].iter().any(|&p| {
            starts_at(p, "( SELECT ") && {
                let body: String = chars[p..=closer[p].min(chars.len() - 1)].iter().collect();
                !body.contains(" FROM ")
            }
        });
        if !wrapped {
            out.push(chars[i..=end].iter().collect());
        }
    }
    out
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.policy_tables() {
        for p in &t.policies {
            let mut calls: Vec<String> = Vec::new();
            for e in [&p.using_expr, &p.with_check_expr].into_iter().flatten() {
                for c in unwrapped_calls(e) {
                    if !calls.contains(&c) {
                        calls.push(c);
                    }
                }
            }
            if calls.is_empty() {
                continue;
            }
            let object = policy_object(p);
            out.push(
                lint.finding(
                    object.clone(),
                    format!(
                        "{object} calls {} for every row it checks",
                        calls.join(", ")
                    ),
                )
                .expected(format!("( SELECT {} )", calls[0]))
                .actual(calls.join(", ")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unwrapped_calls;

    #[test]
    fn wrapped_and_unwrapped_calls() {
        assert_eq!(unwrapped_calls("(user_id = auth.uid())"), ["auth.uid()"]);
        assert!(unwrapped_calls("(user_id = ( SELECT auth.uid() AS uid))").is_empty());
        assert!(
            unwrapped_calls("((( SELECT auth.jwt() AS jwt) ->> 'role'::text) = 'x'::text)")
                .is_empty()
        );
        assert_eq!(
            unwrapped_calls("(auth.uid() = ( SELECT auth.uid() AS uid))"),
            ["auth.uid()"]
        );
        assert_eq!(
            unwrapped_calls("(current_setting('a)b'::text, true) = 'y'::text)"),
            ["current_setting('a)b'::text, true)"]
        );
        assert_eq!(
            unwrapped_calls("(org IN ( SELECT m.org FROM members m WHERE (m.uid = auth.uid())))"),
            ["auth.uid()"]
        );
        assert!(unwrapped_calls("(myauth.uid() = x) AND (x.current_setting(1) = 2)").is_empty());
        assert_eq!(
            unwrapped_calls("(pg_catalog.current_setting('x'::text) = 'y'::text)"),
            ["current_setting('x'::text)"]
        );
    }
}
