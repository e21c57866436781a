//! The binary for bastion hosts (README "Install on a bastion"): built by `.ci/run` with
//! cargo-zigbuild against glibc 2.17, it needs no newer glibc symbol, prints its version and
//! reads a real database. Run by `.ci/run` with PGMEND_PORTABLE_BIN set (ignored by a plain
//! `cargo test`, which does not build that binary).

use std::process::Command;

use crate::support::TestDb;

/// `GLIBC_2.17` → (2, 17).
fn version(tag: &str) -> (u32, u32) {
    let v = tag.trim_start_matches("GLIBC_");
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[tokio::test]
#[ignore = "needs PGMEND_PORTABLE_BIN: .ci/run builds it with cargo zigbuild and runs this"]
async fn the_bastion_binary_needs_glibc_2_17_and_reads_a_database() {
    let bin = std::env::var("PGMEND_PORTABLE_BIN")
        .expect("PGMEND_PORTABLE_BIN names the binary cargo zigbuild built");
    let symbols = Command::new("objdump").args(["-T", &bin]).output().unwrap();
    assert!(symbols.status.success(), "objdump -T {bin}");
    let text = String::from_utf8_lossy(&symbols.stdout);
    let newest = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.starts_with("GLIBC_2."))
        .map(version)
        .max()
        .expect("the binary links glibc");
    assert!(newest <= (2, 17), "needs glibc {newest:?}, more than 2.17");

    let out = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("pgmend {}", env!("CARGO_PKG_VERSION"))
    );
    let db = TestDb::new().await;
    db.exec("CREATE TABLE bastion_probe (id int PRIMARY KEY)")
        .await;
    let mut inv = Command::new(&bin);
    for v in crate::support::USER_ENV {
        inv.env_remove(v);
    }
    let out = inv
        .env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config")
        .args(["inventory", db.url(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.to_string().contains("bastion_probe"), "{doc}");
}
