//! Issue 20's guidance: one unit per figure in the header and the tab bar, the Checklist's
//! columns, every tab on a key its label shows, help that explains and ends, the palette that
//! holds every action, and the fix's whole scope in the preview and the confirm step.

use pgmend::app::columns::Tally;
use pgmend::app::keymap::{Context, Key, Keymap};
use pgmend::app::rows::{self, Row};
use pgmend::app::{Action, Effect, Mode, Tab, update};
use pgmend::checklist::Checklist;

use super::screens::{render, snap};
use super::{fixture, ready};

/// Line `n` of a rendered screen, without the quotes TestBackend puts around it.
fn line(screen: &str, n: usize) -> String {
    let l = screen.lines().nth(n).unwrap_or_default();
    l.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(l)
        .to_string()
}

#[test]
fn the_header_counts_items_and_findings_each_in_its_own_unit() {
    let (_, report) = fixture().clone();
    // Counted here by hand, not with the app's Tally.
    let failing: Vec<_> = report
        .items
        .iter()
        .filter(|i| !i.passed() && !i.unknown() && !i.only_assumed())
        .collect();
    let critical = failing
        .iter()
        .filter(|i| i.worst() == pgmend::rules::Severity::Critical)
        .count();
    let findings = report.findings().filter(|f| f.assumed.is_none()).count();
    assert!(critical > 0 && critical < findings);
    let s = ready(120, 40);
    let screen = render(&s);
    let header = line(&screen, 1);
    assert!(
        header.contains(&format!(
            "✘ {} failing items ({critical} critical, ",
            failing.len()
        )),
        "{header}"
    );
    assert!(
        header.contains(&format!("· {findings} findings")),
        "{header}"
    );
    // The severities add up to the failing items: one unit.
    let n = Tally::of(&report);
    assert_eq!(
        n.by_severity.iter().map(|(_, k)| k).sum::<usize>(),
        n.failing
    );
    // The tab and the list title count the same items.
    let tabs = line(&screen, 2);
    assert!(
        tabs.contains(&format!("1 Chk ✘{}", failing.len())),
        "{tabs}"
    );
    assert!(
        line(&screen, 3).contains(&format!("Checklist: {} failing", failing.len())),
        "{screen}"
    );
    // At 80 columns the figures shorten and still fit.
    let narrow = render(&ready(80, 24));
    let header = line(&narrow, 1);
    assert!(
        header.contains(&format!("({critical} crit, "))
            && header.contains(&format!("{findings} findings")),
        "{header}"
    );
    // A demo's banner stays whole at 80 columns: the figures give up the severities and the
    // passed count (the Checklist's title has it).
    let mut s = ready(80, 24);
    s.conn.warnings = vec!["demo: mood journal (broken), removed on exit".into()];
    let header = line(&render(&s), 1);
    assert!(
        header.contains("⚠ demo: mood journal (broken), removed on exit")
            && header.starts_with(&format!("✘ {} items · {findings} findings", failing.len())),
        "{header}"
    );
}

#[test]
fn checklist_rows_have_columns_and_never_repeat_the_object() {
    let s = ready(120, 40);
    let report = s.report.clone().unwrap();
    let mut items = 0;
    for row in &s.list().rows {
        let label = rows::label_in(&s, *row);
        match row {
            Row::Item(i) => {
                let it = &report.items[*i];
                items += 1;
                assert!(
                    label.contains(it.worst().as_str()),
                    "severity column: {label}"
                );
                if let Some(f) = it.findings.first()
                    && f.message.contains(&it.object)
                    && !it.object.contains(" on ")
                {
                    assert_eq!(
                        label.matches(it.object.as_str()).count()
                            + label.matches('…').count().min(1),
                        1,
                        "the object once: {label}"
                    );
                }
            }
            Row::Lint(i) => {
                let f = &report.lint_findings[*i];
                // The severity sits in the severity column (after status and fixability).
                let sev_col: String = label.chars().skip(12).take(8).collect();
                assert_eq!(sev_col.trim(), f.severity.as_str(), "{label}");
            }
            _ => {}
        }
    }
    assert!(items > 20);
    let screen = render(&ready(80, 24));
    assert!(
        screen.contains("✘ fixable   critical public.profiles"),
        "{screen}"
    );
    assert!(screen.contains("table does not exist"), "{screen}");
}

#[test]
fn fixability_says_needs_you_and_refused_after_a_preview_refused_it() {
    let mut s = ready(120, 40);
    let report = s.report.clone().unwrap();
    let (i, it) = report
        .items
        .iter()
        .enumerate()
        .find(|(_, it)| !it.passed() && it.findings.iter().all(|f| f.fixable))
        .unwrap();
    let label = rows::label_in(&s, Row::Item(i));
    assert!(label.contains(" fixable "), "{label}");
    // The preview refused it: the Checklist says so until another connection.
    let id = it.findings[0].id.clone();
    s.fix = Some(pgmend::app::fixflow::FixFlow::new(vec![id.clone()], 0));
    update(
        &mut s,
        Action::PlansScoped {
            scope: "backup holds the whole database".into(),
            refused: vec![format!(
                "{id}: permission denied: ops does not own public.x"
            )],
        },
    );
    let label = rows::label_in(&s, Row::Item(i));
    assert!(label.contains(" refused "), "{label}");
    // An item pgmend has no fix for needs the engineer.
    if let Some((j, _)) = report
        .items
        .iter()
        .enumerate()
        .find(|(_, it)| !it.passed() && !it.unknown() && it.findings.iter().all(|f| !f.fixable))
    {
        assert!(rows::label_in(&s, Row::Item(j)).contains(" needs you "));
    }
}

