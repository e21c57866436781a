//! Effective privileges: what a role may do with an object, from the object's ACL, the role's
//! memberships and PUBLIC.
//!
//! A NULL ACL (`acl_is_default`) stands for the object kind's built-in default: the owner holds
//! every privilege, and for functions PUBLIC also holds `EXECUTE`.
//!
//! Membership: a role holds the privileges of the roles it is a member of, transitively, as long
//! as each role along the way has `INHERIT` (the `rolinherit` rule of PostgreSQL 15; PostgreSQL
//! 16's per-grant `INHERIT` option is not in the snapshot, so the role's flag stands for it).
//! Members of the owner hold the owner's privileges; members of `pg_read_all_data` /
//! `pg_write_all_data` hold `SELECT` / `INSERT, UPDATE, DELETE` on every relation.
//!
//! Superusers and `BYPASSRLS` are not special here: a superuser passes every privilege check,
//! but these functions report only what is granted, which is what an auditor wants to see.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::catalog::{
    AclItem, Function, Grantee, Privilege, Schema, Sequence, Snapshot, Table,
};

/// The roles whose privileges `role` holds: itself and, when it inherits, the roles it is a
/// member of, transitively through inheriting roles. Unknown roles have only themselves.
pub fn effective_roles(s: &Snapshot, role: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([role.to_string()]);
    let mut todo = vec![role.to_string()];
    while let Some(r) = todo.pop() {
        let Some(info) = s.roles.iter().find(|x| x.name == r) else {
            continue;
        };
        if !info.inherit {
            continue;
        }
        for g in &info.member_of {
            if out.insert(g.clone()) {
                todo.push(g.clone());
            }
        }
    }
    out
}

/// Every privilege a relation (table, view, materialized view, foreign table) can carry on
/// this server (`MAINTAIN` from PostgreSQL 17 on).
pub fn all_relation_privileges(s: &Snapshot) -> BTreeSet<Privilege> {
    Privilege::on_tables(s.server.version_num).collect()
}

/// What `role` may do on a table, view or other relation.
pub fn table_privileges(s: &Snapshot, table: &Table, role: &str) -> BTreeSet<Privilege> {
    let roles = effective_roles(s, role);
    let mut out = held(
        &table.acl,
        table.acl_is_default,
        &table.owner,
        &roles,
        || all_relation_privileges(s),
    );
    if roles.contains("pg_read_all_data") {
        out.insert(Privilege::Select);
    }
    if roles.contains("pg_write_all_data") {
        out.extend([Privilege::Insert, Privilege::Update, Privilege::Delete]);
    }
    out
}

/// What `role` holds on a column by column-level grants (to it, a role it belongs to, or
/// PUBLIC); `public` asks for PUBLIC's own.
pub fn column_privileges(
    s: &Snapshot,
    col: &crate::db::catalog::Column,
    role: &str,
) -> BTreeSet<Privilege> {
    if role.eq_ignore_ascii_case("public") {
        return direct(&col.acl, &Grantee::Public);
    }
    let roles = effective_roles(s, role);
    col.acl
        .iter()
        .filter(|i| match &i.grantee {
            Grantee::Public => true,
            Grantee::Role(r) => roles.contains(r),
        })
        .flat_map(|i| i.privileges.iter().map(|p| p.privilege))
        .collect()
}

/// What `role` may do on a sequence.
pub fn sequence_privileges(s: &Snapshot, seq: &Sequence, role: &str) -> BTreeSet<Privilege> {
    use Privilege::*;
    let roles = effective_roles(s, role);
    let mut out = held(&seq.acl, seq.acl_is_default, &seq.owner, &roles, || {
        BTreeSet::from([Usage, Select, Update])
    });
    if roles.contains("pg_read_all_data") {
        out.insert(Select);
    }
    if roles.contains("pg_write_all_data") {
        out.insert(Update);
    }
    out
}

/// What `role` may do on a schema.
pub fn schema_privileges(s: &Snapshot, schema: &Schema, role: &str) -> BTreeSet<Privilege> {
    use Privilege::*;
    let roles = effective_roles(s, role);
    let mut out = held(
        &schema.acl,
        schema.acl_is_default,
        &schema.owner,
        &roles,
        || BTreeSet::from([Usage, Create]),
    );
    if roles.contains("pg_read_all_data") || roles.contains("pg_write_all_data") {
        out.insert(Usage);
    }
    out
}

