//! The top-level modules of `src/` depend on each other in one direction only (README "Code
//! map"): this scans every `crate::<module>` path in `src/**/*.rs` (also inside `use crate::{a,
//! b::{c, d}}` groups), and fails on a cycle, named module by module with a file for each
//! step, and on a module that reaches up past its layer. No server, no build of the crate:
//! it reads the source text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first: a module may use the modules of the layers below its own, never
/// one of its own layer or above. A module not listed here is only held to having no cycle.
const LAYERS: &[&[&str]] = &[
    &[
        "sql",
        "rules",
        "toml_error",
        "dirs",
        "process",
        "progress",
        "logging",
    ],
    &["pgserver"],
    &["db"],
    &["checklist"],
    &["check", "scenarios"],
    &["fix"],
    &["access"],
    &["backup"],
    &["journal"],
    &["apply"],
    &["report"],
    &["app", "theme", "cli"],
    &["config", "ui"],
    &["runtime"],
    &["commands"],
];

/// from → to → the files of `from` that name `to`.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn the_module_graph_is_layered_and_acyclic() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = scan(&src);
    assert!(graph.len() > 10, "scanned too little of {src:?}: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("a cycle of modules: {}", describe(&graph, &cycle));
    }
    let upward = upward_edges(&graph, LAYERS);
    assert!(
        upward.is_empty(),
        "modules that use one of their own layer or above (README \"Code map\"):\n{}",
        upward.join("\n")
    );
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The graph of the crate rooted at `src`: top-level modules are its directories and its `.rs`
/// files other than `lib.rs` and `main.rs`.
fn scan(src: &Path) -> Graph {
    let mut tops = BTreeSet::new();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir()
            || (p.extension().is_some_and(|x| x == "rs") && name != "lib" && name != "main")
        {
            tops.insert(name);
        }
    }
    let mut all = Vec::new();
    files(src, &mut all);
    let mut graph = Graph::new();
    for f in all {
        let rel = f.strip_prefix(src).unwrap().to_string_lossy().to_string();
        let from = rel.split('/').next().unwrap().trim_end_matches(".rs");
        if !tops.contains(from) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for to in crate_refs(&text) {
            if to != from && tops.contains(&to) {
                graph
                    .entry(from.to_string())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(rel.clone());
            }
        }
    }
    graph
}

/// `text` without its comments (`//…` to the end of the line, `/* … */`) and string literals,
/// so prose that names a module is not a dependency.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if b[i] == b'"' && !(i > 0 && b[i - 1] == b'\'') {
            let raw = i > 0 && (b[i - 1] == b'r' || b[i - 1] == b'#');
            i += 1;
            if raw {
                let hashes = text[..i - 1]
                    .chars()
                    .rev()
                    .take_while(|c| *c == '#')
                    .count();
                let close = format!("\"{}", "#".repeat(hashes));
                i = text[i..]
                    .find(&close)
                    .map_or(b.len(), |e| i + e + close.len());
            } else {
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The first segment of every `crate::` path in `text`: `crate::db::X` gives `db`,
/// `use crate::{a::{b, c}, d}` gives `a` and `d`.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let code = code_only(text);
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate") {
        let preceded = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        rest = &rest[at + "crate".len()..];
        let Some(after) = rest.trim_start().strip_prefix("::") else {
            continue;
        };
        if preceded {
            continue;
        }
        let after = after.trim_start();
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    out.extend(first_segment(&item));
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            out.extend(first_segment(after));
        }
    }
    out
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

/// A cycle of modules, first module repeated last, if the graph has one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(c) = visit(graph, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut Vec::new(), &mut done))
}

/// `a -> b (a/x.rs) -> a (b/y.rs)`.
fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut s = cycle[0].clone();
    for w in cycle.windows(2) {
        let file = graph[&w[0]][&w[1]].iter().next().unwrap();
        s.push_str(&format!(" -> {} ({file})", w[1]));
    }
    s
}

/// `from -> to (file)` for every edge that does not go down the layers.
fn upward_edges(graph: &Graph, layers: &[&[&str]]) -> Vec<String> {
    let layer = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut out = Vec::new();
    for (from, tos) in graph {
        for (to, files) in tos {
            if let (Some(a), Some(b)) = (layer(from), layer(to))
                && b >= a
            {
                let file = files.iter().next().unwrap();
                out.push(format!("{from} -> {to} ({file})"));
            }
        }
    }
    out
}

mod scanner {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string())
                .or_default()
                .entry(b.to_string())
                .or_default()
                .insert(format!("{a}/mod.rs"));
        }
        g
    }

    #[test]
    fn reads_paths_groups_and_nested_groups() {
        let text = r#"
use crate::db::catalog::Snapshot;
use crate::{check::{Finding, Report}, fix, sql::{self, quote_ident}};
use crate :: { rules };
fn f() { crate::apply::go(); let _ = crate::journal::X; }
// crate::ui is only mentioned
/* crate::theme neither */
const S: &str = "crate::runtime in a string";
"#;
        let refs: Vec<String> = crate_refs(text).into_iter().collect();
        assert_eq!(
            refs,
            ["apply", "check", "db", "fix", "journal", "rules", "sql"]
        );
    }

    #[test]
    fn finds_and_names_a_cycle() {
        let g = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]);
        let cycle = find_cycle(&g).expect("a cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4, "{cycle:?}");
        assert_eq!(
            describe(&g, &cycle),
            "a -> b (a/mod.rs) -> c (b/mod.rs) -> a (c/mod.rs)"
        );
        let two = find_cycle(&graph(&[("base", "top"), ("mid", "base"), ("top", "mid")]));
        assert_eq!(two.unwrap(), ["base", "top", "mid", "base"]);
    }

    #[test]
    fn passes_a_diamond() {
        let g = graph(&[("top", "l"), ("top", "r"), ("l", "base"), ("r", "base")]);
        assert_eq!(find_cycle(&g), None);
        assert!(upward_edges(&g, &[&["base"], &["l", "r"], &["top"]]).is_empty());
    }

    #[test]
    fn flags_an_edge_up_or_across_a_layer() {
        let g = graph(&[("l", "r"), ("base", "top"), ("top", "base")]);
        let up = upward_edges(&g, &[&["base"], &["l", "r"], &["top"]]);
        assert_eq!(up, ["base -> top (base/mod.rs)", "l -> r (l/mod.rs)"]);
    }

    #[test]
    fn scans_this_crate() {
        let g = scan(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
        assert!(g["fix"].contains_key("check"), "{g:?}");
        assert!(g["commands"].contains_key("runtime"), "{g:?}");
    }
}