#[test]
fn index_rows_show_the_table_and_columns() {
    let mut s = ready(80, 24);
    update(&mut s, Action::GotoTab(Tab::Indexes));
    let screen = render(&s);
    assert!(
        screen.contains("public.\"ChatMessage\" (\"sessionId\")  \"ChatMessage_sessionId_idx\""),
        "{screen}"
    );
    assert!(screen.contains("auth.users (email)  users_email_partial_key · unique · partial"));
}

#[test]
fn every_tab_opens_with_the_key_its_label_shows_even_at_80_columns() {
    let keymap = Keymap::default();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for tab in Tab::ALL {
            let mut s = ready(w, h);
            update(&mut s, Action::GotoTab(tab));
            let screen = render(&s);
            let bar = line(&screen, 2);
            let key = keymap.key_for(&Action::GotoTab(tab)).expect("a key");
            // The current tab is always on the bar, labelled with its key.
            assert!(
                bar.contains(&format!(" {} ", key.label())),
                "{tab:?} at {w}: {bar}"
            );
            assert!(bar.chars().count() <= w as usize, "{bar}");
            // That key opens that tab.
            let e = crossterm::event::KeyEvent::new(key.code, key.mods);
            assert!(matches!(
                keymap.action(Context::Normal, e),
                Some(Action::GotoTab(t)) if t == tab
            ));
        }
    }
    // The eleventh tab has a key (it had none) and 0 opens the tenth, labelled 0.
    assert_eq!(
        keymap.key_for(&Action::GotoTab(Tab::Journal)),
        Key::parse("-")
    );
    let mut s = ready(80, 24);
    update(&mut s, Action::GotoTab(Tab::Journal));
    let bar = line(&render(&s), 2);
    assert!(bar.starts_with('‹') && bar.contains("- Jrnl"), "{bar}");
    snap("tabs_scrolled", &s);
}

#[test]
fn help_explains_the_concepts_and_stops_where_it_ends() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = ready(w, h);
        update(&mut s, Action::Help);
        let screen = render(&s);
        for concept in [
            "✔  an item holds",
            "severity",
            "read-only",
            "backups",
            "needs you",
        ] {
            assert!(screen.contains(concept), "{concept}: {screen}");
        }
        for _ in 0..50 {
            update(&mut s, Action::PageDown);
        }
        let Mode::Help { scroll } = s.mode else {
            panic!("{:?}", s.mode)
        };
        assert_eq!(scroll, pgmend::app::help::max_scroll(&s));
        // The last line of help is the popup's last line: no blank space below it.
        let screen = render(&s);
        let last = s.help.last().unwrap().2.clone();
        let rows: Vec<&str> = screen.lines().collect();
        let at = rows
            .iter()
            .rposition(|l| l.contains(&last[..last.len().min(30)]))
            .expect("the last help line is on screen");
        assert!(rows[at + 1].contains('└'), "{screen}");
        // One more page down changes nothing.
        update(&mut s, Action::PageDown);
        assert_eq!(s.mode, Mode::Help { scroll });
        snap("help_end", &s);
    }
}

