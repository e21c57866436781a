//! Keys to actions, per context. Defaults are compiled in; config.toml's `[keys.<context>]`
//! tables rebind any action (see `crate::config::keys`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::state::Mode;

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Browsing lists.
    Normal,
    /// Typing a filter or in the palette: printable keys are text.
    Input,
    /// A popup (help, the fix flow's progress) is open.
    Popup,
    /// The fix preview's SQL editor: keys edit the text; ctrl-s goes on, esc abandons.
    Editor,
}

impl Context {
    /// Where keys go in this state.
    pub fn of_state(s: &super::state::State) -> Context {
        use super::fixflow::FixStep;
        match s.fix.as_ref().map(|f| &f.step) {
            Some(FixStep::Preview(_)) => Context::Editor,
            Some(FixStep::Confirm { .. }) => Context::Input,
            Some(_) => Context::Popup,
            None if s.mode == Mode::Restore => match s.restore.as_ref().map(|r| &r.step) {
                Some(super::restore::RestoreStep::Target) => Context::Input,
                _ => Context::Popup,
            },
            None => Context::of(&s.mode),
        }
    }

    pub fn of(mode: &Mode) -> Context {
        match mode {
            Mode::Restore => Context::Popup,
            Mode::Normal => Context::Normal,
            Mode::Filter | Mode::Palette { .. } | Mode::Picker { .. } | Mode::Password { .. } => {
                Context::Input
            }
            Mode::Help { .. } => Context::Popup,
        }
    }

    pub const ALL: [Context; 4] = [
        Context::Normal,
        Context::Input,
        Context::Popup,
        Context::Editor,
    ];

    /// A context by its config name (`normal`, `input`, `popup`, `editor`).
    pub fn named(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Context::Normal => "normal",
            Context::Input => "input",
            Context::Popup => "popup",
            Context::Editor => "editor",
        }
    }
}

/// A key as written in config: `q`, `ctrl-u`, `shift-tab`, `pagedown`, `f1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// From a terminal event, with SHIFT folded into the character for printable keys.
    pub fn from_event(e: KeyEvent) -> Key {
        let mods = match e.code {
            KeyCode::Char(_) => e.modifiers - KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::NONE,
            _ => e.modifiers,
        };
        Key { code: e.code, mods }
    }

    pub fn parse(s: &str) -> Option<Key> {
        let lower = s.trim().to_ascii_lowercase();
        let (mods, rest) = if let Some(r) = lower.strip_prefix("ctrl-") {
            (KeyModifiers::CONTROL, r)
        } else if let Some(r) = lower.strip_prefix("alt-") {
            (KeyModifiers::ALT, r)
        } else {
            (KeyModifiers::NONE, lower.as_str())
        };
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 => KeyCode::F(f[1..].parse().ok()?),
            _ => {
                // Single characters keep their case (`G` differs from `g`).
                let original = &s.trim()[s.trim().len() - rest.len()..];
                let mut chars = original.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(Key { code, mods })
    }

    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::Backspace => "backspace".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "pageup".into(),
            KeyCode::PageDown => "pagedown".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::F(n) => format!("f{n}"),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("alt-{base}")
        } else {
            base
        }
    }
}

/// Bindings for every context.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<(Context, Key, Action)>,
}

pub use super::keydefs::{action_name, action_named};

impl Default for Keymap {
    /// The bindings of `keymap-default.toml`.
    fn default() -> Self {
        let mut bindings = Vec::new();
        for e in super::keydefs::entries() {
            let (Some(ctx), Some(a)) = (Context::named(&e.context), action_named(&e.action)) else {
                continue; // a unit test keeps every entry well-formed
            };
            for k in e.keys.iter().filter_map(|k| Key::parse(k)) {
                bindings.push((ctx, k, a.clone()));
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The action for a key in a context. In the input context an unbound printable key is text.
    pub fn action(&self, ctx: Context, e: KeyEvent) -> Option<Action> {
        let key = Key::from_event(e);
        if let Some((_, _, a)) = self
            .bindings
            .iter()
            .find(|(c, k, _)| *c == ctx && *k == key)
        {
            return Some(a.clone());
        }
        match (ctx, key.code) {
            (Context::Input, KeyCode::Char(c)) if key.mods.is_empty() => Some(Action::Input(c)),
            (Context::Editor, _) => Some(Action::EditorKey(e)),
            _ => None,
        }
    }

    /// (keys, action name, description) for the help popup: every entry of the default
    /// keymap, with the keys bound now (config.toml may have rebound them); an action with no
    /// key shows its palette command.
    pub fn help(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for e in super::keydefs::entries() {
            let (Some(ctx), Some(a)) = (Context::named(&e.context), action_named(&e.action)) else {
                continue;
            };
            let keys: Vec<String> = self
                .bindings
                .iter()
                .filter(|(c, _, b)| *c == ctx && super::keydefs::same(b, &a))
                .map(|(_, k, _)| k.label())
                .collect();
            let keys = match (keys.is_empty(), &e.palette) {
                (false, _) => keys.join(", "),
                (true, Some(p)) => format!(":{p}"),
                (true, None) => continue,
            };
            let desc = if ctx == Context::Normal {
                e.description.clone()
            } else {
                format!("{} ({})", e.description, ctx.name())
            };
            out.push((keys, e.action.clone(), desc));
        }
        out
    }

    /// The first key bound to an action in the normal context (what a tab's label shows).
    pub fn key_for(&self, a: &Action) -> Option<Key> {
        self.bindings
            .iter()
            .find(|(c, _, b)| *c == Context::Normal && super::keydefs::same(b, a))
            .map(|(_, k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print() {
        for s in [
            "q",
            "G",
            "ctrl-u",
            "shift-tab",
            "pagedown",
            "f1",
            "enter",
            "/",
            "space",
        ] {
            let k = Key::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(Key::parse(&k.label()).or(Some(k)), Some(k), "{s}");
        }
        assert_eq!(Key::parse("G"), Some(Key::plain(KeyCode::Char('G'))));
        assert_ne!(Key::parse("G"), Key::parse("g"));
        assert_eq!(Key::parse("nonsense"), None);
    }

    #[test]
    fn defaults_have_no_conflicts() {
        let k = Keymap::default();
        for (i, (c, key, a)) in k.bindings.iter().enumerate() {
            for (c2, key2, a2) in &k.bindings[i + 1..] {
                assert!(
                    !(c == c2 && key == key2),
                    "{key:?} bound twice in {c:?}: {a:?} and {a2:?}"
                );
            }
        }
    }

    #[test]
    fn every_named_action_round_trips() {
        for (_, _, a) in Keymap::default().bindings {
            let name = action_name(&a);
            assert!(action_named(&name).is_some(), "{name}");
        }
    }
}
