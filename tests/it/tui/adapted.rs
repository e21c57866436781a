//! What adapting a checklist changed is shown in the detail of the items it concerns.
//! Server-free: the snapshot is built in the test, the check is the one every path runs.

use std::sync::Arc;

use pgmend::check;
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{Column, RelationKind, ServerInfo, Snapshot, Table};

use super::loaded;
use super::screens::render;

fn column(name: &str, position: i32) -> Column {
    Column {
        name: name.into(),
        position,
        data_type: "integer".into(),
        not_null: true,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
        acl: Vec::new(),
    }
}

#[tokio::test]
async fn the_detail_of_an_item_says_how_it_was_adapted() {
    let mut snap = Snapshot::empty(ServerInfo {
        version_num: 150000,
        version: "PostgreSQL 15".into(),
        database: "db".into(),
        current_user: "me".into(),
        is_superuser: false,
    });
    let mut t = Table::bare("public", "chat_members", RelationKind::Table);
    t.columns = vec![column("id", 1), column("chatId", 2), column("joinedAt", 3)];
    snap.tables.push(t);
    let cl = Checklist::parse(
        "[checklist]\nadapt = true\n\n[[table]]\nname = \"chat_members\"\n\
         columns = [{ name = \"chat_id\", type = \"integer\" }, { name = \"user_id\", type = \"integer\" }]\n",
        "adapt.toml",
    )
    .unwrap();
    let (adapted, mut report) =
        check::check_adapted(None, &snap, std::slice::from_ref(&cl), &Default::default()).await;
    pgmend::fix::mark_fixable(&mut report, &snap, &adapted.unwrap_or(vec![cl]));
    assert_eq!(report.adaptations.len(), 2, "{:#?}", report.adaptations);
    // The first row is the table item, selected.
    let s = loaded(Arc::new(snap), Arc::new(report), 120, 40);
    let screen = render(&s);
    assert!(
        screen.contains("adapted: column chat_members.chat_id: the database names"),
        "{screen}"
    );
    assert!(
        screen.contains("adapted: column chat_members.user_id: created as \"userId\""),
        "{screen}"
    );
}
