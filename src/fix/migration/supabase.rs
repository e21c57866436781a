//! Supabase: `supabase/migrations/<version>_pgmend_<name>.sql`. The Supabase CLI runs each
//! migration file in its own transaction (supabase/cli#2898), so a statement that cannot run
//! in one (CREATE INDEX CONCURRENTLY) gets a file of its own, as the CLI's maintainers advise.

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
    for (i, (part, version)) in parts.iter().zip(&versions).enumerate() {
        let file = dir.join(format!(
            "{version}_pgmend_{}.sql",
            part_name(name, i, parts.len())
        ));
        let mut text = origin.header();
        if part.standalone {
            text.push_str(
                "-- One statement that cannot run in a transaction: it has a migration file of \
                 its own.\n",
            );
        }
        text.push_str(&part.sql_text());
        write_new(&file, &text)?;
        files.push(file);
    }
    let mark_applied = vec![format!(
        "supabase migration repair --status applied {}",
        versions.join(" ")
    )];
    Ok(Emitted {
        by_plan: by_plan(parts, &files),
        files,
        mark_applied,
    })
}
