//! `[[data]]` queries, `[[credential]]` default passwords and `[[migration]]` records.

use crate::check::credential::Verdict;
use crate::check::{Finding, ItemResult};
use crate::checklist::MigrationTool;
use crate::db::catalog::MigrationSource;
use crate::rules::{ItemKind, ItemRule};

use super::{Ctx, Item, q};

/// An item pgmend could not evaluate: a finding of its own (`<kind>.unknown`), never a pass.
fn unknown<'a>(item: &'a mut Item, rule: ItemRule, object: &str, why: String) -> &'a mut Finding {
    let f = item.fail(
        rule,
        object.to_string(),
        format!("could not be evaluated: {why}"),
    );
    f.actual = Some(format!("unknown: {why}"));
    f
}

pub(crate) fn data(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for d in &ctx.cl.file.data {
        let spec = d.get_ref();
        let object = format!("data: {}", spec.name);
        let mut item = ctx.item(
            ItemKind::Data,
            object.clone(),
            d.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let key = (ctx.cl.source.clone(), ctx.cl.line(d.span().start));
        match ctx.facts.data.get(&key) {
            Some(Ok(true)) => {}
            Some(Ok(false)) => {
                let f = item.fail(
                    ItemRule::DataFalse,
                    object.clone(),
                    format!("{} does not hold", spec.name),
                );
                f.expected = Some(format!("true: {}", spec.query.trim()));
                f.actual = Some("false".into());
                if spec.seed.is_none() {
                    f.remedy = Some(
                        "pgmend cannot know which rows make the query true (the item has no                          `seed`): run the query, find the rows it misses, and insert or correct                          them (INSERT … ON CONFLICT DO NOTHING for seed rows)"
                            .into(),
                    );
                }
            }
            Some(Err(e)) if denied(e) => {
                let role = &ctx.snap.server.current_user;
                let f = item.fail(
                    ItemRule::DataNotVisible,
                    object.clone(),
                    format!("{}: not visible to {role} ({})", spec.name, server_words(e)),
                );
                f.expected = Some(spec.query.trim().to_string());
                f.actual = Some(format!("not visible to {role}"));
            }
            Some(Err(e)) => {
                let f = unknown(&mut item, ItemRule::DataUnknown, &object, e.clone());
                f.expected = Some(format!("true: {}", spec.query.trim()));
            }
            None => {
                unknown(
                    &mut item,
                    ItemRule::DataUnknown,
                    &object,
                    "no database connection to run the query".into(),
                );
            }
        }
        item.done(out);
    }
}

pub(crate) fn credentials(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for c in &ctx.cl.file.credentials {
        let spec = c.get_ref();
        let (schema, table) = ctx.qualify(&spec.table, spec.schema.as_deref());
        let object = format!(
            "{} where {} = '{}'",
            q(&schema, &table),
            spec.user_column,
            spec.user
        );
        let mut item = ctx.item(
            ItemKind::Credential,
            object.clone(),
            c.span().start,
            spec.severity,
            &spec.why,
        );
        let key = (ctx.cl.source.clone(), ctx.cl.line(c.span().start));
        match ctx.facts.credentials.get(&key) {
            Some(Ok(None | Some(Verdict::Changed(_)))) => {}
            Some(Ok(Some(Verdict::Default(scheme)))) => {
                let f = item.fail(
                    ItemRule::CredentialDefaultPassword,
                    object.clone(),
                    format!(
                        "user {} still has the default password the checklist names",
                        spec.user
                    ),
                );
                f.expected = Some("a changed password".into());
                f.actual = Some(format!(
                    "the shipped default password verifies against the stored {} value",
                    scheme.describe()
                ));
                f.remedy = Some(format!(
                    "log in as {} and change the password through the application (pgmend does \
                     not choose passwords)",
                    spec.user
                ));
            }
            Some(Ok(Some(Verdict::Unverifiable(why)))) => {
                unknown(&mut item, ItemRule::CredentialUnknown, &object, why.clone());
            }
            Some(Err(e)) if denied(e) => {
                let role = &ctx.snap.server.current_user;
                let f = item.fail(
                    ItemRule::CredentialNotVisible,
                    object.clone(),
                    format!(
                        "the password hash is not visible to {role} ({})",
                        server_words(e)
                    ),
                );
                f.actual = Some(format!("not visible to {role}"));
            }
            Some(Err(e)) => {
                unknown(
                    &mut item,
                    ItemRule::CredentialUnknown,
                    &object,
                    format!("cannot read the stored password: {e}"),
                );
            }
            None => {
                unknown(
                    &mut item,
                    ItemRule::CredentialUnknown,
                    &object,
                    "no database connection to read the stored password".into(),
                );
            }
        }
        item.done(out);
    }
}

/// The query failed for want of a privilege (SQLSTATE 42501 words it "permission denied"):
/// what it reads is hidden from the role, not absent.
fn denied(e: &str) -> bool {
    e.contains("permission denied")
}

/// The server's message without the driver's prefix and the server's source line.
fn server_words(e: &str) -> &str {
    let e = e.trim_start_matches("the query failed: ");
    let e = e.trim_start_matches("error returned from database: ");
    e.rfind(" at line ").map_or(e, |i| &e[..i])
}

fn source_of(t: MigrationTool) -> MigrationSource {
    match t {
        MigrationTool::Prisma => MigrationSource::Prisma,
        MigrationTool::Typeorm => MigrationSource::TypeOrm,
        MigrationTool::Supabase => MigrationSource::Supabase,
        MigrationTool::Drizzle => MigrationSource::Drizzle,
        MigrationTool::Knex => MigrationSource::Knex,
    }
}

pub(crate) fn migrations(ctx: &Ctx, out: &mut Vec<ItemResult>) {
    for m in &ctx.cl.file.migrations {
        let spec = m.get_ref();
        let source = source_of(spec.tool);
        let object = format!("{source:?} migration {}", spec.name);
        let mut item = ctx.item(
            ItemKind::Migration,
            object.clone(),
            m.span().start,
            spec.severity,
            &spec.why,
        );
        item.assume(&spec.assumed);
        let found: Vec<_> = ctx
            .snap
            .migrations
            .iter()
            .filter(|x| x.source == source && x.name == spec.name)
            .collect();
        let hidden = ctx
            .snap
            .unreadable_migrations
            .iter()
            .find(|(s, _)| *s == source);
        if let (true, Some((_, table))) = (found.is_empty(), hidden) {
            let role = &ctx.snap.server.current_user;
            let f = item.fail(
                ItemRule::MigrationNotVisible,
                object.clone(),
                format!(
                    "{object}: not visible to {role} ({table} is not readable by {role}), so \
                     whether it was applied cannot be told"
                ),
            );
            f.expected = Some("applied".into());
            f.actual = Some(format!("not visible to {role}"));
        } else if found.is_empty() {
            let f = item.fail(
                ItemRule::MigrationMissing,
                object.clone(),
                format!("{object} is not recorded as applied"),
            );
            f.expected = Some("applied".into());
            f.actual = Some("not recorded".into());
            f.remedy = Some(super::migration_remedy::remedy(
                spec.tool, &spec.name, false,
            ));
        } else if !found.iter().any(|x| x.finished) {
            let f = item.fail(
                ItemRule::MigrationFailed,
                object.clone(),
                format!("{object} is recorded but did not finish (failed or rolled back)"),
            );
            f.expected = Some("applied".into());
            f.actual = Some("failed".into());
            f.remedy = Some(super::migration_remedy::remedy(spec.tool, &spec.name, true));
        }
        item.done(out);
    }
}
