//! Decoding the batch's rows as they stream in: each statement's rows go to its decoder, in
//! the batch's order (server facts first, then relations, then what hangs off them).

use sqlx::postgres::PgRow;

use super::decode_keys::{self, Unspelled};
use super::decode_tables::Tables;
use super::deparse::Deparser;
use super::migrations::{self, Source};
use super::read::Row;
use super::{CatalogError, Snapshot, decode_info, decode_objects, sql};

pub(super) struct Decoder {
    snap: Option<Snapshot>,
    tables: Tables,
    deparser: Deparser,
    migration_sources: Vec<Source>,
    unspelled: Vec<Unspelled>,
}

/// What the follow-up exchange must fetch.
pub(super) struct Pending {
    pub migration_sources: Vec<Source>,
    pub unspelled: Vec<Unspelled>,
    /// `storage.buckets` is there and readable: the follow-up reads the public buckets.
    pub buckets: bool,
}

impl Pending {
    pub(super) fn index_oids(&self) -> Vec<i64> {
        self.unspelled.iter().map(|u| u.oid).collect()
    }
}

impl Decoder {
    pub(super) fn new() -> Decoder {
        Decoder {
            snap: None,
            tables: Tables::default(),
            deparser: Deparser::default(),
            migration_sources: Vec::new(),
            unspelled: Vec::new(),
        }
    }

    /// One row of the statement of `sql::batch` named `step` (see `sql::STEPS`).
    pub(super) fn row(&mut self, step: &'static str, row: &PgRow) -> Result<(), CatalogError> {
        if step == sql::INFO {
            return self.info(row);
        }
        let snap = self.snap.as_mut().ok_or(CatalogError::Decode {
            step: "server and small sets",
            detail: "no row".into(),
        })?;
        let version = snap.server.version_num;
        match step {
            "relations" => self.tables.relation(row, version, snap),
            "columns" => self.tables.column(row, &mut snap.warnings),
            "constraints" => decode_keys::constraint(&mut self.tables, &self.deparser, row),
            "indexes" => {
                let u = decode_keys::index(&mut self.tables, &self.deparser, row)?;
                self.unspelled.extend(u);
                Ok(())
            }
            "types" => decode_objects::type_row(row, snap),
            "functions" => decode_objects::function_row(row, snap),
            "triggers" => self.tables.trigger(row),
            "policies" => self.tables.policy(row),
            _ => Err(CatalogError::Decode {
                step,
                detail: "rows from a statement that returns none".into(),
            }),
        }
    }

    fn info(&mut self, row: &PgRow) -> Result<(), CatalogError> {
        const STEP: &str = "server and small sets";
        let mut snap = decode_info::decode(Row::new(row, STEP))?;
        let version = snap.server.version_num;
        if version < super::read::MIN_VERSION_NUM {
            return Err(CatalogError::UnsupportedServer(version));
        }
        self.migration_sources = migrations::classify(
            decode_info::migration_tables(Row::new(row, STEP))?,
            &mut snap.warnings,
            &mut snap.unreadable_migrations,
        );
        self.deparser = decode_info::deparser(Row::new(row, STEP))?;
        self.snap = Some(snap);
        Ok(())
    }

    /// After the batch: what the follow-up must fetch.
    pub(super) fn pending(&mut self) -> Result<Pending, CatalogError> {
        if self.snap.is_none() {
            return Err(CatalogError::Decode {
                step: "server and small sets",
                detail: "no row".into(),
            });
        }
        let buckets = self
            .snap
            .as_ref()
            .is_some_and(|s| s.public_buckets.is_some());
        Ok(Pending {
            buckets,
            migration_sources: std::mem::take(&mut self.migration_sources),
            unspelled: std::mem::take(&mut self.unspelled),
        })
    }

    /// The snapshot, with the index definitions the follow-up brought (by index oid).
    pub(super) fn finish(
        mut self,
        pending: &Pending,
        definitions: &[(i64, String)],
    ) -> Result<Snapshot, CatalogError> {
        let by_oid: std::collections::HashMap<i64, &String> =
            definitions.iter().map(|(oid, def)| (*oid, def)).collect();
        for u in &pending.unspelled {
            let def = by_oid.get(&u.oid).ok_or_else(|| CatalogError::Decode {
                step: "index definitions",
                detail: format!("no definition for index oid {}", u.oid),
            })?;
            self.tables.tables[u.table].indexes[u.index].definition = (*def).clone();
        }
        let mut snap = self.snap.take().expect("checked by pending()");
        snap.tables = self.tables.finish();
        snap.sequences
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        Ok(snap)
    }
}
