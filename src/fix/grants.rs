//! Grants and revokes on tables and views: `grant.excess`, `grant.missing`, the
//! `api_role_privileges_on_user_data` lint, and the grant items a newly created relation must
//! meet at once.
//!
//! A revoke removes only what the role (or PUBLIC) holds directly. A privilege is revoked as
//! the role that granted it (`SET LOCAL ROLE grantor` when that is not the owner), since
//! PostgreSQL removes only a grantor's own grants. Undo grants back exactly what was revoked,
//! grant options included.

use std::collections::BTreeSet;

use crate::check::Finding;
use crate::checklist::{Checklist, GrantItem};
use crate::db::catalog::{AclItem, Grantee, Privilege, Table};
use crate::db::privileges::{all_relation_privileges, effective_roles, table_privileges};
use crate::sql::stmt::{grant_on_table, revoke_on_table};
use crate::sql::{qualified, quote_ident};

use super::build::B;
use super::cx::Cx;
use super::plan::Plan;

fn list(ps: &BTreeSet<Privilege>) -> String {
    ps.iter().map(|p| p.as_sql()).collect::<Vec<_>>().join(", ")
}

fn grantee_sql(g: &Grantee) -> String {
    match g {
        Grantee::Public => "PUBLIC".into(),
        Grantee::Role(r) => quote_ident(r),
    }
}

/// `sql` run as `grantor` when it is not the owner.
fn as_grantor(t: &Table, grantor: &str, sql: String) -> String {
    if grantor == t.owner {
        sql
    } else {
        format!(
            "SET LOCAL ROLE {};\n{sql};\nRESET ROLE",
            quote_ident(grantor)
        )
    }
}

/// The denied and allowed privileges of a grant item (`deny = ["ALL"]` is every privilege).
fn item_privileges(cx: &Cx, g: &GrantItem) -> (BTreeSet<Privilege>, BTreeSet<Privilege>) {
    let deny = if g.deny.iter().any(|d| d.eq_ignore_ascii_case("ALL")) {
        all_relation_privileges(cx.snap)
    } else {
        g.deny
            .iter()
            .filter_map(|d| Privilege::named_on_table(d))
            .collect()
    };
    let allow = g
        .allow
        .iter()
        .filter_map(|a| Privilege::named_on_table(a))
        .collect();
    (deny, allow)
}

/// Revokes from `grantee` what it holds directly of `privs` on `t`; returns what it revoked.
fn revoke_direct(
    b: &mut B,
    t: &Table,
    grantee: &Grantee,
    privs: &BTreeSet<Privilege>,
) -> BTreeSet<Privilege> {
    let mut done = BTreeSet::new();
    if t.acl_is_default {
        return done;
    }
    for item in t.acl.iter().filter(|i| &i.grantee == grantee) {
        done.extend(revoke_item(b, t, item, privs, &list));
    }
    done
}

