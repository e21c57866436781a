//! virtual-audience (seed 000, Passport.js + connect-pg-simple): after the fix, the session
//! store works with connect-pg-simple's own statements, as the app's role `virtual_audience`,
//! and the chat tables and the message_type enum work as the write-up describes.

use sqlx::{AssertSqlSafe, PgConnection, Row, ValueRef};

use super::{Who, acting, attempt, count, fixed, indexes_used, violates};

/// connect-pg-simple's statements, verbatim from its index.js (voxpelli/node-connect-pg-simple,
/// `quotedTable()` being `"session"`, the default table name): set, get, touch, destroy,
/// pruneSessions, and the check `createTableIfMissing` runs first.
const SET: &str = r#"INSERT INTO "session" (sess, expire, sid) SELECT $1, to_timestamp($2), $3 ON CONFLICT (sid) DO UPDATE SET sess=$1, expire=to_timestamp($2) RETURNING sid"#;
const GET: &str = r#"SELECT sess FROM "session" WHERE sid = $1 AND expire >= to_timestamp($2)"#;
const TOUCH: &str =
    r#"UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2 RETURNING sid"#;
const DESTROY: &str = r#"DELETE FROM "session" WHERE sid = $1"#;
const PRUNE: &str = r#"DELETE FROM "session" WHERE expire < to_timestamp($1)"#;
const TABLE_CHECK: &str = "SELECT to_regclass($1::text)";

/// Runs a statement PREPAREd from connect-pg-simple's text with `args` as untyped literals, the
/// way node-postgres sends them (no parameter types: the server infers each one): the rows'
/// first column as text (NULL as None), or the server's refusal.
async fn run(
    tx: &mut PgConnection,
    stmt: &str,
    args: &[&str],
) -> Result<Vec<Option<String>>, String> {
    let list: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "''")))
        .collect();
    let sql = format!("EXECUTE {stmt}({})", list.join(", "));
    let rows = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    // Simple protocol: every value comes as text, whatever its type (json, regclass).
    Ok(rows
        .iter()
        .map(|r| {
            let v = r.try_get_raw(0).unwrap();
            (!v.is_null()).then(|| v.as_str().unwrap().to_string())
        })
        .collect())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 1
}

