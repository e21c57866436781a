//! `pgmend fix … --emit-migration FORMAT DIR`: the applied (with `--yes`) or planned (with
//! `--dry-run`) plans written as a migration of the application's own tool, so the repository
//! knows what pgmend changed and the next `prisma migrate deploy` or `supabase db push` does not
//! meet objects that already exist. One file per format ([`prisma`], [`supabase`], [`typeorm`],
//! [`drizzle`], [`sql`]); each says how to mark the migration as applied on the databases
//! pgmend already mended.
//!
//! Statements that cannot run in a transaction (the plans' autocommit steps: CREATE/DROP INDEX
//! CONCURRENTLY, ALTER TYPE … ADD VALUE, VALIDATE after NOT VALID) are split into [`Part`]s:
//! each tool runs a migration file in one transaction, so such a statement gets a migration of
//! its own (Prisma, Supabase), runs outside the class's transactions (TypeORM), or is made
//! transactional (Drizzle, which has no way out of its transaction).

mod drizzle;
mod prisma;
mod sql;
pub(crate) mod stamp;
mod supabase;
mod typeorm;

use std::path::{Path, PathBuf};

use super::plan::{Plan, StepMode};
use super::script::{one_line, precondition_block, terminated};

/// The migration formats, by the name `--emit-migration` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Prisma,
    Supabase,
    Typeorm,
    Drizzle,
    Sql,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Prisma,
        Format::Supabase,
        Format::Typeorm,
        Format::Drizzle,
        Format::Sql,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Prisma => "prisma",
            Format::Supabase => "supabase",
            Format::Typeorm => "typeorm",
            Format::Drizzle => "drizzle",
            Format::Sql => "sql",
        }
    }

    pub fn parse(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s.to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "--emit-migration {s}: unknown format; one of {}",
                    names.join(", ")
                )
            })
    }
}

/// What `--emit-migration FORMAT DIR [--migration-name NAME]` asks for.
#[derive(Debug, Clone)]
pub struct Request {
    pub format: Format,
    /// The application's folder: the project root for Prisma and Supabase (their migrations
    /// live in `prisma/migrations`, `supabase/migrations`), the migrations folder itself for
    /// TypeORM, Drizzle (the `out` folder holding `meta/_journal.json`) and plain SQL.
    pub dir: PathBuf,
    /// `fixes` unless given: lower case letters, digits and `_`.
    pub name: String,
}

/// Where and when the plans were applied or planned (the files' header).
pub struct Origin<'a> {
    /// The database, as pgmend names it (no password).
    pub target: &'a str,
    /// True when pgmend applied the plans (`--yes`), false when they are only planned.
    pub applied: bool,
    pub now: std::time::SystemTime,
}

