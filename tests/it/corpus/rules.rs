//! The normalisation and comparison rules of the corpus, on small inputs.

use std::collections::BTreeSet;

use super::compare::{holds, object_key, unasked};
use super::normalise::{dump_statements, generated_names, snapshot_diff, statements};

#[test]
fn the_normalisation_rules_hold() {
    assert_eq!(
        generated_names("ADD CONSTRAINT users_email_key1 UNIQUE (email), orders_by_user"),
        "ADD CONSTRAINT <generated_key> UNIQUE (email), orders_by_user"
    );
    let s =
        statements("-- c\nCREATE FUNCTION f() AS $b$ x; -- y\n $b$;\nSELECT ';' ; SELECT \"a;b\"");
    assert_eq!(
        s,
        [
            "CREATE FUNCTION f() AS $b$ x; -- y\n $b$",
            "SELECT ';'",
            "SELECT \"a;b\""
        ]
    );
    let d =
        dump_statements("\\restrict k1\nCREATE TABLE t (\n    b int,\n    a int\n);\nSET x = 1;");
    assert_eq!(
        d.into_iter().collect::<Vec<_>>(),
        ["CREATE TABLE t (\n    a int\n    b int\n)"]
    );
    let wide = "CREATE TABLE t (\n    a int\n    b int\n)";
    assert!(holds(wide, "CREATE TABLE t (\n    a int\n)"));
    assert!(!holds("CREATE TABLE t (\n    a int\n)", wide));
    assert!(!holds(wide, "CREATE TABLE t (\n    a int\n)\nINHERITS (p)"));
    assert_eq!(
        object_key("CREATE OR REPLACE VIEW v WITH (a) AS\n SELECT"),
        "CREATE VIEW v"
    );
    assert_eq!(
        object_key("CREATE VIEW \"v (x) AS\" AS SELECT"),
        "CREATE VIEW \"v (x) AS\""
    );
    assert_eq!(
        object_key("CREATE UNLOGGED TABLE t (\n a int\n)"),
        "CREATE TABLE t"
    );
    assert_eq!(
        object_key("CREATE POLICY p ON t FOR SELECT"),
        "CREATE POLICY p ON t"
    );
    assert_eq!(
        object_key("ALTER TABLE t ENABLE ROW LEVEL SECURITY"),
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY"
    );
    let set = |v: &[&str]| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    let before = set(&[
        "CREATE FUNCTION f()\n AS $$ x $$",
        "CREATE TABLE t (\n    a int\n)",
    ]);
    let after = set(&[
        "CREATE FUNCTION f()\n SET search_path\n AS $$ x $$",
        wide,
        "ALTER TABLE t ENABLE RLS",
    ]);
    let b_only = set(&["CREATE TABLE t (\n    b int\n)"]);
    assert_eq!(
        unasked(&before, &after, &b_only),
        [
            "- CREATE FUNCTION f()\n AS $$ x $$",
            "+ ALTER TABLE t ENABLE RLS",
            "+ CREATE FUNCTION f()\n SET search_path\n AS $$ x $$"
        ]
    );
    let b = "[[table]]\nname = \"t\"\ncolumns = [\n  { name = \"a\" },\n]\n[[table.unique]]\ncolumns = [\"a\"]\n";
    let a = "[[table]]\nname = \"t\"\ncolumns = [\n  { name = \"z\" },\n  { name = \"a\" },\n]\n[[table.unique]]\ncolumns = [\"a\"]\n[[view]]\nname = \"v\"\n";
    assert_eq!(
        snapshot_diff(a, b),
        (vec![], vec!["[[view]] name = \"v\"".to_string()])
    );
    let (missing, _) = snapshot_diff(b, a);
    assert_eq!(missing.len(), 2, "{missing:?}");
}
