//! lms (seed 002): own rows through the owned ticket, staff from users.role.

use sqlx::AssertSqlSafe;

use super::{Who, as_who, count, denied, fixed, nothing, one, two_ids};

/// Two students who own at least two tickets each, the most first.
pub(super) const STUDENTS: &str = "SELECT t.user_id::text FROM support_tickets t JOIN users u ON u.id = t.user_id \
     WHERE u.role = 'student' GROUP BY 1 HAVING count(*) >= 2 ORDER BY count(*) DESC, 1 LIMIT 2";

#[tokio::test]
async fn lms_after_fix_behaves_as_its_policies_say() {
    let db = fixed("lms").await;
    let mut c = db.connect().await;
    // Two students who own tickets, an admin (staff), a teacher.
    let (a, b) = two_ids(&mut c, STUDENTS).await;
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
