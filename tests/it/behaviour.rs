//! After `pgmend fix --all --yes` on the broken Supabase scenarios, the app behaves as the seeds'
//! policies say, on the real server: as anon, as two signed-in users (one through
//! `request.jwt.claims`, one through `request.jwt.claim.sub`), as a staff member, and as
//! service_role, every user-data table and view returns exactly the rows it should (counted
//! independently as the superuser), and a user can write their own rows but not another's
//! (inside rolled-back transactions).

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// Who runs a statement.
#[derive(Clone, Copy, Debug)]
enum Who<'a> {
    Anon,
    /// Signed in, the id in `request.jwt.claims` (PostgREST 10+).
    Claims(&'a str),
    /// Signed in, the id in `request.jwt.claim.sub` (older PostgREST).
    Sub(&'a str),
    Service,
}

/// Runs `sqls` in one transaction as `who`, each under a savepoint so a refusal does not stop
/// the others, then rolls everything back. Each result: rows counted (for a query) or affected.
async fn as_who(c: &mut PgConnection, who: Who<'_>, sqls: &[String]) -> Vec<Result<i64, String>> {
    let mut tx = c.begin().await.unwrap();
    let (role, setting) = match who {
        Who::Anon => ("anon", None),
        Who::Claims(u) => (
            "authenticated",
            Some((
                "request.jwt.claims",
                format!(r#"{{"sub":"{u}","role":"authenticated"}}"#),
            )),
        ),
        Who::Sub(u) => (
            "authenticated",
            Some(("request.jwt.claim.sub", u.to_string())),
        ),
        Who::Service => (
            "service_role",
            Some(("request.jwt.claims", r#"{"role":"service_role"}"#.into())),
        ),
    };
    if let Some((k, v)) = setting {
        sqlx::query("SELECT set_config($1, $2, true)")
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::raw_sql(AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
        .execute(&mut *tx)
        .await
        .unwrap();
    let mut out = Vec::new();
    for sql in sqls {
        sqlx::raw_sql("SAVEPOINT s")
            .execute(&mut *tx)
            .await
            .unwrap();
        let r = if sql.trim_start().to_lowercase().starts_with("select") {
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
                "SELECT count(*) FROM ({sql}) AS q"
            )))
            .fetch_one(&mut *tx)
            .await
        } else {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .execute(&mut *tx)
                .await
                .map(|r| r.rows_affected() as i64)
        };
        let r = r.map_err(|e| e.to_string());
        let end = if r.is_ok() {
            "RELEASE SAVEPOINT s"
        } else {
            "ROLLBACK TO SAVEPOINT s"
        };
        sqlx::raw_sql(end).execute(&mut *tx).await.unwrap();
        out.push(r);
    }
    tx.rollback().await.unwrap();
    out
}

async fn one(c: &mut PgConnection, who: Who<'_>, sql: &str) -> Result<i64, String> {
    as_who(c, who, &[sql.to_string()]).await.remove(0)
}

/// As the superuser (RLS does not apply): the independent count.
async fn count(c: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM ({sql}) AS q")))
        .fetch_one(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn denied(r: &Result<i64, String>) -> bool {
    matches!(r, Err(e) if e.contains("permission denied") || e.contains("row-level security"))
}

/// Nothing visible: no rows, or no privilege at all.
fn nothing(r: &Result<i64, String>) -> bool {
    matches!(r, Ok(0)) || denied(r)
}

/// Loads the broken scenario and runs the real binary's `fix --all --yes` on it.
async fn fixed(id: &str) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, id, pgmend::scenarios::State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args([
            "fix",
            db.url(),
            "--preset",
            id,
            "--all",
            "--yes",
            "--no-backup",
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("failed ") && !stdout.contains("refused "),
        "{id}: {stdout}\n{}",
        text(&out.stderr)
    );
    db
}

async fn two_ids(c: &mut PgConnection, sql: &str) -> (String, String) {
    let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
        .fetch_all(c)
        .await
        .unwrap();
    assert!(ids.len() >= 2, "{sql}");
    (ids[0].clone(), ids[1].clone())
}

#[tokio::test]
async fn mood_journal_after_fix_behaves_as_its_policies_say() {
    let db = fixed("mood-journal").await;
    let mut c = db.connect().await;
    let (a, b) = two_ids(
        &mut c,
        r#"SELECT "userId" FROM "JournalEntry" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2"#,
    )
    .await;
    // The new tables are empty after the fix: give them rows of A, B and a third user.
    db.exec(&format!(
        "INSERT INTO profiles (user_id) SELECT id FROM auth.users ORDER BY id LIMIT 5;
         INSERT INTO profiles (user_id) SELECT u::uuid FROM unnest(ARRAY['{a}', '{b}']) u
           ON CONFLICT (user_id) DO NOTHING;
         INSERT INTO calendar_events (user_id, date, title) VALUES
           ('{a}', current_date, 'a1'), ('{a}', current_date, 'a2'), ('{b}', current_date, 'b1');
         INSERT INTO calendar_events (user_id, date, title)
           SELECT id, current_date, 'other' FROM auth.users ORDER BY id DESC LIMIT 4;
         INSERT INTO users_roles (user_id, role) VALUES ('{a}', 'user'), ('{b}', 'admin');
         INSERT INTO users_roles (user_id, role) SELECT id, 'ops' FROM auth.users ORDER BY id LIMIT 3
           ON CONFLICT DO NOTHING;
         INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ('{a}', 'cus_a'),
           ((SELECT id FROM auth.users WHERE id NOT IN ('{a}', '{b}') ORDER BY id LIMIT 1), 'cus_c');
         INSERT INTO webhook_events (stripe_event_id, event_type, payload) VALUES
           ('evt_1', 'invoice.paid', '{{}}'), ('evt_2', 'customer.created', '{{}}');"
    ))
    .await;
    // (table or view, owner column): the rows of the signed-in user.
    let owned = [
        ("\"ChatMessage\"", "\"userId\""),
        ("\"ChatSession\"", "\"userId\""),
        ("\"DailyMood\"", "\"userId\""),
        ("\"JournalEntry\"", "\"userId\""),
        ("\"UserMemory\"", "\"userId\""),
        ("\"InsightRun\"", "user_id"),
        ("profiles", "user_id"),
        ("calendar_events", "user_id"),
        ("users_roles", "user_id"),
        ("billing_customers", "user_id"),
        ("chat_messages", "user_id"),
        ("chat_session", "user_id"),
        ("chat_sessions", "user_id"),
        ("daily_mood", "user_id"),
        ("journal_entries", "user_id"),
        ("user_memory", "user_id"),
        ("insight_run", "user_id"),
    ];
    for (t, col) in owned {
        let all = count(&mut c, &format!("SELECT 1 FROM public.{t}")).await;
        let a_rows = count(
            &mut c,
            &format!("SELECT 1 FROM public.{t} WHERE {col}::text = '{a}'"),
        )
        .await;
        let b_rows = count(
            &mut c,
            &format!("SELECT 1 FROM public.{t} WHERE {col}::text = '{b}'"),
        )
        .await;
        assert!(all > a_rows + b_rows, "{t}: too few rows to tell");
        let q = format!("SELECT 1 FROM public.{t}");
        assert!(nothing(&one(&mut c, Who::Anon, &q).await), "anon sees {t}");
        assert_eq!(
            one(&mut c, Who::Claims(&a), &q).await,
            Ok(a_rows),
            "{t} as A"
        );
        assert_eq!(one(&mut c, Who::Sub(&b), &q).await, Ok(b_rows), "{t} as B");
        assert_eq!(
            one(&mut c, Who::Service, &q).await,
            Ok(all),
            "{t} as service_role"
        );
    }
    // webhook_events: the service role only.
    let q = "SELECT 1 FROM public.webhook_events";
    assert!(denied(&one(&mut c, Who::Anon, q).await));
    assert!(denied(&one(&mut c, Who::Claims(&a), q).await));
    assert_eq!(one(&mut c, Who::Service, q).await, Ok(2));

    // Writes as A: their own rows yes, B's no; the read-only and append-only tables refuse.
    let a_events = count(
        &mut c,
        &format!("SELECT 1 FROM calendar_events WHERE user_id = '{a}'"),
    )
    .await;
    let a_entries = count(
        &mut c,
        &format!("SELECT 1 FROM \"JournalEntry\" WHERE \"userId\" = '{a}'"),
    )
    .await;
    let writes = [
        format!(
            "INSERT INTO calendar_events (user_id, date, title) VALUES ('{a}', current_date, 'mine')"
        ),
        format!(
            "INSERT INTO calendar_events (user_id, date, title) VALUES ('{b}', current_date, 'theirs')"
        ),
        format!("UPDATE calendar_events SET title = 'edited' WHERE user_id = '{a}'"),
        format!("UPDATE calendar_events SET title = 'edited' WHERE user_id = '{b}'"),
        format!("UPDATE calendar_events SET user_id = '{b}' WHERE user_id = '{a}'"),
        format!(
            "INSERT INTO \"JournalEntry\" (id, \"userId\", title, content, date, \"updatedAt\") \
             VALUES ('pgmend-a', '{a}', 't', 'c', now(), now())"
        ),
        format!(
            "INSERT INTO \"JournalEntry\" (id, \"userId\", title, content, date, \"updatedAt\") \
             VALUES ('pgmend-b', '{b}', 't', 'c', now(), now())"
        ),
        format!("UPDATE \"JournalEntry\" SET title = 'edited' WHERE \"userId\" = '{a}'"),
        format!("UPDATE \"JournalEntry\" SET title = 'edited' WHERE \"userId\" = '{b}'"),
        format!("UPDATE profiles SET plan = 'pro' WHERE user_id = '{a}'"),
        format!("UPDATE profiles SET plan = 'pro' WHERE user_id = '{b}'"),
        format!("INSERT INTO users_roles (user_id, role) VALUES ('{a}', 'admin')"),
        format!("UPDATE billing_customers SET stripe_customer_id = 'cus_x' WHERE user_id = '{a}'"),
        format!("UPDATE \"InsightRun\" SET narrative = 'x' WHERE user_id = '{a}'"),
    ];
    let r = as_who(&mut c, Who::Claims(&a), &writes).await;
    assert_eq!(r[0], Ok(1), "own event");
    assert!(denied(&r[1]), "B's event: {:?}", r[1]);
    assert_eq!(
        r[2],
        Ok(a_events + 1),
        "own events updated (with the one just inserted)"
    );
    assert_eq!(r[3], Ok(0), "B's events untouched");
    assert!(denied(&r[4]), "giving rows away: {:?}", r[4]);
    assert_eq!(r[5], Ok(1), "own entry");
    assert!(denied(&r[6]), "B's entry: {:?}", r[6]);
    assert_eq!(
        r[7],
        Ok(a_entries + 1),
        "own entries updated (with the one just inserted)"
    );
    assert_eq!(r[8], Ok(0), "B's entries untouched");
    assert_eq!(r[9], Ok(1), "own profile");
    assert_eq!(r[10], Ok(0), "B's profile untouched");
    assert!(denied(&r[11]), "users_roles is select-only: {:?}", r[11]);
    assert!(
        denied(&r[12]),
        "billing_customers is read-only: {:?}",
        r[12]
    );
    assert!(denied(&r[13]), "InsightRun is append-only: {:?}", r[13]);
    // Rolled back: nothing of it stayed.
    assert_eq!(
        count(
            &mut c,
            "SELECT 1 FROM calendar_events WHERE title IN ('mine', 'edited')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn lms_after_fix_behaves_as_its_policies_say() {
    let db = fixed("lms").await;
    let mut c = db.connect().await;
    // Two students who own tickets, an admin (staff), a teacher.
    let (a, b) = two_ids(
        &mut c,
        "SELECT t.user_id::text FROM support_tickets t JOIN users u ON u.id = t.user_id \
         WHERE u.role = 'student' GROUP BY 1 HAVING count(*) >= 2 ORDER BY count(*) DESC, 1 LIMIT 2",
    )
    .await;
    let (staff, _) = two_ids(
        &mut c,
        "SELECT id::text FROM users WHERE role = 'admin' ORDER BY 1",
    )
    .await;
    let (teacher, _) = two_ids(
        &mut c,
        "SELECT id::text FROM users WHERE role = 'teacher' ORDER BY 1",
    )
    .await;
    // Rows on every ticket of A and B and on 20 others.
    db.exec(&format!(
        "CREATE TEMP TABLE some_tickets AS SELECT id, user_id FROM support_tickets
           WHERE user_id IN ('{a}', '{b}')
           UNION SELECT * FROM (SELECT id, user_id FROM support_tickets
             WHERE user_id NOT IN ('{a}', '{b}') ORDER BY id LIMIT 20) o;
         INSERT INTO ticket_messages (ticket_id, user_id, message) SELECT id, user_id, 'hello' FROM some_tickets;
         INSERT INTO ticket_messages (ticket_id, user_id, message, is_staff) SELECT id, '{staff}', 'on it', true FROM some_tickets;
         INSERT INTO ticket_replies (ticket_id, user_id, message) SELECT id, user_id, 'thanks' FROM some_tickets;
         INSERT INTO ticket_attachments (ticket_id, file_name, file_url) SELECT id, 'f.png', 'https://x/f.png' FROM some_tickets;
         INSERT INTO ticket_surveys (ticket_id, user_id, rating, submitted_at) SELECT id, user_id, 4, now() FROM some_tickets;
         INSERT INTO meeting_participants (meeting_id, user_email) SELECT 'm' || g, 'p' || g || '@x' FROM generate_series(1, 7) g;"
    ))
    .await;
    let by_ticket = |t: &str, u: &str| {
        format!(
            "SELECT 1 FROM public.{t} x JOIN support_tickets s ON s.id = x.ticket_id WHERE s.user_id = '{u}'"
        )
    };
    for t in [
        "ticket_messages",
        "ticket_replies",
        "ticket_attachments",
        "ticket_surveys",
    ] {
        let all = count(&mut c, &format!("SELECT 1 FROM public.{t}")).await;
        let a_rows = count(&mut c, &by_ticket(t, &a)).await;
        let b_rows = count(&mut c, &by_ticket(t, &b)).await;
        assert!(a_rows > 0 && b_rows > 0 && all > a_rows + b_rows, "{t}");
        let q = format!("SELECT 1 FROM public.{t}");
        assert!(nothing(&one(&mut c, Who::Anon, &q).await), "anon sees {t}");
        assert_eq!(
            one(&mut c, Who::Claims(&a), &q).await,
            Ok(a_rows),
            "{t} as A"
        );
        assert_eq!(one(&mut c, Who::Sub(&b), &q).await, Ok(b_rows), "{t} as B");
        assert_eq!(
            one(&mut c, Who::Claims(&staff), &q).await,
            Ok(all),
            "{t} as staff"
        );
        assert_eq!(
            one(&mut c, Who::Service, &q).await,
            Ok(all),
            "{t} as service_role"
        );
    }
    let q = "SELECT 1 FROM public.meeting_participants";
    assert!(nothing(&one(&mut c, Who::Anon, q).await));
    assert_eq!(one(&mut c, Who::Claims(&a), q).await, Ok(0), "a student");
    assert_eq!(
        one(&mut c, Who::Claims(&teacher), q).await,
        Ok(7),
        "a teacher"
    );
    assert_eq!(one(&mut c, Who::Sub(&staff), q).await, Ok(7), "an admin");
    assert_eq!(one(&mut c, Who::Service, q).await, Ok(7));

    let a_ticket: String = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id::text FROM support_tickets WHERE user_id = '{a}' ORDER BY id LIMIT 1"
    )))
    .fetch_one(&mut c)
    .await
    .unwrap();
    let b_ticket: String = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id::text FROM support_tickets WHERE user_id = '{b}' ORDER BY id LIMIT 1"
    )))
    .fetch_one(&mut c)
    .await
    .unwrap();
    let a_surveys = count(
        &mut c,
        &format!("SELECT 1 FROM ticket_surveys WHERE user_id = '{a}'"),
    )
    .await;
    let writes = [
        format!(
            "INSERT INTO ticket_messages (ticket_id, user_id, message) VALUES ('{a_ticket}', '{a}', 'mine')"
        ),
        format!(
            "INSERT INTO ticket_messages (ticket_id, user_id, message) VALUES ('{b_ticket}', '{a}', 'theirs')"
        ),
        format!(
            "INSERT INTO ticket_messages (ticket_id, user_id, message, is_staff) VALUES ('{a_ticket}', '{a}', 'fake staff', true)"
        ),
        format!(
            "INSERT INTO ticket_replies (ticket_id, user_id, message) VALUES ('{a_ticket}', '{b}', 'as B')"
        ),
        format!("UPDATE ticket_surveys SET rating = 5 WHERE user_id = '{a}'"),
        format!("UPDATE ticket_surveys SET rating = 1 WHERE user_id = '{b}'"),
        format!(
            "INSERT INTO ticket_attachments (ticket_id, file_name, file_url) VALUES ('{a_ticket}', 'a', 'u')"
        ),
        format!(
            "INSERT INTO ticket_attachments (ticket_id, file_name, file_url) VALUES ('{b_ticket}', 'a', 'u')"
        ),
    ];
    let r = as_who(&mut c, Who::Claims(&a), &writes).await;
    assert_eq!(r[0], Ok(1), "own ticket's message");
    assert!(denied(&r[1]), "B's ticket: {:?}", r[1]);
    assert!(denied(&r[2]), "posing as staff: {:?}", r[2]);
    assert!(denied(&r[3]), "writing as B: {:?}", r[3]);
    assert_eq!(r[4], Ok(a_surveys), "own surveys");
    assert_eq!(r[5], Ok(0), "B's surveys untouched");
    assert_eq!(r[6], Ok(1), "own ticket's attachment");
    assert!(denied(&r[7]), "B's ticket's attachment: {:?}", r[7]);
    // Staff write on any ticket, as themselves.
    let r = as_who(
        &mut c,
        Who::Claims(&staff),
        &[
            format!("INSERT INTO ticket_messages (ticket_id, user_id, message, is_staff) VALUES ('{b_ticket}', '{staff}', 'staff', true)"),
            format!("INSERT INTO ticket_replies (ticket_id, user_id, message, is_staff) VALUES ('{a_ticket}', '{staff}', 'staff', true)"),
        ],
    )
    .await;
    assert_eq!(r, [Ok(1), Ok(1)]);
    assert_eq!(
        count(
            &mut c,
            "SELECT 1 FROM ticket_messages WHERE message IN ('mine', 'staff')"
        )
        .await,
        0,
        "rolled back"
    );
}
