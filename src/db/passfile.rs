//! `~/.pgpass` and `pg_service.conf`, read with libpq's rules.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::params::ConnParams;

/// What a password-file lookup found, and anything the person should be told about the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PassLookup {
    pub password: Option<String>,
    pub warning: Option<String>,
}

/// Looks the password up in `file` as libpq does: the first line whose host, port, database and
/// user fields match (`*` matches anything). A file that group or others can read is ignored
/// with a warning, as libpq does. `host` is "localhost" for Unix-socket connections.
pub fn pgpass_lookup(file: &Path, host: &str, port: u16, db: &str, user: &str) -> PassLookup {
    let Ok(meta) = std::fs::metadata(file) else {
        return PassLookup::default();
    };
    if !meta.is_file() {
        return PassLookup {
            password: None,
            warning: Some(format!(
                "password file {} is not a plain file; ignored",
                file.display()
            )),
        };
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return PassLookup {
            password: None,
            warning: Some(format!(
                "password file {} has group or world access and is ignored; \
                 permissions should be u=rw (run `chmod 0600 {}`)",
                file.display(),
                file.display()
            )),
        };
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return PassLookup::default();
    };
    let port = port.to_string();
    let wanted = [host, port.as_str(), db, user];
    let password = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let fields = split_pgpass(l);
            (fields.len() == 5
                && fields[..4]
                    .iter()
                    .zip(wanted)
                    .all(|(f, w)| f == "*" || f == w))
            .then(|| fields[4].clone())
        })
        .next();
    PassLookup {
        password,
        warning: None,
    }
}

/// Splits a pgpass line on unescaped `:`; `\:` and `\\` are literal.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().unwrap().extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ServiceError {
    #[error("definition of service \"{service}\" not found (looked in {looked})")]
    NotFound { service: String, looked: String },
    #[error("{file}:{line}: {why}")]
    Syntax {
        file: String,
        line: usize,
        why: String,
    },
}

/// Reads the `[service]` section from the first service file that has it: the user's file
/// (`PGSERVICEFILE` or `~/.pg_service.conf`), then the system one (`PGSYSCONFDIR`).
pub fn service_params(service: &str, files: &[PathBuf]) -> Result<ConnParams, ServiceError> {
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if let Some(p) = parse_service(&text, service, file)? {
            return Ok(p);
        }
    }
    Err(ServiceError::NotFound {
        service: service.to_string(),
        looked: if files.is_empty() {
            "no service file".into()
        } else {
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

fn parse_service(
    text: &str,
    service: &str,
    file: &Path,
) -> Result<Option<ConnParams>, ServiceError> {
    let mut in_section = false;
    let mut found: Option<ConnParams> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let syntax = |why: String| ServiceError::Syntax {
            file: file.display().to_string(),
            line: i + 1,
            why,
        };
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| syntax("missing `]` after the service name".into()))?;
            if found.is_some() {
                break;
            }
            in_section = name == service;
            if in_section {
                found = Some(ConnParams::default());
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| syntax(format!("expected key=value, found `{line}`")))?;
        let k = k.trim();
        if k == "service" {
            return Err(syntax(
                "nested service specifications are not supported".into(),
            ));
        }
        found
            .as_mut()
            .expect("in a section")
            .set(k, v.trim().to_string())
            .map_err(|e| syntax(e.to_string()))?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(text: &str, mode: u32) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        f
    }

    #[test]
    fn pgpass_first_match_wins_with_wildcards_and_escapes() {
        let f = file_with(
            "# comment\nother:5432:*:bob:nope\ndb.local:*:app:bob:s\\:e\\\\cret\n*:*:*:*:fallback\n",
            0o600,
        );
        let got = pgpass_lookup(f.path(), "db.local", 5433, "app", "bob");
        assert_eq!(got.password.as_deref(), Some("s:e\\cret"));
        let got = pgpass_lookup(f.path(), "elsewhere", 1, "x", "y");
        assert_eq!(got.password.as_deref(), Some("fallback"));
    }

    #[test]
    fn pgpass_with_loose_permissions_is_ignored_with_a_warning() {
        let f = file_with("*:*:*:*:pw\n", 0o644);
        let got = pgpass_lookup(f.path(), "h", 5432, "d", "u");
        assert_eq!(got.password, None);
        assert!(got.warning.unwrap().contains("chmod 0600"));
    }

    #[test]
    fn service_sections() {
        let f = file_with(
            "[other]\nhost=nope\n\n[prod]\n# c\nhost = db.example.com\nport=6543\ndbname=app\nsslmode=require\n[after]\nhost=x\n",
            0o644,
        );
        let p = service_params(
            "prod",
            &[PathBuf::from("/nonexistent"), f.path().to_path_buf()],
        )
        .unwrap();
        assert_eq!(p.host.as_deref(), Some("db.example.com"));
        assert_eq!(p.port, Some(6543));
        assert_eq!(p.sslmode.as_deref(), Some("require"));
        let e = service_params("missing", &[f.path().to_path_buf()]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("definition of service \"missing\" not found")
        );
        let bad = file_with("[prod]\nhost\n", 0o600);
        let e = service_params("prod", &[bad.path().to_path_buf()]).unwrap_err();
        assert!(matches!(e, ServiceError::Syntax { line: 2, .. }), "{e}");
    }
}
