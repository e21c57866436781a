//! Large checklist files (a snapshot of a 10,000-table database is ~14 MiB of TOML) parsed
//! piece by piece: the `toml` crate's document model costs ~35 bytes of memory per byte of
//! text, so the whole file at once would peak near 500 MiB. The text is cut at top-level
//! `[[kind]]` headers found by `toml_parser`'s lexer (which knows strings and comments), each
//! piece is parsed alone, its spans are moved to the whole file's offsets, and the item lists
//! are joined: `[[kind]]` appends an element whether the file is whole or cut, so the result
//! is the same. Anything a piece cannot parse is parsed again whole, so errors (and any
//! construct that spans pieces) come out exactly as for the whole file.

use std::path::Path;

use toml::Spanned;
use toml_parser::Source;
use toml_parser::lexer::TokenKind;

use super::format::ChecklistFile;
use crate::toml_error::{TomlError, from_toml};

/// Files smaller than this are parsed whole.
pub const WHOLE_BELOW: usize = 1 << 20;
/// Pieces are at least this long.
const PIECE: usize = 256 << 10;

/// Parses a checklist file, in pieces when it is large.
pub fn parse(text: &str, file: &Path) -> Result<ChecklistFile, TomlError> {
    if text.len() < WHOLE_BELOW {
        return from_toml(text, file);
    }
    match pieces(text).and_then(|p| parse_pieces(text, &p, file)) {
        Some(f) => Ok(f),
        None => from_toml(text, file),
    }
}

/// Where the pieces start: the first at 0, the others at top-level `[[kind]]` headers at
/// least `PIECE` bytes apart. `None` when the file has a shape pieces would not keep (a
/// top-level table or key after the first array-of-tables header).
pub fn pieces(text: &str) -> Option<Vec<usize>> {
    // Streamed: a 14 MiB file has millions of tokens.
    let mut tokens = Source::new(text)
        .lex()
        .map(|t| (t.kind(), t.span().start()..t.span().end()));
    let mut starts = vec![0];
    let mut seen_array_table = false;
    let mut seen_header = false;
    let mut line_start = true;
    while let Some((kind, span)) = tokens.next() {
        match kind {
            TokenKind::Newline => {
                line_start = true;
                continue;
            }
            TokenKind::Whitespace | TokenKind::Comment => continue,
            _ => {}
        }
        if !std::mem::replace(&mut line_start, false) {
            continue;
        }
        if kind != TokenKind::LeftSquareBracket {
            if !seen_header {
                // A top-level `key = …` (`schema = [ … ]` would clash with a later
                // `[[schema]]`, an error only the whole parse reports): keep the file whole.
                return None;
            }
            continue;
        }
        seen_header = true;
        // The rest of the header line.
        let mut header = Vec::new();
        for t in tokens.by_ref() {
            let end = matches!(t.0, TokenKind::Newline | TokenKind::Eof);
            header.push(t);
            if end {
                line_start = true;
                break;
            }
        }
        let array = header
            .first()
            .is_some_and(|(k, s)| *k == TokenKind::LeftSquareBracket && s.start == span.end);
        let top = header_is_top_level(&header[usize::from(array)..]);
        match (array, top) {
            (true, true) => {
                seen_array_table = true;
                if span.start - starts.last().copied().unwrap_or(0) >= PIECE {
                    starts.push(span.start);
                }
            }
            // `[checklist]`, `[lints]` after the items: keep the file whole.
            (false, true) if seen_array_table => return None,
            _ => {}
        }
    }
    Some(starts)
}

/// Tokens after a header's opening bracket(s): whitespace, one key (no dot), whitespace, `]`.
fn header_is_top_level(rest: &[(TokenKind, std::ops::Range<usize>)]) -> bool {
    let mut keys = 0;
    for (kind, _) in rest {
        match kind {
            TokenKind::Whitespace => {}
            TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString => keys += 1,
            TokenKind::RightSquareBracket => return keys == 1,
            _ => return false,
        }
    }
    false
}

