use super::*;
use crate::fix::plan::{Precondition, Step};

fn step(sql: &str, mode: StepMode) -> Step {
    Step {
        description: format!("run {sql}"),
        sql: sql.into(),
        mode,
        group: 1,
        invalid_index_cleanup: None,
    }
}

fn plan(id: &str, steps: Vec<Step>) -> Plan {
    let mut p = crate::fix::build::B::new(id, format!("mend {id}")).done();
    p.steps = steps;
    p
}

#[test]
fn statements_that_cannot_run_in_a_transaction_stand_alone() {
    use StepMode::*;
    let mut a = plan(
        "a",
        vec![
            step("CREATE TABLE t (x int)", Transactional),
            step("CREATE INDEX CONCURRENTLY i ON t (x)", Autocommit),
        ],
    );
    a.preconditions.push(Precondition {
        description: "no rows".into(),
        sample_sql: String::new(),
        count_sql: "SELECT count(*) FROM t".into(),
        problem: None,
    });
    let b = plan("b", vec![step("ALTER TABLE t ADD y int", Transactional)]);
    let c = plan("c", vec![step("COMMENT ON TABLE t IS 'c'", Transactional)]);
    let ps = parts(&[a, b, c]);
    let shape: Vec<(bool, Vec<&str>)> =
        ps.iter().map(|p| (p.standalone, p.finding_ids())).collect();
    assert_eq!(
        shape,
        [
            (false, vec!["a"]),
            (true, vec!["a"]),
            (false, vec!["b", "c"])
        ]
    );
    assert!(
        ps[0].pieces[0].sql.starts_with("DO $pgmend$"),
        "{:?}",
        ps[0]
    );
    assert_eq!(ps[0].pieces[0].plan_title.as_deref(), Some("mend a"));
    let text = ps[2].sql_text();
    assert!(text.contains("ALTER TABLE t ADD y int;\n"), "{text}");
    assert!(!text.contains("BEGIN"), "{text}");
    let files: Vec<PathBuf> = ["1", "2", "3"].iter().map(PathBuf::from).collect();
    assert_eq!(
        by_plan(&ps, &files),
        [
            ("a".to_string(), vec![files[0].clone(), files[1].clone()]),
            ("b".to_string(), vec![files[2].clone()]),
            ("c".to_string(), vec![files[2].clone()]),
        ]
    );
}

#[test]
fn drizzle_builds_indexes_in_its_transaction() {
    assert_eq!(
        drizzle::in_transaction("CREATE UNIQUE INDEX CONCURRENTLY \"i\" ON t (a);\n").as_deref(),
        Some("CREATE UNIQUE INDEX IF NOT EXISTS \"i\" ON t (a);\n")
    );
    assert_eq!(
        drizzle::in_transaction("DROP INDEX CONCURRENTLY IF EXISTS s.i;").as_deref(),
        Some("DROP INDEX IF EXISTS s.i;")
    );
    assert_eq!(
        drizzle::in_transaction("CREATE INDEX \"concurrently\" ON t (a)"),
        None
    );
    assert_eq!(
        drizzle::in_transaction("ALTER TABLE t VALIDATE CONSTRAINT k"),
        None
    );
}

#[test]
fn typeorm_literals_hold_the_sql_as_it_is() {
    assert_eq!(
        typeorm::template("SELECT '`' || E'\\n' || '${x}'"),
        "`SELECT '\\`' || E'\\\\n' || '\\${x}'`"
    );
}

#[test]
fn versions_follow_the_newest_migration_in_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let now = humantime::parse_rfc3339("2026-12-05T00:15:32Z").unwrap();
    assert_eq!(
        stamp::versions(dir.path(), now, 2),
        ["20261205001532", "20261205001533"]
    );
    std::fs::create_dir(dir.path().join("20300101000000_init")).unwrap();
    assert_eq!(stamp::versions(dir.path(), now, 1), ["20300101000001"]);
    assert_eq!(stamp::parse("2026120500153x_a"), None);
}

#[test]
fn names_and_formats_are_checked() {
    let v = |f: &str| vec![f.to_string(), "out".to_string()];
    assert_eq!(
        Request::parse(&v("Prisma"), None).unwrap().format,
        Format::Prisma
    );
    let e = Request::parse(&v("flyway"), None).unwrap_err();
    assert!(e.contains("prisma, supabase, typeorm, drizzle, sql"), "{e}");
    assert!(Request::parse(&v("sql"), Some("Bad-Name")).is_err());
}
