//! The derivation, on hand-made catalogs: privileges first, then RLS and the deciding policy.

use crate::db::catalog::{
    Column, Policy, PolicyCommand, QualifiedName, RelationKind, Role, Schema, ServerInfo, Snapshot,
    Table, parse_aclitem,
};

use super::derive::verdict;
use super::{Verdict, subjects};

fn column(name: &str, acl: &[&str]) -> Column {
    Column {
        name: name.into(),
        position: 1,
        data_type: "text".into(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
        acl: acl.iter().map(|a| parse_aclitem(a).unwrap()).collect(),
    }
}

fn role(name: &str, bypass: bool) -> Role {
    Role {
        name: name.into(),
        can_login: false,
        superuser: false,
        bypass_rls: bypass,
        create_role: false,
        create_db: false,
        inherit: false,
        member_of: Vec::new(),
        predefined: false,
    }
}

fn policy(
    name: &str,
    cmd: PolicyCommand,
    roles: &[&str],
    using: Option<&str>,
    check: Option<&str>,
) -> Policy {
    Policy {
        name: name.into(),
        table: QualifiedName {
            schema: "public".into(),
            name: "notes".into(),
        },
        permissive: true,
        command: cmd,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        using_expr: using.map(String::from),
        with_check_expr: check.map(String::from),
    }
}

/// `public.notes` owned by `owner`, with `acl` (aclitem texts), RLS as said.
fn db(acl: &[&str], rls: bool, policies: Vec<Policy>) -> (Snapshot, Table) {
    let mut s = Snapshot::empty(ServerInfo {
        version_num: 150004,
        version: "PostgreSQL 15.4".into(),
        database: "db".into(),
        current_user: "owner".into(),
        is_superuser: true,
    });
    s.roles = vec![
        role("owner", false),
        role("anon", false),
        role("authenticated", false),
        role("service_role", true),
    ];
    s.schemas = vec![Schema {
        name: "public".into(),
        owner: "owner".into(),
        comment: None,
        managed: false,
        acl: vec![
            parse_aclitem("owner=UC/owner").unwrap(),
            parse_aclitem("=U/owner").unwrap(),
        ],
        acl_is_default: false,
    }];
    let mut t = Table::bare("public", "notes", RelationKind::Table);
    t.owner = "owner".into();
    t.acl = acl.iter().map(|a| parse_aclitem(a).unwrap()).collect();
    t.acl_is_default = false;
    t.rls_enabled = rls;
    t.policies = policies;
    (s, t)
}

#[test]
fn no_grant_is_denied_whatever_the_policies() {
    let (s, t) = db(
        &["owner=arwd/owner"],
        true,
        vec![policy(
            "all",
            PolicyCommand::All,
            &["public"],
            Some("true"),
            None,
        )],
    );
    assert!(verdict(&s, &t, "anon", PolicyCommand::Select).is_denied());
    assert_eq!(
        verdict(&s, &t, "owner", PolicyCommand::Select),
        Verdict::Allowed {
            why: "owner".into()
        }
    );
}

#[test]
fn rls_off_allows_every_row_and_service_role_bypasses() {
    let (s, t) = db(
        &["anon=arwd/owner", "service_role=arwd/owner"],
        false,
        vec![],
    );
    assert_eq!(
        verdict(&s, &t, "anon", PolicyCommand::Delete),
        Verdict::Allowed {
            why: "RLS off".into()
        }
    );
    let (s, t) = db(
        &["anon=arwd/owner", "service_role=arwd/owner"],
        true,
        vec![],
    );
    assert_eq!(
        verdict(&s, &t, "anon", PolicyCommand::Select),
        Verdict::NoPolicy
    );
    assert_eq!(
        verdict(&s, &t, "service_role", PolicyCommand::Select),
        Verdict::Allowed {
            why: "bypasses RLS".into()
        }
    );
}

#[test]
fn the_deciding_policy_is_named_per_command() {
    let own = "(auth.uid() = user_id)";
    let (s, t) = db(
        &["authenticated=arwd/owner"],
        true,
        vec![
            policy(
                "read_own",
                PolicyCommand::Select,
                &["authenticated"],
                Some(own),
                None,
            ),
            policy(
                "write_own",
                PolicyCommand::Insert,
                &["authenticated"],
                None,
                Some(own),
            ),
            policy(
                "open_update",
                PolicyCommand::Update,
                &["authenticated"],
                Some("true"),
                Some("true"),
            ),
            policy(
                "anon_read",
                PolicyCommand::Select,
                &["anon"],
                Some("true"),
                None,
            ),
        ],
    );
    let v = |c| verdict(&s, &t, "authenticated", c);
    assert_eq!(
        v(PolicyCommand::Select),
        Verdict::Filtered {
            policies: vec!["read_own".into()],
            restrictive: vec![]
        }
    );
    assert_eq!(
        v(PolicyCommand::Insert),
        Verdict::Filtered {
            policies: vec!["write_own".into()],
            restrictive: vec![]
        }
    );
    assert_eq!(
        v(PolicyCommand::Update),
        Verdict::Allowed {
            why: "policy open_update is true".into()
        }
    );
    assert_eq!(v(PolicyCommand::Delete), Verdict::NoPolicy);
}

#[test]
fn a_restrictive_policy_keeps_a_true_one_from_allowing_all() {
    let mut r = policy(
        "not_banned",
        PolicyCommand::Select,
        &["public"],
        Some("(NOT banned)"),
        None,
    );
    r.permissive = false;
    let (s, t) = db(
        &["anon=r/owner"],
        true,
        vec![
            policy(
                "everyone",
                PolicyCommand::All,
                &["public"],
                Some("true"),
                None,
            ),
            r,
        ],
    );
    assert_eq!(
        verdict(&s, &t, "anon", PolicyCommand::Select),
        Verdict::Filtered {
            policies: vec!["everyone".into()],
            restrictive: vec!["not_banned".into()]
        }
    );
}

#[test]
fn column_grants_count_and_schema_usage_is_needed() {
    let (mut s, mut t) = db(&["owner=arwd/owner"], false, vec![]);
    t.columns.push(column("body", &["anon=r/owner"]));
    assert!(!verdict(&s, &t, "anon", PolicyCommand::Select).is_denied());
    assert!(verdict(&s, &t, "anon", PolicyCommand::Update).is_denied());
    t.columns[0].acl.clear();
    s.schemas[0].acl = vec![parse_aclitem("owner=UC/owner").unwrap()];
    t.acl = vec![parse_aclitem("anon=r/owner").unwrap()];
    assert_eq!(
        verdict(&s, &t, "anon", PolicyCommand::Select),
        Verdict::Denied {
            why: "no USAGE on schema public".into()
        }
    );
}

#[test]
fn owners_are_found_in_policies_before_names() {
    let (_, mut by_policy) = db(
        &[],
        true,
        vec![policy(
            "p",
            PolicyCommand::Select,
            &["authenticated"],
            Some("(auth.uid() = author)"),
            None,
        )],
    );
    let col = |n: &str| column(n, &[]);
    by_policy.columns = vec![col("id"), col("author")];
    by_policy.row_estimate = 5;
    let mut by_name = Table::bare("public", "big", RelationKind::Table);
    by_name.columns = vec![col("id"), col("userId")];
    by_name.row_estimate = 1_000_000;
    let found = subjects::owner_columns(&[&by_name, &by_policy]);
    let names: Vec<(&str, &str)> = found
        .iter()
        .map(|(t, c)| (t.name.as_str(), c.as_str()))
        .collect();
    assert_eq!(names, [("notes", "author"), ("big", "userId")]);
}
