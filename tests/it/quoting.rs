//! pgmend's quoting agrees with the server's own `quote_ident` / `quote_literal`.

use crate::support::TestDb;

/// Keywords (not unreserved) only from PostgreSQL 16 or 17 on.
const NEWER_KEYWORDS: &[&str] = &["json", "json_table", "system_user"];

#[tokio::test]
async fn quote_ident_and_literal_match_the_server() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    let names = [
        "users",
        "UserProfile",
        "select",
        "user",
        "order",
        "name",
        "type",
        "1abc",
        "we\"ird",
        "with space",
        "dollar$",
        "café",
        "🐘",
        "_ok_1",
        "a.b",
        "x'y",
        "back\\slash",
        "between",
        "authorization",
        "json",
        "json_table",
        "system_user",
        &"n".repeat(63),
    ];
    for n in names {
        let server: String = sqlx::query_scalar("select quote_ident($1)")
            .bind(n)
            .fetch_one(&mut c)
            .await
            .unwrap();
        let ours = pgmend::sql::quote_ident(n);
        // pgmend quotes the keywords of every supported major (14 to 18); an older server
        // leaves a newer major's keyword bare, and both spell the same name.
        if NEWER_KEYWORDS.contains(&n) && ours != server {
            assert_eq!(
                (ours.as_str(), server.as_str()),
                (format!("\"{n}\"").as_str(), n)
            );
        } else {
            assert_eq!(ours, server, "quote_ident({n:?})");
        }
        let server: String = sqlx::query_scalar("select quote_literal($1)")
            .bind(n)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(
            pgmend::sql::quote_literal(n),
            server,
            "quote_literal({n:?})"
        );
        // And the quoted text reads back as the same value.
        let back: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select {}::text",
            pgmend::sql::quote_literal(n)
        )))
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(back, n);
    }
}
