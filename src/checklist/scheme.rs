//! How a stored password can be hashed: the vocabulary of a checklist credential's `algorithm`
//! (`check::credential` verifies a value in each scheme).

use std::fmt;

/// How a password can be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `$2a$`, `$2b$`, `$2y$` (also what pgcrypto's `crypt(…, gen_salt('bf'))` writes).
    Bcrypt,
    /// Node's `crypto.scrypt(password, salt, 64)` stored as `<hex key>.<salt>` (N=16384, r=8, p=1).
    NodeScrypt,
    /// `$argon2id$…` (also `$argon2i$`, `$argon2d$`) in the PHC string format.
    Argon2,
    /// Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
    Pbkdf2Sha256,
    /// The password itself.
    Plain,
}

impl Scheme {
    /// The name a checklist's `algorithm` uses.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bcrypt => "bcrypt",
            Scheme::NodeScrypt => "scrypt",
            Scheme::Argon2 => "argon2id",
            Scheme::Pbkdf2Sha256 => "pbkdf2_sha256",
            Scheme::Plain => "plain",
        }
    }

    /// A checklist's `algorithm`: `None` for `auto` (detect from the value).
    pub fn parse(name: &str) -> Result<Option<Scheme>, String> {
        Ok(Some(match name {
            "auto" => return Ok(None),
            "bcrypt" => Scheme::Bcrypt,
            "scrypt" | "node-scrypt" => Scheme::NodeScrypt,
            "argon2id" | "argon2" => Scheme::Argon2,
            "pbkdf2_sha256" | "pbkdf2" => Scheme::Pbkdf2Sha256,
            "plain" | "plaintext" => Scheme::Plain,
            other => {
                return Err(format!(
                    "unknown algorithm `{other}`: expected auto, bcrypt, scrypt, argon2id, \
                     pbkdf2_sha256 or plain"
                ));
            }
        }))
    }

    /// How the value is described in a finding.
    pub fn describe(self) -> &'static str {
        match self {
            Scheme::Bcrypt => "bcrypt",
            Scheme::NodeScrypt => "Node crypto.scrypt (hex key.salt)",
            Scheme::Argon2 => "Argon2 (PHC string)",
            Scheme::Pbkdf2Sha256 => "PBKDF2-SHA256 (Django form)",
            Scheme::Plain => "plain text",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
