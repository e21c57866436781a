//! Decoding types (query 6) and functions (query 7), row by row.

use sqlx::postgres::PgRow;

use super::decode_info::parse_acl;
use super::read::Row;
use super::{
    CatalogError, CompositeAttribute, CompositeType, Domain, DomainCheck, EnumType, Function,
    FunctionKind, Snapshot, Volatility,
};

pub(super) fn type_row(row: &PgRow, snap: &mut Snapshot) -> Result<(), CatalogError> {
    let r = Row::new(row, "types");
    let schema: String = r.get("schema")?;
    let name: String = r.get("name")?;
    let owner: String = r.get("owner")?;
    let comment: Option<String> = r.get("comment")?;
    match r.get::<String>("kind")?.as_str() {
        "e" => snap.enums.push(EnumType {
            schema,
            name,
            owner,
            labels: r.strings("labels")?,
            comment,
        }),
        "d" => snap.domains.push(Domain {
            schema,
            name,
            owner,
            base_type: r.get("base_type")?,
            not_null: r.get("not_null")?,
            default: r.get("default_expr")?,
            checks: r
                .json::<Vec<DomainCheckJson>>("checks")?
                .into_iter()
                .map(|c| DomainCheck {
                    name: c.name,
                    definition: c.definition,
                    validated: c.validated,
                })
                .collect(),
            comment,
        }),
        "c" => snap.composites.push(CompositeType {
            schema,
            name,
            owner,
            attributes: r
                .json::<Vec<AttributeJson>>("attributes")?
                .into_iter()
                .map(|a| CompositeAttribute {
                    name: a.name,
                    data_type: a.data_type,
                })
                .collect(),
            comment,
        }),
        other => return Err(r.bad(format!("unexpected typtype {other:?}"))),
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct DomainCheckJson {
    name: String,
    definition: String,
    validated: bool,
}

#[derive(serde::Deserialize)]
struct AttributeJson {
    name: String,
    data_type: String,
}

pub(super) fn function_row(row: &PgRow, snap: &mut Snapshot) -> Result<(), CatalogError> {
    let r = Row::new(row, "functions");
    let schema: String = r.get("schema")?;
    let name: String = r.get("name")?;
    let identity_arguments: String = r.get("identity_arguments")?;
    let kind = match r.get::<String>("kind")?.as_str() {
        "f" => FunctionKind::Function,
        "p" => FunctionKind::Procedure,
        "a" => FunctionKind::Aggregate,
        "w" => FunctionKind::Window,
        other => return Err(r.bad(format!("unknown prokind {other:?}"))),
    };
    let volatility = match r.get::<String>("volatility")?.as_str() {
        "i" => Volatility::Immutable,
        "s" => Volatility::Stable,
        "v" => Volatility::Volatile,
        other => return Err(r.bad(format!("unknown provolatile {other:?}"))),
    };
    let what = || format!("function {schema:?}.{name:?}({identity_arguments})");
    let (acl, acl_is_default) = parse_acl(r.opt_strings("acl")?, &what, &mut snap.warnings);
    snap.functions.push(Function {
        kind,
        result: r.get("result")?,
        language: r.get("language")?,
        security_definer: r.get("security_definer")?,
        volatility,
        config: r.strings("config")?,
        owner: r.get("owner")?,
        acl,
        acl_is_default,
        comment: r.get("comment")?,
        definition: r.get("definition")?,
        schema,
        name,
        identity_arguments,
    });
    Ok(())
}
