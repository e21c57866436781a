//! Prisma: `prisma/migrations/<version>_pgmend_<name>/migration.sql`. `prisma migrate deploy`
//! sends a migration's script to PostgreSQL as one multi-statement query, which runs as one
//! implicit transaction, so a statement that cannot run in a transaction (CREATE INDEX
//! CONCURRENTLY) fails there (error 25001, prisma/prisma#14456) unless it is the migration's
//! only statement: each such statement gets a migration of its own.

use std::path::{Path, PathBuf};

use super::{Emitted, Origin, Part, by_plan, part_name, stamp, write_new};

pub fn write(
    dir: &Path,
    name: &str,
    parts: &[Part],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let versions = stamp::versions(dir, origin.now, parts.len());
    let mut files: Vec<PathBuf> = Vec::new();
    let mut names = Vec::new();
    for (i, (part, version)) in parts.iter().zip(&versions).enumerate() {
        let folder = format!("{version}_pgmend_{}", part_name(name, i, parts.len()));
        let path = dir.join(&folder);
        std::fs::create_dir(&path)?;
        let file = path.join("migration.sql");
        let mut text = origin.header();
        if part.standalone {
            text.push_str(
                "-- One statement that cannot run in a transaction: Prisma runs a migration \
                 holding one statement alone.\n",
            );
        }
        text.push_str(&part.sql_text());
        write_new(&file, &text)?;
        files.push(file);
        names.push(folder);
    }
    let mark_applied = names
        .iter()
        .map(|n| format!("npx prisma migrate resolve --applied {n}"))
        .collect();
    Ok(Emitted {
        by_plan: by_plan(parts, &files),
        files,
        mark_applied,
    })
}
