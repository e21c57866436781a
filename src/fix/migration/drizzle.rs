//! Drizzle: `<idx>_pgmend_<name>.sql` in drizzle-kit's `out` folder, its statements separated
//! by `--> statement-breakpoint`, plus its entry appended to `meta/_journal.json` (`idx`,
//! `version`, `when` in milliseconds, `tag`, `breakpoints`), which drizzle's migrator reads.
//!
//! Drizzle's migrator runs every pending migration in one transaction and has no way out of it
//! (drizzle-orm#860), so a statement that cannot run in a transaction is written without
//! CONCURRENTLY (a CREATE INDEX gains IF NOT EXISTS, so building it by hand first with
//! CONCURRENTLY on a large table is skipped by the migration).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Emitted, Origin, Part, by_plan, stamp, write_new};
use crate::sql::lex::{Tok, spanned};

const BREAKPOINT: &str = "--> statement-breakpoint\n";

/// `meta/_journal.json` in drizzle-kit's field order; fields pgmend does not know are written
/// back as they were.
#[derive(Serialize, Deserialize)]
struct JournalFile {
    version: String,
    dialect: String,
    entries: Vec<JournalEntry>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Serialize, Deserialize)]
struct JournalEntry {
    idx: u64,
    version: String,
    when: u64,
    tag: String,
    breakpoints: bool,
    #[serde(flatten)]
    other: Map<String, Value>,
}

pub struct Journal {
    path: PathBuf,
    file: JournalFile,
}

impl Journal {
    pub fn read(dir: &Path) -> Result<Journal, String> {
        let path = dir.join("meta").join("_journal.json");
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<JournalFile>(&text)
                .map_err(|e| format!("{} is not a drizzle-kit journal: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => JournalFile {
                version: "7".into(),
                dialect: "postgresql".into(),
                entries: Vec::new(),
                other: Map::new(),
            },
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if !matches!(file.dialect.as_str(), "postgresql" | "pg") {
            return Err(format!(
                "{} is for dialect {}, not PostgreSQL",
                path.display(),
                file.dialect
            ));
        }
        Ok(Journal { path, file })
    }

    /// The next entry's `idx` and a `when` after every entry's.
    fn next(&self, now_ms: u64) -> (u64, u64) {
        let e = &self.file.entries;
        let idx = e
            .iter()
            .map(|e| e.idx + 1)
            .max()
            .unwrap_or(0)
            .max(e.len() as u64);
        let when = e.iter().map(|e| e.when + 1).max().unwrap_or(0).max(now_ms);
        (idx, when)
    }

    fn append(&mut self, idx: u64, when: u64, tag: &str) {
        self.file.entries.push(JournalEntry {
            idx,
            version: self.file.version.clone(),
            when,
            tag: tag.to_string(),
            breakpoints: true,
            other: Map::new(),
        });
    }

    fn write(&self) -> std::io::Result<()> {
        use std::io::Write;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut text = serde_json::to_string_pretty(&self.file).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

pub fn write(
    dir: &Path,
    name: &str,
    parts: &[Part],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let mut journal = Journal::read(dir).map_err(std::io::Error::other)?;
    let (idx, when) = journal.next(stamp::millis(origin.now));
    let tag = format!("{idx:04}_pgmend_{name}");
    let file = dir.join(format!("{tag}.sql"));
    let mut chunks = Vec::new();
    for part in parts {
        for p in &part.pieces {
            let mut c = String::new();
            if let Some(t) = &p.plan_title {
                c.push_str(&format!("-- {t}\n-- finding: {}\n", p.finding_id));
            }
            c.push_str(&format!("-- {}\n", p.note));
            match part.standalone.then(|| in_transaction(&p.sql)).flatten() {
                Some(sql) => {
                    c.push_str(
                        "-- drizzle runs this migration in a transaction, where CONCURRENTLY \
                         cannot run: it blocks writes to the table while it builds. On a large \
                         table run this by hand first (the migration then skips it):\n",
                    );
                    for l in p.sql.trim_end().lines() {
                        c.push_str(&format!("--   {l}\n"));
                    }
                    c.push_str(&sql);
                }
                None => c.push_str(&p.sql),
            }
            chunks.push(c);
        }
    }
    let text = format!("{}{}", origin.header(), chunks.join(BREAKPOINT));
    write_new(&file, &text)?;
    journal.append(idx, when, &tag);
    if let Err(e) = journal.write() {
        let _ = std::fs::remove_file(&file);
        return Err(e);
    }
    let hash = hex(&Sha256::digest(text.as_bytes()));
    let files = vec![file.clone(); parts.len()];
    Ok(Emitted {
        by_plan: by_plan(parts, &files),
        files: vec![file, journal.path.clone()],
        mark_applied: vec![format!(
            "psql -c \"CREATE SCHEMA IF NOT EXISTS drizzle; CREATE TABLE IF NOT EXISTS \
             drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, \
             created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) \
             VALUES ('{hash}', {when})\""
        )],
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sql` without its CONCURRENTLY word (a CREATE INDEX gaining IF NOT EXISTS); None when it
/// has none (VALIDATE CONSTRAINT, ALTER TYPE … ADD VALUE run in a transaction as they are).
pub fn in_transaction(sql: &str) -> Option<String> {
    let toks = spanned(sql).ok()?;
    let words: Vec<(usize, &str)> = toks
        .iter()
        .enumerate()
        .filter_map(|(i, (t, _))| match t {
            Tok::Ident {
                name,
                quoted: false,
            } => Some((i, name.as_str())),
            _ => None,
        })
        .take(6)
        .collect();
    let (at, _) = *words.iter().find(|(_, w)| *w == "concurrently")?;
    let span = toks[at].1.clone();
    let rest = sql[span.end..].trim_start();
    let creates_index = matches!(
        words.iter().map(|(_, w)| *w).collect::<Vec<_>>()[..],
        ["create", "index", ..] | ["create", "unique", "index", ..]
    );
    let if_not_exists = words.iter().any(|(_, w)| *w == "if");
    let extra = if creates_index && !if_not_exists {
        "IF NOT EXISTS "
    } else {
        ""
    };
    Some(format!("{}{extra}{rest}", &sql[..span.start]))
}
