//! Migration-history findings are never faked by a fix: each gives the tool's exact command to
//! record or apply the migration, with the reason, in `check` output.

use super::{check_toml, failed_ids};
use crate::support::{TestDb, pgmend};

const CL: &str = r#"
[[migration]]
tool = "prisma"
name = "20250102_broken"

[[migration]]
tool = "prisma"
name = "20250103_never_ran"

[[migration]]
tool = "supabase"
name = "20250101000018_add_critical_missing_tables"

[[migration]]
tool = "typeorm"
name = "AddOrganizationRoles1735000000000"

[[migration]]
tool = "knex"
name = "20250104_add_index.js"
"#;

#[tokio::test]
async fn migration_findings_give_the_tools_own_command() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,
           finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text,
           rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),
           applied_steps_count int NOT NULL DEFAULT 0);
         INSERT INTO _prisma_migrations VALUES ('2', 'c', NULL, '20250102_broken', 'error', NULL, now(), 0);
         CREATE TABLE migrations (id serial PRIMARY KEY, \"timestamp\" bigint NOT NULL, name varchar NOT NULL);",
    )
    .await;
    let r = check_toml(&db, CL, false).await;
    assert_eq!(
        failed_ids(&r),
        [
            "migration.failed:Prisma migration 20250102_broken",
            "migration.missing:Knex migration 20250104_add_index.js",
            "migration.missing:Prisma migration 20250103_never_ran",
            "migration.missing:Supabase migration 20250101000018_add_critical_missing_tables",
            "migration.missing:TypeOrm migration AddOrganizationRoles1735000000000",
        ]
    );
    let remedy = |id: &str| {
        r.items
            .iter()
            .flat_map(|i| &i.findings)
            .find(|f| f.id == id)
            .and_then(|f| f.remedy.clone())
            .unwrap_or_else(|| panic!("no remedy for {id}"))
    };
    let failed = remedy("migration.failed:Prisma migration 20250102_broken");
    assert!(
        failed.contains("`npx prisma migrate resolve --applied 20250102_broken`")
            && failed.contains("`npx prisma migrate resolve --rolled-back 20250102_broken`"),
        "{failed}"
    );
    assert!(
        remedy("migration.missing:Prisma migration 20250103_never_ran")
            .contains("`npx prisma migrate resolve --applied 20250103_never_ran`")
    );
    assert!(
        remedy("migration.missing:Supabase migration 20250101000018_add_critical_missing_tables")
            .contains("`supabase migration repair --status applied 20250101000018`")
    );
    let typeorm = remedy("migration.missing:TypeOrm migration AddOrganizationRoles1735000000000");
    assert!(
        typeorm.contains(
            "`INSERT INTO migrations (\"timestamp\", name) VALUES (1735000000000, 'AddOrganizationRoles1735000000000')`"
        ),
        "{typeorm}"
    );
    // The TypeORM statement is the one that records it: run it and the finding goes.
    db.exec("INSERT INTO migrations (\"timestamp\", name) VALUES (1735000000000, 'AddOrganizationRoles1735000000000')")
        .await;
    let again = check_toml(&db, CL, false).await;
    assert!(
        !failed_ids(&again).iter().any(|i| i.contains("TypeOrm")),
        "{:?}",
        failed_ids(&again)
    );
    for f in r.items.iter().flat_map(|i| &i.findings) {
        let text = f.remedy.as_deref().unwrap_or_default();
        assert!(
            text.contains("pgmend does not write migration history"),
            "{text}"
        );
        assert!(!f.fixable, "{} must not be fixable", f.id);
    }
    // And `check` prints it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    std::fs::write(&path, CL).unwrap();
    let out = pgmend()
        .args(["check", db.url(), "--no-lints", "--checklist"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("remedy: `npx prisma migrate deploy` applies it; if its changes are already in the database: `npx prisma migrate resolve --applied 20250103_never_ran`"),
        "{text}"
    );
}
