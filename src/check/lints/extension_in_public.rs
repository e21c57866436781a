//! An extension installed into schema `public` (plpgsql excepted: it creates no objects there).
//! Unlike most lints this one looks at `public` whatever is managed.

use super::{Lint, LintContext};
use crate::check::Finding;
use crate::rules::Severity;
use crate::sql::quote_ident;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::ExtensionInPublic,
    severity: Severity::Low,
    title: "Extension installed in schema public",
    why: "An extension in public puts its functions, types and tables next to the application's, \
          where the API exposes them and dumps, migrations and diffs mix them with the app's own.",
    remedy: "CREATE SCHEMA IF NOT EXISTS extensions; ALTER EXTENSION <name> SET SCHEMA \
             extensions; (extensions that cannot be relocated must be dropped and created again \
             WITH SCHEMA extensions).",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    ctx.snapshot
        .extensions
        .iter()
        .filter(|e| e.schema == "public" && e.name != "plpgsql")
        .map(|e| {
            let name = quote_ident(&e.name);
            lint.finding(
                format!("extension {name}"),
                format!(
                    "extension {name} {} is installed in schema public",
                    e.version
                ),
            )
            .expected("installed in a schema of its own (e.g. extensions)")
            .actual("schema public")
            .remedy(format!(
                "CREATE SCHEMA IF NOT EXISTS extensions; ALTER EXTENSION {name} SET SCHEMA \
                 extensions;"
            ))
        })
        .collect()
}
