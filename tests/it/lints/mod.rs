//! Every lint against a real database: one test where it fires, one where the fixed shape
//! keeps it quiet. Assertions look only at the lint under test (`lint.<id>`).

mod authenticated;
mod corpus;
mod differences;
mod functions;
pub mod holes;
mod indexes;
mod misc;
mod policies;
mod privileges;
mod rls;
mod views;

use pgmend::check::Finding;
use pgmend::check::lints::{ALL, LintContext};
use pgmend::checklist::Platform;
use pgmend::db::catalog::{ReadOptions, Snapshot, read_snapshot};
use pgmend::rules::Severity;

use crate::support::TestDb;

/// Supabase's roles, `auth` schema and default grants on `public`.
pub const SUPABASE: &str = include_str!("../../../assets/scenarios/supabase-standin.sql");

pub async fn snapshot(db: &TestDb) -> Snapshot {
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("read_snapshot failed: {e:?}"));
    assert!(snap.warnings.is_empty(), "warnings: {:?}", snap.warnings);
    snap
}

/// How a test runs a lint: exposed schemas, platform, snake_case views.
pub struct Ctx {
    pub exposed: Vec<String>,
    pub platform: Option<Platform>,
    pub snake_case_views: bool,
}

impl Default for Ctx {
    fn default() -> Ctx {
        Ctx {
            exposed: vec!["public".into()],
            platform: None,
            snake_case_views: false,
        }
    }
}

/// Runs lint `id` on a snapshot of `db` with the default context (`public` exposed).
pub async fn lint(db: &TestDb, id: &str) -> Vec<Finding> {
    lint_with(db, id, Ctx::default()).await
}

pub async fn lint_with(db: &TestDb, id: &str, ctx: Ctx) -> Vec<Finding> {
    let snap = snapshot(db).await;
    run_on(&snap, id, &ctx)
}

pub fn run_on(snap: &Snapshot, id: &str, ctx: &Ctx) -> Vec<Finding> {
    let l = ALL
        .iter()
        .find(|l| l.id.as_str() == id)
        .unwrap_or_else(|| panic!("no lint {id} in lints::ALL"));
    let c = LintContext {
        snapshot: snap,
        exposed_schemas: &ctx.exposed,
        platform: ctx.platform,
        wants_snake_case_views: ctx.snake_case_views,
    };
    let findings = (l.run)(&c, l);
    let rule = format!("lint.{id}");
    for f in &findings {
        assert_eq!(f.rule.id(), rule);
        assert!(f.why.is_some() && f.remedy.is_some(), "{f:#?}");
        assert!(f.expected.is_some() && f.actual.is_some(), "{f:#?}");
    }
    findings
}

/// The findings' objects, sorted.
pub fn objects(findings: &[Finding]) -> Vec<String> {
    let mut o: Vec<String> = findings.iter().map(|f| f.object.clone()).collect();
    o.sort();
    o
}

/// `(object, severity)` pairs, sorted by object.
pub fn graded(findings: &[Finding]) -> Vec<(String, Severity)> {
    let mut o: Vec<(String, Severity)> = findings
        .iter()
        .map(|f| (f.object.clone(), f.severity))
        .collect();
    o.sort();
    o
}

/// The finding on `object` (exactly one).
pub fn on<'a>(findings: &'a [Finding], object: &str) -> &'a Finding {
    let found: Vec<&Finding> = findings.iter().filter(|f| f.object == object).collect();
    assert_eq!(found.len(), 1, "findings on {object}: {findings:#?}");
    found[0]
}

#[test]
fn every_lint_is_listed_once_with_its_texts() {
    let mut ids: Vec<&str> = ALL.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), 27);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 27, "duplicate lint ids");
    for l in ALL {
        assert!(
            l.id.as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{}",
            l.id
        );
        assert!(!l.title.is_empty() && l.why.ends_with('.'), "{}", l.id);
        assert!(!l.remedy.is_empty(), "{}", l.id);
    }
}
