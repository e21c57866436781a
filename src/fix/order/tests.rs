//! Ordering tests without a server: arrival orders, cycles, and the lookups built once.

#[test]
fn parts_keep_parentheses_inside_quoted_names() {
    assert_eq!(super::parts(r#""(s"."¶(f"("a(" integer)"#), ["(s", "¶(f"]);
    assert_eq!(super::parts(r#"public."t""(x"(id)"#), ["public", "t\"(x"]);
    assert_eq!(super::parts("public.users(id)"), ["public", "users"]);
}

use crate::check::{Facts, LintOverrides, run};
use crate::checklist::Checklist;
use crate::db::catalog::{ServerInfo, Snapshot};

/// A checklist whose items come in the worst order: each needs one written after it.
const WORST: &str = r#"
[checklist]
name = "worst order"

[[view]]
name = "big_teams"
definition = "SELECT team_sizes.name FROM public.team_sizes WHERE (team_sizes.members > 10)"

[[view]]
name = "team_sizes"
definition = "SELECT t.name, count(u.id) AS members FROM (public.teams t LEFT JOIN public.users u ON ((u.team_id = t.id))) GROUP BY t.name"

[[trigger]]
table = "teams"
name = "teams_touch"
definition = "CREATE TRIGGER teams_touch BEFORE UPDATE ON public.teams FOR EACH ROW EXECUTE FUNCTION public.touch()"

[[table]]
name = "users"
primary_key = ["id"]
columns = [
  { name = "id", type = "integer", nullable = false, default = "nextval('users_id_seq'::regclass)" },
  { name = "team_id", type = "integer" },
  { name = "kind", type = "kind" },
]
[[table.foreign_keys]]
columns = ["team_id"]
references = "public.teams(id)"

[[table]]
name = "teams"
primary_key = ["id"]
columns = [{ name = "id", type = "integer", nullable = false }, { name = "name", type = "text" }]

[[function]]
name = "touch"
arguments = ""
definition = "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"

[[sequence]]
name = "users_id_seq"
type = "integer"

[[enum]]
name = "kind"
values = ["a", "b"]

[[schema]]
name = "public"
"#;

fn snapshot() -> Snapshot {
    Snapshot::empty(ServerInfo {
        version_num: 150000,
        version: "PostgreSQL 15".into(),
        database: "t".into(),
        current_user: "t".into(),
        is_superuser: true,
    })
}

fn position(plans: &[crate::fix::Plan], id: &str) -> usize {
    plans
        .iter()
        .position(|p| p.finding_id == id || p.also_fixes.iter().any(|a| a == id))
        .unwrap_or_else(|| panic!("no plan for {id}: {:#?}", ids(plans)))
}

fn ids(plans: &[crate::fix::Plan]) -> Vec<&str> {
    plans.iter().map(|p| p.finding_id.as_str()).collect()
}

/// Everything a plan needs comes before it, whatever order the findings arrive in.
#[test]
fn plans_follow_what_they_need_in_any_arrival_order() {
    let snap = snapshot();
    let cl = Checklist::parse(WORST, "worst.toml").unwrap();
    let lists = [cl];
    let report = run(&snap, &lists, &Facts::default(), &LintOverrides::new());
    let findings: Vec<&crate::check::Finding> = report.findings().collect();
    let mut reversed = findings.clone();
    reversed.reverse();
    for arrival in [findings, reversed] {
        let plans = super::super::plans_for(arrival, &snap, &lists);
        let at = |id: &str| position(&plans, id);
        let before = |a: &str, b: &str| {
            assert!(
                at(a) < at(b),
                "{a} must come before {b}: {:#?}",
                ids(&plans)
            );
        };
        before(
            "sequence.missing:public.users_id_seq",
            "table.missing:public.users",
        );
        before("enum.missing:public.kind", "table.missing:public.users");
        before("table.missing:public.teams", "table.missing:public.users");
        before(
            "table.missing:public.users",
            "view.missing:public.team_sizes",
        );
        before(
            "view.missing:public.team_sizes",
            "view.missing:public.big_teams",
        );
        before(
            "function.missing:public.touch()",
            "table.missing:public.teams",
        );
        // What a plan needs is named: a refusal of it skips this one.
        let users = &plans[at("table.missing:public.users")];
        assert!(
            users
                .after
                .iter()
                .any(|a| a == "table.missing:public.teams"),
            "{:?}",
            users.after
        );
        assert!(
            plans
                .iter()
                .all(|p| !p.hazards.iter().any(|h| h.contains("cycle")))
        );
    }
}

/// Two plans that need each other through qualified names are a cycle: reported, and put
/// last with each naming the other.
#[test]
fn a_cycle_of_qualified_mentions_is_reported() {
    let toml = r#"
[[view]]
name = "a"
definition = "SELECT b.x FROM public.b"
[[view]]
name = "b"
definition = "SELECT a.x FROM public.a"
"#;
    let snap = snapshot();
    let lists = [Checklist::parse(toml, "cycle.toml").unwrap()];
    let report = run(&snap, &lists, &Facts::default(), &LintOverrides::new());
    let plans = super::super::plans(&report, &snap, &lists);
    assert_eq!(plans.len(), 2, "{:#?}", ids(&plans));
    for p in &plans {
        assert!(
            p.hazards.iter().any(|h| h.contains("dependency cycle")),
            "{:?}",
            p.hazards
        );
        assert_eq!(p.after.len(), 1);
    }
}

mod specs {
    use super::super::*;
    use crate::checklist::Checklist;
    use crate::db::catalog::{ServerInfo, Snapshot};
    use crate::rules::Severity;

    const FIRST: &str = r#"
[[table]]
schema = "s"
name = "t"
primary_key = ["id"]
columns = [{ name = "id", type = "bigint" }, { name = "x", type = "integer" }]

[[table]]
name = "t"
columns = [{ name = "x", type = "integer" }]

[[sequence]]
schema = "s"
name = "t_id_seq"
identity = true
owned_by = "t.id"

[[sequence]]
name = "elsewhere_seq"
identity = true
owned_by = "s.t.id"

[[sequence]]
name = "serial_seq"
owned_by = "t.x"
"#;

    const SECOND: &str = r#"
[[table]]
schema = "s"
name = "t"
columns = [{ name = "other", type = "text" }]

[[table]]
schema = "s"
name = "u"
columns = [{ name = "id", type = "bigint" }]

[[sequence]]
name = "t_x_seq"
identity = true
owned_by = "public.t.x"
"#;

    fn lists() -> Vec<Checklist> {
        vec![
            Checklist::parse(FIRST, "first.toml").unwrap(),
            Checklist::parse(SECOND, "second.toml").unwrap(),
        ]
    }

    fn snapshot() -> Snapshot {
        Snapshot::empty(ServerInfo {
            version_num: 150000,
            version: String::new(),
            database: String::new(),
            current_user: String::new(),
            is_superuser: false,
        })
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn specs_answer_what_the_scans_answered() {
        let (snap, lists) = (snapshot(), lists());
        let cx = Cx::new(&snap, &lists);
        let specs = Specs::new(&cx);
        for (s, t) in [("s", "t"), ("public", "t"), ("s", "u"), ("s", "none")] {
            let scanned = cx
                .table_spec(s, t)
                .map(|(_, spec)| spec as *const TableItem);
            let indexed = specs.table(s, t).map(|spec| spec as *const TableItem);
            assert_eq!(indexed, scanned, "{s}.{t}");
        }
        // The first checklist's s.t wins over the second's.
        assert_eq!(specs.table("s", "t").unwrap().columns.len(), 2);
        for col in [
            &["s", "t", "id"][..],
            &["public", "t", "x"],
            &["s", "t", "x"],
            &["public", "t", "id"],
            &["s", "t"],
        ] {
            let col = strings(col);
            assert_eq!(
                specs.identity_sequences(&col),
                identity_sequences(&cx, &col),
                "{col:?}"
            );
        }
        assert_eq!(
            specs.identity_sequences(&strings(&["s", "t", "id"])),
            [
                Obj::Named("s".into(), "t_id_seq".into()),
                Obj::Named("public".into(), "elsewhere_seq".into())
            ]
        );
    }

    #[test]
    fn a_missing_table_creates_its_columns_keys_and_identity_sequences() {
        let (snap, lists) = (snapshot(), lists());
        let cx = Cx::new(&snap, &lists);
        let f = Finding::new(
            ItemRule::TableMissing,
            Severity::High,
            "s.t".into(),
            "missing".into(),
        );
        let e = effects(&Specs::new(&cx), &f);
        let (s, t) = (String::from("s"), String::from("t"));
        assert_eq!(
            e.creates,
            [
                Obj::Named(s.clone(), t.clone()),
                Obj::Column(s.clone(), t.clone(), "id".into()),
                Obj::Column(s.clone(), t.clone(), "x".into()),
                Obj::Key(s.clone(), t.clone(), vec!["id".into()]),
                Obj::Named(s.clone(), "t_id_seq".into()),
                Obj::Named("public".into(), "elsewhere_seq".into()),
            ]
        );
        assert!(e.alters.is_empty());
    }
}
