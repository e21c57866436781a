//! Plain SQL: one file `<version>_pgmend_<name>.sql` that `psql -v ON_ERROR_STOP=1 -f` runs as
//! is, the same shape as `fix --dry-run`'s script: each transactional group between BEGIN and
//! COMMIT, the statements that cannot run in a transaction outside them.

use std::path::Path;

use super::{Emitted, Origin, stamp, write_new};
use crate::fix::plan::Plan;
use crate::fix::script::plan_script;

pub fn write(
    dir: &Path,
    name: &str,
    plans: &[Plan],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let version = stamp::versions(dir, origin.now, 1).remove(0);
    let file = dir.join(format!("{version}_pgmend_{name}.sql"));
    let mut text = origin.header();
    text.push_str(
        "-- Run it with: psql -v ON_ERROR_STOP=1 -f THIS_FILE (not on a database pgmend already \
         mended: it has no migration history to say so).\n\\set ON_ERROR_STOP on\n",
    );
    for p in plans {
        text.push('\n');
        text.push_str(&plan_script(p));
    }
    write_new(&file, &text)?;
    Ok(Emitted::single(file, plans, Vec::new()))
}
