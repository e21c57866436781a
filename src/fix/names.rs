//! Names pgmend gives the objects it creates, as PostgreSQL would (`<table>_<columns>_idx`,
//! `_key`, `_fkey`, `_pkey`), always within PostgreSQL's 63-byte limit: a longer name is cut on
//! a character boundary and ends with a short hash of the full name, so two long names that
//! share a prefix stay distinct (PostgreSQL itself would cut them silently and make them clash).

/// PostgreSQL's identifier limit in bytes (`NAMEDATALEN - 1`).
pub const MAX_NAME_BYTES: usize = 63;

/// FNV-1a: a small, stable hash (the same on every run and platform).
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `name` when it fits in 63 bytes; else its longest prefix that fits with `_` and 8 hex
/// digits of its hash, cut on a character boundary.
pub fn fit(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_string();
    }
    let suffix = format!("_{:08x}", fnv1a(name));
    let mut end = MAX_NAME_BYTES - suffix.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &name[..end])
}

/// `<table>_<col>_<col>_<suffix>`, fitted to 63 bytes. Expression columns contribute their
/// letters and digits only (`lower(email)` → `lower_email`).
pub fn derived(table: &str, columns: &[String], suffix: &str) -> String {
    let mut parts = vec![table.to_string()];
    for c in columns {
        let cleaned: String = c
            .chars()
            .map(|ch| if ch.is_alphanumeric() { ch } else { '_' })
            .collect();
        let cleaned: Vec<&str> = cleaned.split('_').filter(|p| !p.is_empty()).collect();
        if cleaned.is_empty() {
            parts.push("expr".into());
        } else if c.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
            parts.push(c.clone());
        } else {
            parts.push(cleaned.join("_"));
        }
    }
    parts.push(suffix.to_string());
    fit(&parts.join("_"))
}

/// The name of an index pgmend creates on `table` over `columns`.
pub fn index_name(table: &str, columns: &[String]) -> String {
    derived(table, columns, "idx")
}

/// A name not in `taken`: `name`, else `name_2`, `name_3`, … (each fitted to 63 bytes).
pub fn unique(name: String, taken: &[&str]) -> String {
    unique_by(name, &|n| taken.contains(&n))
}

/// [`unique`], with `taken` saying whether a name is in use (a set's lookup).
pub fn unique_by(name: String, taken: &dyn Fn(&str) -> bool) -> String {
    if !taken(&name) {
        return name;
    }
    (2..)
        .map(|n| fit(&format!("{name}_{n}")))
        .find(|c| !taken(c))
        .expect("an unused name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept() {
        assert_eq!(
            index_name("users", &["email".into()]),
            "users_email_idx".to_string()
        );
        assert_eq!(
            index_name("ChatMessage", &["userId".into(), "lower(x)".into()]),
            "ChatMessage_userId_lower_x_idx"
        );
    }

    #[test]
    fn long_names_fit_with_a_hash() {
        let long = "a".repeat(60);
        let n = index_name(&long, &["bcd".into()]);
        assert_eq!(n.len(), MAX_NAME_BYTES);
        assert!(n.starts_with(&"a".repeat(54)), "{n}");
        let other = index_name(&long, &["bce".into()]);
        assert_ne!(n, other, "names differing after the cut stay distinct");
        assert_eq!(n, index_name(&long, &["bcd".into()]), "stable");
    }

    #[test]
    fn multibyte_names_are_cut_on_a_character_boundary() {
        // 'é' is 2 bytes, '☃' 3, '𝄞' 4: every cut position must land between characters.
        for ch in ["é", "☃", "𝄞"] {
            for pad in 0..4 {
                let table = format!("{}{}", "x".repeat(pad), ch.repeat(30));
                let n = index_name(&table, &["col".to_string()]);
                assert!(n.len() <= MAX_NAME_BYTES, "{n}: {} bytes", n.len());
                assert!(n.len() >= MAX_NAME_BYTES - 3, "{n}: cut too short");
                // A valid String: the cut kept whole characters.
                assert!(n.chars().count() > 8);
                assert!(n.ends_with(&format!("_{:08x}", fnv1a(&format!("{table}_col_idx")))));
            }
        }
        // Exactly 63 bytes of multibyte text is kept as is.
        let exact = "é".repeat(31) + "x";
        assert_eq!(exact.len(), 63);
        assert_eq!(fit(&exact), exact);
    }

    #[test]
    fn unique_names() {
        assert_eq!(unique("p".into(), &["q"]), "p");
        assert_eq!(unique("p".into(), &["p", "p_2"]), "p_3");
    }
}
