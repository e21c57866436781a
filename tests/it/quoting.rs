//! pgmend's quoting agrees with the server's own `quote_ident` / `quote_literal`.

use crate::support::TestDb;

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
        &"n".repeat(63),
    ];
    for n in names {
        let server: String = sqlx::query_scalar("select quote_ident($1)")
            .bind(n)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(pgmend::sql::quote_ident(n), server, "quote_ident({n:?})");
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
