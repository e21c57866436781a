//! `[[credential]]` against every storage scheme pgmend knows, on the real server: the default
//! password found, a changed one passing, and a value pgmend cannot verify reported as such.
//! The stored values are made here with the same crates (and Python's and Node's scrypt, for
//! one known answer) so the check is held to the schemes as applications write them.

use base64::Engine;

use super::{check_toml, failed_ids};
use crate::support::{TestDb, pgmend};

const DEFAULT: &str = "virtualaudience2025";
const FOUND: &str = "credential.default_password:public.users where username = 'admin'";
const UNKNOWN: &str = "credential.unknown:public.users where username = 'admin'";

fn checklist(algorithm: Option<&str>) -> String {
    let mut cl = format!(
        "[[credential]]\ntable = \"users\"\nuser_column = \"username\"\nuser = \"admin\"\n\
         hash_column = \"password\"\npassword = \"{DEFAULT}\"\n"
    );
    if let Some(a) = algorithm {
        cl.push_str(&format!("algorithm = \"{a}\"\n"));
    }
    cl
}

async fn db_with(stored: &str) -> TestDb {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE users (id int PRIMARY KEY, username text NOT NULL, password text)")
        .await;
    set(&db, stored).await;
    db
}

async fn set(db: &TestDb, stored: &str) {
    db.exec(&format!(
        // Another user with the default password (as text) must not count for admin.
        "DELETE FROM users; INSERT INTO users VALUES (1, 'admin', '{}'), (2, 'bob', '{DEFAULT}')",
        stored.replace('\'', "''"),
    ))
    .await;
}

/// The credential findings of a check of `db` (no lints).
async fn ids(db: &TestDb, algorithm: Option<&str>) -> Vec<String> {
    let r = check_toml(db, &checklist(algorithm), false).await;
    failed_ids(&r)
}

/// Default found, changed passes, a broken value of the scheme is reported unknown.
async fn scheme_round(default: String, changed: String, broken: &str, message_has: &str) {
    let db = db_with(&default).await;
    let r = check_toml(&db, &checklist(None), false).await;
    assert_eq!(failed_ids(&r), [FOUND]);
    let f = &r.items[0].findings[0];
    assert!(
        f.actual.as_deref().unwrap_or("").contains(message_has),
        "{f:?}"
    );
    set(&db, &changed).await;
    assert_eq!(
        ids(&db, None).await,
        Vec::<String>::new(),
        "changed password"
    );
    set(&db, broken).await;
    let r = check_toml(&db, &checklist(None), false).await;
    assert_eq!(failed_ids(&r), [UNKNOWN], "broken value {broken}");
    assert!(r.items[0].unknown() && !r.items[0].passed());
    assert!(
        r.items[0].findings[0]
            .message
            .starts_with("could not be evaluated: cannot verify"),
        "{:?}",
        r.items[0].findings[0]
    );
}

#[tokio::test]
async fn bcrypt_values() {
    scheme_round(
        bcrypt::hash(DEFAULT, 4).unwrap(),
        bcrypt::hash("a new secret", 4).unwrap(),
        "$2b$04$tooshort",
        "bcrypt",
    )
    .await;
    // pgcrypto's crypt() writes $2a$: the same check.
    let db = TestDb::new().await;
    db.exec(&format!(
        "CREATE EXTENSION IF NOT EXISTS pgcrypto; CREATE TABLE users (username text, password text);
         INSERT INTO users VALUES ('admin', crypt('{DEFAULT}', gen_salt('bf', 4)))"
    ))
    .await;
    assert_eq!(ids(&db, None).await, [FOUND]);
}

fn node_scrypt_value(password: &str, salt: &str) -> String {
    let params = scrypt::Params::new(14, 8, 1).unwrap();
    let mut key = [0u8; 64];
    scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut key).unwrap();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{salt}")
}

#[tokio::test]
async fn node_scrypt_values() {
    // Known answer: `crypto.scryptSync('virtualaudience2025', salt, 64).toString('hex')` in Node,
    // and Python's `hashlib.scrypt(…, n=16384, r=8, p=1, dklen=64)`, agree on this value.
    let salt = "5f2b1c9a0d3e4f60a1b2c3d4e5f60718";
    let node = format!(
        "79d1c7d201f8f9eeb5fe8a25b92b72098229c2c94a63256ac774f09a21fdcbd6\
         3e0330755e363275273028734e837930c1bf2294fefa290f9363eec94c23d5be.{salt}"
    );
    assert_eq!(node_scrypt_value(DEFAULT, salt), node);
    let db = db_with(&node).await;
    assert_eq!(ids(&db, None).await, [FOUND]);
    assert_eq!(ids(&db, Some("scrypt")).await, [FOUND]);
    // An explicit algorithm that the value is not: cannot verify, not a pass.
    assert_eq!(ids(&db, Some("bcrypt")).await, [UNKNOWN]);
    drop(db);
    scheme_round(
        node_scrypt_value(DEFAULT, "a1b2c3d4e5f6a7b8"),
        node_scrypt_value("a new secret", "a1b2c3d4e5f6a7b8"),
        // Not hex before the dot: no known format.
        &format!("{}.a1b2c3d4", "zz".repeat(64)),
        "Node crypto.scrypt",
    )
    .await;
}

