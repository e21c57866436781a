//! Schemas, roles, grants and default privileges.

use pgmend::db::catalog::{DefaultAclObject, Grant, Grantee, ObjectKind, Privilege};

use super::{role, scalar, snapshot, table};
use crate::support::TestDb;

fn grants_to<'a>(grants: &'a [Grant], name: &str, grantee: &Grantee) -> Vec<&'a Grant> {
    grants
        .iter()
        .filter(|g| g.name == name && &g.grantee == grantee)
        .collect()
}

#[tokio::test]
async fn roles_and_memberships() {
    let db = TestDb::new().await;
    let owner = role(&db, "owner");
    let user = role(&db, "user");
    db.exec(&format!(
        r#"CREATE ROLE "{owner}" NOLOGIN NOINHERIT CREATEROLE;
           CREATE ROLE "{user}" LOGIN BYPASSRLS CREATEDB IN ROLE "{owner}", pg_read_all_data;"#
    ))
    .await;
    let snap = snapshot(&db).await;
    let r = |n: &str| snap.roles.iter().find(|r| r.name == n).unwrap();
    let o = r(&owner);
    assert!(!o.can_login && !o.inherit && o.create_role && !o.superuser && !o.predefined);
    let u = r(&user);
    assert!(u.can_login && u.bypass_rls && u.create_db && u.inherit && !u.create_role);
    let mut want = vec![owner.clone(), "pg_read_all_data".to_string()];
    want.sort();
    assert_eq!(u.member_of, want);
    assert!(r("pg_read_all_data").predefined);
    let me: String = scalar(&db, "select current_user::text").await;
    assert!(r(&me).superuser);
    assert_eq!(snap.server.current_user, me);
    assert!(snap.server.is_superuser);
    db.exec(&format!(r#"DROP ROLE "{user}", "{owner}""#)).await;
}

#[tokio::test]
async fn grants_on_tables_sequences_functions_and_schemas() {
    let db = TestDb::new().await;
    let user = role(&db, "user");
    let spaced = role(&db, "my \"odd\" role");
    db.exec(&format!(
        r#"CREATE ROLE "{user}"; CREATE ROLE "{}";
        CREATE SCHEMA app;
        COMMENT ON SCHEMA app IS 'the app';
        GRANT USAGE ON SCHEMA app TO PUBLIC;
        CREATE TABLE app.items (id int);
        CREATE TABLE app.untouched (id int);
        CREATE VIEW app.items_v AS SELECT * FROM app.items;
        GRANT SELECT ON app.items TO "{user}" WITH GRANT OPTION;
        GRANT INSERT, UPDATE ON app.items TO "{}";
        GRANT SELECT ON app.items_v TO PUBLIC;
        CREATE SEQUENCE app.s;
        GRANT USAGE ON SEQUENCE app.s TO "{user}";
        CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'select x';
        REVOKE EXECUTE ON FUNCTION app.f(int) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION app.f(int) TO "{user}";"#,
        spaced.replace('"', "\"\""),
        spaced.replace('"', "\"\""),
    ))
    .await;
    let snap = snapshot(&db).await;
    let me: String = scalar(&db, "select current_user::text").await;
    let g = &snap.privileges;
    let user_g = Grantee::Role(user.clone());

    let sel = grants_to(g, "items", &user_g);
    assert_eq!(sel.len(), 1);
    assert_eq!(sel[0].object_kind, ObjectKind::Table);
    assert_eq!(
        (sel[0].privilege, sel[0].grantable),
        (Privilege::Select, true)
    );
    assert_eq!(
        (sel[0].schema.as_str(), sel[0].grantor.as_str()),
        ("app", me.as_str())
    );
    let odd: Vec<Privilege> = grants_to(g, "items", &Grantee::Role(spaced.clone()))
        .iter()
        .map(|g| g.privilege)
        .collect();
    assert_eq!(odd, [Privilege::Insert, Privilege::Update]);
    let view = grants_to(g, "items_v", &Grantee::Public);
    assert_eq!(view.len(), 1);
    assert_eq!(
        (view[0].object_kind, view[0].privilege),
        (ObjectKind::View, Privilege::Select)
    );

    let items = table(&snap, "app", "items");
    assert!(!items.acl_is_default);
    assert!(
        items
            .acl
            .iter()
            .any(|a| a.grantee == Grantee::Role(me.clone())),
        "owner listed"
    );
    let untouched = table(&snap, "app", "untouched");
    assert!(untouched.acl_is_default && untouched.acl.is_empty());
    assert!(
        g.iter().all(|g| g.name != "untouched"),
        "no invented grants"
    );

    let seq = grants_to(g, "s", &user_g);
    assert_eq!(
        (seq[0].object_kind, seq[0].privilege),
        (ObjectKind::Sequence, Privilege::Usage)
    );
    let f = grants_to(g, "f(x integer)", &user_g);
    assert_eq!(
        (f[0].object_kind, f[0].privilege),
        (ObjectKind::Function, Privilege::Execute)
    );
    assert!(
        grants_to(g, "f(x integer)", &Grantee::Public).is_empty(),
        "revoked from PUBLIC"
    );

    let app = snap.schemas.iter().find(|s| s.name == "app").unwrap();
    assert_eq!(app.comment.as_deref(), Some("the app"));
    assert_eq!(app.owner, me);
    assert!(!app.managed && !app.acl_is_default);
    let usage = grants_to(g, "app", &Grantee::Public);
    assert_eq!(
        (usage[0].object_kind, usage[0].privilege),
        (ObjectKind::Schema, Privilege::Usage)
    );
    assert_eq!(usage[0].schema, "app");

    db.exec(&format!(
        r#"DROP SCHEMA app CASCADE; DROP ROLE "{user}", "{}""#,
        spaced.replace('"', "\"\"")
    ))
    .await;
}

#[tokio::test]
async fn default_privileges() {
    let db = TestDb::new().await;
    let owner = role(&db, "owner");
    let user = role(&db, "user");
    db.exec(&format!(
        r#"CREATE ROLE "{owner}"; CREATE ROLE "{user}";
        CREATE SCHEMA app;
        ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA app
          GRANT SELECT, UPDATE ON TABLES TO "{user}";
        ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA app
          GRANT USAGE ON SEQUENCES TO PUBLIC;"#
    ))
    .await;
    let snap = snapshot(&db).await;
    let mine: Vec<_> = snap
        .default_privileges
        .iter()
        .filter(|d| d.role == owner)
        .collect();
    assert_eq!(mine.len(), 3, "{mine:?}");
    let tables = mine
        .iter()
        .find(|d| d.object_type == DefaultAclObject::Tables)
        .unwrap();
    assert_eq!(tables.schema.as_deref(), Some("app"));
    assert_eq!(tables.grants.len(), 1);
    assert_eq!(tables.grants[0].grantee, Grantee::Role(user.clone()));
    let privs: Vec<Privilege> = tables.grants[0]
        .privileges
        .iter()
        .map(|p| p.privilege)
        .collect();
    assert_eq!(privs, [Privilege::Select, Privilege::Update]);
    let funcs = mine
        .iter()
        .find(|d| d.object_type == DefaultAclObject::Functions)
        .unwrap();
    assert_eq!(funcs.schema, None);
    // Revoking from PUBLIC leaves only the owner's own EXECUTE.
    assert!(
        funcs
            .grants
            .iter()
            .all(|a| a.grantee == Grantee::Role(owner.clone()))
    );
    let seqs = mine
        .iter()
        .find(|d| d.object_type == DefaultAclObject::Sequences)
        .unwrap();
    assert_eq!(seqs.grants[0].grantee, Grantee::Public);
    db.exec(&format!(
        r#"DROP OWNED BY "{owner}"; DROP OWNED BY "{user}"; DROP ROLE "{owner}", "{user}""#
    ))
    .await;
}

#[tokio::test]
async fn managed_schemas_are_kept_but_flagged() {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE SCHEMA auth; CREATE TABLE auth.users (id uuid PRIMARY KEY, email text);
           CREATE VIEW public.profiles AS SELECT id, email FROM auth.users;
           CREATE TEMP TABLE scratch (x int);"#,
    )
    .await;
    let snap = snapshot(&db).await;
    let auth = snap.schemas.iter().find(|s| s.name == "auth").unwrap();
    assert!(auth.managed);
    assert!(snap.is_managed_schema("auth") && !snap.is_managed_schema("public"));
    assert!(
        snap.is_managed_schema("pg_catalog"),
        "known even when not read"
    );
    assert!(snap.table("auth", "users").is_some());
    let public = snap.schemas.iter().find(|s| s.name == "public").unwrap();
    assert!(!public.managed);
    for s in &snap.schemas {
        assert!(
            s.name != "pg_catalog"
                && s.name != "information_schema"
                && !s.name.starts_with("pg_toast")
                && !s.name.starts_with("pg_temp"),
            "system schema {} read",
            s.name
        );
    }
    assert!(
        snap.tables
            .iter()
            .all(|t| t.schema == "auth" || t.schema == "public")
    );
}
