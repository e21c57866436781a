//! Whether an existing policy is the one a `[[policy]]` item asks for: one set of rules for
//! the check that reports it and the fix that decides whether to create it.

use crate::checklist::PolicyItem;
use crate::db::catalog::{Policy, PolicyCommand};

use crate::checklist::naming::mentions_owner;
use crate::sql::types::expr_key;

/// The policy applies to `cmd` (an ALL policy applies to every command).
pub fn covers(p: &Policy, cmd: PolicyCommand) -> bool {
    p.command == cmd || p.command == PolicyCommand::All
}

/// The policy applies to every role of `want`.
pub fn roles_match(p: &Policy, want: &[String]) -> bool {
    want.iter().all(|r| p.roles.iter().any(|pr| pr == r))
}

/// `want`'s expression, when given, is part of `have` (after normalising).
fn contains(have: &Option<String>, want: &Option<String>) -> bool {
    want.as_ref().is_none_or(|w| {
        have.as_deref()
            .is_some_and(|h| policy_key(h).contains(&policy_key(w)))
    })
}

/// [`expr_key`] after undoing what PostgreSQL adds when it prints a policy expression: the
/// column alias of a scalar sub-select (`(select auth.uid())` prints as
/// `( SELECT auth.uid() AS uid)`) and the `public.` of names it finds on the search path. A
/// sub-select of Supabase's `auth.*()` is the same value as the call (evaluated once per query
/// instead of per row), so `(select auth.uid()) = user_id` and `auth.uid() = user_id` match.
pub fn policy_key(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(pos) = find_alias(rest) {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 4..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    expr_key(&out.replace("public.", "")).replace("selectauth.", "auth.")
}

/// Where ` AS <name>)` starts in `s` (only when the name is directly followed by `)`).
fn find_alias(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(" as ") {
        let at = from + i;
        let tail = &s[at + 4..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if end > 0 && tail[end..].starts_with(')') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// The policy has the shape the item describes (what it leaves out matches anything).
pub fn shape_matches(p: &Policy, spec: &PolicyItem) -> bool {
    spec.command
        .is_none_or(|c| p.command == PolicyCommand::from(c))
        && spec.roles.as_ref().is_none_or(|r| roles_match(p, r))
        && spec.permissive.is_none_or(|pm| pm == p.permissive)
        && (spec.suggested
            || contains(&p.using_expr, &spec.using)
                && contains(&p.with_check_expr, &spec.with_check))
}

/// A permissive policy for `cmd` and `roles` restricts rows to their owner in `column`
/// (through WITH CHECK for INSERT, USING otherwise).
pub fn owner_covered(
    policies: &[Policy],
    cmd: PolicyCommand,
    roles: &[String],
    column: &str,
) -> bool {
    policies.iter().any(|p| {
        p.permissive
            && covers(p, cmd)
            && roles_match(p, roles)
            && match cmd {
                PolicyCommand::Insert => mentions_owner(p.with_check_expr.as_deref(), column),
                _ => mentions_owner(p.using_expr.as_deref(), column),
            }
    })
}
