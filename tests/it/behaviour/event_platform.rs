//! event-platform (seed 004, Prisma): after the fix, the composite uniques hold (a duplicate
//! fails with 23505 naming the right index, a pair differing in one column does not), the
//! VIEWER role can be written and read, every room has its locked manifest version, and the
//! three foreign-key indexes the last migration adds exist, lead with their FK column and serve
//! the lookups the foreign keys run.

use sqlx::{AssertSqlSafe, Connection};

use super::{attempt, fix_all, indexes_used, scenario, violates};

#[tokio::test]
async fn event_platform_after_fix_holds_its_keys_and_roles() {
    let db = scenario("event-platform").await;
    // The new NOT NULL column on 240 rooms: the preset's backfill (each room locks to its app's
    // manifestVersion, "rooms lock to appManifestVersion at creation time") goes through the
    // safe sequence; the indexes over it follow. Nothing is refused.
    let first = fix_all(&db, "event-platform");
    assert!(
        !first.contains("refused ")
            && first.contains(r#"fixed    column.missing:public.rooms."appManifestVersion""#)
            && first.contains(r#"fixed    index.missing:public."rooms_appManifestVersion_idx""#),
        "{first}"
    );
    let mut c = db.connect().await;
    // A participant (user, room), another room the user is not in, another user.
    let (uid, room, provider, provider_id): (String, String, String, String) = sqlx::query_as(
        r#"SELECT p."userId", p."roomId", u.provider, u."providerId"
           FROM participants p JOIN users u ON u.id = p."userId" ORDER BY p.id LIMIT 1"#,
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    let other_room: String = sqlx::query_scalar(AssertSqlSafe(format!(
        r#"SELECT id FROM rooms r WHERE NOT EXISTS
             (SELECT 1 FROM participants p WHERE p."roomId" = r.id AND p."userId" = '{uid}')
           ORDER BY id LIMIT 1"#
    )))
    .fetch_one(&mut c)
    .await
    .unwrap();
    let join = |id: &str, user: &str, room: &str, role: &str| {
        format!(
            r#"INSERT INTO participants (id, "userId", "roomId", role) VALUES ('{id}', '{user}', '{room}', '{role}')"#
        )
    };
    let user = |id: &str, email: &str, provider: &str, pid: &str| {
        format!(
            r#"INSERT INTO users (id, email, provider, "providerId", "updatedAt") VALUES ('{id}', '{email}', '{provider}', '{pid}', now())"#
        )
    };
    let mut tx = c.begin().await.unwrap();
    let writes = [
        join("pgmend-p1", &uid, &room, "PARTICIPANT"),
        join("pgmend-p2", &uid, &other_room, "VIEWER"),
        user("pgmend-u1", "pgmend-1@example.com", &provider, &provider_id),
        user("pgmend-u2", "pgmend-2@example.com", &provider, "pgmend-other-id"),
        user("pgmend-u3", "pgmend-3@example.com", "pgmend-provider", &provider_id),
        format!(r#"UPDATE participants SET role = 'VIEWER' WHERE "userId" = '{uid}' AND "roomId" = '{room}'"#),
        r#"SELECT 1 FROM participants WHERE role = 'VIEWER'"#.to_string(),
        r#"SELECT 1 FROM rooms WHERE "appManifestVersion" IS NULL"#.to_string(),
        r#"INSERT INTO rooms (id, "appId", "createdById", "updatedAt", name) SELECT 'pgmend-r', "appId", "createdById", now(), 'r' FROM rooms LIMIT 1"#.to_string(),
    ];
    let mut r = Vec::new();
    for w in &writes {
        r.push(attempt(&mut tx, w).await);
    }
    assert!(
        violates(&r[0], "23505", "participants_userId_roomId_key"),
        "a second join of the same room: {:?}",
        r[0]
    );
    assert_eq!(r[1], Ok(1), "the same user in another room, as VIEWER");
    assert!(
        violates(&r[2], "23505", "users_provider_providerId_key"),
        "the same OAuth identity twice: {:?}",
        r[2]
    );
    assert_eq!(r[3], Ok(1), "same provider, another id");
    assert_eq!(r[4], Ok(1), "same id, another provider");
    assert_eq!(r[5], Ok(1), "an existing participant made VIEWER");
    assert_eq!(r[6], Ok(2), "VIEWERs read back");
    assert_eq!(r[7], Ok(0), "every room has its manifest version");
    assert!(
        matches!(&r[8], Err(e) if e.code == "23502" && e.message.contains("appManifestVersion")),
        "a room without a manifest version: {:?}",
        r[8]
    );
    let roles: Vec<String> =
        sqlx::query_scalar(r#"SELECT unnest(enum_range(NULL::"ParticipantRole"))::text"#)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        roles,
        ["ADMIN", "ORGANIZER", "MODERATOR", "PARTICIPANT", "VIEWER"]
    );
    tx.rollback().await.unwrap();

    // The foreign-key indexes: each leads with its FK column, and the lookups the foreign keys
    // run (deleting a user or a prize: `SELECT 1 FROM ONLY t x WHERE col = $1 FOR KEY SHARE OF
    // x`) use them.
    sqlx::raw_sql("ANALYZE prizes; ANALYZE winners")
        .execute(&mut c)
        .await
        .unwrap();
    for (table, col, index) in [
        ("prizes", "createdById", "prizes_createdById_idx"),
        ("winners", "prizeId", "winners_prizeId_idx"),
        ("winners", "userId", "winners_userId_idx"),
    ] {
        let lead: Option<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indexrelid = to_regclass(quote_ident($1))",
        )
        .bind(index)
        .fetch_optional(&mut c)
        .await
        .unwrap();
        assert_eq!(lead.as_deref(), Some(col), "{index}");
        let fk: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f'
               AND conrelid = to_regclass(quote_ident($1)) AND conname = $2)",
        )
        .bind(table)
        .bind(format!("{table}_{col}_fkey"))
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert!(fk, "{table}_{col}_fkey");
        let used = indexes_used(
            &mut c,
            &format!(
                r#"SELECT 1 FROM ONLY public.{table} x WHERE "{col}" OPERATOR(pg_catalog.=) 'x' FOR KEY SHARE OF x"#
            ),
        )
        .await;
        assert_eq!(used, [index], "{table}.{col}");
    }
    // And deleting a prize that was won is refused by the foreign key, through its index.
    let won: String = sqlx::query_scalar(r#"SELECT "prizeId" FROM winners LIMIT 1"#)
        .fetch_one(&mut c)
        .await
        .unwrap();
    let mut tx = c.begin().await.unwrap();
    let r = attempt(&mut tx, &format!("DELETE FROM prizes WHERE id = '{won}'")).await;
    assert!(violates(&r, "23503", "winners_prizeId_fkey"), "{r:?}");
    tx.rollback().await.unwrap();
}