#[tokio::test]
async fn virtual_audience_after_fix_serves_sessions_and_chat() {
    let db = fixed("virtual-audience").await;
    let mut c = db.connect().await;
    let t = now();
    let day = 86_400;
    let sess_a = r#"{"cookie":{"originalMaxAge":86400000,"expires":"x","httpOnly":true,"path":"/"},"passport":{"user":1}}"#;
    let sess_a2 = r#"{"cookie":{"originalMaxAge":86400000,"expires":"x","httpOnly":true,"path":"/"},"passport":{"user":2}}"#;
    let sess_b = r#"{"cookie":{"originalMaxAge":1000,"path":"/"},"passport":{"user":3}}"#;

    let mut tx = acting(&mut c, Who::Role("virtual_audience")).await;
    for (name, sql) in [
        ("cps_set", SET),
        ("cps_get", GET),
        ("cps_touch", TOUCH),
        ("cps_destroy", DESTROY),
        ("cps_prune", PRUNE),
        ("cps_table", TABLE_CHECK),
    ] {
        sqlx::raw_sql(AssertSqlSafe(format!("PREPARE {name} AS {sql}")))
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("connect-pg-simple's {name} as virtual_audience: {e}"));
    }
    // createTableIfMissing finds the table, so it never tries to create one.
    assert_eq!(
        run(&mut tx, "cps_table", &["\"session\""]).await,
        Ok(vec![Some("session".into())])
    );
    // set: a new session, then the same sid again (the upsert updates it in place).
    let (ta, tb) = (t + day, t - 10);
    let set = |sess: &'static str, exp: i64, sid: &'static str| (sess, exp.to_string(), sid);
    for (sess, exp, sid) in [
        set(sess_a, ta, "sid-a"),
        set(sess_a2, ta, "sid-a"),
        set(sess_b, tb, "sid-b"),
    ] {
        assert_eq!(
            run(&mut tx, "cps_set", &[sess, &exp, sid]).await,
            Ok(vec![Some(sid.into())]),
            "set {sid}"
        );
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM \"session\"")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(rows, 2, "the second set of sid-a updated it");
    // get: the latest sess of a live session; nothing for an expired one or an unknown sid.
    let got = run(&mut tx, "cps_get", &["sid-a", &t.to_string()])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    let got: serde_json::Value = serde_json::from_str(got[0].as_deref().unwrap()).unwrap();
    assert_eq!(
        got,
        serde_json::from_str::<serde_json::Value>(sess_a2).unwrap()
    );
    assert_eq!(
        run(&mut tx, "cps_get", &["sid-b", &t.to_string()]).await,
        Ok(vec![])
    );
    assert_eq!(
        run(&mut tx, "cps_get", &["nope", &t.to_string()]).await,
        Ok(vec![])
    );
    // touch: a later expiry, read back.
    assert_eq!(
        run(&mut tx, "cps_touch", &[&(t + 2 * day).to_string(), "sid-a"]).await,
        Ok(vec![Some("sid-a".into())])
    );
    let later: bool = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT expire >= to_timestamp({}) FROM \"session\" WHERE sid = 'sid-a'",
        t + 2 * day - 1
    )))
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert!(later, "touch moved the expiry");
    // prune: the expired session goes, the live one stays.
    run(&mut tx, "cps_prune", &[&t.to_string()]).await.unwrap();
    let left: Vec<String> = sqlx::query_scalar("SELECT sid::text FROM \"session\" ORDER BY 1")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(left, ["sid-a"]);
    // destroy (logout).
    run(&mut tx, "cps_destroy", &["sid-a"]).await.unwrap();
    assert_eq!(
        run(&mut tx, "cps_get", &["sid-a", &t.to_string()]).await,
        Ok(vec![])
    );
    drop(tx);
    // The prune is served by IDX_session_expire (the write-up's reason for the index).
    sqlx::raw_sql("ANALYZE \"session\"")
        .execute(&mut c)
        .await
        .unwrap();
    let used = indexes_used(&mut c, &PRUNE.replace("$1", &t.to_string())).await;
    assert_eq!(used, ["IDX_session_expire"], "{used:?}");

    // Chat, as the app's role: the enum's values and default, the foreign keys to users.
    let ids: Vec<i32> = sqlx::query_scalar("SELECT id FROM users ORDER BY id LIMIT 2")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let (a, b) = (ids[0], ids[1]);
    let missing: i32 = sqlx::query_scalar("SELECT max(id) + 1000 FROM users")
        .fetch_one(&mut c)
        .await
        .unwrap();
    let before = count(&mut c, "SELECT 1 FROM chat_messages").await;
    let mut tx = acting(&mut c, Who::Role("virtual_audience")).await;
    let msg = |kind: &str, sender: i32| {
        format!(
            "INSERT INTO chat_messages (session_id, sender_id, sender_name, recipient_id, {}content) \
             VALUES ('room-1', {sender}, 'u', {b}, {}'hello')",
            if kind.is_empty() {
                ""
            } else {
                "message_type, "
            },
            if kind.is_empty() {
                String::new()
            } else {
                format!("'{kind}', ")
            }
        )
    };
    for kind in ["", "individual", "broadcast", "system"] {
        assert_eq!(attempt(&mut tx, &msg(kind, a)).await, Ok(1), "{kind:?}");
    }
    let r = attempt(&mut tx, &msg("private", a)).await;
    assert!(matches!(&r, Err(e) if e.code == "22P02"), "{r:?}");
    let r = attempt(&mut tx, &msg("", missing)).await;
    assert!(
        violates(&r, "23503", "chat_messages_sender_id_fkey"),
        "{r:?}"
    );
    let kinds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT message_type::text, count(*) FROM chat_messages WHERE session_id = 'room-1' \
         GROUP BY 1, chat_messages.message_type ORDER BY chat_messages.message_type",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        [
            ("individual".to_string(), 2),
            ("broadcast".into(), 1),
            ("system".into(), 1)
        ],
        "enum order and the default 'individual'"
    );
    // Participants: a user_role, online by default, the user must exist.
    assert_eq!(
        attempt(
            &mut tx,
            &format!("INSERT INTO chat_participants (session_id, user_id, username, role) VALUES ('room-1', {a}, 'a', 'engineer')")
        )
        .await,
        Ok(1)
    );
    let r = attempt(
        &mut tx,
        &format!("INSERT INTO chat_participants (session_id, user_id, username, role) VALUES ('room-1', {missing}, 'x', 'user')"),
    )
    .await;
    assert!(
        violates(&r, "23503", "chat_participants_user_id_fkey"),
        "{r:?}"
    );
    let online: Vec<bool> =
        sqlx::query_scalar("SELECT is_online FROM chat_participants WHERE session_id = 'room-1'")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(online, [true]);
    // The room's messages, through the session index.
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM chat_messages WHERE session_id = 'room-1'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(n, 4);
    drop(tx);
    assert_eq!(
        count(&mut c, "SELECT 1 FROM chat_messages").await,
        before,
        "rolled back"
    );
    assert_eq!(
        indexes_used(
            &mut c,
            "SELECT * FROM chat_messages WHERE session_id = 'room-1'"
        )
        .await
        .first()
        .map(String::as_str),
        Some("idx_chat_messages_session_id")
    );
}