impl Origin<'_> {
    fn header(&self) -> String {
        let at = humantime::format_rfc3339_seconds(self.now);
        let what = if self.applied {
            "applied by pgmend to"
        } else {
            "planned by pgmend (fix --dry-run) for"
        };
        format!(
            "-- pgmend {}: {what} {} at {at}.\n",
            env!("CARGO_PKG_VERSION"),
            self.target
        )
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Emitted {
    /// Every file written or changed, in order.
    pub files: Vec<PathBuf>,
    /// For each plan (`finding_id`), the migration files holding its statements.
    pub by_plan: Vec<(String, Vec<PathBuf>)>,
    /// How to mark the migration as applied on a database pgmend already mended (lines).
    pub mark_applied: Vec<String>,
}

impl Emitted {
    /// One file holding every plan.
    pub(crate) fn single(file: PathBuf, plans: &[Plan], mark_applied: Vec<String>) -> Emitted {
        Emitted {
            by_plan: plans
                .iter()
                .map(|p| (p.finding_id.clone(), vec![file.clone()]))
                .collect(),
            files: vec![file],
            mark_applied,
        }
    }

    pub fn files_of(&self, finding_id: &str) -> Vec<PathBuf> {
        self.by_plan
            .iter()
            .find(|(id, _)| id == finding_id)
            .map(|(_, f)| f.clone())
            .unwrap_or_default()
    }

    /// The engineer's note: the files, then how to mark them applied.
    pub fn describe(&self) -> String {
        if self.files.is_empty() {
            return "migration: none written (no plan took effect)\n".into();
        }
        let mut s = String::new();
        for f in &self.files {
            s.push_str(&format!("migration {}\n", f.display()));
        }
        if !self.mark_applied.is_empty() {
            s.push_str(
                "  on each database pgmend already mended, mark it applied so the repository \
                 and the database agree:\n",
            );
            for l in &self.mark_applied {
                s.push_str(&format!("    {l}\n"));
            }
        }
        s
    }
}

impl Request {
    /// `--emit-migration FORMAT DIR` and `--migration-name NAME`.
    pub fn parse(values: &[String], name: Option<&str>) -> Result<Request, String> {
        let [format, dir] = values else {
            return Err("--emit-migration takes a format and a folder: FORMAT DIR".into());
        };
        let name = name.unwrap_or("fixes");
        if name.is_empty()
            || name.len() > 60
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!(
                "--migration-name {name}: use lower case letters, digits and _ (at most 60)"
            ));
        }
        Ok(Request {
            format: Format::parse(format)?,
            dir: PathBuf::from(dir),
            name: name.to_string(),
        })
    }

    /// The folder the files go into, created; refuses before anything changes when it cannot
    /// be written (or Drizzle's journal cannot be read).
    pub fn prepare(&self) -> anyhow::Result<PathBuf> {
        let dir = match self.format {
            Format::Prisma => self.dir.join("prisma").join("migrations"),
            Format::Supabase => self.dir.join("supabase").join("migrations"),
            Format::Typeorm | Format::Drizzle | Format::Sql => self.dir.clone(),
        };
        std::fs::create_dir_all(&dir).map_err(|e| {
            anyhow::anyhow!(
                "--emit-migration: cannot create {}: {e}; nothing was changed",
                dir.display()
            )
        })?;
        let probe = tempfile::NamedTempFile::new_in(&dir).map_err(|e| {
            anyhow::anyhow!(
                "--emit-migration: cannot write into {}: {e}; nothing was changed",
                dir.display()
            )
        })?;
        drop(probe);
        if self.format == Format::Drizzle {
            drizzle::Journal::read(&dir).map_err(|e| {
                anyhow::anyhow!("--emit-migration drizzle: {e}; nothing was changed")
            })?;
        }
        Ok(dir)
    }

    /// Writes `plans` (in the order they ran or would run) as the migration.
    pub fn write(&self, plans: &[Plan], origin: &Origin<'_>) -> anyhow::Result<Emitted> {
        let dir = self.prepare()?;
        if plans.is_empty() {
            return Ok(Emitted::default());
        }
        let parts = parts(plans);
        let out = match self.format {
            Format::Prisma => prisma::write(&dir, &self.name, &parts, origin),
            Format::Supabase => supabase::write(&dir, &self.name, &parts, origin),
            Format::Typeorm => typeorm::write(&dir, &self.name, plans, origin),
            Format::Drizzle => drizzle::write(&dir, &self.name, &parts, origin),
            Format::Sql => sql::write(&dir, &self.name, plans, origin),
        };
        out.map_err(|e| anyhow::anyhow!("--emit-migration {}: {e}", self.format.name()))
    }
}

/// One statement of a migration: what it does (one line) and its SQL, terminated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub finding_id: String,
    /// The plan's title, on the plan's first piece in a part.
    pub plan_title: Option<String>,
    pub note: String,
    pub sql: String,
}

/// Statements that run together: in one transaction, or (`standalone`) a single statement
/// that cannot run in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub standalone: bool,
    pub pieces: Vec<Piece>,
}

