//! The default keymap as data: `keymap-default.toml`, compiled in. Every action the keys,
//! help, the `:` palette and config.toml's `[keys.<context>]` know is an entry there, with its
//! keys, context, description and palette name; here is only the name → [`Action`] table.

use std::sync::OnceLock;

use serde::Deserialize;

use super::action::Action;
use super::state::Tab;

const DEFAULT: &str = include_str!("keymap-default.toml");

/// One `[[action]]` of the default keymap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub action: String,
    pub keys: Vec<String>,
    pub context: String,
    pub description: String,
    /// The command's name in the `:` palette.
    #[serde(default)]
    pub palette: Option<String>,
}

#[derive(Deserialize)]
struct File {
    action: Vec<Entry>,
}

/// The entries, in the file's order (help and the palette keep it).
pub fn entries() -> &'static [Entry] {
    static E: OnceLock<Vec<Entry>> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str::<File>(DEFAULT)
            .map(|f| f.action)
            // A unit test parses the file: a broken default never ships.
            .unwrap_or_else(|e| panic!("keymap-default.toml: {e}"))
    })
}

/// The action a name stands for (`tab_N` for the N-th tab).
pub fn action_named(name: &str) -> Option<Action> {
    use crate::fix::decide::DupChoice as D;
    if let Some(n) = name.strip_prefix("tab_") {
        let i: usize = n.parse().ok()?;
        return Tab::ALL.get(i.checked_sub(1)?).map(|t| Action::GotoTab(*t));
    }
    Some(match name {
        "quit" => Action::Quit,
        "back" => Action::Back,
        "next_tab" => Action::NextTab,
        "prev_tab" => Action::PrevTab,
        "up" => Action::Up,
        "down" => Action::Down,
        "page_up" => Action::PageUp,
        "page_down" => Action::PageDown,
        "half_page_up" => Action::HalfPageUp,
        "half_page_down" => Action::HalfPageDown,
        "top" => Action::Top,
        "bottom" => Action::Bottom,
        "detail_down" => Action::DetailDown,
        "detail_up" => Action::DetailUp,
        "filter" => Action::StartFilter,
        "scope" => Action::ToggleScope,
        "help" => Action::Help,
        "palette" => Action::Palette,
        "reload" => Action::Reload,
        "copy_name" => Action::CopyName,
        "copy_ddl" => Action::CopyDdl,
        "switch_connection" => Action::SwitchConnection,
        "mark" => Action::ToggleMark,
        "fix" => Action::Fix,
        "fix_group" => Action::FixGroup,
        "fix_all" => Action::FixAll,
        "backup" => Action::Backup,
        "verify_backup" => Action::VerifyBackup,
        "export_sql" => Action::ExportSql,
        "restore" => Action::Restore,
        "undo" => Action::Undo,
        "submit" => Action::Submit,
        "backspace" => Action::Backspace,
        "keep_newest" => Action::ChooseDuplicates(D::KeepNewest),
        "keep_oldest" => Action::ChooseDuplicates(D::KeepOldest),
        "merge_by_hand" => Action::ChooseDuplicates(D::ByHand),
        "partial_key" => Action::ChooseDuplicates(D::Partial),
        _ => return None,
    })
}

/// Whether two actions are the same keymap action (payloads of results are not compared).
pub fn same(a: &Action, b: &Action) -> bool {
    match (a, b) {
        (Action::GotoTab(x), Action::GotoTab(y)) => x == y,
        (Action::ChooseDuplicates(x), Action::ChooseDuplicates(y)) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// The config name of a keymap action ("" for results, which no key sends).
pub fn action_name(a: &Action) -> String {
    entries()
        .iter()
        .find(|e| action_named(&e.action).is_some_and(|x| same(&x, a)))
        .map(|e| e.action.clone())
        .unwrap_or_default()
}

/// The palette's commands: (name, description, action). What acts on the database comes
/// first, going to a tab and quitting last; otherwise the file's order.
pub fn palette_commands() -> Vec<(&'static str, &'static str, Action)> {
    let mut out: Vec<(&'static str, &'static str, Action)> = entries()
        .iter()
        .filter_map(|e| {
            let name = e.palette.as_deref()?;
            Some((name, e.description.as_str(), action_named(&e.action)?))
        })
        .collect();
    out.sort_by_key(|(_, _, a)| match a {
        Action::GotoTab(_) => 1,
        Action::Quit => 2,
        _ => 0,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Context, Key};

    #[test]
    fn every_entry_names_an_action_a_context_and_keys_that_parse() {
        assert!(entries().len() > 40);
        for e in entries() {
            assert!(action_named(&e.action).is_some(), "{}", e.action);
            assert!(Context::named(&e.context).is_some(), "{}", e.context);
            for k in &e.keys {
                assert!(Key::parse(k).is_some(), "{}: {k}", e.action);
            }
            assert!(!e.description.is_empty(), "{}", e.action);
            assert_eq!(action_name(&action_named(&e.action).unwrap()), e.action);
        }
    }

    #[test]
    fn every_tab_has_a_key_and_the_palette_holds_every_action() {
        for t in Tab::ALL {
            let name = format!("tab_{}", t.index() + 1);
            assert!(
                entries()
                    .iter()
                    .any(|e| e.action == name && !e.keys.is_empty()),
                "{name} has no key"
            );
        }
        let palette: Vec<&str> = palette_commands().iter().map(|(n, _, _)| *n).collect();
        for want in [
            "fix",
            "fix all",
            "backup",
            "verify backup",
            "export plan as SQL",
            "switch connection",
            "reload",
            "help",
            "quit",
        ] {
            assert!(palette.contains(&want), "{want} missing from {palette:?}");
        }
    }
}
