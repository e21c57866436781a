//! A policy whose condition reads Supabase Auth's `user_metadata` (`auth.jwt() ->
//! 'user_metadata'`, `->>`, `#>> '{user_metadata,…}'`, `request.jwt.claims`), or the
//! `raw_user_meta_data` column of `auth.users` it comes from.
//!
//! Found by the lexer (`crate::sql::lex`): the string key `user_metadata` (alone or as the
//! first element of a path) or the identifier `raw_user_meta_data`, never text inside other
//! literals or comments. Broader than the reference linter, which asks for `auth.jwt()` or
//! `request.jwt.claims` in the same text: reading the metadata through `auth.users` is as
//! unsafe. Realtime's policies on `realtime.messages` are linted too.

use super::{Lint, LintContext, policy_object};
use crate::check::Finding;
use crate::rules::Severity;
use crate::sql::lex::{Tok, tokens};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::PolicyTrustsUserMetadata,
    severity: Severity::Critical,
    title: "Policy trusts user_metadata",
    why: "Every signed-in user can write their own user_metadata (supabase.auth.updateUser({ \
          data: { role: 'admin' } })), so a policy that decides on it lets any user grant \
          themselves the access it guards.",
    remedy: "Decide on app_metadata instead (only the service role writes it: auth.jwt() -> \
             'app_metadata'), or on a table the user cannot write, e.g. EXISTS (SELECT 1 FROM \
             public.admins a WHERE a.user_id = (select auth.uid())).",
    run,
};

/// The expression reads user-editable metadata.
pub fn reads_user_metadata(expr: &str) -> bool {
    let Ok(toks) = tokens(expr) else {
        return false;
    };
    toks.iter().any(|t| match t {
        Tok::Str(s) => {
            let s = s.trim();
            s == "user_metadata"
                || s.strip_prefix('{')
                    .and_then(|p| p.split(',').next())
                    .is_some_and(|first| first.trim().trim_matches('"') == "user_metadata")
        }
        Tok::Ident { name, .. } => name == "raw_user_meta_data",
        _ => false,
    })
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.policy_tables() {
        for p in &t.policies {
            let clauses: Vec<(&str, &str)> = [
                ("USING", p.using_expr.as_deref()),
                ("WITH CHECK", p.with_check_expr.as_deref()),
            ]
            .into_iter()
            .filter_map(|(k, e)| e.filter(|e| reads_user_metadata(e)).map(|e| (k, e)))
            .collect();
            if clauses.is_empty() {
                continue;
            }
            let object = policy_object(p);
            let actual: Vec<String> = clauses.iter().map(|(k, e)| format!("{k} {e}")).collect();
            out.push(
                lint.finding(
                    object.clone(),
                    format!(
                        "{object} ({} TO {}) decides on user_metadata, which every user can \
                         edit for themselves",
                        p.command.sql(),
                        p.roles.join(", ")
                    ),
                )
                .expected("a condition on data the user cannot write (app_metadata, a table)")
                .actual(actual.join("; ")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::reads_user_metadata;

    #[test]
    fn finds_user_metadata_keys_not_lookalikes() {
        for e in [
            "(((auth.jwt() -> 'user_metadata'::text) ->> 'role'::text) = 'admin'::text)",
            "((auth.jwt() #>> '{user_metadata,role}'::text[]) = 'admin'::text)",
            "(( SELECT u.raw_user_meta_data ->> 'org' FROM auth.users u) = org)",
            "((((current_setting('request.jwt.claims'::text, true))::jsonb -> 'user_metadata'::text) ->> 'x'::text) = 'y'::text)",
        ] {
            assert!(reads_user_metadata(e), "{e}");
        }
        for e in [
            "(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text) = 'admin'::text)",
            "(note = 'see user_metadata docs'::text)",
            "(user_id = auth.uid())",
        ] {
            assert!(!reads_user_metadata(e), "{e}");
        }
    }
}
