//! Verifying a known default password against a stored password value, whatever scheme the
//! application used to store it. The scheme is read from the value itself; a value pgmend
//! cannot verify is reported as such, never taken as "the password was changed".
//!
//! The key derivations come from the RustCrypto crates (`bcrypt`, `scrypt`, `argon2`, `pbkdf2`).

use base64::Engine;

use crate::checklist::scheme::Scheme;

/// What one stored value says about the default password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The default password verifies against the value.
    Default(Scheme),
    /// The value is of a known scheme and the default password does not verify.
    Changed(Scheme),
    /// pgmend cannot tell: the reason, in words.
    Unverifiable(String),
}

/// The most PBKDF2 iterations pgmend will spend on one value (Django 5 uses 870,000–1,200,000).
const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

/// The scheme a stored value is written in, when pgmend knows it. Plain text cannot be told
/// from an unknown hash, so it is never detected: see [`verify`].
pub fn detect(stored: &str) -> Option<Scheme> {
    if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        Some(Scheme::Bcrypt)
    } else if ["$argon2id$", "$argon2i$", "$argon2d$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        Some(Scheme::Argon2)
    } else if stored.starts_with("pbkdf2_sha256$") {
        Some(Scheme::Pbkdf2Sha256)
    } else if node_scrypt_parts(stored).is_some() {
        Some(Scheme::NodeScrypt)
    } else {
        None
    }
}

/// Checks `password` against `stored`. With `expect` (a checklist's explicit `algorithm`), a
/// value of another scheme cannot be verified. Without it (`auto`), the scheme is detected; a
/// value equal to the password is plain-text storage of the default, and any other value of
/// no known scheme cannot be verified (it may be a changed plain-text password or a hash
/// pgmend does not know).
pub fn verify(stored: &str, password: &str, expect: Option<Scheme>) -> Verdict {
    let detected = detect(stored);
    let scheme = match (expect, detected) {
        (Some(Scheme::Plain), _) => Scheme::Plain,
        (Some(e), Some(d)) if e == d => d,
        (Some(e), _) => {
            return Verdict::Unverifiable(format!(
                "cannot verify: the stored value is not a {} hash, as the checklist's algorithm says",
                e.describe()
            ));
        }
        (None, Some(d)) => d,
        (None, None) if stored == password => return Verdict::Default(Scheme::Plain),
        (None, None) => {
            return Verdict::Unverifiable(
                "cannot verify: unknown hash format (not bcrypt, Node scrypt, Argon2 or \
                 PBKDF2-SHA256; set `algorithm = \"plain\"` if passwords are stored as text)"
                    .into(),
            );
        }
    };
    match check(scheme, stored, password) {
        Ok(true) => Verdict::Default(scheme),
        Ok(false) => Verdict::Changed(scheme),
        Err(e) => Verdict::Unverifiable(format!(
            "cannot verify the {} value: {e}",
            scheme.describe()
        )),
    }
}

fn check(scheme: Scheme, stored: &str, password: &str) -> Result<bool, String> {
    match scheme {
        Scheme::Plain => Ok(stored == password),
        Scheme::Bcrypt => bcrypt::verify(password, stored).map_err(|e| e.to_string()),
        Scheme::Argon2 => argon2_check(stored, password),
        Scheme::NodeScrypt => {
            let (key, salt) = node_scrypt_parts(stored).ok_or("malformed value")?;
            Ok(node_scrypt(password, salt, key.len())? == key)
        }
        Scheme::Pbkdf2Sha256 => pbkdf2_check(stored, password),
    }
}

fn argon2_check(stored: &str, password: &str) -> Result<bool, String> {
    use argon2::{Argon2, PasswordHash, PasswordVerifier};
    let hash = PasswordHash::new(stored).map_err(|e| e.to_string())?;
    match Argon2::default().verify_password(password.as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// `(key, salt)` of a `<hex key>.<salt>` value: an even number of hex digits for a key of
/// 16 to 128 bytes (Node's templates use 64), then a non-empty salt.
fn node_scrypt_parts(stored: &str) -> Option<(Vec<u8>, &str)> {
    let (hex, salt) = stored.split_once('.')?;
    if salt.is_empty() || hex.len() % 2 != 0 || !(32..=256).contains(&hex.len()) {
        return None;
    }
    let key = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((key, salt))
}

/// Node's `crypto.scrypt(password, salt, len)` with its defaults (N=16384, r=8, p=1); the salt
/// string is used as its UTF-8 bytes, as Node does with a string salt.
pub fn node_scrypt(password: &str, salt: &str, len: usize) -> Result<Vec<u8>, String> {
    let params = scrypt::Params::new(14, 8, 1).map_err(|e| e.to_string())?;
    let mut out = vec![0u8; len];
    scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn pbkdf2_check(stored: &str, password: &str) -> Result<bool, String> {
    let parts: Vec<&str> = stored.split('$').collect();
    let [_, iterations, salt, hash] = parts[..] else {
        return Err("expected pbkdf2_sha256$<iterations>$<salt>$<base64 hash>".into());
    };
    let iterations: u32 = iterations
        .parse()
        .map_err(|_| format!("iterations `{iterations}` is not a number"))?;
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(format!(
            "{iterations} iterations is outside 1..={MAX_PBKDF2_ITERATIONS}"
        ));
    }
    let want = base64::engine::general_purpose::STANDARD
        .decode(hash)
        .map_err(|e| format!("the hash is not base64: {e}"))?;
    if want.is_empty() || want.len() > 1024 {
        return Err("the hash has no usable length".into());
    }
    Ok(pbkdf2_sha256(password, salt, iterations, want.len()) == want)
}

/// PBKDF2-HMAC-SHA256 as Django computes it (the salt string's bytes).
pub fn pbkdf2_sha256(password: &str, salt: &str, iterations: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut out,
    );
    out
}
