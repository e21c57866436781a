//! Property tests (proptest) on the real server and on the TOML parsers.
//!
//! Case counts: `PGMEND_PROPTEST_CASES` (default 64 per property, what `cargo test` runs); the
//! full run is `PGMEND_PROPTEST_CASES=10000 cargo test --test it props`. A failing case is
//! shrunk and printed; `PROPTEST_RNG_SEED` is not needed to replay it, the printed input is.

mod content;
mod idents;
mod mends;
mod parsers;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per property: `PGMEND_PROPTEST_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PGMEND_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner with `cases` cases, no regression files written into the source tree, and
/// bounded shrinking (each shrink step may cost a round trip to the server).
pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })
}

/// Characters the generators never produce: the tests prefix names with them to derive
/// distinct names for objects sharing a namespace (`¤` + name can never equal a truncated name).
pub const MARKS: [char; 4] = ['¤', '§', '¶', '†'];

/// PostgreSQL's identifier limit (NAMEDATALEN - 1) in bytes.
pub const MAX_NAME: usize = 63;

/// `name` as PostgreSQL stores it: cut to 63 bytes on a character boundary.
pub fn pg_name(name: &str) -> String {
    let mut end = name.len().min(MAX_NAME);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// Words that PostgreSQL reserves (or that pgmend or a parser might treat specially).
const WORDS: &[&str] = &[
    "*",
    "select",
    "user",
    "order",
    "table",
    "from",
    "where",
    "group",
    "json",
    "authorization",
    "between",
    "public",
    "default",
    "null",
    "true",
    "check",
    "column",
    "constraint",
    "primary",
    "references",
    "all",
    "any",
    "case",
    "end",
    "to",
    "with",
    "Select",
    "USER",
    "id",
    "name",
    "type",
    "value",
    "text",
    "int",
    "do",
    "cascade",
    "oid",
    "ctid",
    "xmin",
];

/// Pieces that break naive quoting: quotes, backslashes, spaces, dots, SQL comment starters,
/// dollar quotes, newlines, non-ASCII letters and emoji.
const PIECES: &[&str] = &[
    "{}",
    "*",
    "%s",
    "$1",
    "?",
    "\"",
    "\"\"",
    "'",
    "\\",
    " ",
    ".",
    "$",
    "$$",
    "--",
    "/*",
    "*/",
    ";",
    "\n",
    "\t",
    ",",
    "(",
    ")",
    "%",
    "é",
    "ß",
    "ﬁ",
    "日本",
    "🐘",
    "😀",
    "👩‍👩‍👧",
    "İ",
    "Ω",
    "-",
    "_",
    "[",
    "]",
    "{",
    "}",
    "=",
    "#",
];

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{1,5}",
        2 => "[A-Z][a-z]{0,3}",
        1 => "[0-9]{1,3}",
        4 => prop::sample::select(PIECES).prop_map(String::from),
        2 => any::<char>()
            .prop_filter("no NUL, no marks", |c| *c != '\0' && !MARKS.contains(c))
            .prop_map(String::from),
    ]
}

fn joined(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(atom(), min..max).prop_map(|v| v.concat())
}

/// `s` cut or padded (with `x` and `é`) to exactly `bytes` bytes.
fn exactly(s: String, bytes: usize) -> String {
    let mut s = pg_name(&s);
    while s.len() < bytes {
        s.push(if bytes - s.len() >= 2 && s.len().is_multiple_of(3) {
            'é'
        } else {
            'x'
        });
    }
    s
}

/// What closes a statement, a clause, a literal or a body when spliced raw: every name that
/// [`closing`] builds holds at least one of them.
pub const CLOSERS: &[&str] = &[
    ")",
    "))",
    ";",
    "--",
    "'",
    "$$",
    "\");",
    "') ; drop table canary; --",
    "x) ; drop table canary; --",
    "$$;",
    "'--",
    ");--",
    "\"",
    "\" ",
    " ) ",
];

/// A name that closes the statement it is spliced into: closers mixed with quotes, spaces,
/// other hostile pieces and unicode.
pub fn closing() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(CLOSERS).prop_map(String::from), 1..4),
        prop::collection::vec(atom(), 0..4),
        prop::collection::vec(
            prop::sample::select(&[" ", "\"", "é", "😀", "日本", "İ"][..]),
            0..3,
        ),
    )
        .prop_map(|(closers, atoms, extra)| {
            // Interleave: atom, closer, extra, … so closers land at the start, middle and end.
            let mut out = String::new();
            let n = closers.len().max(atoms.len()).max(extra.len());
            for i in 0..n {
                if let Some(a) = atoms.get(i) {
                    out.push_str(a);
                }
                if let Some(c) = closers.get(i) {
                    out.push_str(c);
                }
                if let Some(e) = extra.get(i) {
                    out.push_str(e);
                }
            }
            out
        })
}

/// Random identifiers: reserved words, names built of hostile pieces, names that close the
/// statement ([`closing`]), leading digits, names of exactly 63 bytes, and longer ones (which
/// PostgreSQL truncates: see [`pg_name`]).
pub fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(WORDS).prop_map(String::from),
        3 => closing(),
        6 => joined(1, 8),
        1 => ("[0-9]", joined(0, 4)).prop_map(|(d, r)| format!("{d}{r}")),
        1 => joined(8, 30).prop_map(|s| exactly(s, MAX_NAME)),
        1 => (joined(20, 40), 64usize..120).prop_map(|(s, n)| {
            let mut s = s;
            while s.len() < n {
                s.push_str("long");
            }
            s
        }),
    ]
}

/// Text that tries to break out of a literal or a comment: quotes, `';--`, dollar quotes,
/// newlines, backslashes, and what TOML treats specially (never the marks, which the tests
/// use for labels of their own).
pub fn hostile_text() -> impl Strategy<Value = String> {
    let bits: &[&str] = &[
        "';--",
        "'); DROP TABLE x; --",
        "$$",
        "$x$",
        "$$;DROP TABLE x;$$",
        "\n",
        "\r\n",
        "\\",
        "\\'",
        "\\\\",
        "\"",
        "\"\"\"",
        "'''",
        "E'\\n'",
        "/*",
        "*/",
        "#",
        "[table]",
        "{ a = 1 }",
        "=",
        "😀",
        "\t",
        "%s",
        "{}",
        ":",
        "\u{2028}",
    ];
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(bits).prop_map(String::from),
            2 => "[a-zA-Z ]{0,6}",
            1 => any::<char>()
                .prop_filter("no NUL, no marks", |c| *c != '\0' && !MARKS.contains(c))
                .prop_map(String::from),
        ],
        1..8,
    )
    .prop_map(|v| v.concat())
    // An empty comment is no comment in PostgreSQL: the generators keep some text.
    .prop_filter("not empty", |s| !s.is_empty())
}

/// Runs `property` on `cases` values of `strategy`; on failure panics with the shrunk input.
pub fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), String>,
) where
    S::Value: std::fmt::Debug,
{
    let start = std::time::Instant::now();
    let result = runner(cases).run(&strategy, |v| property(v).map_err(TestCaseError::fail));
    println!("props: {name}: {cases} case(s) in {:?}", start.elapsed());
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}
