//! A public Supabase Storage bucket whose objects a broad SELECT policy on `storage.objects`
//! lets anon, authenticated or PUBLIC list.
//!
//! A public bucket serves its files by URL without any policy; a permissive SELECT (or ALL)
//! policy for those roles whose condition is always true (`crate::sql::truth`) or is just
//! `bucket_id = '<the bucket>'` additionally lets clients list every file name in it. Which
//! buckets are public is read with the catalog (`Snapshot::public_buckets`). Unlike the
//! reference linter, a policy without a condition is not broad: PostgreSQL lets it admit no
//! row.

use super::{Lint, LintContext, policy_object};
use crate::check::Finding;
use crate::db::catalog::{Policy, PolicyCommand};
use crate::rules::Severity;
use crate::sql::lex::{Tok, tokens};
use crate::sql::truth::always_true;
use crate::sql::{quote_ident, quote_literal};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::PublicBucketAllowsListing,
    severity: Severity::Medium,
    title: "Public storage bucket allows listing",
    why: "A public bucket already serves each file to whoever knows its URL; a broad SELECT \
          policy on storage.objects also lets any client list every file in it, names and \
          metadata included, which is rarely meant.",
    remedy: "DROP POLICY <policy> ON storage.objects; (public URLs keep working), or narrow it \
             to the objects a user owns: USING (bucket_id = '<bucket>' AND owner_id = (select \
             auth.uid())::text).",
    run,
};

/// The condition is exactly `bucket_id = '<id>'` (casts and parentheses aside): the id.
fn bucket_condition(expr: &str) -> Option<String> {
    let toks = tokens(expr).ok()?;
    let mut kept = Vec::new();
    let mut after_cast = false;
    for t in toks {
        match t {
            Tok::Comment | Tok::Open | Tok::Close => {}
            Tok::Cast => after_cast = true,
            Tok::Ident { .. } if after_cast => after_cast = false,
            t => {
                after_cast = false;
                kept.push(t);
            }
        }
    }
    let is_col = |t: &Tok| matches!(t, Tok::Ident { name, .. } if name == "bucket_id");
    match kept.as_slice() {
        [a, Tok::Op(op), Tok::Str(id)] | [Tok::Str(id), Tok::Op(op), a]
            if op == "=" && is_col(a) =>
        {
            Some(id.clone())
        }
        _ => None,
    }
}

/// The policy lets anon, authenticated or PUBLIC select objects.
fn for_clients(p: &Policy) -> bool {
    p.permissive
        && matches!(p.command, PolicyCommand::Select | PolicyCommand::All)
        && p.roles
            .iter()
            .any(|r| matches!(r.as_str(), "public" | "anon" | "authenticated"))
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let (Some(buckets), Some(objects)) = (
        ctx.snapshot.public_buckets.as_ref(),
        ctx.snapshot.table("storage", "objects"),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in buckets {
        let broad: Vec<&Policy> = objects
            .policies
            .iter()
            .filter(|p| for_clients(p))
            .filter(|p| {
                p.using_expr
                    .as_deref()
                    .is_some_and(|e| always_true(e) || bucket_condition(e).as_ref() == Some(id))
            })
            .collect();
        if broad.is_empty() {
            continue;
        }
        let names: Vec<String> = broad.iter().map(|p| policy_object(p)).collect();
        let object = format!("storage bucket {}", quote_ident(id));
        out.push(
            lint.finding(
                object,
                format!(
                    "public bucket {} can be listed by clients through {}",
                    quote_literal(id),
                    names.join(", ")
                ),
            )
            .expected("no broad SELECT policy on storage.objects for a public bucket")
            .actual(names.join(", ")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bucket_condition;

    #[test]
    fn bucket_conditions() {
        assert_eq!(
            bucket_condition("(bucket_id = 'avatars'::text)").as_deref(),
            Some("avatars")
        );
        assert_eq!(
            bucket_condition("('it''s'::text = bucket_id)").as_deref(),
            Some("it's")
        );
        assert_eq!(
            bucket_condition("((bucket_id = 'a'::text) AND (owner = auth.uid()))"),
            None
        );
    }
}
