//! chat-system (seed 001, TypeORM): after the fix, the `chat` feature type can be used and is
//! seeded, and the new chat tables take rows through their foreign keys, keep their unique
//! keys and cascade as the write-up states (a message's attachments and reactions go with it,
//! a reply outlives its original, a chat's calls and their participants go with the chat, a
//! deleted user leaves the calls they started without an initiator).

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use super::{attempt, fix_all, scenario, violates};

/// The name of the unique constraint of `table` over exactly `cols` (in order).
async fn unique_named(c: &mut PgConnection, table: &str, cols: &[&str]) -> String {
    sqlx::query_scalar(
        "SELECT con.conname::text FROM pg_constraint con
         WHERE con.conrelid = $1::regclass AND con.contype = 'u'
           AND (SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(con.conkey)
                WITH ORDINALITY k(n, i) JOIN pg_attribute a
                ON a.attrelid = con.conrelid AND a.attnum = k.n) = $2",
    )
    .bind(table)
    .bind(cols)
    .fetch_one(c)
    .await
    .unwrap_or_else(|e| panic!("no unique constraint on {table} {cols:?}: {e}"))
}

async fn scalar(c: &mut PgConnection, sql: &str) -> String {
    sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql.to_string()))
        .fetch_one(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| "NULL".into())
}

