//! Themes: styles by role, from TOML. The shipped themes (themes/*.toml) are compiled in; a
//! file of the same name in `$XDG_CONFIG_HOME/pgmend/themes/` overrides one, role by role.
//! NO_COLOR turns colour off and keeps only bold/reverse so the screen stays legible.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::rules::Severity;
use crate::toml_error::{TomlError, from_toml, line_col};

pub const SHIPPED: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

/// One role's style as written in TOML.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleStyle {
    pub fg: Option<String>,
    pub bg: Option<String>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
    #[serde(default)]
    pub underlined: bool,
    #[serde(default)]
    pub reversed: bool,
    #[serde(default)]
    pub dim: bool,
}

/// Every role a theme styles.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    pub header: Option<RoleStyle>,
    pub header_muted: Option<RoleStyle>,
    pub production: Option<RoleStyle>,
    pub read_only: Option<RoleStyle>,
    pub writable: Option<RoleStyle>,
    pub tab: Option<RoleStyle>,
    pub tab_active: Option<RoleStyle>,
    pub border: Option<RoleStyle>,
    pub title: Option<RoleStyle>,
    pub selected: Option<RoleStyle>,
    pub heading: Option<RoleStyle>,
    pub ok: Option<RoleStyle>,
    pub error: Option<RoleStyle>,
    pub warning: Option<RoleStyle>,
    pub muted: Option<RoleStyle>,
    pub critical: Option<RoleStyle>,
    pub high: Option<RoleStyle>,
    pub medium: Option<RoleStyle>,
    pub low: Option<RoleStyle>,
    pub info: Option<RoleStyle>,
    pub sql_keyword: Option<RoleStyle>,
    pub status: Option<RoleStyle>,
    pub key: Option<RoleStyle>,
}

/// Resolved styles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub header: Style,
    pub header_muted: Style,
    pub production: Style,
    pub read_only: Style,
    pub writable: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub border: Style,
    pub title: Style,
    pub selected: Style,
    pub heading: Style,
    pub ok: Style,
    pub error: Style,
    pub warning: Style,
    pub muted: Style,
    pub critical: Style,
    pub high: Style,
    pub medium: Style,
    pub low: Style,
    pub info: Style,
    pub sql_keyword: Style,
    pub status: Style,
    pub key: Style,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(transparent)]
    Toml(#[from] TomlError),
    #[error(
        "{file}: role `{role}`: unknown colour `{color}` (use a name like \"red\", \"#rrggbb\" or an index 0-255)"
    )]
    Color {
        file: String,
        role: String,
        color: String,
    },
    #[error("unknown theme `{0}`; shipped themes: dark, light, high-contrast")]
    Unknown(String),
}

/// A bad colour as `file:line:column` (where the role's `fg` or `bg` holds it in `text`).
fn locate_color(text: &str, file: &str, role: &str, color: &str) -> ThemeError {
    type Roles = BTreeMap<String, BTreeMap<String, toml::Spanned<toml::Value>>>;
    let at = toml::from_str::<Roles>(text).ok().and_then(|roles| {
        let r = roles.get(role)?;
        ["fg", "bg"]
            .iter()
            .filter_map(|k| r.get(*k))
            .find(|v| v.get_ref().as_str() == Some(color))
            .map(|v| v.span().start)
    });
    let (line, column) = line_col(text, at.unwrap_or(0));
    ThemeError::Toml(TomlError {
        file: file.to_string(),
        line,
        column,
        message: format!(
            "role `{role}`: unknown colour `{color}` (use a name like \"red\", \"#rrggbb\" or an index 0-255)"
        ),
    })
}

fn parse_color(s: &str) -> Option<Color> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(i) = s.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    s.parse::<Color>().ok()
}

fn style(r: &RoleStyle, color: bool, file: &str, role: &str) -> Result<Style, ThemeError> {
    let mut st = Style::default();
    let c = |v: &Option<String>| -> Result<Option<Color>, ThemeError> {
        v.as_deref()
            .map(|x| {
                parse_color(x).ok_or_else(|| ThemeError::Color {
                    file: file.into(),
                    role: role.into(),
                    color: x.into(),
                })
            })
            .transpose()
    };
    let (fg, bg) = (c(&r.fg)?, c(&r.bg)?);
    if color {
        if let Some(fg) = fg {
            st = st.fg(fg);
        }
        if let Some(bg) = bg {
            st = st.bg(bg);
        }
    }
    for (on, m) in [
        (r.bold, Modifier::BOLD),
        (r.italic, Modifier::ITALIC),
        (r.underlined, Modifier::UNDERLINED),
        (r.reversed, Modifier::REVERSED),
        (r.dim, Modifier::DIM),
    ] {
        if on {
            st = st.add_modifier(m);
        }
    }
    // Without colour a background-only role (the selection, the banner) would vanish.
    if !color && bg.is_some() {
        st = st.add_modifier(Modifier::REVERSED);
    }
    Ok(st)
}

