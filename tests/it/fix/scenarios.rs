//! Each seeded scenario's broken database against its preset: every plan `fix::plans` makes is
//! applied in order; what still fails afterwards is exactly what has no plan (or whose plan
//! the data refused), each listed with why, and no row changed but for the rows a checklist's
//! `seed` inserts.

use std::collections::{BTreeMap, BTreeSet};

use pgmend::checklist::Checklist;
use pgmend::fix;
use pgmend::scenarios::{self, State};

use super::{NotApplied, apply, check, checksums};
use crate::support::TestDb;

/// `remaining`: (finding id, why it has no plan or its plan did not run); `refused`: (plan's
/// finding id, why a precondition refuses it). Nothing else may fail or be refused.
async fn scenario(id: &str, remaining: &[(&str, &str)], refused: &[(&str, &str)]) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cls = [Checklist::preset(id).unwrap()];
    let (snap, before) = check(&db, &cls).await;
    let failed_before = before.items.iter().filter(|i| !i.passed()).count();
    let plans = fix::plans(&before, &snap, &cls);
    if std::env::var_os("PGMEND_PRINT_PLANS").is_some() {
        for p in &plans {
            eprintln!(
                "{}\n-- undo:\n{}\n",
                p.script(),
                p.undo
                    .iter()
                    .map(|s| s.sql.as_str())
                    .collect::<Vec<_>>()
                    .join(";\n")
            );
        }
    }
    let sums = checksums(&db, &snap).await;
    let mut not_applied: BTreeMap<String, String> = BTreeMap::new();
    for p in &plans {
        match apply(&db, p).await {
            Ok(()) => {}
            Err(NotApplied::Refused {
                description, count, ..
            }) => {
                not_applied.insert(
                    p.finding_id.clone(),
                    format!("refused: {description} ({count})"),
                );
            }
            Err(NotApplied::Failed(e)) => {
                not_applied.insert(p.finding_id.clone(), format!("failed: {e}"));
            }
        }
    }
    let (_, after) = check(&db, &cls).await;
    // No row changes, but for those a checklist's `seed` inserts (only ever more rows).
    let seeds: Vec<&str> = plans
        .iter()
        .filter(|p| p.finding_id.starts_with("data.false:"))
        .flat_map(|p| p.steps.iter().map(|s| s.sql.as_str()))
        .collect();
    let seeded = |t: &str| {
        seeds
            .iter()
            .any(|sql| sql.contains(&format!("INSERT INTO {t} ")))
    };
    let now = checksums(&db, &snap).await;
    for (table, sum) in &sums {
        if seeded(table) {
            assert!(
                now[table].0 > sum.0,
                "{id}: the seed of {table} inserted nothing"
            );
        } else {
            assert_eq!(now.get(table), Some(sum), "{id}: rows of {table} changed");
        }
    }

    let still: BTreeSet<String> = after
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.id.clone())
        .collect();
    let want: BTreeSet<String> = remaining.iter().map(|(i, _)| i.to_string()).collect();
    let unexpected: Vec<&String> = still.difference(&want).collect();
    let gone: Vec<&String> = want.difference(&still).collect();
    let refused_want: BTreeSet<&str> = refused.iter().map(|(i, _)| *i).collect();
    let refused_have: BTreeSet<&str> = not_applied.keys().map(String::as_str).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty() && refused_want == refused_have,
        "{id}: still failing but not expected: {unexpected:#?}\nexpected but gone: {gone:#?}\n\
         not applied: {not_applied:#?}"
    );
    for (pid, why) in &not_applied {
        assert!(why.starts_with("refused"), "{id}: {pid} {why}");
    }
    // Every finding with a plan that ran is gone; the failed items left are the ones listed.
    let failed_after = after.items.iter().filter(|i| !i.passed()).count();
    assert!(
        failed_after < failed_before,
        "{id}: {failed_before} → {failed_after}"
    );
    for f in after.items.iter().flat_map(|i| &i.findings) {
        let refused_here = not_applied.contains_key(&f.id);
        assert!(
            !f.fixable
                || refused_here
                || plans.iter().any(
                    |p| not_applied.contains_key(&p.finding_id) && p.fixes().any(|x| x == f.id)
                ),
            "{id}: {} is fixable but still there",
            f.id
        );
    }
    eprintln!(
        "{id}: {} plans; failed items {failed_before} → {failed_after}",
        plans.len()
    );
}

const MIGRATION: &str =
    "recording a migration as applied would be a lie: run the tool's own migrate command";

#[tokio::test]
async fn virtual_audience_mended() {
    // session (with its expire index), message_type, chat_messages and chat_participants (with
    // their six indexes and virtual_audience's grants) are created.
    scenario(
        "virtual-audience",
        &[(
            "credential.default_password:public.users where username = 'admin'",
            "changing a password is the application's job (pgmend never writes rows)",
        )],
        &[],
    )
    .await;
}

#[tokio::test]
async fn chat_system_mended() {
    // 'chat' added to the enum, the three call enums, the four tables with their indexes, the
    // three messages columns, the reply_to_id foreign key (NOT VALID + VALIDATE) and its index.
    scenario(
        "chat-system",
        // The feature row is inserted by the item's seed (INSERT … ON CONFLICT DO NOTHING).
        &[],
        &[],
    )
    .await;
}

#[tokio::test]
async fn lms_mended() {
    // The five tables (uuid keys typed like the schema's other primary keys), with RLS, their
    // 11 indexes, the two service_role policies and authenticated's / service_role's grants;
    // the five columns.
    // The 17 user and staff policies and the three CHECKs from the preset's expressions;
    // update_ticket_on_message() from its definition, then its two triggers.
    // Only what must not be automated is left: the migration records.
    let remaining = vec![
        (
            "migration.missing:Supabase migration 20250101000018_add_critical_missing_tables",
            MIGRATION,
        ),
        (
            "migration.missing:Supabase migration 20250101000019_missing_rls_policies",
            MIGRATION,
        ),
    ];
    scenario("lms", &remaining, &[]).await;
}

#[tokio::test]
async fn mood_journal_mended() {
    // RLS enabled on the seven tables together with their owner ((select auth.uid())::text =
    // "userId") and service-role policies; anon's and authenticated's excess privileges
    // revoked; the five tables with their checks, RLS, service-role policies, indexes and
    // grants; the seven security_invoker views.
    // The four new tables' owner policies too, from the preset's USING / WITH CHECK: nothing
    // is left.
    scenario("mood-journal", &[], &[]).await;
}

#[tokio::test]
async fn event_platform_mended() {
    // VIEWER added after PARTICIPANT; the three foreign-key indexes (which the lint asks for
    // too) built CONCURRENTLY; rooms."appManifestVersion" added through the safe path with the
    // preset's backfill (each room locks to its app's manifestVersion), then its two indexes.
    scenario(
        "event-platform",
        &[
            (
                "migration.failed:Prisma migration 20251227091500_manifest_versioning",
                "prisma migrate resolve decides what a failed migration means",
            ),
            (
                "migration.missing:Prisma migration 20251228100000_viewer_role_and_fk_indexes",
                MIGRATION,
            ),
        ],
        &[],
    )
    .await;
}
