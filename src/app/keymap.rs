//! Keys to actions, per context. Defaults are compiled in; config.toml's `[keys.<context>]`
//! tables rebind any action (see `crate::config::keys`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::state::{Mode, Tab};

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
        match (&s.mode, s.fix.as_ref().map(|f| &f.step)) {
            (Mode::Fix, Some(FixStep::Preview)) => Context::Editor,
            (Mode::Fix, Some(FixStep::Confirm)) => Context::Input,
            (Mode::Restore, _) => match s.restore.as_ref().map(|r| &r.step) {
                Some(super::restore::RestoreStep::Target) => Context::Input,
                _ => Context::Popup,
            },
            (m, _) => Context::of(m),
        }
    }

    pub fn of(mode: &Mode) -> Context {
        match mode {
            Mode::Fix | Mode::Restore => Context::Popup,
            Mode::Normal => Context::Normal,
            Mode::Filter | Mode::Palette { .. } | Mode::Picker { .. } | Mode::Password { .. } => {
                Context::Input
            }
            Mode::Help { .. } => Context::Popup,
        }
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

/// The actions a person can bind, by config name.
pub fn action_named(name: &str) -> Option<Action> {
    if let Some(n) = name.strip_prefix("tab_") {
        let i: usize = n.parse().ok()?;
        return Tab::ALL.get(i.checked_sub(1)?).map(|t| Action::GotoTab(*t));
    }
    [
        Action::Quit,
        Action::NextTab,
        Action::PrevTab,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::HalfPageUp,
        Action::HalfPageDown,
        Action::Top,
        Action::Bottom,
        Action::StartFilter,
        Action::Help,
        Action::Palette,
        Action::Reload,
        Action::CopyName,
        Action::CopyDdl,
        Action::Back,
        Action::DetailDown,
        Action::DetailUp,
        Action::Fix,
        Action::FixGroup,
        Action::ToggleMark,
        Action::Restore,
        Action::Undo,
        Action::Submit,
        Action::ChooseDuplicates(crate::fix::decide::DupChoice::KeepNewest),
        Action::ChooseDuplicates(crate::fix::decide::DupChoice::KeepOldest),
        Action::ChooseDuplicates(crate::fix::decide::DupChoice::ByHand),
        Action::ChooseDuplicates(crate::fix::decide::DupChoice::Partial),
    ]
    .into_iter()
    .find(|a| {
        a.describe().is_some_and(|(n, _)| n == name)
            || (name == "submit" && matches!(a, Action::Submit))
    })
}

/// The config name of a bindable action.
pub fn action_name(a: &Action) -> String {
    match a {
        Action::GotoTab(t) => format!("tab_{}", t.index() + 1),
        Action::Submit => "submit".into(),
        other => other
            .describe()
            .map(|(n, _)| n.to_string())
            .unwrap_or_default(),
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use Context::*;
        use KeyCode::*;
        let mut b: Vec<(Context, Key, Action)> = Vec::new();
        let mut bind = |ctx: Context, key: Key, a: Action| b.push((ctx, key, a));
        for (ctx, keys) in [
            (Normal, vec![Key::plain(Char('q')), Key::plain(Esc)]),
            (Popup, vec![Key::plain(Char('q')), Key::plain(Esc)]),
        ] {
            for k in keys {
                bind(
                    ctx,
                    k,
                    if ctx == Normal && k.code == Char('q') {
                        Action::Quit
                    } else {
                        Action::Back
                    },
                );
            }
        }
        bind(Normal, Key::ctrl('c'), Action::Quit);
        bind(Normal, Key::plain(Tab), Action::NextTab);
        bind(Normal, Key::plain(BackTab), Action::PrevTab);
        for (i, t) in super::state::Tab::ALL.iter().enumerate() {
            // 1–9, then 0 for the tenth; the eleventh is reached with Tab or the palette.
            let digit = match i {
                0..=8 => char::from(b'1' + i as u8),
                9 => '0',
                _ => continue,
            };
            bind(Normal, Key::plain(Char(digit)), Action::GotoTab(*t));
        }
        for (keys, a) in [
            (vec![Key::plain(Char('k')), Key::plain(Up)], Action::Up),
            (vec![Key::plain(Char('j')), Key::plain(Down)], Action::Down),
            (vec![Key::plain(PageUp)], Action::PageUp),
            (vec![Key::plain(PageDown)], Action::PageDown),
            (vec![Key::ctrl('u')], Action::HalfPageUp),
            (vec![Key::ctrl('d')], Action::HalfPageDown),
            (vec![Key::plain(Char('g')), Key::plain(Home)], Action::Top),
            (vec![Key::plain(Char('G')), Key::plain(End)], Action::Bottom),
            (vec![Key::plain(Char('/'))], Action::StartFilter),
            (vec![Key::plain(Char('?'))], Action::Help),
            (vec![Key::plain(Char(':'))], Action::Palette),
            (vec![Key::plain(Char('R'))], Action::Reload),
            (vec![Key::plain(Char('y'))], Action::CopyName),
            (vec![Key::plain(Char('Y'))], Action::CopyDdl),
            (
                vec![Key::plain(Char('J')), Key::ctrl('e')],
                Action::DetailDown,
            ),
            (
                vec![Key::plain(Char('K')), Key::ctrl('y')],
                Action::DetailUp,
            ),
            (vec![Key::plain(Char('f'))], Action::Fix),
            (vec![Key::plain(Char('F'))], Action::FixGroup),
            (vec![Key::plain(Char(' '))], Action::ToggleMark),
            (vec![Key::plain(Char('r'))], Action::Restore),
            (vec![Key::plain(Char('u'))], Action::Undo),
        ] {
            for k in keys {
                bind(Normal, k, a.clone());
            }
        }
        bind(Editor, Key::plain(Esc), Action::Back);
        bind(Editor, Key::ctrl('s'), Action::Submit);
        bind(Editor, Key::plain(F(2)), Action::Submit);
        for (n, c) in (5..).zip(crate::fix::decide::DupChoice::ALL) {
            bind(Editor, Key::plain(F(n)), Action::ChooseDuplicates(c));
        }
        bind(Popup, Key::plain(Enter), Action::Submit);
        bind(Input, Key::plain(Esc), Action::Back);
        bind(Input, Key::plain(Enter), Action::Submit);
        bind(Input, Key::plain(Backspace), Action::Backspace);
        bind(Input, Key::plain(Up), Action::Up);
        bind(Input, Key::plain(Down), Action::Down);
        bind(Input, Key::ctrl('c'), Action::Quit);
        for (keys, a) in [
            (vec![Key::plain(Char('j')), Key::plain(Down)], Action::Down),
            (vec![Key::plain(Char('k')), Key::plain(Up)], Action::Up),
            (vec![Key::plain(PageDown)], Action::PageDown),
            (vec![Key::plain(PageUp)], Action::PageUp),
        ] {
            for k in keys {
                bind(Popup, k, a.clone());
            }
        }
        Keymap { bindings: b }
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

    /// (keys, action name, description) for the help popup, from the live bindings.
    pub fn help(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        for (ctx, key, a) in &self.bindings {
            let name = action_name(a);
            let desc = match a {
                Action::GotoTab(t) => format!("go to the {} tab", t.title()),
                Action::Submit => "accept".to_string(),
                Action::Backspace => "delete a character".to_string(),
                other => other
                    .describe()
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default(),
            };
            let desc = if *ctx == Context::Normal {
                desc
            } else {
                format!("{desc} ({})", ctx.name())
            };
            match out.iter_mut().find(|(_, n, d)| *n == name && *d == desc) {
                Some((keys, _, _)) => {
                    keys.push_str(", ");
                    keys.push_str(&key.label());
                }
                None => out.push((key.label(), name, desc)),
            }
        }
        out
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
            if matches!(a, Action::Backspace) {
                continue;
            }
            let name = action_name(&a);
            assert!(action_named(&name).is_some(), "{name}");
        }
    }
}
