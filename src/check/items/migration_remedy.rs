//! The manual step for a migration-history finding. pgmend never writes a tool's migration
//! history: recording a migration as applied is a claim about what ran, which only the engineer
//! can make (after checking that the schema holds what the migration does). The remedy names the
//! tool's own command, exactly.

use crate::checklist::MigrationTool;
use crate::sql::quote_literal;

/// The digits a name starts with (Prisma's and Supabase's timestamps) or ends with (TypeORM's
/// class names end with their timestamp).
fn leading_digits(name: &str) -> &str {
    let end = name
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(name.len());
    &name[..end]
}

fn trailing_digits(name: &str) -> &str {
    let start = name
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    &name[start..]
}

const WHY: &str = "pgmend does not write migration history: marking a migration applied is a \
                   claim about what ran, so check first that the database holds what it does \
                   (or let the tool apply it)";

/// The remedy for a migration that is not recorded (`failed`: recorded but unfinished).
pub(crate) fn remedy(tool: MigrationTool, name: &str, failed: bool) -> String {
    let step = match tool {
        MigrationTool::Prisma if failed => format!(
            "if its changes are in the database: `npx prisma migrate resolve --applied {name}`; \
             if they are not: `npx prisma migrate resolve --rolled-back {name}`, then \
             `npx prisma migrate deploy`"
        ),
        MigrationTool::Prisma => format!(
            "`npx prisma migrate deploy` applies it; if its changes are already in the database: \
             `npx prisma migrate resolve --applied {name}`"
        ),
        MigrationTool::Supabase => {
            let version = leading_digits(name);
            let version = if version.is_empty() { name } else { version };
            format!(
                "`supabase db push` applies it; if its changes are already in the database: \
                 `supabase migration repair --status applied {version}`"
            )
        }
        MigrationTool::Typeorm => {
            let ts = trailing_digits(name);
            let ts = if ts.is_empty() { "<timestamp>" } else { ts };
            format!(
                "`npx typeorm migration:run` applies it; if its changes are already in the \
                 database: `INSERT INTO migrations (\"timestamp\", name) VALUES ({ts}, {})`",
                quote_literal(name)
            )
        }
        MigrationTool::Drizzle => format!(
            "`npx drizzle-kit migrate` applies it ({name}); drizzle records a hash of the \
             migration file, so let drizzle-kit record it"
        ),
        MigrationTool::Knex => format!(
            "`npx knex migrate:latest` applies it; if its changes are already in the database: \
             `INSERT INTO knex_migrations (name, batch, migration_time) VALUES ({}, \
             (SELECT coalesce(max(batch), 0) + 1 FROM knex_migrations), now())`",
            quote_literal(name)
        ),
    };
    format!("{step}. {WHY}")
}
