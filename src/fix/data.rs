//! `data.false` with a `seed`: the checklist's idempotent SQL (`INSERT … ON CONFLICT DO
//! NOTHING`) that makes the item's query true. One transaction: the seed, then the query checked
//! again, so a seed that leaves the query false rolls back and the plan fails, changing nothing.

use crate::check::Finding;
use crate::sql::lex::{Tok, tokens};
use crate::sql::{qualified, quote_literal};

use super::build::{B, locks};
use super::cx::Cx;
use super::plan::Plan;

/// The dollar quote around the query inside the check (never inside a checklist's SQL).
const TAG: &str = "$pgmend_seed$";

pub(crate) fn seed(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.data)?;
    let seed = spec
        .seed
        .as_deref()?
        .trim()
        .trim_end_matches(';')
        .trim_end();
    let query = spec.query.trim().trim_end_matches(';').trim_end();
    if seed.is_empty() || query.contains(TAG) || seed.contains(TAG) {
        return None;
    }
    let targets = inserted_into(seed, cl.default_schema());
    let mut b = B::new(&f.id, format!("seed the rows of {}", spec.name));
    b.tx(format!("seed: {}", spec.name), seed.to_string());
    b.tx(
        format!("check again: {}", spec.name),
        format!(
            "DO {TAG}\nBEGIN\n  IF NOT coalesce(({query}), false) THEN\n    RAISE EXCEPTION \
             'the seed left the data check false: %', {};\n  END IF;\nEND\n{TAG}",
            quote_literal(&spec.name)
        ),
    );
    b.touches_data();
    for t in &targets {
        b.table(t).lock(
            t,
            locks::ROW_EXCLUSIVE,
            "inserting rows: blocks nothing but DDL on the table".to_string(),
        );
    }
    b.hazard(
        "undo cannot tell the seeded rows from others: it is not offered (the backup holds the \
         tables as they were)",
    );
    Some(b.done())
}

/// The tables an `INSERT INTO` of the SQL names, schema-qualified and quoted.
fn inserted_into(sql: &str, default_schema: &str) -> Vec<String> {
    let Ok(toks) = tokens(sql) else {
        return Vec::new();
    };
    let toks: Vec<&Tok> = toks.iter().filter(|t| **t != Tok::Comment).collect();
    let word = |t: &Tok, w: &str| matches!(t, Tok::Ident { name, quoted: false } if name == w);
    let mut out = Vec::new();
    for i in 0..toks.len().saturating_sub(2) {
        if !(word(toks[i], "insert") && word(toks[i + 1], "into")) {
            continue;
        }
        let mut parts = Vec::new();
        let mut j = i + 2;
        while let Some(Tok::Ident { name, .. }) = toks.get(j) {
            parts.push(name.clone());
            if toks.get(j + 1) != Some(&&Tok::Dot) {
                break;
            }
            j += 2;
        }
        let q = match &parts[..] {
            [t] => qualified(default_schema, t),
            [s, t] => qualified(s, t),
            _ => continue,
        };
        if !out.contains(&q) {
            out.push(q);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_targets() {
        assert_eq!(
            inserted_into(
                "INSERT INTO package_features (slug) SELECT 'x' ON CONFLICT DO NOTHING; \
                 insert into \"App\".\"Perm\" VALUES (1)",
                "public"
            ),
            vec!["public.package_features", "\"App\".\"Perm\""]
        );
        assert!(inserted_into("SELECT 1", "public").is_empty());
    }
}
