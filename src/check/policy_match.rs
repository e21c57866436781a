//! Whether an existing policy is the one a `[[policy]]` item asks for: one set of rules for
//! the check that reports it and the fix that decides whether to create it.

use crate::checklist::PolicyItem;
use crate::db::catalog::{Policy, PolicyCommand};

use super::naming::mentions_owner;
use super::types::expr_key;

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
            .is_some_and(|h| expr_key(h).contains(&expr_key(w)))
    })
}

/// The policy has the shape the item describes (what it leaves out matches anything).
pub fn shape_matches(p: &Policy, spec: &PolicyItem) -> bool {
    spec.command
        .is_none_or(|c| p.command == PolicyCommand::from(c))
        && spec.roles.as_ref().is_none_or(|r| roles_match(p, r))
        && spec.permissive.is_none_or(|pm| pm == p.permissive)
        && contains(&p.using_expr, &spec.using)
        && contains(&p.with_check_expr, &spec.with_check)
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