fn parse_pieces(text: &str, starts: &[usize], file: &Path) -> Option<ChecklistFile> {
    let mut whole: Option<ChecklistFile> = None;
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let mut part: ChecklistFile = from_toml(&text[start..end], file).ok()?;
        if n > 0 && (!part.lints.is_empty() || has_meta(&part)) {
            return None; // not possible after the checks in `pieces`; parse whole to be sure
        }
        shift(&mut part, start);
        match whole.as_mut() {
            None => whole = Some(part),
            Some(w) => join(w, part),
        }
    }
    if let Some(w) = whole.as_mut() {
        shrink(w);
    }
    whole
}

/// Joining pieces grows the lists by doubling: a third of each left unused (~3 MB of
/// `[[table]]` items at 10,000 tables) for as long as the checklist lives.
fn shrink(f: &mut ChecklistFile) {
    f.schemas.shrink_to_fit();
    f.extensions.shrink_to_fit();
    f.enums.shrink_to_fit();
    f.tables.shrink_to_fit();
    f.indexes.shrink_to_fit();
    f.views.shrink_to_fit();
    f.rls.shrink_to_fit();
    f.policies.shrink_to_fit();
    f.triggers.shrink_to_fit();
    f.functions.shrink_to_fit();
    f.grants.shrink_to_fit();
    f.data.shrink_to_fit();
    f.credentials.shrink_to_fit();
    f.migrations.shrink_to_fit();
    f.sequences.shrink_to_fit();
    f.domains.shrink_to_fit();
    f.types.shrink_to_fit();
    f.default_privileges.shrink_to_fit();
}

fn has_meta(f: &ChecklistFile) -> bool {
    let m = &f.checklist;
    m.name.is_some()
        || m.description.is_some()
        || m.platform.is_some()
        || m.default_schema.is_some()
        || m.exposed_schemas.is_some()
}

fn moved<T>(v: &mut Vec<Spanned<T>>, by: usize, mut inner: impl FnMut(&mut T)) {
    *v = std::mem::take(v)
        .into_iter()
        .map(|s| {
            let r = s.span();
            let mut x = s.into_inner();
            inner(&mut x);
            Spanned::new(r.start + by..r.end + by, x)
        })
        .collect();
}

/// Moves every span in `f` by `by` bytes.
fn shift(f: &mut ChecklistFile, by: usize) {
    if by == 0 {
        return;
    }
    fn none<T>(_: &mut T) {}
    moved(&mut f.schemas, by, none);
    moved(&mut f.extensions, by, none);
    moved(&mut f.enums, by, none);
    moved(&mut f.tables, by, |t| {
        moved(&mut t.columns, by, none);
        moved(&mut t.foreign_keys, by, none);
        moved(&mut t.unique, by, none);
        moved(&mut t.checks, by, none);
    });
    moved(&mut f.indexes, by, none);
    moved(&mut f.views, by, none);
    moved(&mut f.rls, by, none);
    moved(&mut f.policies, by, none);
    moved(&mut f.triggers, by, none);
    moved(&mut f.functions, by, none);
    moved(&mut f.grants, by, none);
    moved(&mut f.data, by, none);
    moved(&mut f.credentials, by, none);
    moved(&mut f.migrations, by, none);
    moved(&mut f.sequences, by, none);
    moved(&mut f.domains, by, none);
    moved(&mut f.types, by, none);
    moved(&mut f.default_privileges, by, none);
    moved(&mut f.waive, by, none);
}

