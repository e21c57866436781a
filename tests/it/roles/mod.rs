//! pgmend as the roles engineers have on managed platforms, where nobody is superuser:
//! - Supabase-like: the owner of the app's tables, not superuser, a member of anon /
//!   authenticated / service_role, with no USAGE on the platform's internal schemas (realtime,
//!   vault) and only what Supabase grants on `auth` and `storage`, which a separate admin role
//!   (`supabase_admin`) owns;
//! - RDS-like: a member of an admin role (the `rds_superuser` stand-in), with CREATEDB and
//!   CREATEROLE, no superuser or replication, and an `rdsadmin` schema it cannot use.
//!
//! The scenario is loaded as superuser (as the platform and the migrations made it), then the
//! app's objects are handed to the role and the platform's schemas to the platform's roles.

mod exact;
mod flows;
mod scope;
mod visible;

use pgmend::db::catalog::is_managed_schema;
use sqlx::Connection;

use crate::support::{TestDb, next_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    SupabaseLike,
    RdsLike,
}

/// A login role of one of the platform shapes, unique to the test.
pub struct PlatformRole {
    pub name: String,
    pub password: String,
    pub shape: Shape,
}

impl PlatformRole {
    /// Creates the role (and, for RDS, its admin role).
    pub async fn create(shape: Shape) -> PlatformRole {
        let n = format!("{}_{}", std::process::id(), next_id());
        let (name, password) = match shape {
            Shape::SupabaseLike => (format!("sb_owner_{n}"), format!("pw-{n}")),
            Shape::RdsLike => (format!("rds_master_{n}"), format!("pw-{n}")),
        };
        let base = "NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS";
        let sql = match shape {
            // anon etc. come from the Supabase stand-in, loaded with the scenario; created here
            // too (idempotently) for tests that do not load it.
            Shape::SupabaseLike => format!(
                r#"{SB_ROLES}
                CREATE ROLE "{name}" LOGIN PASSWORD '{password}' {base};
                GRANT anon, authenticated, service_role TO "{name}";"#
            ),
            Shape::RdsLike => format!(
                r#"CREATE ROLE "{name}_admin" NOLOGIN {base};
                GRANT pg_monitor, pg_signal_backend TO "{name}_admin";
                CREATE ROLE "{name}" LOGIN PASSWORD '{password}' {base} IN ROLE "{name}_admin";"#
            ),
        };
        let mut c = sqlx::PgConnection::connect(&crate::support::url_for("postgres"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("creating the {shape:?} role: {e}"));
        let _ = c.close().await;
        PlatformRole {
            name,
            password,
            shape,
        }
    }

    /// `db`'s URL, logging in as this role.
    pub fn url(&self, db: &TestDb) -> String {
        let mut u = url::Url::parse(db.url()).unwrap();
        u.set_username(&self.name).unwrap();
        u.set_password(Some(&self.password)).unwrap();
        u.to_string()
    }

    /// Makes `db` look like the platform: the app's schemas, tables, views, sequences,
    /// functions and types owned by the role (and the database too), the platform's schemas
    /// owned by the platform, some of them closed to the role.
    pub async fn shape(&self, db: &TestDb) {
        let mut c = db.connect().await;
        let schemas: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace \
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let _ = c.close().await;
        let app: Vec<String> = schemas
            .iter()
            .filter(|s| !is_managed_schema(s))
            .map(|s| format!("'{}'", s.replace('\'', "''")))
            .collect();
        let (o, d) = (&self.name, &db.name);
        let mut sql = format!(
            r#"ALTER DATABASE "{d}" OWNER TO "{o}";
            GRANT ALL ON SCHEMA public TO "{o}";
            {}
            {}"#,
            own_app_objects(&app.join(", "), o),
            same_defaults(o)
        );
        sql.push_str(&match self.shape {
            Shape::SupabaseLike => format!(
                r#"{SB_ROLES}
                CREATE SCHEMA IF NOT EXISTS auth;
                CREATE SCHEMA IF NOT EXISTS storage;
                CREATE SCHEMA realtime;
                CREATE TABLE realtime.messages (id bigint PRIMARY KEY, topic text, payload jsonb);
                INSERT INTO realtime.messages VALUES (1, 'room:1', '{{"hello": 1}}');
                CREATE SCHEMA vault;
                CREATE TABLE vault.secrets (id int PRIMARY KEY, secret text NOT NULL);
                INSERT INTO vault.secrets VALUES (1, 'sk_live_not_for_the_owner');
                REVOKE ALL ON SCHEMA realtime, vault FROM PUBLIC;
                {}
                {}
"#,
                own_schemas("'auth', 'storage', 'realtime', 'vault'", "supabase_admin"),
                // Supabase's migration history belongs to the project's owner role.
                own_schemas("'supabase_migrations'", o),
            ),
            Shape::RdsLike => r#"CREATE SCHEMA rdsadmin;
                CREATE TABLE rdsadmin.rds_heartbeat2 (id int PRIMARY KEY, value bigint);
                INSERT INTO rdsadmin.rds_heartbeat2 VALUES (1, 42);
                REVOKE ALL ON SCHEMA rdsadmin FROM PUBLIC;"#
                .to_string(),
        });
        db.exec(&sql).await;
    }
}

impl PlatformRole {
    /// A Supabase app self-hosted on the RDS-like server: the role ran the app's migrations, so
    /// it owns their history (`supabase_migrations`), and the auth service's schema, which the
    /// role does not own, is open to its admin group for what the app's SQL uses (USAGE on
    /// `auth`, EXECUTE on `auth.uid()` and the other helpers, which the policies call, and
    /// REFERENCES on `auth.users`, which the profiles' foreign key points at).
    pub async fn hosts_supabase_app(&self, db: &TestDb) {
        assert_eq!(self.shape, Shape::RdsLike);
        let (o, admin) = (&self.name, format!("{}_admin", self.name));
        db.exec(&format!(
            r#"GRANT USAGE ON SCHEMA auth TO "{admin}";
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO "{admin}";
            GRANT REFERENCES ON auth.users TO "{admin}";
            {}"#,
            own_schemas("'supabase_migrations'", o)
        ))
        .await;
    }
}

/// Supabase's roles, idempotently (roles are cluster-wide, tests run in parallel).
const SB_ROLES: &str = r#"DO $r$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        BEGIN CREATE ROLE anon NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        BEGIN CREATE ROLE authenticated NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        BEGIN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') THEN
        BEGIN CREATE ROLE supabase_admin NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    END IF;
END
$r$;"#;

/// Hands every relation, routine and type in the app's schemas (`list`: SQL literals) that no
/// extension owns, and the schemas other than public, to `owner`.
fn own_app_objects(list: &str, owner: &str) -> String {
    format!(
        r#"DO $own$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.oid::regclass::text AS q,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                    WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS k
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ({list}) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', r.k, r.q, '{owner}');
    END LOOP;
    FOR r IN
        SELECT p.oid::regprocedure::text AS q,
               CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END AS k
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ({list})
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', r.k, r.q, '{owner}');
    END LOOP;
    FOR r IN
        SELECT t.oid::regtype::text AS q,
               CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS k
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN ({list})
          AND (t.typtype IN ('e', 'd')
               OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', r.k, r.q, '{owner}');
    END LOOP;
    FOR r IN SELECT nspname FROM pg_namespace WHERE nspname IN ({list}) AND nspname <> 'public'
    LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '{owner}');
    END LOOP;
END
$own$;"#
    )
}

/// The default privileges the loading superuser has in public, given to `owner` as well (as
/// Supabase does for `postgres`: tables it creates are granted to anon, authenticated and
/// service_role like the platform's own).
fn same_defaults(owner: &str) -> String {
    format!(
        r#"DO $def$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT d.defaclobjtype AS t, a.grantee, a.privilege_type AS p
        FROM pg_default_acl d
        JOIN pg_namespace n ON n.oid = d.defaclnamespace
        CROSS JOIN LATERAL aclexplode(d.defaclacl) a
        WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
          AND n.nspname = 'public'
    LOOP
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT %s ON %s TO %s',
            '{owner}', r.p,
            CASE r.t WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                     ELSE 'TYPES' END,
            CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
    END LOOP;
END
$def$;"#
    )
}

/// Hands the schemas in `list` and every table and routine in them to `owner`.
fn own_schemas(list: &str, owner: &str) -> String {
    format!(
        r#"DO $own$
DECLARE r record;
BEGIN
    FOR r IN SELECT nspname FROM pg_namespace WHERE nspname IN ({list}) LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '{owner}');
    END LOOP;
    FOR r IN
        SELECT c.oid::regclass::text AS q FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ({list}) AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', r.q, '{owner}');
    END LOOP;
    FOR r IN
        SELECT p.oid::regprocedure::text AS q FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ({list})
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.q, '{owner}');
    END LOOP;
END
$own$;"#
    )
}