#[test]
fn the_palette_holds_every_action_and_runs_them() {
    let mut s = ready(120, 40);
    update(&mut s, Action::Palette);
    let screen = render(&s);
    for cmd in [
        "fix all",
        "backup",
        "verify backup",
        "export plan as SQL",
        "switch connection",
    ] {
        assert!(screen.contains(cmd), "{cmd}: {screen}");
    }
    // export plan as SQL: what `f` would fix (the selected item here).
    let selected = pgmend::app::update_fix_findings(&s);
    for c in "export".chars() {
        update(&mut s, Action::Input(c));
    }
    let effects = update(&mut s, Action::Submit);
    let Some(Effect::ExportPlans { finding_ids, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert!(!finding_ids.is_empty());
    assert_eq!(finding_ids, &selected);
    // fix all opens the flow with every fixable finding.
    let effects = update(&mut s, Action::FixAll);
    let Some(Effect::PlanFixes { finding_ids, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    let report = s.report.clone().unwrap();
    assert_eq!(
        finding_ids.len(),
        report
            .findings()
            .filter(|f| f.fixable && f.assumed.is_none())
            .count()
    );
    update(&mut s, Action::Back);
    // backup: a verified backup, then the Backups tab is read again.
    assert!(matches!(
        update(&mut s, Action::Backup).as_slice(),
        [Effect::RunBackup]
    ));
    update(&mut s, Action::BackupDone(Ok(super::fix_flow::backup())));
    assert!(
        s.status.as_deref().unwrap().contains("verified"),
        "{:?}",
        s.status
    );
    // A palette backup finishing while a fix previews is not the fix's backup.
    super::fix_flow::fix_selected(&mut s);
    update(&mut s, Action::PlansReady(Ok(vec![rls_plan()])));
    update(&mut s, Action::BackupDone(Ok(super::fix_flow::backup())));
    assert_eq!(s.fix.as_ref().unwrap().step.name(), "preview");
    update(&mut s, Action::Back);
    // verify backup needs a backup selected.
    assert!(update(&mut s, Action::VerifyBackup).is_empty());
    assert!(s.status.as_deref().unwrap().contains("Backups tab"));
    // switch connection opens the picker over the current screen; esc keeps the connection.
    update(&mut s, Action::SwitchConnection);
    assert!(matches!(s.mode, Mode::Picker { .. }));
    assert!(render(&s).contains("Where to?"));
    update(&mut s, Action::Back);
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.snapshot.is_some());
}

#[test]
fn config_rebinds_reach_help_and_the_tab_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[keys.normal]\ntab_11 = \"ctrl-j\"\nfix_all = \"ctrl-f\"\n",
    )
    .unwrap();
    let loaded = pgmend::config::load(Some(&path)).unwrap();
    let map = pgmend::config::keys::apply(Keymap::default(), &loaded).unwrap();
    let help = map.help();
    assert!(
        help.iter().any(|(k, n, _)| n == "tab_11" && k == "ctrl-j"),
        "{help:?}"
    );
    assert!(help.iter().any(|(k, n, _)| n == "fix_all" && k == "ctrl-f"));
    let mut s = ready(120, 40);
    s.help = help;
    let bar = line(&render(&s), 2);
    assert!(bar.contains("ctrl-j Jrnl"), "{bar}");
}

/// A plan as the fix engine makes it for the fixture's "rls tables in public" item.
fn rls_plan() -> pgmend::fix::plan::Plan {
    let (snap, report) = fixture().clone();
    let cl = Checklist::preset("mood-journal").unwrap();
    let f = report
        .findings()
        .find(|f| f.id.starts_with("rls.") && f.fixable)
        .expect("an rls finding");
    pgmend::fix::plan(f, &snap, &[cl]).expect("a plan")
}

#[test]
fn the_preview_and_confirm_tell_the_whole_scope() {
    let plan = rls_plan();
    let also = pgmend::app::scope::also(&plan);
    assert!(
        also.as_deref()
            .is_some_and(|a| a.contains("row-level security")),
        "{also:?}"
    );
    let mut s = ready(120, 40);
    let report = s.report.clone().unwrap();
    let asked: Vec<String> = std::iter::once(plan.finding_id.clone())
        .chain(
            report
                .findings()
                .filter(|f| !f.fixable)
                .take(2)
                .map(|f| f.id.clone()),
        )
        .collect();
    s.fix = Some(pgmend::app::fixflow::FixFlow::new(asked.clone(), 0));
    update(&mut s, Action::PlansReady(Ok(vec![plan.clone()])));
    let screen = render(&s);
    assert!(
        screen.contains(&format!("fixes 1 of {} findings", asked.len())),
        "{screen}"
    );
    snap("fix_scope_preview", &s);
    // An irreversible plan: marked, and confirming it needs `yes`.
    let mut irreversible = plan.clone();
    irreversible.undo.clear();
    irreversible.hazards = vec!["enum values cannot be dropped".into()];
    s.fix.as_mut().unwrap().set_plans(vec![irreversible]);
    assert!(render(&s).contains("cannot be undone"));
    update(&mut s, Action::Submit);
    update(&mut s, Action::BackupDone(Ok(super::fix_flow::backup())));
    let screen = render(&s);
    assert!(
        screen.contains("⚠ enum values cannot be dropped"),
        "{screen}"
    );
    assert!(screen.contains("IRREVERSIBLE"), "{screen}");
    assert!(screen.contains("type yes"), "{screen}");
    snap("fix_confirm_irreversible", &s);
    // Enter alone does not apply; `yes` does.
    assert!(update(&mut s, Action::Submit).is_empty());
    for c in "yes".chars() {
        update(&mut s, Action::Input(c));
    }
    let effects = update(&mut s, Action::Submit);
    assert!(
        matches!(effects.first(), Some(Effect::ApplyPlans { .. })),
        "{effects:?}"
    );
}

#[test]
fn a_refusal_the_preview_predicted_takes_no_backup() {
    let mut s = ready(80, 24);
    let id = super::fix_flow::fix_selected(&mut s);
    update(
        &mut s,
        Action::PlansScoped {
            scope: "backup holds the whole database".into(),
            refused: vec![format!("{id}: 3 rows would break the new key")],
        },
    );
    let effects = update(&mut s, Action::PlansReady(Ok(vec![])));
    assert!(effects.is_empty(), "no backup: {effects:?}");
    let effects = update(&mut s, Action::Submit);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::RunBackup)),
        "{effects:?}"
    );
    assert!(s.fix.is_none() || s.fix.as_ref().unwrap().error.is_some());
}
