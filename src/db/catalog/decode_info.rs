//! Decoding query 1: server facts and the small sets delivered as JSON arrays.

use serde::Deserialize;

use super::acl::{AclItem, parse_aclitem};
use super::read::Row;
use super::snapshot::is_managed_schema;
use super::{
    CatalogError, DefaultAclObject, DefaultPrivilege, Extension, ExtensionMembers, Role, Schema,
    ServerInfo, Snapshot,
};

#[derive(Deserialize)]
struct SchemaJson {
    name: String,
    owner: String,
    comment: Option<String>,
    acl: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RoleJson {
    name: String,
    can_login: bool,
    superuser: bool,
    bypass_rls: bool,
    create_role: bool,
    create_db: bool,
    inherit: bool,
    member_of: Vec<String>,
}

#[derive(Deserialize)]
struct DefaultAclJson {
    role: String,
    schema: Option<String>,
    objtype: String,
    acl: Option<Vec<String>>,
}

/// A table that may hold a migration tool's history.
#[derive(Debug, Deserialize)]
pub(super) struct MigrationTable {
    pub schema: String,
    pub name: String,
    /// `schema.table`, quoted by the server's `quote_ident`.
    pub quoted: String,
    pub readable: bool,
    pub columns: Vec<String>,
}

/// Parses an ACL column: the items, and whether the ACL is NULL (owner-only defaults).
/// Items that cannot be parsed become warnings.
pub(super) fn parse_acl(
    acl: Option<Vec<String>>,
    object: &dyn Fn() -> String,
    warnings: &mut Vec<String>,
) -> (Vec<AclItem>, bool) {
    let Some(items) = acl else {
        return (Vec::new(), true);
    };
    let mut parsed = Vec::with_capacity(items.len());
    for item in items {
        match parse_aclitem(&item) {
            Ok(a) => parsed.push(a),
            Err(e) => warnings.push(format!("{}: {e}", object())),
        }
    }
    (parsed, false)
}

/// Builds the snapshot's skeleton from query 1.
pub(super) fn decode(row: Row<'_>) -> Result<Snapshot, CatalogError> {
    let server = ServerInfo {
        version_num: row.get("version_num")?,
        version: row.get("version")?,
        database: row.get("database")?,
        current_user: row.get("usr")?,
        is_superuser: row.get("is_superuser")?,
    };
    let mut warnings = Vec::new();

    let schemas_json: Vec<SchemaJson> = row.json("schemas")?;
    let schemas = schemas_json
        .into_iter()
        .map(|s| {
            let (acl, acl_is_default) =
                parse_acl(s.acl, &|| format!("schema {:?}", s.name), &mut warnings);
            Schema {
                managed: is_managed_schema(&s.name),
                name: s.name,
                owner: s.owner,
                comment: s.comment,
                acl,
                acl_is_default,
            }
        })
        .collect();

    let extensions: Vec<Extension> = row.json("extensions")?;
    let roles_json: Vec<RoleJson> = row.json("roles")?;
    let roles = roles_json
        .into_iter()
        .map(|r| Role {
            predefined: r.name.starts_with("pg_"),
            name: r.name,
            can_login: r.can_login,
            superuser: r.superuser,
            bypass_rls: r.bypass_rls,
            create_role: r.create_role,
            create_db: r.create_db,
            inherit: r.inherit,
            member_of: r.member_of,
        })
        .collect();

    let defaults_json: Vec<DefaultAclJson> = row.json("default_acl")?;
    let mut default_privileges = Vec::new();
    for d in defaults_json {
        let object_type = match d.objtype.as_str() {
            "r" => DefaultAclObject::Tables,
            "S" => DefaultAclObject::Sequences,
            "f" => DefaultAclObject::Functions,
            "T" => DefaultAclObject::Types,
            "n" => DefaultAclObject::Schemas,
            other => {
                warnings.push(format!("unknown default ACL object type {other:?}"));
                continue;
            }
        };
        let what = || format!("default privileges of {:?}", d.role);
        let (grants, _) = parse_acl(d.acl, &what, &mut warnings);
        default_privileges.push(DefaultPrivilege {
            role: d.role,
            schema: d.schema,
            object_type,
            grants,
        });
    }

    let count = |col: &str| -> Result<u32, CatalogError> {
        let n: i64 = row.get(col)?;
        u32::try_from(n).map_err(|_| row.bad(format!("{col} out of range: {n}")))
    };
    let mut snap = Snapshot::empty(server);
    snap.schemas = schemas;
    snap.roles = roles;
    snap.default_privileges = default_privileges;
    snap.extensions = extensions;
    snap.skipped_extension_members = ExtensionMembers {
        functions: count("ext_functions")?,
        types: count("ext_types")?,
    };
    snap.warnings = warnings;
    // Filled by the follow-up exchange when the table is there and readable.
    snap.public_buckets = row.get::<bool>("buckets_readable")?.then(Vec::new);
    Ok(snap)
}

/// Every table whose name a migration tool uses (classified in `migrations`).
pub(super) fn migration_tables(row: Row<'_>) -> Result<Vec<MigrationTable>, CatalogError> {
    row.json("migration_tables")
}

/// The server's quoting rules and default operator classes, for definitions spelled
/// client-side.
pub(super) fn deparser(row: Row<'_>) -> Result<super::deparse::Deparser, CatalogError> {
    let keywords: Vec<String> = row.json("keywords")?;
    Ok(super::deparse::Deparser {
        quoter: super::text::Quoter {
            keywords: keywords.into_iter().collect(),
            quote_all: row.get("quote_all")?,
        },
        opclasses: row.json("default_opclasses")?,
    })
}
