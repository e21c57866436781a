//! `[keys.<context>]` in config.toml: rebind any action. Each entry replaces that action's
//! keys in that context; a key left bound to two actions is a conflict, reported at start-up
//! with file:line:column.

use crate::app::keymap::{Context, Key, Keymap, action_name, action_named};

use super::Loaded;
use crate::toml_error::{TomlError, line_col, suggest};

fn err(loaded: &Loaded, offset: usize, message: String) -> anyhow::Error {
    let (line, column) = line_col(&loaded.text, offset);
    TomlError {
        file: loaded
            .path
            .as_ref()
            .map_or("config.toml".into(), |p| p.display().to_string()),
        line,
        column,
        message,
    }
    .into()
}

/// The default keymap with the config's bindings applied.
pub fn apply(mut map: Keymap, loaded: &Loaded) -> anyhow::Result<Keymap> {
    // Every action of the default keymap, bound there or reached from the palette.
    let mut known: Vec<&str> = crate::app::keydefs::entries()
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    known.sort();
    known.dedup();
    // Where each binding came from, to name both sides of a conflict.
    let mut origin: Vec<Option<usize>> = vec![None; map.bindings.len()];
    for (ctx_name, table) in &loaded.config.keys {
        let Some(ctx) = Context::named(ctx_name) else {
            let names = Context::ALL.map(Context::name);
            let hint = suggest(ctx_name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(err(
                loaded,
                table.span().start,
                format!(
                    "unknown key context `{ctx_name}` ({}){hint}",
                    names.join(", ")
                ),
            ));
        };
        let ctx = &ctx;
        for (action, keys) in table.get_ref() {
            let Some(a) = action_named(action) else {
                let hint = suggest(action, &known)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(err(
                    loaded,
                    keys.span().start,
                    format!("unknown action `{action}`{hint}"),
                ));
            };
            let mut parsed = Vec::new();
            for k in keys.get_ref().keys() {
                match Key::parse(k) {
                    Some(key) => parsed.push(key),
                    None => {
                        return Err(err(
                            loaded,
                            keys.span().start,
                            format!(
                                "`{k}` is not a key (examples: q, G, ctrl-u, shift-tab, pagedown, f1, enter, esc)"
                            ),
                        ));
                    }
                }
            }
            let keep: Vec<bool> = map
                .bindings
                .iter()
                .map(|(c, _, b)| !(c == ctx && action_name(b) == *action))
                .collect();
            let mut i = 0;
            map.bindings.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            let mut j = 0;
            origin.retain(|_| {
                j += 1;
                keep[j - 1]
            });
            for key in parsed {
                map.bindings.push((*ctx, key, a.clone()));
                origin.push(Some(keys.span().start));
            }
        }
    }
    for (i, (c, k, a)) in map.bindings.iter().enumerate() {
        for (j, (c2, k2, a2)) in map.bindings.iter().enumerate().skip(i + 1) {
            if c == c2 && k == k2 && action_name(a) != action_name(a2) {
                let at = origin[j].or(origin[i]).unwrap_or(0);
                return Err(err(
                    loaded,
                    at,
                    format!(
                        "key `{}` is bound to both `{}` and `{}` in [keys.{}]: rebind one of them",
                        k.label(),
                        action_name(a),
                        action_name(a2),
                        c.name()
                    ),
                ));
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn loaded(text: &str) -> Loaded {
        Loaded {
            config: crate::toml_error::from_toml(text, std::path::Path::new("c.toml")).unwrap(),
            path: Some("c.toml".into()),
            warnings: vec![],
            text: text.to_string(),
        }
    }

    #[test]
    fn rebinding_replaces_the_action_keys() {
        let m = apply(
            Keymap::default(),
            &loaded("[keys.normal]\nquit = [\"x\", \"ctrl-q\"]\n"),
        )
        .unwrap();
        let press = |c| m.action(Context::Normal, KeyEvent::new(c, KeyModifiers::NONE));
        assert!(matches!(press(KeyCode::Char('x')), Some(Action::Quit)));
        assert!(press(KeyCode::Char('q')).is_none());
        assert!(
            m.help()
                .iter()
                .any(|(k, n, _)| n == "quit" && k.contains('x'))
        );
    }

    #[test]
    fn conflicts_and_mistakes_point_at_the_line() {
        let e = apply(
            Keymap::default(),
            &loaded("[keys.normal]\nreload = \"q\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("c.toml:2:10: key `q` is bound to both"),
            "{e}"
        );
        let e = apply(
            Keymap::default(),
            &loaded("[keys.normal]\nrelaod = \"r\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("c.toml:2:10: unknown action `relaod`; did you mean `reload`?"),
            "{e}"
        );
        let e = apply(
            Keymap::default(),
            &loaded("[keys.nromal]\nreload = \"r\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean `normal`?"), "{e}");
        let e = apply(
            Keymap::default(),
            &loaded("[keys.normal]\nreload = \"hyper-r\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`hyper-r` is not a key"), "{e}");
    }
}