macro_rules! roles {
    ($($r:ident),*) => {
        fn merge(base: &mut ThemeFile, over: ThemeFile) {
            $( if over.$r.is_some() { base.$r = over.$r; } )*
        }
        fn resolve(f: &ThemeFile, color: bool, file: &str) -> Result<Theme, ThemeError> {
            Ok(Theme { $( $r: style(&f.$r.clone().unwrap_or_default(), color, file, stringify!($r))?, )* })
        }
        /// The role names, for documentation and tests.
        pub const ROLES: &[&str] = &[$(stringify!($r)),*];
    };
}
roles!(
    header,
    header_muted,
    production,
    read_only,
    writable,
    tab,
    tab_active,
    border,
    title,
    selected,
    heading,
    ok,
    error,
    warning,
    muted,
    critical,
    high,
    medium,
    low,
    info,
    sql_keyword,
    status,
    key
);

impl Theme {
    /// A shipped theme, with the user's file of the same name (if any) merged on top.
    pub fn load(name: &str, user_dir: Option<&Path>, color: bool) -> Result<Theme, ThemeError> {
        let mut base: ThemeFile = match SHIPPED.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => from_toml(text, Path::new(&format!("themes/{n}.toml")))?,
            None => ThemeFile::default(),
        };
        let user = user_dir
            .map(|d| d.join(format!("{name}.toml")))
            .filter(|p| p.is_file());
        let mut label = format!("themes/{name}.toml");
        let mut user_text = None;
        match user {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| TomlError {
                    file: path.display().to_string(),
                    line: 1,
                    column: 1,
                    message: e.to_string(),
                })?;
                merge(&mut base, from_toml(&text, &path)?);
                label = path.display().to_string();
                user_text = Some(text);
            }
            None if !SHIPPED.iter().any(|(n, _)| *n == name) => {
                return Err(ThemeError::Unknown(name.into()));
            }
            None => {}
        }
        resolve(&base, color, &label).map_err(|e| match (e, &user_text) {
            (ThemeError::Color { file, role, color }, Some(text)) => {
                locate_color(text, &file, &role, &color)
            }
            (e, _) => e,
        })
    }

    /// The default dark theme, coloured unless NO_COLOR is set.
    pub fn default_for_terminal() -> Theme {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Theme::load("dark", None, color).expect("the shipped dark theme parses")
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// Every role a shipped theme sets, by theme (for tests and `pgmend themes`).
pub fn shipped_roles() -> BTreeMap<&'static str, usize> {
    SHIPPED
        .iter()
        .map(|(n, t)| (*n, t.lines().filter(|l| l.contains(" = {")).count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_parses_and_sets_every_role() {
        for (name, _) in SHIPPED {
            Theme::load(name, None, true).unwrap_or_else(|e| panic!("{name}: {e}"));
            Theme::load(name, None, false).unwrap();
        }
        for (name, n) in shipped_roles() {
            assert_eq!(n, ROLES.len(), "{name} must style every role");
        }
    }

    #[test]
    fn user_files_override_role_by_role_and_errors_point_at_the_spot() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dark.toml"), "ok = { fg = \"blue\" }\n").unwrap();
        let t = Theme::load("dark", Some(dir.path()), true).unwrap();
        assert_eq!(t.ok.fg, Some(Color::Blue));
        assert_eq!(t.error.fg, Some(Color::Red));
        std::fs::write(
            dir.path().join("dark.toml"),
            "ok = { fg = \"blue\" }\nerorr = { fg = \"red\" }\n",
        )
        .unwrap();
        let e = Theme::load("dark", Some(dir.path()), true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("dark.toml:2:1: unknown field `erorr`")
                && e.contains("did you mean `error`?"),
            "{e}"
        );
        std::fs::write(dir.path().join("dark.toml"), "ok = { fg = \"blurple\" }\n").unwrap();
        let e = Theme::load("dark", Some(dir.path()), true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("dark.toml:1:13: role `ok`: unknown colour `blurple`"),
            "{e}"
        );
        std::fs::write(dir.path().join("mine.toml"), "ok = { fg = \"#00ff00\" }\n").unwrap();
        assert_eq!(
            Theme::load("mine", Some(dir.path()), true).unwrap().ok.fg,
            Some(Color::Rgb(0, 255, 0))
        );
        assert!(Theme::load("nope", Some(dir.path()), true).is_err());
    }

    #[test]
    fn no_color_keeps_emphasis() {
        let t = Theme::load("dark", None, false).unwrap();
        assert_eq!(t.error.fg, None);
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.production.add_modifier.contains(Modifier::REVERSED));
    }
}
