//! `assumed` end to end on a snapshot (no server needed): findings carry the assumption and are
//! capped, items and reports count them apart, `fix --all`'s selection leaves them, and the text
//! and SARIF outputs show them.

use crate::check::{Facts, LintOverrides, Report, run};
use crate::checklist::Checklist;
use crate::db::catalog::{ServerInfo, Snapshot};
use crate::rules::Severity;

const TOML: &str = r#"
[[table]]
name = "stated"
severity = "critical"
columns = [
    { name = "id", type = "uuid", type_assumed = "the source names the column, not its type" },
]

[[table]]
name = "guessed"
severity = "critical"
assumed = "a usual table; the source does not name it"

[[enum]]
name = "mood"
values = ["happy"]
assumed_values = ["sad"]
severity = "high"

[[index]]
table = "stated"
columns = ["id"]
severity = "high"
assumed = true

[[migration]]
tool = "prisma"
name = "20240101_init"
severity = "high"
assumed = "the source names no migration"
"#;

fn report() -> Report {
    let snap = Snapshot::empty(ServerInfo {
        version_num: 160000,
        version: "PostgreSQL 16".into(),
        database: "t".into(),
        current_user: "t".into(),
        is_superuser: true,
    });
    let cl = Checklist::parse(TOML, "t.toml").unwrap();
    run(&snap, &[cl], &Facts::default(), &LintOverrides::new())
}

fn finding<'a>(r: &'a Report, prefix: &str) -> &'a crate::check::Finding {
    r.findings()
        .find(|f| f.id.starts_with(prefix))
        .unwrap_or_else(|| {
            panic!(
                "no {prefix}: {:#?}",
                r.findings().map(|f| &f.id).collect::<Vec<_>>()
            )
        })
}

#[test]
fn assumed_items_are_notes_capped_at_info() {
    let r = report();
    let stated = finding(&r, "table.missing:public.stated");
    assert_eq!(stated.severity, Severity::Critical);
    assert!(stated.assumed.is_none());
    let guessed = finding(&r, "table.missing:public.guessed");
    assert_eq!(guessed.severity, Severity::Info);
    assert_eq!(
        guessed.assumed.as_deref(),
        Some("a usual table; the source does not name it")
    );
    let index = finding(&r, "index.missing:");
    assert_eq!(index.severity, Severity::Info);
    assert_eq!(
        index.assumed.as_deref(),
        Some(crate::checklist::assumed::UNSTATED)
    );
    // The enum is stated (its missing type is not assumed); creating it brings both labels.
    let e = finding(&r, "enum.missing:public.mood");
    assert!(e.assumed.is_none());
    assert!(e.expected.as_deref().unwrap().contains("'sad'"), "{e:?}");
    // The report: only the stated table counts, the items whose findings are all assumed are
    // notes.
    assert_eq!(r.worst(), Some(Severity::Critical));
    assert_eq!(r.assumed(), 3, "{:#?}", r.findings().collect::<Vec<_>>());
    let notes: Vec<&str> = r
        .items
        .iter()
        .filter(|i| i.only_assumed())
        .map(|i| i.kind)
        .collect();
    assert_eq!(notes, ["table", "index", "migration"]);
    let item = r.items.iter().find(|i| i.kind == "migration").unwrap();
    assert_eq!(item.severity, Severity::Info);
    assert_eq!(
        item.assumed.as_deref(),
        Some("the source names no migration")
    );
}

#[test]
fn an_only_assumed_report_decides_no_exit_code() {
    let mut r = report();
    r.items.retain(|i| i.only_assumed());
    assert_eq!(r.worst(), None);
    assert_eq!(r.assumed(), 3);
}

#[test]
fn text_and_sarif_show_the_assumption() {
    let r = report();
    let text =
        crate::report::check_text::render(&r, "t", false, crate::report::style::Style::plain());
    let (counted, assumed) = text.split_once("ASSUMED").expect("an ASSUMED section");
    assert!(counted.contains("table.missing:public.stated"), "{text}");
    assert!(!counted.contains("table.missing:public.guessed"), "{text}");
    assert!(
        assumed.contains("assumed: a usual table; the source does not name it"),
        "{text}"
    );
    assert!(text.contains("3 assumed"), "{text}");
    let sarif = crate::report::sarif::render(&r, "t");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let guessed = results
        .iter()
        .find(|x| x["partialFingerprints"]["pgmendFindingId/v1"] == "table.missing:public.guessed")
        .unwrap();
    assert_eq!(guessed["level"], "note");
    assert!(
        guessed["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Assumed (not counted): a usual table")
    );
    let json = serde_json::to_value(&r).unwrap();
    let items = json["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["assumed"] == "the source names no migration")
    );
    assert!(
        items
            .iter()
            .all(|i| i["kind"] != "enum" || i.get("assumed").is_none())
    );
}
