//! Prisma: `prisma/migrations/<version>_pgmend_<name>/migration.sql`. `prisma migrate deploy`
//! sends a migration's script to PostgreSQL as one multi-statement query, which runs as one
//! implicit transaction, so a statement that cannot run in a transaction (CREATE INDEX
//! CONCURRENTLY) fails there (error 25001, prisma/prisma#14456) unless it is the migration's
//! only statement: each such statement gets a migration of its own.

use std::path::Path;

use super::{Emitted, Origin, Part, by_plan, per_part};

pub fn write(
    dir: &Path,
    name: &str,
    parts: &[Part],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let alone = "One statement that cannot run in a transaction: Prisma runs a migration holding \
                 one statement alone.";
    let (_, stems, files) = per_part(dir, name, parts, origin, alone, |stem| {
        let folder = dir.join(stem);
        std::fs::create_dir(&folder)?;
        Ok(folder.join("migration.sql"))
    })?;
    Ok(Emitted {
        by_plan: by_plan(parts, &files),
        files,
        mark_applied: stems
            .iter()
            .map(|n| format!("npx prisma migrate resolve --applied {n}"))
            .collect(),
    })
}
