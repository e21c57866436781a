//! The seeded scenarios end to end: `scenarios::load` puts each scenario's intended and broken
//! database on the real server, and each is checked against the preset of the same name. Intended
//! passes every item with no lint finding; broken fails exactly the items its README lists.

use std::collections::BTreeSet;

use pgmend::check::{self, LintOverrides, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::scenarios::{self, ScenarioError, State};

use crate::support::TestDb;

/// A new database holding scenario `id` in `state`.
pub async fn loaded(id: &str, state: State) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

async fn scalar(db: &TestDb, sql: &'static str) -> i64 {
    let mut c = db.connect().await;
    sqlx::query_scalar(sql)
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn check(db: &TestDb, preset: &str) -> Report {
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("read_snapshot: {e:?}"));
    let cl = Checklist::preset(preset).unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    let cl = [cl];
    let mut report = check::run(&snap, &cl, &facts, &LintOverrides::default());
    pgmend::fix::mark_fixable(&mut report, &snap, &cl);
    report
}

/// `id — message` of every finding of failed items.
fn failed_items(r: &Report) -> Vec<String> {
    let findings = r.items.iter().flat_map(|i| &i.findings);
    findings
        .map(|f| format!("{} — {}", f.id, f.message))
        .collect()
}

/// Intended passes every item of its preset and draws no lint finding; broken fails exactly
/// `expected` (finding ids of failed items) and draws at least `lints` among its lint findings.
/// `probe` counts rows of broken's data (the scripts load real-looking data).
async fn scenario(id: &str, expected: &[&str], lints: &[&str], probe: (&'static str, i64)) {
    let standin = scenarios::get(id).unwrap().needs_supabase_standin;
    let (intended, broken) = tokio::join!(loaded(id, State::Intended), loaded(id, State::Broken));
    for db in [&intended, &broken] {
        let has_auth = scalar(
            db,
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'auth'",
        )
        .await;
        assert_eq!(
            has_auth == 1,
            standin,
            "{id}: the Supabase stand-in is loaded iff needed"
        );
    }
    assert_eq!(
        scalar(&broken, probe.0).await,
        probe.1,
        "{id} broken: {}",
        probe.0
    );

    let (good, bad) = tokio::join!(check(&intended, id), check(&broken, id));
    let failed = failed_items(&good);
    assert!(
        failed.is_empty(),
        "{id} intended fails items:\n{}",
        failed.join("\n")
    );
    // Before PostgreSQL 15 views cannot be security_invoker (the scenario's README says so):
    // there the lint rightly reports the exposed views.
    let pre15 = intended.version_num().await < 150000;
    let lint_msgs: Vec<String> = good
        .lint_findings
        .iter()
        .filter(|f| !(pre15 && f.rule == "lint.view_without_security_invoker"))
        .map(|f| format!("{} — {}", f.id, f.message))
        .collect();
    assert!(
        lint_msgs.is_empty(),
        "{id} intended draws lint findings:\n{}",
        lint_msgs.join("\n")
    );
    assert!(
        good.items.len() > 20,
        "{id}: only {} items checked",
        good.items.len()
    );

    let have: BTreeSet<String> = bad
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.id.clone())
        .collect();
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(want.len(), expected.len(), "{id}: duplicate expected ids");
    let missing: Vec<_> = want.difference(&have).collect();
    let unexpected: Vec<_> = bad
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|f| !want.contains(&f.id))
        .map(|f| format!("{} — {}", f.id, f.message))
        .collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{id} broken: expected but not found: {missing:#?}\nfound but not expected: {unexpected:#?}"
    );
    let lint_ids: BTreeSet<&str> = bad.lint_findings.iter().map(|f| f.id.as_str()).collect();
    for l in lints {
        assert!(
            lint_ids.contains(l),
            "{id} broken: no lint finding {l}; have {lint_ids:#?}"
        );
    }
}

#[tokio::test]
async fn virtual_audience() {
    scenario(
        "virtual-audience",
        &[
            // 1. table session (with session_pkey)
            "table.missing:public.session",
            // 2. index IDX_session_expire
            "index.missing:public.\"IDX_session_expire\"",
            // 3. enum message_type
            "enum.missing:public.message_type",
            // 4. table chat_messages (PK, FKs); 5. table chat_participants
            "table.missing:public.chat_messages",
            "table.missing:public.chat_participants",
            // 6. the six chat indexes
            "index.missing:public.idx_chat_messages_session_id",
            "index.missing:public.idx_chat_messages_created_at",
            "index.missing:public.idx_chat_messages_sender_id",
            "index.missing:public.idx_chat_messages_recipient_id",
            "index.missing:public.idx_chat_participants_session_id",
            "index.missing:public.idx_chat_participants_user_id",
            // 7. grants on the missing tables: the grant item covers `public.*`, i.e. the tables
            //    that exist, so 7 shows only as the missing tables above.
            // 8. the default admin password still verifies
            "credential.default_password:public.users where username = 'admin'",
        ],
        &[],
        ("SELECT count(*) FROM users", 250),
    )
    .await;
}