/// Whether `role` may execute a function (a NULL ACL lets PUBLIC execute it).
pub fn function_executable_by(s: &Snapshot, f: &Function, role: &str) -> bool {
    let roles = effective_roles(s, role);
    let acl = function_acl(f);
    held(&acl, false, &f.owner, &roles, BTreeSet::new).contains(&Privilege::Execute)
}

/// Whether PUBLIC (every role) may execute a function.
pub fn function_executable_by_public(f: &Function) -> bool {
    function_acl(f)
        .iter()
        .filter(|i| i.grantee == Grantee::Public)
        .any(|i| {
            i.privileges
                .iter()
                .any(|p| p.privilege == Privilege::Execute)
        })
}

/// The privileges PUBLIC holds on a relation (explicit grants only: a NULL ACL grants PUBLIC
/// nothing on relations).
pub fn public_table_privileges(table: &Table) -> BTreeSet<Privilege> {
    direct(&table.acl, &Grantee::Public)
}

/// Every grantee holding something on a relation, directly (no membership expansion), with
/// what it holds; a NULL ACL gives the owner everything. Ordered PUBLIC first, then by name.
pub fn roles_holding_any(s: &Snapshot, table: &Table) -> Vec<(Grantee, BTreeSet<Privilege>)> {
    let acl = if table.acl_is_default {
        owner_acl(&table.owner, all_relation_privileges(s))
    } else {
        table.acl.clone()
    };
    let mut by: BTreeMap<Grantee, BTreeSet<Privilege>> = BTreeMap::new();
    for item in &acl {
        let set = by.entry(item.grantee.clone()).or_default();
        set.extend(item.privileges.iter().map(|p| p.privilege));
    }
    by.into_iter().filter(|(_, p)| !p.is_empty()).collect()
}

/// `SELECT, INSERT`: privileges as SQL keywords, in a stable order.
pub fn list(privileges: &BTreeSet<Privilege>) -> String {
    let words: Vec<&str> = privileges.iter().map(|p| p.as_sql()).collect();
    words.join(", ")
}

/// The function's ACL with the NULL default spelled out.
fn function_acl(f: &Function) -> Vec<AclItem> {
    if !f.acl_is_default {
        return f.acl.clone();
    }
    let mut acl = owner_acl(&f.owner, BTreeSet::from([Privilege::Execute]));
    acl.push(item(Grantee::Public, &f.owner, [Privilege::Execute]));
    acl
}

fn owner_acl(owner: &str, all: BTreeSet<Privilege>) -> Vec<AclItem> {
    vec![item(Grantee::Role(owner.to_string()), owner, all)]
}

fn item(grantee: Grantee, grantor: &str, privs: impl IntoIterator<Item = Privilege>) -> AclItem {
    AclItem {
        grantee,
        grantor: grantor.to_string(),
        privileges: privs
            .into_iter()
            .map(|privilege| crate::db::catalog::PrivilegeGrant {
                privilege,
                grantable: false,
            })
            .collect(),
    }
}

/// What `roles` (and PUBLIC) hold in `acl`; a NULL ACL is the owner holding `owner_default()`.
fn held(
    acl: &[AclItem],
    acl_is_default: bool,
    owner: &str,
    roles: &BTreeSet<String>,
    owner_default: impl FnOnce() -> BTreeSet<Privilege>,
) -> BTreeSet<Privilege> {
    if acl_is_default {
        return if roles.contains(owner) {
            owner_default()
        } else {
            BTreeSet::new()
        };
    }
    acl.iter()
        .filter(|i| match &i.grantee {
            Grantee::Public => true,
            Grantee::Role(r) => roles.contains(r),
        })
        .flat_map(|i| i.privileges.iter().map(|p| p.privilege))
        .collect()
}

