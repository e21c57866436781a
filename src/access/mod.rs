//! The access matrix: who can see and change what, per table and view, per role.
//!
//! Two halves, kept apart:
//! - [`derive`]: pure. From the catalog snapshot (privileges, memberships, RLS flags and the
//!   policies' USING / WITH CHECK), what each command (select, insert, update, delete) comes to
//!   for each subject: allowed, denied by privilege (the app gets 42501), filtered by a named
//!   policy, or nothing at all (RLS on and no policy for the role).
//! - [`measure`]: live. The rows each subject actually sees, counted inside a `READ ONLY`
//!   transaction acting as the subject (`SET LOCAL ROLE`, and for Supabase the JWT claims
//!   PostgREST sets), capped and under a per-statement timeout. Nothing is ever written: the
//!   transaction is read-only and rolled back.
//!
//! [`subjects`] says who is measured (the `--as` specs, or the defaults with two real users);
//! [`render`] prints the matrix.

pub mod derive;
pub mod measure;
pub mod proof;
pub mod render;
pub mod subjects;

use serde::Serialize;

use crate::db::catalog::{PolicyCommand, RelationKind};

pub use subjects::Subject;

/// The four commands a client runs, in the order the matrix shows them.
pub const COMMANDS: [PolicyCommand; 4] = [
    PolicyCommand::Select,
    PolicyCommand::Insert,
    PolicyCommand::Update,
    PolicyCommand::Delete,
];

/// What one command comes to for one subject on one relation, from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Every row: RLS is off, the role bypasses it, owns the table, or a policy allows all.
    Allowed { why: String },
    /// The rows the named permissive policies let through (and the restrictive ones keep).
    Filtered {
        policies: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        restrictive: Vec<String>,
    },
    /// RLS is on and no policy applies to the role: no rows seen, every write refused.
    NoPolicy,
    /// No privilege: the server answers 42501 (permission denied).
    Denied { why: String },
    /// A view: its own privilege allows it; the rows are those of its tables, read with the
    /// view owner's rights (or the caller's, with `security_invoker`).
    View { invoker: bool },
}

impl Verdict {
    /// Short words for a matrix cell.
    pub fn short(&self) -> String {
        match self {
            Verdict::Allowed { why } => format!("all ({why})"),
            Verdict::Filtered {
                policies,
                restrictive,
            } => {
                let mut s = format!("policy {}", policies.join(" or "));
                if !restrictive.is_empty() {
                    s.push_str(&format!(" and {}", restrictive.join(" and ")));
                }
                s
            }
            Verdict::NoPolicy => "none (no policy)".into(),
            Verdict::Denied { why } => format!("denied ({why})"),
            Verdict::View { invoker: true } => "view (caller's rights)".into(),
            Verdict::View { invoker: false } => "view (owner's rights)".into(),
        }
    }

    pub fn is_denied(&self) -> bool {
        matches!(self, Verdict::Denied { .. })
    }
}

/// The rows a subject sees, as measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Rows {
    /// Exactly `n` rows.
    Counted { n: u64 },
    /// More than the cap: at least `n` rows.
    AtLeast { n: u64 },
    /// Refused (42501): no privilege. `measured` is false when the catalog already said so and
    /// no query was run.
    Denied { measured: bool, message: String },
    /// The count ran longer than the per-statement timeout and was cancelled.
    TimedOut { after_ms: u64 },
    /// The count failed for another reason (SQLSTATE and the server's message).
    Failed { code: String, message: String },
}

impl Rows {
    /// "160", "1000+", "denied", "timed out", "error 25006".
    pub fn short(&self) -> String {
        match self {
            Rows::Counted { n } => n.to_string(),
            Rows::AtLeast { n } => format!("{n}+"),
            Rows::Denied { .. } => "denied".into(),
            Rows::TimedOut { .. } => "timed out".into(),
            Rows::Failed { code, .. } => format!("error {code}"),
        }
    }

    /// Rows seen, for comparisons: denied counts as none; unknown (timed out, failed) as None.
    pub fn seen(&self) -> Option<u64> {
        match self {
            Rows::Counted { n } | Rows::AtLeast { n } => Some(*n),
            Rows::Denied { .. } => Some(0),
            Rows::TimedOut { .. } | Rows::Failed { .. } => None,
        }
    }
}

/// One subject's access to one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The subject's label (`anon`, `authenticated:<sub>`, `service_role`, a role name).
    pub subject: String,
    pub rows: Rows,
    pub select: Verdict,
    pub insert: Verdict,
    pub update: Verdict,
    pub delete: Verdict,
}

impl Cell {
    pub fn verdict(&self, cmd: PolicyCommand) -> &Verdict {
        match cmd {
            PolicyCommand::Insert => &self.insert,
            PolicyCommand::Update => &self.update,
            PolicyCommand::Delete => &self.delete,
            PolicyCommand::Select | PolicyCommand::All => &self.select,
        }
    }
}

/// A table or view and every subject's access to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relation {
    pub schema: String,
    pub name: String,
    /// `table`, `partitioned table`, `view`, `materialized view`, `foreign table`.
    pub kind: &'static str,
    /// Row level security is enabled (`forced` also for the owner).
    pub rls: bool,
    pub forced: bool,
    pub cells: Vec<Cell>,
}

impl Relation {
    pub fn qualified(&self) -> String {
        crate::sql::qualified(&self.schema, &self.name)
    }