fn argon2_value(password: &str) -> String {
    use argon2::{Argon2, PasswordHasher};
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), b"pgmend-test-salt")
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn argon2id_values() {
    let default = argon2_value(DEFAULT);
    assert!(default.starts_with("$argon2id$"), "{default}");
    scheme_round(
        default,
        argon2_value("a new secret"),
        "$argon2id$v=19$m=19456,t=2,p=1$broken",
        "Argon2",
    )
    .await;
}

fn django_value(password: &str, salt: &str, iterations: u32) -> String {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut key,
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(key);
    format!("pbkdf2_sha256${iterations}${salt}${b64}")
}

#[tokio::test]
async fn pbkdf2_sha256_values() {
    // Known answer from Python's hashlib.pbkdf2_hmac('sha256', …, b'seasalt2025', 1000).
    assert_eq!(
        django_value(DEFAULT, "seasalt2025", 1000),
        "pbkdf2_sha256$1000$seasalt2025$TJPz9UJhyn8rUrX2kOb0gNyBQ/FlZ0iREGuuxssLdNc="
    );
    scheme_round(
        django_value(DEFAULT, "Qx7salt", 20_000),
        django_value("a new secret", "Qx7salt", 20_000),
        "pbkdf2_sha256$many$Qx7salt$AAAA",
        "PBKDF2",
    )
    .await;
}

#[tokio::test]
async fn plain_text_values() {
    // Auto: the password itself is the default stored as text.
    let db = db_with(DEFAULT).await;
    assert_eq!(ids(&db, None).await, [FOUND]);
    assert_eq!(ids(&db, Some("plain")).await, [FOUND]);
    // Changed: with `plain` it passes; with auto pgmend cannot tell a changed plain password
    // from a hash it does not know, and says so.
    set(&db, "correct horse battery").await;
    assert_eq!(ids(&db, Some("plain")).await, Vec::<String>::new());
    assert_eq!(ids(&db, None).await, [UNKNOWN]);
    // Unknown formats are never passed: md5-crypt, a bare hex digest.
    for v in [
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "5f4dcc3b5aa765d61d8327deb882cf99",
    ] {
        set(&db, v).await;
        assert_eq!(ids(&db, None).await, [UNKNOWN], "{v}");
    }
    // No admin row at all: nothing to report.
    db.exec("DELETE FROM users").await;
    assert_eq!(ids(&db, None).await, Vec::<String>::new());
}

#[tokio::test]
async fn unreadable_items_are_reported_not_passed() {
    let db = TestDb::new().await;
    // The credential table does not exist, a data query fails, another answers NULL: all three
    // unknown, in `check` too.
    let cl = format!(
        "{}\n[[data]]\nname = \"an admin exists\"\nquery = \"select exists (select 1 from nowhere)\"\n\
         [[data]]\nname = \"a null answer\"\nquery = \"select null::boolean\"\n",
        checklist(None)
    );
    let r = check_toml(&db, &cl, false).await;
    assert_eq!(
        failed_ids(&r),
        [
            "credential.unknown:public.users where username = 'admin'",
            "data.unknown:data: a null answer",
            "data.unknown:data: an admin exists"
        ]
    );
    assert!(r.items.iter().all(|i| i.unknown()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cl.toml");
    std::fs::write(&path, &cl).unwrap();
    let out = pgmend()
        .args(["check", db.url(), "--checklist"])
        .arg(&path)
        .args(["--no-lints"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("? public.users where username = 'admin'  could not be evaluated: cannot read the stored password:"),
        "{text}"
    );
    assert!(
        text.contains("relation \"public.users\" does not exist"),
        "{text}"
    );
    assert!(
        text.contains("? data: a null answer  could not be evaluated: the query returned NULL"),
        "{text}"
    );
    assert!(
        text.contains("3 items: 0 passed, 0 failed, 3 not evaluated"),
        "{text}"
    );
    // An unknown algorithm name is refused when the checklist is loaded.
    let bad = pgmend::checklist::Checklist::parse(&checklist(Some("md5")), "bad.toml").unwrap_err();
    assert!(bad.to_string().contains("unknown algorithm `md5`"), "{bad}");
}