/// Appends `part`'s items to `w`'s (its `[checklist]` and `[lints]` are empty).
fn join(w: &mut ChecklistFile, part: ChecklistFile) {
    let ChecklistFile {
        checklist: _,
        lints: _,
        schemas,
        extensions,
        enums,
        tables,
        indexes,
        views,
        rls,
        policies,
        triggers,
        functions,
        grants,
        data,
        credentials,
        migrations,
        sequences,
        domains,
        types,
        default_privileges,
        waive,
    } = part;
    w.waive.extend(waive);
    w.sequences.extend(sequences);
    w.domains.extend(domains);
    w.types.extend(types);
    w.default_privileges.extend(default_privileges);
    w.schemas.extend(schemas);
    w.extensions.extend(extensions);
    w.enums.extend(enums);
    w.tables.extend(tables);
    w.indexes.extend(indexes);
    w.views.extend(views);
    w.rls.extend(rls);
    w.policies.extend(policies);
    w.triggers.extend(triggers);
    w.functions.extend(functions);
    w.grants.extend(grants);
    w.data.extend(data);
    w.credentials.extend(credentials);
    w.migrations.extend(migrations);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file over `WHOLE_BELOW` with what could fool a cutter: headers inside multi-line
    /// strings, comments, sub-tables, quoted keys.
    fn big() -> String {
        let mut s = String::from(
            "# head\n[checklist]\nname = \"big\"\n\n[lints]\nfk_without_index = false\n\n",
        );
        let mut n = 0;
        while s.len() < WHOLE_BELOW * 3 {
            s.push_str(&format!(
                "[[table]]\nname = \"t{n}\"\nwhy = \"\"\"\n[[table]]\nname = \"fake\"\n\"\"\"\n\
                 columns = [\n  {{ name = \"id\", type = \"bigint\" }},\n]\n\
                 [[table.foreign_keys]]\ncolumns = [\"id\"]\nreferences = \"p(id)\"\n\
                 # [[schema]] in a comment\n[[ \"schema\" ]]\nname = \"s{n}\"\n\n"
            ));
            n += 1;
        }
        s
    }

    #[test]
    fn pieces_parse_to_what_the_whole_file_does() {
        let text = big();
        let cuts = pieces(&text).expect("cut");
        assert!(cuts.len() > 4, "{}", cuts.len());
        for &c in &cuts[1..] {
            assert!(text[c..].starts_with("[["), "{}", &text[c..c + 30]);
            assert!(text[..c].ends_with('\n'), "{}", &text[c - 30..c]);
        }
        let whole: ChecklistFile = from_toml(&text, Path::new("x")).unwrap();
        let cut = parse(&text, Path::new("x")).unwrap();
        assert_eq!(format!("{whole:?}"), format!("{cut:?}"));
        assert_eq!(whole.tables.len(), cut.tables.len());
        for (a, b) in whole.tables.iter().zip(&cut.tables) {
            assert_eq!(a.span(), b.span());
            let fa = &a.get_ref().foreign_keys;
            let fb = &b.get_ref().foreign_keys;
            assert_eq!(fa[0].span(), fb[0].span());
        }
        for (a, b) in whole.schemas.iter().zip(&cut.schemas) {
            assert_eq!(a.span(), b.span());
        }
        assert_eq!(cut.checklist.name.as_deref(), Some("big"));
        assert_eq!(cut.lints.len(), 1);
    }

    #[test]
    fn errors_in_a_large_file_point_where_the_whole_parse_does() {
        let mut text = big();
        text.push_str("[[table]]\nname = \"late\"\ncolums = []\n");
        let whole = from_toml::<ChecklistFile>(&text, Path::new("x")).unwrap_err();
        let cut = parse(&text, Path::new("x")).unwrap_err();
        assert_eq!(whole.to_string(), cut.to_string());
        assert!(cut.line > 1000, "{cut}");
    }

    #[test]
    fn shapes_pieces_would_change_are_parsed_whole() {
        // A table after the items, a top-level key before any header.
        let items = big().replace("[lints]\nfk_without_index = false\n", "");
        let late = format!("{items}[lints]\nrls_disabled = false\n");
        assert!(pieces(&late).is_none());
        assert_eq!(parse(&late, Path::new("x")).unwrap().lints.len(), 1);
        let inline = format!("schema = [{{ name = \"a\" }}]\n{}", big());
        assert!(pieces(&inline).is_none());
        // Whole: an inline array and `[[schema]]` clash, as TOML says.
        assert!(parse(&inline, Path::new("x")).is_err());
    }
}
