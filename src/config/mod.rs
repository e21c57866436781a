//! `config.toml`: connection profiles and defaults. Found in the XDG config directory
//! (`~/.config/pgmend/config.toml`) unless `--config PATH` names another file.

pub mod keys;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::db::params::{ConnParams, ParamError};
use crate::toml_error::{TomlError, from_toml, suggest};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Key bindings per context: `[keys.normal] quit = ["q", "ctrl-c"]`.
    #[serde(default)]
    pub keys: BTreeMap<String, toml::Spanned<BTreeMap<String, toml::Spanned<KeyList>>>>,
    /// Lint switches for every check, before the checklists' own `[lints]`.
    #[serde(default)]
    pub lints: BTreeMap<String, crate::checklist::LintSetting>,
    /// Findings waived for every check, as a checklist's `[[waive]]`.
    #[serde(default)]
    pub waive: Vec<crate::checklist::Waiver>,
}

/// Settings that apply to every connection unless a profile or flag says otherwise.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Defaults {
    #[serde(with = "humantime_serde")]
    pub statement_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Colour theme of the interactive app: dark, light, high-contrast or a file of yours.
    pub theme: Option<String>,
    /// Where fixes put their pg_dump backups (default: `$XDG_DATA_HOME/pgmend/backups`).
    pub backup_dir: Option<PathBuf>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            statement_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            theme: None,
            backup_dir: None,
        }
    }
}

/// One key or several.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// How a profile reaches its server through a pooler.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Pooler {
    /// Direct connection (or a session-mode pooler): everything works.
    None,
    Session,
    /// Transaction-mode pooler (pgbouncer, Supavisor on 6543): no prepared statements.
    Transaction,
}

/// A named connection.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: Option<String>,
    pub service: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub dbname: Option<String>,
    pub password: Option<String>,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    #[serde(default)]
    pub production: bool,
    pub pooler: Option<Pooler>,
    #[serde(default, with = "humantime_serde")]
    pub statement_timeout: Option<Duration>,
}

impl Profile {
    /// The profile as libpq parameters: the URL first, the separate keys on top.
    pub fn params(&self) -> Result<ConnParams, ParamError> {
        let mut p = match &self.url {
            Some(u) => ConnParams::parse(u)?,
            None => ConnParams::default(),
        };
        let fields = [
            ("service", self.service.clone()),
            ("host", self.host.clone()),
            ("port", self.port.map(|p| p.to_string())),
            ("user", self.user.clone()),
            ("dbname", self.dbname.clone()),
            ("password", self.password.clone()),
            ("sslmode", self.sslmode.clone()),
            ("sslrootcert", self.sslrootcert.clone()),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                p.set(k, v)?;
            }
        }
        Ok(p)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Toml(#[from] TomlError),
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no profile named `{name}` in {path}{hint}")]
    NoProfile {
        name: String,
        path: String,
        hint: String,
    },
    #[error("profile `{name}` in {path}: {err}")]
    BadProfile {
        name: String,
        path: String,
        err: ParamError,
    },
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
    pub warnings: Vec<String>,
    /// The file's text, for positions in later errors (keys).
    pub text: String,
}

/// The default config file: `$XDG_CONFIG_HOME/pgmend/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pgmend").map(|d| d.config_dir().join("config.toml"))
}

/// Loads `explicit` (which must exist) or the default file (which may be absent).
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let (path, required) = match explicit {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_path(), false),
    };
    let Some(path) = path else {
        return Ok(Loaded::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded::default());
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let config: Config = from_toml(&text, &path)?;
    let mut warnings = Vec::new();
    let loose = std::fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0);
    if loose
        && config
            .profiles
            .values()
            .any(|p| p.password.is_some() || p.url.as_deref().is_some_and(url_has_password))
    {
        warnings.push(format!(
            "{} holds a password and is readable by group or others: run `chmod 0600 {}`",
            path.display(),
            path.display()
        ));
    }
    Ok(Loaded {
        config,
        path: Some(path),
        warnings,
        text,
    })
}

fn url_has_password(u: &str) -> bool {
    ConnParams::parse(u).is_ok_and(|p| p.password.is_some())
}

impl Loaded {
    fn path_label(&self) -> String {
        self.path
            .as_ref()
            .map_or("the configuration (no config file found)".into(), |p| {
                p.display().to_string()
            })
    }

    pub fn profile(&self, name: &str) -> Result<(&Profile, ConnParams), ConfigError> {
        let Some(profile) = self.config.profiles.get(name) else {
            let names: Vec<&str> = self.config.profiles.keys().map(String::as_str).collect();
            let hint = match suggest(name, &names) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if names.is_empty() => String::new(),
                None => format!("; profiles: {}", names.join(", ")),
            };
            return Err(ConfigError::NoProfile {
                name: name.to_string(),
                path: self.path_label(),
                hint,
            });
        };
        let params = profile.params().map_err(|err| ConfigError::BadProfile {
            name: name.to_string(),
            path: self.path_label(),
            err,
        })?;
        Ok((profile, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_example_parses_and_documents_every_key() {
        let text = include_str!("../../config.example.toml");
        let c: Config = from_toml(text, Path::new("config.example.toml")).unwrap();
        assert!(!c.profiles.is_empty());
        for key in [
            "statement_timeout",
            "connect_timeout",
            "theme",
            "backup_dir",
            "url",
            "service",
            "host",
            "port",
            "user",
            "dbname",
            "password",
            "sslmode",
            "sslrootcert",
            "production",
            "pooler",
        ] {
            assert!(
                text.contains(&format!("{key} =")),
                "config.example.toml does not document `{key}`"
            );
        }
        assert!(
            text.contains("\n[lints]\n") && !c.lints.is_empty(),
            "config.example.toml documents [lints]"
        );
        let ids: Vec<&str> = crate::rules::LintId::ALL
            .iter()
            .map(|l| l.as_str())
            .collect();
        for id in c.lints.keys() {
            assert!(
                ids.contains(&id.as_str()),
                "config.example.toml names unknown lint {id}"
            );
        }
        for (name, p) in &c.profiles {
            p.params().unwrap_or_else(|e| panic!("profile {name}: {e}"));
        }
    }

    #[test]
    fn profile_parts_override_the_url() {
        let p = Profile {
            url: Some("postgres://a@h1:5432/db1".into()),
            host: Some("h2".into()),
            ..Default::default()
        };
        let params = p.params().unwrap();
        assert_eq!(params.host.as_deref(), Some("h2"));
        assert_eq!(params.user.as_deref(), Some("a"));
    }

    #[test]
    fn unknown_profile_suggests() {
        let loaded = Loaded {
            config: from_toml("[profiles.staging]\nhost = \"s\"\n", Path::new("c.toml")).unwrap(),
            path: Some("c.toml".into()),
            warnings: vec![],
            text: String::new(),
        };
        let e = loaded.profile("stagign").unwrap_err().to_string();
        assert_eq!(
            e,
            "no profile named `stagign` in c.toml; did you mean `staging`?"
        );
    }

    #[test]
    fn bad_values_point_at_file_line_column() {
        let e = from_toml::<Config>("[profiles.a]\nport = \"five\"\n", Path::new("c.toml"))
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 8), "{e}");
        let e = from_toml::<Config>(
            "[defaults]\nstatement_timeout = \"soon\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = from_toml::<Config>("[profiles.a]\npooler = \"txn\"\n", Path::new("c.toml"))
            .unwrap_err();
        assert!(e.message.contains("transaction"), "{e}");
    }
}