    pub fn cell(&self, subject: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.subject == subject)
    }
}

/// The whole matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub subjects: Vec<Subject>,
    pub schemas: Vec<String>,
    /// Counts stop at this many rows ("1000+").
    pub cap: u64,
    /// Each count's `statement_timeout`, in milliseconds.
    pub timeout_ms: u64,
    pub relations: Vec<Relation>,
    /// Wall-clock time of the measurement (counting as every subject), in milliseconds.
    pub measured_ms: u64,
}

impl Matrix {
    /// Short names of the subjects: the role, or a letter (A, B, …) for each signed-in user.
    pub fn short_names(&self) -> Vec<String> {
        let mut users = 0u8;
        self.subjects
            .iter()
            .map(|x| match x.sub {
                Some(_) => {
                    users = users.wrapping_add(1);
                    ((b'A' + (users - 1) % 26) as char).to_string()
                }
                None => x.role.clone(),
            })
            .collect()
    }

    pub fn relation(&self, schema: &str, name: &str) -> Option<&Relation> {
        self.relations
            .iter()
            .find(|r| r.schema == schema && r.name == name)
    }
}

/// The word for a relation kind.
pub fn kind_word(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Table => "table",
        RelationKind::PartitionedTable => "partitioned table",
        RelationKind::View => "view",
        RelationKind::MaterializedView => "materialized view",
        RelationKind::ForeignTable => "foreign table",
    }
}

/// How a matrix is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Counts stop after this many rows.
    pub cap: u64,
    /// `SET LOCAL statement_timeout` of each count.
    pub timeout: std::time::Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            cap: 1000,
            timeout: std::time::Duration::from_secs(3),
        }
    }
}

/// Derives and measures the matrix of `relations` (all of the exposed ones when empty) for
/// `subjects` on `conn`.
pub async fn build(
    conn: &mut sqlx::PgConnection,
    snapshot: &crate::db::catalog::Snapshot,
    schemas: &[String],
    subjects: &[Subject],
    budget: Budget,
) -> Matrix {
    let tables = derive::relations(snapshot, schemas);
    build_of(conn, snapshot, &tables, schemas, subjects, budget).await
}

/// [`build`] for these relations of `snapshot` only (`schemas` is what the matrix says it
/// covers).
pub async fn build_of(
    conn: &mut sqlx::PgConnection,
    snapshot: &crate::db::catalog::Snapshot,
    tables: &[&crate::db::catalog::Table],
    schemas: &[String],
    subjects: &[Subject],
    budget: Budget,
) -> Matrix {
    let started = std::time::Instant::now();
    let mut relations = derive::skeleton(snapshot, tables, subjects);
    for (i, subject) in subjects.iter().enumerate() {
        let todo: Vec<(usize, String)> = relations
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.cells[i].select.is_denied())
            .map(|(k, r)| (k, r.qualified()))
            .collect();
        let targets: Vec<&str> = todo.iter().map(|(_, q)| q.as_str()).collect();
        let counted = measure::count_as(conn, subject, &targets, budget).await;
        for ((k, _), rows) in todo.iter().zip(counted) {
            relations[*k].cells[i].rows = rows;
        }
    }
    Matrix {
        subjects: subjects.to_vec(),
        schemas: schemas.to_vec(),
        cap: budget.cap,
        timeout_ms: budget.timeout.as_millis() as u64,
        relations,
        measured_ms: started.elapsed().as_millis() as u64,
    }
}

/// The schemas the matrix covers: those asked for, else the exposed ones (`public` on Supabase
/// and PostgREST), else `public`.
pub fn schemas_for(snapshot: &crate::db::catalog::Snapshot, asked: &[String]) -> Vec<String> {
    if !asked.is_empty() {
        return asked.to_vec();
    }
    let exposed = crate::check::exposed_schemas(snapshot, &[]);
    if exposed.is_empty() {
        vec!["public".into()]
    } else {
        exposed
    }
}

/// The subjects of `specs` (`--as` values), or the defaults with two real users picked from
/// the owner columns of `schemas` (else auth.users). An error says what to give instead.
pub async fn subjects_for(
    conn: &mut sqlx::PgConnection,
    snapshot: &crate::db::catalog::Snapshot,
    schemas: &[String],
    specs: &[String],
    budget: Budget,
) -> Result<Vec<Subject>, String> {
    use crate::checklist::Platform;
    let api = matches!(
        crate::check::detect::platform(snapshot, &[]).platform,
        Platform::Supabase | Platform::Postgrest
    );
    if !specs.is_empty() {
        let subjects = specs
            .iter()
            .map(|s| subjects::parse(s, api))
            .collect::<Result<Vec<_>, _>>()?;
        for s in &subjects {
            if !snapshot.roles.iter().any(|r| r.name == s.role) {
                return Err(format!(
                    "--as {}: there is no role {:?} on this server",
                    s.label(),
                    s.role
                ));
            }
        }
        return Ok(subjects);
    }
    let tables = derive::relations(snapshot, schemas);
    let candidates = subjects::owner_columns(&tables);
    let users = subjects::pick_users(conn, &candidates, budget.timeout.as_millis() as u64).await;
    let subjects = subjects::defaults(snapshot, &users);
    if subjects.is_empty() {
        return Err(
            "this database has no anon, authenticated or service_role role: say whom to \
                    act as with --as ROLE (repeatable)"
                .into(),
        );
    }
    Ok(subjects)
}

#[cfg(test)]
mod tests;
