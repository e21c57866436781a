//! Supabase: `supabase/migrations/<version>_pgmend_<name>.sql`. The Supabase CLI runs each
//! migration file in its own transaction (supabase/cli#2898), so a statement that cannot run
//! in one (CREATE INDEX CONCURRENTLY) gets a file of its own, as the CLI's maintainers advise.

use std::path::Path;

use super::{Emitted, Origin, Part, by_plan, per_part};

pub fn write(
    dir: &Path,
    name: &str,
    parts: &[Part],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let alone =
        "One statement that cannot run in a transaction: it has a migration file of its own.";
    let (versions, _, files) = per_part(dir, name, parts, origin, alone, |stem| {
        Ok(dir.join(format!("{stem}.sql")))
    })?;
    Ok(Emitted {
        by_plan: by_plan(parts, &files),
        files,
        mark_applied: vec![format!(
            "supabase migration repair --status applied {}",
            versions.join(" ")
        )],
    })
}
