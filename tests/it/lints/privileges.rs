//! Effective privileges (`pgmend::db::privileges`) on a real catalog, compared with the
//! server's own `has_table_privilege` / `has_function_privilege`.

use pgmend::db::catalog::Grantee;
use pgmend::db::privileges::{
    function_executable_by, list, roles_holding_any, schema_privileges, table_privileges,
};

use super::snapshot;
use crate::support::TestDb;

async fn server_says(db: &TestDb, sql: String) -> bool {
    let mut c = db.connect().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut c)
        .await
        .unwrap()
}

#[tokio::test]
async fn effective_privileges_follow_membership_public_and_defaults() {
    let db = TestDb::new().await;
    let r = |base: &str| format!("{base}_{}", db.name);
    let (owner, staff, alice, bob) = (r("owner"), r("staff"), r("alice"), r("bob"));
    db.exec(&format!(
        r#"CREATE ROLE "{owner}"; CREATE ROLE "{staff}";
           CREATE ROLE "{alice}" IN ROLE "{staff}";
           CREATE ROLE "{bob}" NOINHERIT IN ROLE "{staff}";
           CREATE TABLE public.t (id int); ALTER TABLE public.t OWNER TO "{owner}";
           CREATE TABLE public.untouched (id int); ALTER TABLE public.untouched OWNER TO "{owner}";
           GRANT SELECT ON public.t TO "{staff}";
           GRANT INSERT ON public.t TO PUBLIC;
           CREATE FUNCTION public.open() RETURNS int LANGUAGE sql AS 'SELECT 1';
           CREATE FUNCTION public.closed() RETURNS int LANGUAGE sql AS 'SELECT 1';
           REVOKE EXECUTE ON FUNCTION public.closed() FROM PUBLIC;
           GRANT EXECUTE ON FUNCTION public.closed() TO "{staff}";"#
    ))
    .await;
    let snap = snapshot(&db).await;
    let t = snap.table("public", "t").unwrap();
    let untouched = snap.table("public", "untouched").unwrap();
    assert!(untouched.acl_is_default);
    let f = |n: &str| snap.functions.iter().find(|f| f.name == n).unwrap();
    assert!(f("open").acl_is_default);

    for role in [&owner, &staff, &alice, &bob] {
        for (table, tname) in [(t, "public.t"), (untouched, "public.untouched")] {
            let ours = table_privileges(&snap, table, role);
            for p in [
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
            ] {
                let theirs = server_says(
                    &db,
                    format!("SELECT has_table_privilege('{role}', '{tname}', '{p}')"),
                )
                .await;
                let mine = ours.iter().any(|x| x.as_sql() == p);
                assert_eq!(mine, theirs, "{role} {p} on {tname}: ours {}", list(&ours));
            }
        }
        for name in ["open", "closed"] {
            let theirs = server_says(
                &db,
                format!("SELECT has_function_privilege('{role}', 'public.{name}()', 'EXECUTE')"),
            )
            .await;
            assert_eq!(
                function_executable_by(&snap, f(name), role),
                theirs,
                "{role} {name}"
            );
        }
    }
    assert_eq!(list(&table_privileges(&snap, t, &alice)), "SELECT, INSERT");
    assert_eq!(list(&table_privileges(&snap, t, &bob)), "INSERT");

    let holders: Vec<String> = roles_holding_any(&snap, t)
        .iter()
        .map(|(g, p)| format!("{}={}", g.display_name(), list(p)))
        .collect();
    assert!(
        holders.contains(&"PUBLIC=INSERT".to_string()),
        "{holders:?}"
    );
    assert!(holders.contains(&format!("{staff}=SELECT")), "{holders:?}");
    assert_eq!(
        roles_holding_any(&snap, untouched)[0].0,
        Grantee::Role(owner.clone())
    );

    let public = snap.schemas.iter().find(|s| s.name == "public").unwrap();
    assert!(
        schema_privileges(&snap, public, &alice)
            .iter()
            .any(|p| p.as_sql() == "USAGE")
    );

    db.exec(&format!(
        r#"DROP TABLE public.t, public.untouched; DROP FUNCTION public.open(), public.closed();
           DROP ROLE "{alice}", "{bob}", "{staff}", "{owner}";"#
    ))
    .await;
}