fn direct(acl: &[AclItem], grantee: &Grantee) -> BTreeSet<Privilege> {
    acl.iter()
        .filter(|i| &i.grantee == grantee)
        .flat_map(|i| i.privileges.iter().map(|p| p.privilege))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::catalog::{
        FunctionKind, RelationKind, Role, ServerInfo, Volatility, parse_aclitem,
    };

    fn role(name: &str, inherit: bool, member_of: &[&str]) -> Role {
        Role {
            name: name.into(),
            can_login: false,
            superuser: false,
            bypass_rls: false,
            create_role: false,
            create_db: false,
            inherit,
            member_of: member_of.iter().map(|m| m.to_string()).collect(),
            predefined: name.starts_with("pg_"),
        }
    }

    fn acl(items: &[&str]) -> Vec<AclItem> {
        items.iter().map(|i| parse_aclitem(i).unwrap()).collect()
    }

    fn snapshot(roles: Vec<Role>) -> Snapshot {
        let mut s = Snapshot::empty(ServerInfo {
            version_num: 150004,
            version: "PostgreSQL 15.4".into(),
            database: "db".into(),
            current_user: "owner".into(),
            is_superuser: true,
        });
        s.roles = roles;
        s
    }

    fn table(acl_items: Option<&[&str]>) -> Table {
        let mut t = Table::bare("public", "t", RelationKind::Table);
        t.owner = "owner".into();
        t.acl = acl_items.map(acl).unwrap_or_default();
        t.acl_is_default = acl_items.is_none();
        t
    }

    fn function(acl_items: Option<&[&str]>) -> Function {
        Function {
            schema: "public".into(),
            name: "f".into(),
            kind: FunctionKind::Function,
            identity_arguments: String::new(),
            result: Some("integer".into()),
            language: "sql".into(),
            security_definer: false,
            volatility: Volatility::Volatile,
            config: vec![],
            owner: "owner".into(),
            acl: acl_items.map(acl).unwrap_or_default(),
            acl_is_default: acl_items.is_none(),
            comment: None,
            definition: None,
        }
    }

    fn set(p: &[Privilege]) -> BTreeSet<Privilege> {
        p.iter().copied().collect()
    }

    use Privilege::*;

    #[test]
    fn null_acl_gives_the_owner_everything_and_others_nothing() {
        let s = snapshot(vec![
            role("owner", true, &[]),
            role("app", true, &["owner"]),
            role("stranger", true, &[]),
        ]);
        let t = table(None);
        assert_eq!(
            table_privileges(&s, &t, "owner"),
            all_relation_privileges(&s)
        );
        assert_eq!(table_privileges(&s, &t, "app"), all_relation_privileges(&s));
        assert!(table_privileges(&s, &t, "stranger").is_empty());
        assert!(public_table_privileges(&t).is_empty());
        let holders = roles_holding_any(&s, &t);
        assert_eq!(holders.len(), 1);
        assert_eq!(holders[0].0, Grantee::Role("owner".into()));
    }

    #[test]
    fn public_and_transitive_inherited_grants_add_up() {
        let s = snapshot(vec![
            role("owner", true, &[]),
            role("readers", true, &[]),
            role("staff", true, &["readers"]),
            role("alice", true, &["staff"]),
            role("bob", false, &["staff"]),
            role("carol", true, &["gate"]),
            role("gate", false, &["readers"]),
        ]);
        let t = table(Some(&[
            "owner=arwdDxt/owner",
            "=a/owner",
            "readers=r/owner",
            "staff=w/owner",
        ]));
        assert_eq!(
            table_privileges(&s, &t, "alice"),
            set(&[Select, Insert, Update])
        );
        // NOINHERIT: only its own grants and PUBLIC's.
        assert_eq!(table_privileges(&s, &t, "bob"), set(&[Insert]));
        // Inherits from gate, but gate (NOINHERIT) does not pass readers on.
        assert_eq!(table_privileges(&s, &t, "carol"), set(&[Insert]));
        assert_eq!(table_privileges(&s, &t, "nobody_known"), set(&[Insert]));
        assert_eq!(public_table_privileges(&t), set(&[Insert]));
        let holders: Vec<String> = roles_holding_any(&s, &t)
            .iter()
            .map(|(g, p)| format!("{}:{}", g.display_name(), list(p)))
            .collect();
        assert_eq!(
            holders,
            [
                "PUBLIC:INSERT",
                "owner:SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
                "readers:SELECT",
                "staff:UPDATE",
            ]
        );
    }

    #[test]
    fn predefined_data_roles_reach_every_table() {
        let s = snapshot(vec![role("auditor", true, &["pg_read_all_data"])]);
        let t = table(Some(&["owner=arwdDxt/owner"]));
        assert_eq!(table_privileges(&s, &t, "auditor"), set(&[Select]));
    }

    #[test]
    fn functions_default_to_public_execute() {
        let s = snapshot(vec![role("owner", true, &[]), role("anon", false, &[])]);
        let f = function(None);
        assert!(function_executable_by(&s, &f, "anon"));
        assert!(function_executable_by_public(&f));
        let revoked = function(Some(&["owner=X/owner"]));
        assert!(!function_executable_by(&s, &revoked, "anon"));
        assert!(function_executable_by(&s, &revoked, "owner"));
        assert!(!function_executable_by_public(&revoked));
        let granted = function(Some(&["owner=X/owner", "anon=X/owner"]));
        assert!(function_executable_by(&s, &granted, "anon"));
        assert!(!function_executable_by_public(&granted));
    }
}
