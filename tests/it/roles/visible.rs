//! What the catalog shows a role that is not superuser: objects in a schema it has no USAGE
//! on, and function definitions, are read as for a superuser (PostgreSQL's catalog shows them
//! to every role), so they are never reported missing; a migration history table it cannot
//! read is reported "not visible to <role>", not as migrations never applied, and so is a
//! data check whose query it lacks the privilege for.

use super::{PlatformRole, Shape};
use crate::apply::fix_cli::{pgmend, text};
use crate::support::{TestDb, next_id};

const CHECKLIST: &str = r#"
[checklist]
name = "hidden"

[[table]]
schema = "private"
name = "keys"
columns = [{ name = "id", type = "integer" }]

[[function]]
schema = "private"
name = "rotate"
security_definer = true
search_path_set = true

[[data]]
name = "an init migration is recorded"
query = "SELECT count(*) > 0 FROM public._prisma_migrations"

[[migration]]
tool = "prisma"
name = "20240101000000_init"
"#;

/// (finding id, message) of `pgmend check --format json`.
fn findings(data: &std::path::Path, url: &str, cl: &std::path::Path) -> Vec<(String, String)> {
    let out = pgmend(data)
        .args([
            "check",
            url,
            "--no-lints",
            "--format",
            "json",
            "--checklist",
        ])
        .arg(cl)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn hidden_is_not_missing() {
    let role = PlatformRole::create(Shape::SupabaseLike).await;
    let db = TestDb::new().await;
    let other = format!("keeper_{}_{}", std::process::id(), next_id());
    db.exec(&format!(
        r#"CREATE ROLE "{other}";
        CREATE SCHEMA private AUTHORIZATION "{other}";
        CREATE TABLE private.keys (id integer);
        CREATE FUNCTION private.rotate() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = '' AS $$ BEGIN PERFORM 1; END $$;
        ALTER TABLE private.keys OWNER TO "{other}";
        ALTER FUNCTION private.rotate() OWNER TO "{other}";
        CREATE TABLE public._prisma_migrations (
            id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,
            finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text,
            rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),
            applied_steps_count integer NOT NULL DEFAULT 0);
        INSERT INTO public._prisma_migrations (id, checksum, finished_at, migration_name)
            VALUES ('1', 'c', now(), '20240101000000_init');
        ALTER TABLE public._prisma_migrations OWNER TO "{other}";
        REVOKE ALL ON public._prisma_migrations FROM PUBLIC;"#
    ))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("hidden.toml");
    std::fs::write(&cl, CHECKLIST).unwrap();

    assert_eq!(findings(tmp.path(), db.url(), &cl), []);
    let as_role = findings(tmp.path(), &role.url(&db), &cl);
    let want = format!(
        "Prisma migration 20240101000000_init: not visible to {0} \
         (public._prisma_migrations is not readable by {0}), so whether it was applied cannot \
         be told",
        role.name
    );
    assert_eq!(
        as_role,
        [
            (
                "data.not_visible:data: an init migration is recorded".to_string(),
                format!(
                    "an init migration is recorded: not visible to {} (permission denied for \
                     table _prisma_migrations)",
                    role.name
                )
            ),
            (
                "migration.not_visible:Prisma migration 20240101000000_init".to_string(),
                want
            )
        ]
    );
}
