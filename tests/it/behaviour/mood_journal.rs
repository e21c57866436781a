//! mood-journal (seed 003): owner policies on every user-data table and view, the special cases.

use super::{Who, as_who, count, denied, fixed, nothing, one, two_ids};

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