impl Part {
    /// The plans with a statement here, in order.
    pub fn finding_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.pieces {
            if !out.contains(&p.finding_id.as_str()) {
                out.push(&p.finding_id);
            }
        }
        out
    }

    /// The part as SQL a tool runs in one transaction (or alone): comments, then each
    /// statement; no BEGIN/COMMIT (the tool's own transaction holds it).
    pub fn sql_text(&self) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            if let Some(t) = &p.plan_title {
                out.push_str(&format!("\n-- {}\n-- finding: {}\n", t, p.finding_id));
            }
            out.push_str(&format!("-- {}\n{}", p.note, p.sql));
        }
        out
    }
}

/// The plans' statements in order, cut wherever a statement cannot run in a transaction: each
/// such statement is a part of its own, the statements between them share one.
pub fn parts(plans: &[Plan]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in plans {
        let mut titled = false;
        let piece = |note: String, sql: String, titled: &mut bool| {
            let t = (!*titled).then(|| one_line(&p.title));
            *titled = true;
            Piece {
                finding_id: p.finding_id.clone(),
                plan_title: t,
                note,
                sql,
            }
        };
        let tx = |out: &mut Vec<Part>, pc: Piece| match out.last_mut() {
            Some(last) if !last.standalone => last.pieces.push(pc),
            _ => out.push(Part {
                standalone: false,
                pieces: vec![pc],
            }),
        };
        for c in &p.preconditions {
            let pc = piece(
                format!("precondition: {}", one_line(&c.description)),
                precondition_block(&c.description, &c.count_sql),
                &mut titled,
            );
            tx(&mut out, pc);
        }
        for s in &p.steps {
            let pc = piece(one_line(&s.description), terminated(&s.sql), &mut titled);
            match s.mode {
                StepMode::Transactional => tx(&mut out, pc),
                StepMode::Autocommit => {
                    titled = false;
                    out.push(Part {
                        standalone: true,
                        pieces: vec![pc],
                    })
                }
            }
        }
    }
    out
}

/// Writes `text` to `path` whole or not at all (a temporary file renamed into place), never
/// over an existing file.
pub(crate) fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists", path.display()),
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// One file per part, each named `<version>_pgmend_<name>[_<n>]` (its stem; `place` turns a
/// stem into the file's path): the header, `alone` on a part holding a statement that cannot
/// run in a transaction, then the part's SQL. Returns the versions, stems and files.
pub(crate) fn per_part(
    dir: &Path,
    name: &str,
    parts: &[Part],
    origin: &Origin<'_>,
    alone: &str,
    place: impl Fn(&str) -> std::io::Result<PathBuf>,
) -> std::io::Result<(Vec<String>, Vec<String>, Vec<PathBuf>)> {
    let versions = stamp::versions(dir, origin.now, parts.len());
    let (mut stems, mut files) = (Vec::new(), Vec::new());
    for (i, (part, version)) in parts.iter().zip(&versions).enumerate() {
        let stem = format!("{version}_pgmend_{}", part_name(name, i, parts.len()));
        let file = place(&stem)?;
        let mut text = origin.header();
        if part.standalone {
            text.push_str(&format!("-- {alone}\n"));
        }
        text.push_str(&part.sql_text());
        write_new(&file, &text)?;
        stems.push(stem);
        files.push(file);
    }
    Ok((versions, stems, files))
}

/// The name of part `i` of `n`: `name`, then `name_2`, `name_3`, …
pub(crate) fn part_name(name: &str, i: usize, n: usize) -> String {
    if n <= 1 || i == 0 {
        name.to_string()
    } else {
        format!("{name}_{}", i + 1)
    }
}

/// A plan's files: each plan with the files of the parts holding its statements.
pub(crate) fn by_plan(parts: &[Part], files: &[PathBuf]) -> Vec<(String, Vec<PathBuf>)> {
    let mut out: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for (part, file) in parts.iter().zip(files) {
        for id in part.finding_ids() {
            match out.iter_mut().find(|(i, _)| i == id) {
                Some((_, fs)) if !fs.contains(file) => fs.push(file.clone()),
                Some(_) => {}
                None => out.push((id.to_string(), vec![file.clone()])),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
