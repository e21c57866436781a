//! A migration its tool recorded as not finished: a Prisma migration that failed, was rolled
//! back, or is still running.
//!
//! A migration whose name was later recorded again as finished (in the same history table) is
//! not reported: that is Prisma's history after `migrate resolve --rolled-back` and a
//! successful retry. A name recorded unfinished several times is reported once.

use super::{Lint, LintContext};
use crate::check::Finding;
use crate::db::catalog::Migration;
use crate::rules::Severity;
use crate::sql::{qualified, quote_literal};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::FailedMigrations,
    severity: Severity::Critical,
    title: "Failed or unfinished migration",
    why: "A failed migration leaves the schema half-changed and blocks every later deploy \
          (Prisma refuses to migrate until it is resolved).",
    remedy: "Look at the migration's logs, repair the schema by hand, then mark it: prisma \
             migrate resolve --rolled-back <name> (to retry it) or --applied <name>.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let all = &ctx.snapshot.migrations;
    let same = |a: &Migration, b: &Migration| a.table == b.table && a.name == b.name;
    let mut out: Vec<Finding> = Vec::new();
    for (i, m) in all.iter().enumerate() {
        if m.finished
            || all.iter().any(|o| o.finished && same(o, m))
            || all[..i].iter().any(|o| same(o, m))
        {
            continue;
        }
        let table = qualified(&m.table.schema, &m.table.name);
        let object = format!("migration {} in {table}", quote_literal(&m.name));
        out.push(
            lint.finding(
                object,
                format!(
                    "{:?} migration {} is recorded in {table} as not finished (failed, rolled \
                     back or still running)",
                    m.source,
                    quote_literal(&m.name)
                ),
            )
            .expected("finished")
            .actual(match &m.applied_at {
                Some(at) => format!("not finished (started {at})"),
                None => "not finished".to_string(),
            }),
        );
    }
    out
}