#[tokio::test]
async fn chat_system() {
    scenario(
        "chat-system",
        &[
            // 1. enum value 'chat'
            "enum.value_missing:public.package_features_type_enum/chat",
            // 2. the Chat System feature row
            "data.false:data: Chat System package feature is seeded",
            // 3. message_attachments and its index
            "table.missing:public.message_attachments",
            "index.missing:public.\"IDX_bf65c3db8657cef6197b68b8c8\"",
            // 4. message_reactions and its indexes
            "table.missing:public.message_reactions",
            "index.missing:public.\"IDX_ce61e365d81a9dfc15cd36513b\"",
            "index.missing:public.\"IDX_b6d3eda2f99b64016d6a4cf112\"",
            // 5. call_sessions and its indexes
            "table.missing:public.call_sessions",
            "index.missing:public.\"IDX_7f1773332759e515e87d67e065\"",
            "index.missing:public.\"IDX_44f2e2e4e3d4279c4edbe28131\"",
            "index.missing:public.\"IDX_27aa5995284d0dc0cbf36e68a8\"",
            // 6. call_participants and its index
            "table.missing:public.call_participants",
            "index.missing:public.\"IDX_8d942ec53eddc173b50bfe77da\"",
            // 7. the three call enums
            "enum.missing:public.call_sessions_type_enum",
            "enum.missing:public.call_sessions_status_enum",
            "enum.missing:public.call_participants_status_enum",
            // 8. messages.reply_to_id, is_edited, edited_at
            "column.missing:public.messages.reply_to_id",
            "column.missing:public.messages.is_edited",
            "column.missing:public.messages.edited_at",
            // 9. FK_54e66104dd534ed1c191e44096f and its index
            "fk.missing:public.messages(reply_to_id)",
            "index.missing:public.\"IDX_54e66104dd534ed1c191e44096\"",
        ],
        &[],
        ("SELECT count(*) FROM messages", 4000),
    )
    .await;
}