#[tokio::test]
async fn chat_system_after_fix_takes_chat_features_and_calls() {
    let db = scenario("chat-system").await;
    let c_stdout = fix_all(&db, "chat-system");
    assert!(!c_stdout.contains("refused "), "{c_stdout}");
    let mut c = db.connect().await;
    let reaction_key = unique_named(
        &mut c,
        "message_reactions",
        &["message_id", "user_id", "emoji"],
    )
    .await;
    let participant_key =
        unique_named(&mut c, "call_participants", &["call_session_id", "user_id"]).await;
    // The seed's Chat System row is written by the fix (the preset's [[data]] seed), and it
    // needs the enum value the same run added.
    assert!(
        c_stdout.contains("fixed    data.false:data: Chat System package feature is seeded"),
        "{c_stdout}"
    );
    assert_eq!(
        scalar(
            &mut c,
            "SELECT type::text || ' ' || price::text || ' ' || name FROM package_features \
             WHERE slug = 'chat-system'"
        )
        .await,
        "chat 49.99 Chat System"
    );
    // A message of a chat, two users of that chat's organization.
    let (chat, msg): (String, String) = sqlx::query_as(
        "SELECT chat_id::text, id::text FROM messages ORDER BY created_at, id LIMIT 1",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    let users: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT u.id::text FROM users u JOIN chats ch ON ch.organization_id = u.organization_id \
         WHERE ch.id = '{chat}' ORDER BY u.id LIMIT 2"
    )))
    .fetch_all(&mut c)
    .await
    .unwrap();
    let (u, v) = (&users[0], &users[1]);
    let nobody = "00000000-0000-4000-8000-000000000000";

    let mut tx = c.begin().await.unwrap();
    let writes = [
        // 0: the enum value in a new feature row.
        "INSERT INTO package_features (name, slug, type, price) \
         VALUES ('Chat Archive', 'chat-archive', 'chat', 9.99)"
            .to_string(),
        // 1, 2: an attachment; one for no message.
        format!(
            "INSERT INTO message_attachments (id, message_id, file_name, file_url, file_size, mime_type) \
             VALUES (gen_random_uuid(), '{msg}', 'a.png', 'https://x/a.png', 1024, 'image/png')"
        ),
        format!(
            "INSERT INTO message_attachments (id, message_id, file_name, file_url, file_size, mime_type) \
             VALUES (gen_random_uuid(), '{nobody}', 'a.png', 'https://x/a.png', 1024, 'image/png')"
        ),
        // 3, 4, 5: reactions by two users; the same reaction twice.
        format!(
            "INSERT INTO message_reactions (id, message_id, user_id, emoji) \
             VALUES (gen_random_uuid(), '{msg}', '{u}', '👍'), (gen_random_uuid(), '{msg}', '{v}', '👍')"
        ),
        format!(
            "INSERT INTO message_reactions (id, message_id, user_id, emoji) VALUES (gen_random_uuid(), '{msg}', '{u}', '🎉')"
        ),
        format!(
            "INSERT INTO message_reactions (id, message_id, user_id, emoji) VALUES (gen_random_uuid(), '{msg}', '{u}', '👍')"
        ),
        // 6: a reply, edited.
        format!(
            "INSERT INTO messages (id, chat_id, sender_id, content, reply_to_id) \
             VALUES ('11111111-1111-4111-8111-111111111111', '{chat}', '{u}', 're', '{msg}')"
        ),
        "UPDATE messages SET is_edited = true, edited_at = now() \
         WHERE id = '11111111-1111-4111-8111-111111111111' AND NOT is_edited"
            .to_string(),
        // 8, 9: a video call started by v, and a kind of call that does not exist.
        format!(
            "INSERT INTO call_sessions (id, chat_id, initiator_id, type) \
             VALUES ('22222222-2222-4222-8222-222222222222', '{chat}', '{v}', 'video')"
        ),
        format!(
            "INSERT INTO call_sessions (id, chat_id, initiator_id, type) \
             VALUES (gen_random_uuid(), '{chat}', '{v}', 'hologram')"
        ),
        // 10, 11: both users join; u twice.
        format!(
            "INSERT INTO call_participants (id, call_session_id, user_id, status) VALUES \
             (gen_random_uuid(), '22222222-2222-4222-8222-222222222222', '{u}', 'joined'), \
             (gen_random_uuid(), '22222222-2222-4222-8222-222222222222', '{v}', DEFAULT)"
        ),
        format!(
            "INSERT INTO call_participants (id, call_session_id, user_id) \
             VALUES (gen_random_uuid(), '22222222-2222-4222-8222-222222222222', '{u}')"
        ),
    ];
    let mut r = Vec::new();
    for w in &writes {
        r.push(attempt(&mut tx, w).await);
    }
    assert_eq!(r[0], Ok(1), "a 'chat' feature");
    assert_eq!(r[1], Ok(1), "an attachment");
    assert!(matches!(&r[2], Err(e) if e.code == "23503"), "{:?}", r[2]);
    assert_eq!(r[3], Ok(2), "two users' reactions");
    assert_eq!(r[4], Ok(1), "another emoji");
    assert!(violates(&r[5], "23505", &reaction_key), "{:?}", r[5]);
    assert_eq!(r[6], Ok(1), "a reply");
    assert_eq!(r[7], Ok(1), "edited once (is_edited defaulted to false)");
    assert_eq!(r[8], Ok(1), "a video call");
    assert!(matches!(&r[9], Err(e) if e.code == "22P02"), "{:?}", r[9]);
    assert_eq!(r[10], Ok(2), "two participants");
    assert!(violates(&r[11], "23505", &participant_key), "{:?}", r[11]);
    let chat_features: i64 =
        sqlx::query_scalar("SELECT count(*) FROM package_features WHERE type = 'chat'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(chat_features, 2);
    assert_eq!(
        scalar(
            &mut tx,
            "SELECT status::text || ' ' || duration_seconds FROM call_sessions \
             WHERE id = '22222222-2222-4222-8222-222222222222'"
        )
        .await,
        "ringing 0"
    );
    assert_eq!(
        scalar(
            &mut tx,
            &format!("SELECT status::text || ' ' || audio_enabled || ' ' || video_enabled FROM call_participants WHERE user_id = '{v}'")
        )
        .await,
        "invited true false"
    );

    // Cascades. Deleting v: their reaction and their place in the call go, the call stays
    // without an initiator.
    sqlx::raw_sql(AssertSqlSafe(format!("DELETE FROM users WHERE id = '{v}'")))
        .execute(&mut *tx)
        .await
        .unwrap();
    let counts = |sql: &str| sql.to_string();
    let q = [
        counts(&format!(
            "SELECT count(*)::text FROM message_reactions WHERE message_id = '{msg}'"
        )),
        counts(
            "SELECT count(*)::text FROM call_participants WHERE call_session_id = '22222222-2222-4222-8222-222222222222'",
        ),
        counts(
            "SELECT coalesce(initiator_id::text, 'none') FROM call_sessions WHERE id = '22222222-2222-4222-8222-222222222222'",
        ),
    ];
    let mut got = Vec::new();
    for s in &q {
        got.push(scalar(&mut tx, s).await);
    }
    assert_eq!(got, ["2", "1", "none"], "after deleting a user");
    // Deleting the message: its attachments and reactions go, the reply stays, unlinked.
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DELETE FROM messages WHERE id = '{msg}'"
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    let q = [
        format!("SELECT count(*)::text FROM message_attachments WHERE message_id = '{msg}'"),
        format!("SELECT count(*)::text FROM message_reactions WHERE message_id = '{msg}'"),
        "SELECT coalesce(reply_to_id::text, 'none') FROM messages WHERE id = '11111111-1111-4111-8111-111111111111'".into(),
    ];
    let mut got = Vec::new();
    for s in &q {
        got.push(scalar(&mut tx, s).await);
    }
    assert_eq!(got, ["0", "0", "none"], "after deleting the message");
    // Deleting the chat: its calls and their participants go.
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DELETE FROM chats WHERE id = '{chat}'"
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        scalar(
            &mut tx,
            "SELECT (SELECT count(*) FROM call_sessions WHERE id = '22222222-2222-4222-8222-222222222222') \
             + (SELECT count(*) FROM call_participants WHERE call_session_id = '22222222-2222-4222-8222-222222222222') || ''"
        )
        .await,
        "0"
    );
    tx.rollback().await.unwrap();
    assert_eq!(
        scalar(&mut c, "SELECT count(*)::text FROM call_sessions").await,
        "0",
        "rolled back"
    );
}