/// Revokes from `grantee` what it holds of `privs` by column grants on `t`'s columns, one
/// statement per column and grantor; returns what it revoked.
fn revoke_columns(
    b: &mut B,
    t: &Table,
    grantee: &Grantee,
    privs: &BTreeSet<Privilege>,
) -> BTreeSet<Privilege> {
    let mut done = BTreeSet::new();
    for c in &t.columns {
        let col = quote_ident(&c.name);
        let spelled = |ps: &BTreeSet<Privilege>| {
            ps.iter()
                .map(|p| format!("{} ({col})", p.as_sql()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for item in c.acl.iter().filter(|i| &i.grantee == grantee) {
            done.extend(revoke_item(b, t, item, privs, &spelled));
        }
    }
    done
}

/// Revokes what one ACL item of `t` (or of a column: `spell` writes the privileges with it)
/// holds of `privs`, as its grantor; undo grants it back, grant options included.
fn revoke_item(
    b: &mut B,
    t: &Table,
    item: &AclItem,
    privs: &BTreeSet<Privilege>,
    spell: &dyn Fn(&BTreeSet<Privilege>) -> String,
) -> BTreeSet<Privilege> {
    let tq = qualified(&t.schema, &t.name);
    let who = grantee_sql(&item.grantee);
    let held: BTreeSet<Privilege> = item
        .privileges
        .iter()
        .map(|p| p.privilege)
        .filter(|p| privs.contains(p))
        .collect();
    if held.is_empty() {
        return held;
    }
    b.tx(
        format!("revoke {} on {tq} from {who}", spell(&held)),
        as_grantor(t, &item.grantor, revoke_on_table(&spell(&held), &tq, &who)),
    );
    let (with_option, plain): (Vec<_>, Vec<_>) = item
        .privileges
        .iter()
        .filter(|p| held.contains(&p.privilege))
        .partition(|p| p.grantable);
    for (set, opt) in [(plain, false), (with_option, true)] {
        let set: BTreeSet<Privilege> = set.iter().map(|p| p.privilege).collect();
        if !set.is_empty() {
            b.undo_tx(
                format!("grant {} on {tq} back to {who}", spell(&set)),
                as_grantor(
                    t,
                    &item.grantor,
                    grant_on_table(&spell(&set), &tq, &who, opt),
                ),
            );
        }
    }
    held
}

fn grant_item<'a>(cx: &Cx<'a>, f: &Finding) -> Option<(&'a Checklist, &'a GrantItem, &'a Table)> {
    let (cl, g) = cx.item(f, |c| &c.grants)?;
    let t = cx.relation_by_object(&f.object)?;
    (!cx.managed(&t.schema)).then_some((cl, g, t))
}

/// `grant.excess`: revoke what the role must not hold, from it and from PUBLIC.
pub(crate) fn excess(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, g, t) = grant_item(cx, f)?;
    let tq = qualified(&t.schema, &t.name);
    let (deny, _) = item_privileges(cx, g);
    let have = table_privileges(cx.snap, t, &g.role);
    let excess: BTreeSet<Privilege> = have.intersection(&deny).copied().collect();
    let mut b = B::new(
        &f.id,
        format!(
            "revoke {} on {tq} from {}",
            list(&excess),
            quote_ident(&g.role)
        ),
    );
    b.table(&tq);
    let mut gone = revoke_direct(&mut b, t, &Grantee::Role(g.role.clone()), &excess);
    let via_public = revoke_direct(&mut b, t, &Grantee::Public, &excess);
    if !via_public.is_empty() {
        b.hazard(format!(
            "{} also comes from PUBLIC: revoking it from PUBLIC takes it from every role \
             that relied on it",
            list(&via_public)
        ));
    }
    gone.extend(via_public);
    if gone.is_empty() {
        return None;
    }
    if g.role == "anon" && deny == all_relation_privileges(cx.snap) {
        // anon and PUBLIC left with nothing: what the lint asks.
        b.covers(format!("lint.api_role_privileges_on_user_data:{tq}"));
    }
    let left: BTreeSet<Privilege> = excess.difference(&gone).copied().collect();
    if !left.is_empty() {
        let through: Vec<String> = effective_roles(cx.snap, &g.role)
            .into_iter()
            .filter(|r| r != &g.role)
            .collect();
        b.hazard(format!(
            "{} holds {} through membership in {}: not revoked here (revoke it from that role \
             or REVOKE the membership)",
            quote_ident(&g.role),
            list(&left),
            through.join(", ")
        ));
    }
    b.lock(
        &tq,
        super::build::locks::ACCESS_EXCLUSIVE,
        super::build::locks::brief(&tq),
    );
    b.hazard(format!(
        "clients acting as {} lose {} on {tq} at once",
        quote_ident(&g.role),
        list(&gone)
    ));
    Some(b.done())
}

/// `grant.missing`: grant what the role lacks.
pub(crate) fn missing(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (_, g, t) = grant_item(cx, f)?;
    if !cx.role_exists(&g.role) {
        return None;
    }
    let tq = qualified(&t.schema, &t.name);
    let (_, allow) = item_privileges(cx, g);
    let have = table_privileges(cx.snap, t, &g.role);
    let lacking: BTreeSet<Privilege> = allow.difference(&have).copied().collect();
    if lacking.is_empty() {
        return None;
    }
    let role = quote_ident(&g.role);
    let mut b = B::new(&f.id, format!("grant {} on {tq} to {role}", list(&lacking)));
    b.table(&tq)
        .tx(
            format!("grant {} on {tq} to {role}", list(&lacking)),
            grant_on_table(&list(&lacking), &tq, &role, false),
        )
        .undo_tx(
            format!("revoke {} on {tq} from {role}", list(&lacking)),
            revoke_on_table(&list(&lacking), &tq, &role),
        )
        .lock(
            &tq,
            super::build::locks::ACCESS_EXCLUSIVE,
            super::build::locks::brief(&tq),
        );
    if t.rls_enabled {
        b.hazard(format!(
            "row level security is on for {tq}: its policies still decide which rows {role} reaches"
        ));
    } else {
        b.hazard(format!(
            "row level security is off for {tq}: {role} reaches every row"
        ));
    }
    Some(b.done())
}

/// `lint.api_role_privileges_on_user_data`: revoke what anon and PUBLIC hold directly, except
/// what a checklist allows anon.
pub(crate) fn lint_api_roles(cx: &Cx, f: &Finding) -> Option<Plan> {
    let t = cx.relation_by_object(&f.object)?;
    if cx.managed(&t.schema) {
        return None;
    }
    let tq = qualified(&t.schema, &t.name);
    let allowed_anon: BTreeSet<Privilege> = cx
        .grants_in(&t.schema)
        .iter()
        .filter(|(cl, g)| g.role == "anon" && covers(cl, g, &t.schema, &t.name))
        .flat_map(|(_, g)| item_privileges(cx, g).1)
        .collect();
    let all: BTreeSet<Privilege> = all_relation_privileges(cx.snap);
    let mut b = B::new(
        &f.id,
        format!("revoke anon's and PUBLIC's privileges on {tq}"),
    );
    b.table(&tq);
    let mut gone = BTreeSet::new();
    if cx.role_exists("anon") {
        let revoke: BTreeSet<Privilege> = all.difference(&allowed_anon).copied().collect();
        let anon = Grantee::Role("anon".into());
        gone.extend(revoke_direct(&mut b, t, &anon, &revoke));
        gone.extend(revoke_columns(&mut b, t, &anon, &revoke));
    }
    gone.extend(revoke_direct(&mut b, t, &Grantee::Public, &all));
    gone.extend(revoke_columns(&mut b, t, &Grantee::Public, &all));
    if gone.is_empty() {
        return None;
    }
    if allowed_anon.is_empty() {
        b.covers(format!("grant.excess:{tq}/anon"));
    }
    b.lock(
        &tq,
        super::build::locks::ACCESS_EXCLUSIVE,
        super::build::locks::brief(&tq),
    )
    .hazard(format!(
        "signed-out clients (anon) and roles relying on PUBLIC lose {} on {tq}",
        list(&gone)
    ));
    Some(b.done())
}

/// `lint.materialized_view_in_api`, `lint.foreign_table_in_api`: revoke every privilege anon,
/// authenticated and PUBLIC hold on the relation (on it and on its columns).
pub(crate) fn lint_api_read(cx: &Cx, f: &Finding) -> Option<Plan> {
    let t = cx.relation_by_object(&f.object)?;
    if cx.managed(&t.schema) {
        return None;
    }
    let tq = qualified(&t.schema, &t.name);
    let all: BTreeSet<Privilege> = all_relation_privileges(cx.snap);
    let mut b = B::new(&f.id, format!("revoke the API roles' privileges on {tq}"));
    b.table(&tq);
    let mut gone = BTreeSet::new();
    let mut grantees = vec![Grantee::Public];
    for r in ["anon", "authenticated"] {
        if cx.role_exists(r) {
            grantees.push(Grantee::Role(r.into()));
        }
    }
    for g in &grantees {
        gone.extend(revoke_direct(&mut b, t, g, &all));
        gone.extend(revoke_columns(&mut b, t, g, &all));
    }
    if gone.is_empty() {
        return None;
    }
    b.lock(
        &tq,
        super::build::locks::ACCESS_EXCLUSIVE,
        super::build::locks::brief(&tq),
    )
    .hazard(format!(
        "anon, authenticated and roles relying on PUBLIC lose {} on {tq}: API clients can no \
         longer read it",
        list(&gone)
    ));
    Some(b.done())
}

/// The grant item reaches `schema.name` (named, or by `schema.*`).
pub(crate) fn covers(cl: &Checklist, g: &GrantItem, schema: &str, name: &str) -> bool {
    g.on.iter().any(|p| {
        let (s, n) = cl.qualify(p, None);
        s == schema && (crate::checklist::is_wildcard(p) || n == name)
    })
}

/// The grant items' rules applied to a relation just created (in the current group): revoke
/// what a role must not hold (Supabase's default privileges grant anon everything), grant what
/// it must.
pub(crate) fn for_new_relation(cx: &Cx, b: &mut B, schema: &str, name: &str) {
    let tq = qualified(schema, name);
    for &(cl, g) in cx.grants_in(schema) {
        if !covers(cl, g, schema, name) {
            continue;
        }
        let role = quote_ident(&g.role);
        if !cx.role_exists(&g.role) {
            b.hazard(format!(
                "role {role} does not exist: its grants on {tq} are left out"
            ));
            continue;
        }
        let (deny, allow) = item_privileges(cx, g);
        if !deny.is_empty() {
            let what = if deny == all_relation_privileges(cx.snap) {
                "ALL".to_string()
            } else {
                list(&deny)
            };
            b.tx(
                format!("revoke {what} on {tq} from {role}"),
                revoke_on_table(&what, &tq, &role),
            );
        }
        if !allow.is_empty() {
            b.tx(
                format!("grant {} on {tq} to {role}", list(&allow)),
                grant_on_table(&list(&allow), &tq, &role, false),
            );
        }
        if g.on
            .iter()
            .any(|p| cl.qualify(p, None) == (schema.into(), name.into()))
        {
            b.covers(format!("grant.table_missing:{tq}/{}", g.role));
        }
    }
}

/// `default_privilege.missing`: `ALTER DEFAULT PRIVILEGES FOR ROLE … [IN SCHEMA …] GRANT …`.
pub(crate) fn default_privileges(cx: &Cx, f: &Finding) -> Option<Plan> {
    let (cl, spec) = cx.item(f, |c| &c.default_privileges)?;
    let on = match spec.on.to_ascii_lowercase().as_str() {
        "tables" => "TABLES",
        "sequences" => "SEQUENCES",
        "functions" | "routines" => "FUNCTIONS",
        "types" => "TYPES",
        "schemas" => "SCHEMAS",
        _ => return None,
    };
    const WORDS: [&str; 13] = [
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "TRUNCATE",
        "REFERENCES",
        "TRIGGER",
        "USAGE",
        "EXECUTE",
        "CREATE",
        "MAINTAIN",
        "ALL",
        "ALL PRIVILEGES",
    ];
    let mut privs = Vec::new();
    for p in &spec.privileges {
        let up = p.trim().to_ascii_uppercase();
        privs.push(*WORDS.iter().find(|w| **w == up)?);
    }
    let _ = cl;
    let role = quote_ident(&spec.role);
    let grantee = if spec.grantee.eq_ignore_ascii_case("public") {
        "PUBLIC".to_string()
    } else {
        quote_ident(&spec.grantee)
    };
    let scope = match &spec.schema {
        Some(s) => format!(" IN SCHEMA {}", quote_ident(s)),
        None => String::new(),
    };
    if privs.is_empty() {
        // `privileges = []`: the grantee (PUBLIC, usually) gets nothing by default.
        let mut b = B::new(
            &f.id,
            format!(
                "{grantee} gets nothing on {role}'s future {}",
                on.to_lowercase()
            ),
        );
        b.tx(
            format!(
                "revoke {grantee}'s default privileges on {}",
                on.to_lowercase()
            ),
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {role}{scope} REVOKE ALL ON {on} FROM {grantee}"
            ),
        )
        .undo_tx(
            "give them back",
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {role}{scope} GRANT ALL ON {on} TO {grantee}"
            ),
        )
        .hazard("only objects created from now on are affected; existing ones keep their grants");
        return Some(b.done());
    }
    let list = privs.join(", ");
    let mut b = B::new(
        &f.id,
        format!(
            "default privileges of {role}: {list} on {} to {grantee}",
            on.to_lowercase()
        ),
    );
    b.tx(
        format!("grant {list} on {role}'s future {}", on.to_lowercase()),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {role}{scope} GRANT {list} ON {on} TO {grantee}"
        ),
    )
    .undo_tx(
        "revoke them again",
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {role}{scope} REVOKE {list} ON {on} FROM {grantee}"
        ),
    )
    .hazard("only objects created from now on get these privileges; existing ones keep theirs");
    Some(b.done())
}

/// `GRANT list ON target TO role` and its undo, for privileges named in a checklist (only
/// known privilege keywords reach the SQL), each on `column` when given (quoted); None when
/// one is not a privilege.
pub(crate) fn grant_pair(
    privileges: &[String],
    target: &str,
    role: &str,
    column: Option<&str>,
) -> Option<(String, String)> {
    let mut words = Vec::new();
    for p in privileges {
        let w = Privilege::named(p)?.as_sql();
        words.push(match column {
            Some(c) => format!("{w} ({c})"),
            None => w.to_string(),
        });
    }
    if words.is_empty() {
        return None;
    }
    let who = if role.eq_ignore_ascii_case("public") {
        "PUBLIC".to_string()
    } else {
        quote_ident(role)
    };
    let list = words.join(", ");
    Some((
        format!("GRANT {list} ON {target} TO {who}"),
        format!("REVOKE {list} ON {target} FROM {who}"),
    ))
}