#[tokio::test]
async fn lms() {
    let mut expected = vec![
        // 1-5. the five tables (their keys, checks, FKs and RLS go with them)
        "table.missing:public.meeting_participants",
        "table.missing:public.ticket_surveys",
        "table.missing:public.ticket_messages",
        "table.missing:public.ticket_replies",
        "table.missing:public.ticket_attachments",
        // 6. support_tickets columns
        "column.missing:public.support_tickets.survey_completed",
        "column.missing:public.support_tickets.closed_at",
        // 7. live_classes columns and live_classes_recording_status_check
        "column.missing:public.live_classes.recording_status",
        "column.missing:public.live_classes.actual_start_time",
        "column.missing:public.live_classes.actual_end_time",
        "check.missing:public.live_classes/live_classes_recording_status_check",
        // 8. the 11 indexes
        "index.missing:public.idx_meeting_participants_meeting_id",
        "index.missing:public.idx_meeting_participants_user_email",
        "index.missing:public.idx_meeting_participants_join_time",
        "index.missing:public.idx_ticket_surveys_ticket_id",
        "index.missing:public.idx_ticket_surveys_user_id",
        "index.missing:public.idx_ticket_messages_ticket_id",
        "index.missing:public.idx_ticket_messages_user_id",
        "index.missing:public.idx_ticket_replies_ticket_id",
        "index.missing:public.idx_ticket_replies_user_id",
        "index.missing:public.idx_ticket_attachments_ticket_id",
        "index.missing:public.idx_ticket_attachments_reply_id",
        // 9. RLS on the new tables: part of the table items (the tables are missing).
        // 11. update_ticket_on_message(); 12. the two triggers
        "function.missing:public.update_ticket_on_message()",
        "trigger.missing:trigger ticket_message_update_trigger on public.ticket_messages",
        "trigger.missing:trigger ticket_reply_update_trigger on public.ticket_replies",
        // 13. grants on the new tables, named by the grant items
        "grant.table_missing:public.ticket_surveys/authenticated",
        "grant.table_missing:public.ticket_messages/authenticated",
        "grant.table_missing:public.ticket_replies/authenticated",
        "grant.table_missing:public.ticket_attachments/authenticated",
        "grant.table_missing:public.meeting_participants/authenticated",
        "grant.table_missing:public.meeting_participants/service_role",
        // 14. migration rows 18 and 19
        "migration.missing:Supabase migration 20250101000018_add_critical_missing_tables",
        "migration.missing:Supabase migration 20250101000019_missing_rls_policies",
    ];
    // 10. the 19 policies, on tables that do not exist
    let policies = [
        (
            "meeting_participants",
            "Teachers and admins can view all participants",
        ),
        (
            "meeting_participants",
            "System can insert participant records",
        ),
        (
            "meeting_participants",
            "System can update participant records",
        ),
        ("ticket_surveys", "Users can view own surveys"),
        (
            "ticket_surveys",
            "Users can create surveys for their tickets",
        ),
        ("ticket_surveys", "Users can update own surveys"),
        ("ticket_surveys", "Admins can view all surveys"),
        (
            "ticket_messages",
            "Users can view messages for their tickets",
        ),
        (
            "ticket_messages",
            "Users can create messages for their tickets",
        ),
        ("ticket_messages", "Staff can view all messages"),
        ("ticket_messages", "Staff can create messages"),
        ("ticket_replies", "Users can view replies for their tickets"),
        (
            "ticket_replies",
            "Users can create replies for their tickets",
        ),
        ("ticket_replies", "Staff can view all replies"),
        ("ticket_replies", "Staff can create replies"),
        (
            "ticket_attachments",
            "Users can view attachments for their tickets",
        ),
        (
            "ticket_attachments",
            "Users can upload attachments for their tickets",
        ),
        ("ticket_attachments", "Staff can view all attachments"),
        ("ticket_attachments", "Staff can upload attachments"),
    ];
    let policy_ids: Vec<String> = policies
        .iter()
        .map(|(t, p)| format!("policy.table_missing:policy \"{p}\" on public.{t}"))
        .collect();
    expected.extend(policy_ids.iter().map(String::as_str));
    scenario(
        "lms",
        &expected,
        &[],
        ("SELECT count(*) FROM public.enrollments", 2000),
    )
    .await;
}

#[tokio::test]
async fn mood_journal() {
    let seven = [
        "\"ChatMessage\"",
        "\"ChatSession\"",
        "\"DailyMood\"",
        "\"JournalEntry\"",
        "\"UserMemory\"",
        "\"InsightRun\"",
        "_prisma_migrations",
    ];
    let mut ids: Vec<String> = Vec::new();
    for t in seven {
        // 1. RLS disabled on the seven tables
        ids.push(format!("rls.state:public.{t}"));
        // 2. anon holds ALL; 3. authenticated holds ALL
        ids.push(format!("grant.excess:public.{t}/anon"));
        ids.push(format!("grant.excess:public.{t}/authenticated"));
        // 4. the service-role policies
        ids.push(format!("policy.missing:service-role policy on public.{t}"));
    }
    // 4. the own-row policies (InsightRun: no UPDATE)
    for t in [
        "\"ChatMessage\"",
        "\"ChatSession\"",
        "\"DailyMood\"",
        "\"JournalEntry\"",
        "\"UserMemory\"",
        "\"InsightRun\"",
    ] {
        for cmd in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
            if !(t == "\"InsightRun\"" && cmd == "UPDATE") {
                ids.push(format!("policy.owner_missing:public.{t}/{cmd}"));
            }
        }
    }
    // 5-9. the five tables, their indexes, their policies and authenticated's grants on them
    let new_tables: [(&str, &[&str], &[&str]); 5] = [
        (
            "profiles",
            &["idx_profiles_plan"],
            &["select_own", "insert_own", "update_own", "service_role"],
        ),
        (
            "calendar_events",
            &[
                "idx_calendar_events_user_id",
                "idx_calendar_events_date",
                "idx_calendar_events_user_id_date",
            ],
            &[
                "select_own",
                "insert_own",
                "update_own",
                "delete_own",
                "service_role",
            ],
        ),
        (
            "users_roles",
            &["idx_users_roles_user_id"],
            &["select_own", "service_role"],
        ),
        (
            "billing_customers",
            &[
                "idx_billing_customers_user_id",
                "idx_billing_customers_stripe_customer_id",
            ],
            &["select_own", "service_role"],
        ),
        (
            "webhook_events",
            &[
                "idx_webhook_events_event_type",
                "idx_webhook_events_processed",
            ],
            &["service_role"],
        ),
    ];
    for (t, indexes, policies) in new_tables {
        ids.push(format!("table.missing:public.{t}"));
        ids.extend(indexes.iter().map(|i| format!("index.missing:public.{i}")));
        ids.extend(
            policies
                .iter()
                .map(|p| format!("policy.table_missing:policy {t}_{p} on public.{t}")),
        );
        ids.push(format!("grant.table_missing:public.{t}/authenticated"));
    }
    // 10. the seven snake_case views
    for v in [
        "daily_mood",
        "chat_session",
        "chat_sessions",
        "chat_messages",
        "journal_entries",
        "user_memory",
        "insight_run",
    ] {
        ids.push(format!("view.missing:public.{v}"));
        ids.push(format!("grant.table_missing:public.{v}/authenticated"));
    }
    let expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    // 7 tables × 4, 23 owner policies, 5 tables, 9 indexes, 14 policies, 7 views, and
    // authenticated's grant items on the 5 new tables and the 7 views.
    assert_eq!(expected.len(), 7 * 4 + 23 + 5 + 9 + 14 + 7 + 5 + 7);
    let lints = [
        "lint.rls_disabled_in_exposed_schema:public.\"ChatMessage\"",
        "lint.rls_disabled_in_exposed_schema:public.\"JournalEntry\"",
        "lint.api_role_privileges_on_user_data:public.\"DailyMood\"",
    ];
    scenario(
        "mood-journal",
        &expected,
        &lints,
        ("SELECT count(*) FROM \"ChatMessage\"", 4500),
    )
    .await;
}

