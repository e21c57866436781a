//! An item pgmend could not evaluate shows as `?` in the app: in the header's counts, in the
//! checklist and in its detail, never as ✔ (and not counted with the ✘).

use pgmend::app::{Action, update};
use pgmend::check;
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use std::sync::Arc;

use super::loaded;
use super::screens::render;
use crate::support::TestDb;

const CL: &str = r#"
[[table]]
name = "accounts"

[[data]]
name = "an admin exists"
query = "select exists (select 1 from accounts where admin)"

[[credential]]
table = "users"
user_column = "username"
user = "admin"
hash_column = "password"
password = "changeme"
"#;

#[tokio::test]
async fn items_not_evaluated_show_as_question_marks() {
    let db = TestDb::new().await;
    // accounts has no `admin` column (the query errors) and there is no users table.
    db.exec("CREATE TABLE accounts (id int PRIMARY KEY)").await;
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    let cl = Checklist::parse(CL, "unknown.toml").unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    let mut report = check::run(
        &snap,
        std::slice::from_ref(&cl),
        &facts,
        &Default::default(),
    );
    pgmend::fix::mark_fixable(&mut report, &snap, &[cl]);
    let mut s = loaded(Arc::new(snap), Arc::new(report), 120, 30);
    let screen = render(&s);
    assert!(
        screen.contains("✔ 1 passed · ✘ 0 failing items · ? 2 unknown"),
        "{screen}"
    );
    // Neither ✔ nor ✘, and no fixability: there is nothing to fix until it can be evaluated.
    assert!(
        screen.contains("?           medium   data: an admin exists  could not be e"),
        "{screen}"
    );
    assert!(
        screen.contains("?           critical public.users where u"),
        "{screen}"
    );
    // The detail of the selected (first) unknown finding says so too.
    update(&mut s, Action::Down);
    let screen = render(&s);
    assert!(
        screen.contains("? critical · credential.unknown")
            || screen.contains("? medium · data.unknown"),
        "{screen}"
    );
}
