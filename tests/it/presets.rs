//! The built-in checklist presets, and how a malformed checklist is reported.

use pgmend::checklist::{Checklist, ChecklistError, presets};

fn parse_err(text: &str) -> String {
    match Checklist::parse(text, "bad.toml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_preset_parses_and_names_are_the_scenario_ids() {
    let names = presets::names();
    let ids = pgmend::scenarios::ids();
    assert_eq!(names, ids, "one preset per scenario, in the index's order");
    for name in names {
        let c = Checklist::preset(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        assert_eq!(c.source, format!("preset:{name}"));
        let meta = &c.file.checklist;
        assert_eq!(meta.name.as_deref(), Some(name));
        assert!(meta.description.is_some(), "{name} has no description");
        assert!(meta.platform.is_some(), "{name} names no platform");
        // Every item says why it matters and how much.
        let f = &c.file;
        let whys: Vec<(Option<&String>, bool)> = f
            .enums
            .iter()
            .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some()))
            .chain(
                f.tables
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.indexes
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.views
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.rls
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.policies
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.triggers
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.functions
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.grants
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.data
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.credentials
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .chain(
                f.migrations
                    .iter()
                    .map(|i| (i.get_ref().why.as_ref(), i.get_ref().severity.is_some())),
            )
            .collect();
        assert!(whys.len() > 10, "{name} has only {} items", whys.len());
        for (i, (why, sev)) in whys.iter().enumerate() {
            assert!(
                why.is_some_and(|w| w.len() > 10) && *sev,
                "{name}: item {i} lacks why or severity"
            );
        }
    }
}

#[test]
fn presets_hold_what_their_seeds_single_out() {
    let va = Checklist::preset("virtual-audience").unwrap();
    assert!(va.file.tables.iter().any(|t| t.get_ref().name == "session"));
    let cred = va.file.credentials[0].get_ref();
    assert_eq!(
        (cred.user.as_str(), cred.password.as_str()),
        ("admin", "virtualaudience2025")
    );
    let chat = Checklist::preset("chat-system").unwrap();
    assert!(
        chat.file
            .data
            .iter()
            .any(|d| d.get_ref().query.contains("'chat-system'"))
    );
    let mj = Checklist::preset("mood-journal").unwrap();
    assert_eq!(
        mj.file
            .views
            .iter()
            .filter(|v| v.get_ref().snake_case)
            .count(),
        7
    );
    assert!(
        mj.file
            .grants
            .iter()
            .any(|g| g.get_ref().role == "anon" && g.get_ref().deny == ["ALL"])
    );
    let lms = Checklist::preset("lms").unwrap();
    assert_eq!(lms.file.policies.len(), 19);
    let ev = Checklist::preset("event-platform").unwrap();
    assert_eq!(ev.file.migrations.len(), 4);
}

#[test]
fn unknown_preset_suggests_the_closest() {
    let e = Checklist::preset("mood-jornal").unwrap_err();
    assert!(matches!(e, ChecklistError::UnknownPreset { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("unknown preset `mood-jornal` (did you mean `mood-journal`?)"),
        "{msg}"
    );
    assert!(
        msg.contains("virtual-audience, chat-system, lms, mood-journal, event-platform"),
        "{msg}"
    );
    let e = Checklist::preset("zzz").unwrap_err().to_string();
    assert!(!e.contains("did you mean"), "{e}");
}

#[test]
fn toml_syntax_error_points_at_the_spot() {
    let msg =
        parse_err("[checklist]\nname = \"x\"\n\n[[table]]\nname = \"users\nseverity = \"high\"\n");
    assert!(msg.starts_with("bad.toml:5:14: "), "{msg}");
}

#[test]
fn unknown_key_is_located_and_corrected() {
    let msg = parse_err("[checklist]\nname = \"x\"\n\n[[table]]\nname = \"users\"\ncolums = []\n");
    assert!(
        msg.starts_with("bad.toml:6:1: unknown field `colums`"),
        "{msg}"
    );
    assert!(msg.ends_with("did you mean `columns`?"), "{msg}");

    // Inside an inline table of an array of tables.
    let msg = parse_err(
        "[[table]]\nname = \"users\"\ncolumns = [\n    { name = \"id\" },\n    { name = \"email\", nulable = false },\n]\n",
    );
    assert!(
        msg.starts_with("bad.toml:5:23: unknown field `nulable`"),
        "{msg}"
    );
    assert!(msg.ends_with("did you mean `nullable`?"), "{msg}");

    // A top-level item kind.
    let msg = parse_err("[[tabel]]\nname = \"users\"\n");
    assert!(
        msg.starts_with("bad.toml:1:3: unknown field `tabel`"),
        "{msg}"
    );
    assert!(msg.ends_with("did you mean `table`?"), "{msg}");
}

#[test]
fn wrong_type_is_located() {
    let msg = parse_err("[[enum]]\nname = \"mood\"\nvalues = \"happy\"\n");
    assert!(
        msg.starts_with("bad.toml:3:10: invalid type: string \"happy\", expected a sequence"),
        "{msg}"
    );

    let msg = parse_err("[[table]]\nname = \"t\"\nseverity = \"urgent\"\n");
    assert!(
        msg.starts_with("bad.toml:3:12: unknown variant `urgent`"),
        "{msg}"
    );

    let msg =
        parse_err("[[table]]\nname = \"t\"\ncolumns = [{ name = \"a\", nullable = \"no\" }]\n");
    assert!(
        msg.starts_with("bad.toml:3:37: invalid type: string \"no\", expected a boolean"),
        "{msg}"
    );
}

#[test]
fn semantic_errors_are_located() {
    let msg = parse_err(
        "[checklist]\nname = \"x\"\n\n[[table]]\nname = \"t\"\nforeign_keys = [{ columns = [\"a\"], references = \"u(id)\", on_delete = \"explode\" }]\n",
    );
    assert!(
        msg.starts_with("bad.toml:6:17: unknown foreign-key action `explode`"),
        "{msg}"
    );

    let msg = parse_err("[[policy]]\ntable = \"t\"\ntemplate = \"owner\"\n");
    assert!(
        msg.starts_with("bad.toml:1:1: template = \"owner\" needs `column`"),
        "{msg}"
    );
}

#[test]
fn unknown_lint_is_located_and_corrected() {
    let msg = parse_err("[checklist]\nname = \"x\"\n\n[lints]\nunindexed_foreign_keys = false\n");
    assert!(
        msg.starts_with("bad.toml:5:26: unknown lint `unindexed_foreign_keys`"),
        "{msg}"
    );
    assert!(
        msg.ends_with("did you mean `unindexed_foreign_key`?"),
        "{msg}"
    );
}