#[tokio::test]
async fn event_platform() {
    scenario(
        "event-platform",
        &[
            // 1. the failed migration row
            "migration.failed:Prisma migration 20251227091500_manifest_versioning",
            // 2. the migration that never ran
            "migration.missing:Prisma migration 20251228100000_viewer_role_and_fk_indexes",
            // 3. rooms.appManifestVersion
            "column.missing:public.rooms.\"appManifestVersion\"",
            // 4. its two indexes
            "index.missing:public.\"rooms_appManifestVersion_idx\"",
            "index.missing:public.\"rooms_appId_appManifestVersion_idx\"",
            // 5. enum value VIEWER
            "enum.value_missing:public.\"ParticipantRole\"/VIEWER",
            // 6. the three foreign-key indexes
            "index.missing:public.\"prizes_createdById_idx\"",
            "index.missing:public.\"winners_prizeId_idx\"",
            "index.missing:public.\"winners_userId_idx\"",
        ],
        &[
            "lint.failed_migrations:migration '20251227091500_manifest_versioning' in public._prisma_migrations",
            "lint.unindexed_foreign_key:constraint \"prizes_createdById_fkey\" on public.prizes",
            "lint.unindexed_foreign_key:constraint \"winners_prizeId_fkey\" on public.winners",
            "lint.unindexed_foreign_key:constraint \"winners_userId_fkey\" on public.winners",
        ],
        ("SELECT count(*) FROM participants", 4000),
    )
    .await;
}

#[tokio::test]
async fn load_is_all_or_nothing_and_names_the_failure() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    let e = scenarios::load(&mut c, "mood-jornal", State::Intended)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ScenarioError::Unknown { id } if id == "mood-jornal"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("scenarios: virtual-audience, chat-system, lms"),
        "{e}"
    );

    // A table the script creates half-way exists already: nothing of the script is kept.
    db.exec("CREATE TABLE token_blacklist (x int)").await;
    let e = scenarios::load(&mut c, "event-platform", State::Intended)
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("loading scenario `event-platform` (intended.sql) failed: relation \"token_blacklist\" already exists (SQLSTATE 42P07)"),
        "{msg}"
    );
    let kept = scalar(
        &db,
        "SELECT count(*) FROM pg_class WHERE relname IN ('users', '_prisma_migrations')",
    )
    .await;
    assert_eq!(kept, 0, "the failed script left tables behind");
    let kept = scalar(
        &db,
        "SELECT count(*) FROM pg_type WHERE typname = 'RoomStatus'",
    )
    .await;
    assert_eq!(kept, 0, "the failed script left a type behind");

    // The Supabase stand-in runs in a transaction of its own: it stays when the scenario fails.
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    db.exec("CREATE TABLE public.ticket_surveys (x int)").await;
    let e = scenarios::load(&mut c, "lms", State::Intended)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ScenarioError::Sql { id, file: "intended.sql", .. } if id == "lms"),
        "{e:?}"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'auth'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM pg_class WHERE relname = 'courses'"
        )
        .await,
        0
    );
}
