//! The catalog queries. Each is one statement over `pg_catalog` for the whole database, and
//! all of them travel in one simple-protocol batch ([`batch`]), so the number of round trips
//! never depends on the schema's size. `$1` stands for the schema filter (`text[]`, empty =
//! every non-system schema), inlined as a literal when the batch is assembled. Every output
//! column is a builtin type (`text`, `text[]`, `int4`, `int8`, `float8`, `bool`), decoded from
//! the protocol's text format.
//!
//! Speed at 10,000 tables: no per-row calls where a join does (`pg_description`, extension
//! membership, sequence owners), `format_type` and column defaults deparsed once per distinct
//! value, no ORDER BY on the large sets (sorted client-side), and column names of keys and the
//! common index and key definitions assembled client-side (`deparse.rs`), so `pg_get_indexdef`
//! and `pg_get_constraintdef` only run for what pgmend cannot spell itself.

/// The schemas a query may read, for a `pg_namespace` alias.
fn visible(ns: &str) -> String {
    format!(
        "(CASE WHEN cardinality($1::text[]) = 0 \
           THEN {ns}.nspname NOT IN ('pg_catalog', 'information_schema') \
            AND left({ns}.nspname, 8) <> 'pg_toast' AND left({ns}.nspname, 7) <> 'pg_temp' \
           ELSE {ns}.nspname = ANY($1::text[]) END)"
    )
}

/// Not a member of an extension (`classid` is the object's catalog, e.g. `pg_proc`).
fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass \
         AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

fn extension_member(catalog: &str, oid: &str) -> String {
    format!("NOT {}", not_extension_member(catalog, oid))
}

/// Relation kinds kept in `Snapshot::tables` (sequences are read with them but kept apart).
const TABLE_KINDS: &str = "('r', 'p', 'v', 'm', 'f')";

/// Query 1: server facts and the small sets, each as a JSON array.
pub fn info() -> String {
    let schemas = visible("n");
    let fn_ext = extension_member("pg_proc", "p.oid");
    let ty_ext = extension_member("pg_type", "t.oid");
    format!(
        r#"SELECT current_setting('server_version_num')::int4 AS version_num,
  version()::text AS version,
  current_database()::text AS database,
  current_user::text AS usr,
  current_setting('is_superuser') = 'on' AS is_superuser,
  (SELECT coalesce(json_agg(json_build_object(
      'name', n.nspname::text, 'owner', pg_get_userbyid(n.nspowner)::text,
      'comment', obj_description(n.oid, 'pg_namespace'), 'acl', n.nspacl::text[])
    ORDER BY n.nspname COLLATE "C"), '[]')::text
   FROM pg_namespace n WHERE {schemas}) AS schemas,
  (SELECT coalesce(json_agg(json_build_object(
      'name', e.extname::text, 'version', e.extversion::text, 'schema', n.nspname::text)
    ORDER BY e.extname COLLATE "C"), '[]')::text
   FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace) AS extensions,
  (SELECT coalesce(json_agg(json_build_object(
      'name', r.rolname::text, 'can_login', r.rolcanlogin, 'superuser', r.rolsuper,
      'bypass_rls', r.rolbypassrls, 'create_role', r.rolcreaterole, 'create_db', r.rolcreatedb,
      'inherit', r.rolinherit,
      'member_of', ARRAY(SELECT g.rolname::text FROM pg_auth_members m
                         JOIN pg_roles g ON g.oid = m.roleid
                         WHERE m.member = r.oid ORDER BY g.rolname COLLATE "C"))
    ORDER BY r.rolname COLLATE "C"), '[]')::text
   FROM pg_roles r) AS roles,
  (SELECT coalesce(json_agg(json_build_object(
      'role', pg_get_userbyid(d.defaclrole)::text, 'schema', n.nspname::text,
      'objtype', d.defaclobjtype::text, 'acl', d.defaclacl::text[])
    ORDER BY pg_get_userbyid(d.defaclrole) COLLATE "C", n.nspname COLLATE "C", d.defaclobjtype),
    '[]')::text
   FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace) AS default_acl,
  (SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname::text, 'name', c.relname::text,
      'quoted', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
      'readable', has_table_privilege(c.oid, 'SELECT'),
      'columns', ARRAY(SELECT a.attname::text FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
    ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"), '[]')::text
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p')
     AND c.relname IN ('_prisma_migrations', 'migrations', 'schema_migrations',
                       '__drizzle_migrations', 'knex_migrations')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND left(n.nspname, 8) <> 'pg_toast' AND left(n.nspname, 7) <> 'pg_temp')
   AS migration_tables,
  (SELECT coalesce(json_agg(k.word), '[]')::text FROM pg_get_keywords() k WHERE k.catcode <> 'U')
   AS keywords,
  coalesce((SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
     AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
            AND (a.attname = 'id' OR (a.attname = 'public' AND a.atttypid = 'boolean'::regtype))) = 2
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'storage' AND c.relname = 'buckets' AND c.relkind IN ('r', 'p')), false)
   AS buckets_readable,
  current_setting('quote_all_identifiers') = 'on' AS quote_all,
  (SELECT coalesce(json_agg(json_build_array(oc.oid::int8, oc.opcmethod::int8, oc.opcintype::int8)),
     '[]')::text FROM pg_opclass oc WHERE oc.opcdefault) AS default_opclasses,
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE {schemas} AND {fn_ext})::int8 AS ext_functions,
  (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE {schemas} AND t.typtype IN ('e', 'd', 'c') AND {ty_ext}
     AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))::int8
   AS ext_types"#
    )
}

/// Query 2: relations, with sequence parameters and owners, partition parents, extensions.
/// Unordered: sorted client-side.
pub fn relations() -> String {
    let vis = visible("n");
    format!(
        r#"WITH ext AS (
  SELECT d.objid, min(e.extname::text) AS extname
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
    AND d.deptype = 'e'
  GROUP BY d.objid
), owned AS (
  SELECT DISTINCT ON (d.objid) d.objid, tn.nspname::text AS schema, tc.relname::text AS tbl,
    a.attname::text AS col, d.deptype::text AS deptype
  FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_class tc ON tc.oid = d.refobjid
  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype IN ('a', 'i')
  ORDER BY d.objid, d.deptype DESC
)
SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name,
  c.relkind::text AS kind, pg_get_userbyid(c.relowner)::text AS owner,
  c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
  c.reltuples::float8 AS reltuples, c.relnatts::int4 AS natts,
  c.relpages::int8 * current_setting('block_size')::int8 AS size_bytes,
  ds.description AS comment,
  c.relacl::text[] AS acl, c.reloptions::text[] AS options,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition,
  pn.nspname::text AS parent_schema, pc.relname::text AS parent_name,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
  c.relpersistence = 'u' AS unlogged,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
  CASE WHEN c.relhassubclass OR NOT c.relispartition THEN (
    SELECT array_agg(hn.nspname::text ORDER BY h.inhseqno) FROM pg_inherits h
    JOIN pg_class hc ON hc.oid = h.inhparent JOIN pg_namespace hn ON hn.oid = hc.relnamespace
    WHERE h.inhrelid = c.oid AND NOT c.relispartition) END AS inherits_schemas,
  CASE WHEN c.relhassubclass OR NOT c.relispartition THEN (
    SELECT array_agg(hc.relname::text ORDER BY h.inhseqno) FROM pg_inherits h
    JOIN pg_class hc ON hc.oid = h.inhparent
    WHERE h.inhrelid = c.oid AND NOT c.relispartition) END AS inherits_names,
  ext.extname AS extension,
  format_type(s.seqtypid, NULL) AS seq_type, s.seqstart::int8 AS seq_start,
  s.seqincrement::int8 AS seq_increment, s.seqmin::int8 AS seq_min, s.seqmax::int8 AS seq_max,
  s.seqcache::int8 AS seq_cache, s.seqcycle AS seq_cycle,
  o.schema AS owned_schema, o.tbl AS owned_table, o.col AS owned_column,
  o.deptype AS owned_deptype
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN owned o ON c.relkind = 'S' AND o.objid = c.oid
LEFT JOIN ext ON ext.objid = c.oid
LEFT JOIN pg_description ds
  ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND {vis}"#
    )
}

/// Query 3: columns of every relation in `Snapshot::tables`, unordered. Types are formatted
/// and (non-generated) defaults deparsed once per distinct value; `type_oid`, `collation_oid`
/// and `type_class` let the client tell default operator classes and collations apart.
pub fn columns() -> String {
    let vis = visible("n");
    format!(
        r#"WITH cols AS MATERIALIZED (
  SELECT a.attrelid, a.attname, a.attnum, a.atttypid, a.atttypmod, a.attnotnull,
    a.attidentity, a.attgenerated, a.attcollation, a.atthasdef, a.attacl
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN {TABLE_KINDS} AND a.attnum > 0 AND NOT a.attisdropped AND {vis}
), ty AS (
  SELECT x.atttypid, x.atttypmod, format_type(x.atttypid, x.atttypmod) AS name, t.typcollation,
    CASE WHEN t.typtype IN ('e', 'r', 'd') THEN t.typtype::text
         WHEN t.typcategory = 'A' THEN 'a' ELSE 'b' END AS class
  FROM (SELECT DISTINCT atttypid, atttypmod FROM cols) x JOIN pg_type t ON t.oid = x.atttypid
), dtext AS (
  SELECT x.k, pg_get_expr(x.adbin, x.adrelid) AS expr
  FROM (SELECT DISTINCT ON (ad.adbin::text) ad.adbin::text AS k, ad.adbin, ad.adrelid
        FROM pg_attrdef ad ORDER BY ad.adbin::text) x
)
SELECT c.attrelid::int8 AS relid, c.attname::text AS name, c.attnum::int4 AS position,
  ty.name AS data_type, c.attnotnull AS not_null,
  CASE WHEN c.attgenerated = '' THEN dt.expr ELSE pg_get_expr(d.adbin, d.adrelid) END AS expr,
  c.attidentity::text AS identity, c.attgenerated::text AS generated,
  CASE WHEN c.attcollation <> 0 AND c.attcollation <> ty.typcollation
       THEN co.collname::text END AS collation,
  ds.description AS comment, c.attacl::text[] AS acl,
  c.atttypid::int8 AS type_oid, c.attcollation::int8 AS collation_oid, ty.class AS type_class
FROM cols c
JOIN ty ON ty.atttypid = c.atttypid AND ty.atttypmod = c.atttypmod
LEFT JOIN pg_attrdef d ON c.atthasdef AND d.adrelid = c.attrelid AND d.adnum = c.attnum
LEFT JOIN dtext dt ON c.attgenerated = '' AND dt.k = d.adbin::text
LEFT JOIN pg_collation co ON co.oid = c.attcollation
LEFT JOIN pg_description ds
  ON ds.objoid = c.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = c.attnum"#
    )
}

/// `attname`s for an `int2[]` of attnums of relation `rel`, in array order.
fn att_names(attnums: &str, rel: &str) -> String {
    format!(
        "ARRAY(SELECT a.attname::text FROM unnest({attnums}) WITH ORDINALITY k(num, ord) \
         JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num ORDER BY k.ord)"
    )
}

/// Whether pgmend may assemble index and key definitions itself on this server: the versions
/// whose `pg_get_indexdef` / `pg_get_constraintdef` output it reproduces (14 to 17).
pub fn client_deparse(version_num: Option<i32>) -> bool {
    version_num.is_some_and(|v| (140000..180000).contains(&v))
}

/// Query 4: table constraints (not constraint triggers, not domain constraints), unordered.
/// Column numbers come raw (named client-side), except for keys referencing a table outside
/// the snapshot; definitions only for what `deparse.rs` cannot assemble.
pub fn constraints(version_num: Option<i32>) -> String {
    let vis = visible("n");
    let ref_vis = visible("fn");
    let ref_cols = att_names("con.confkey", "con.confrelid");
    let client = client_deparse(version_num);
    let v15 = version_num.is_some_and(|v| v >= 150000);
    let server_def = match (client, v15) {
        (false, _) => "true".to_string(),
        (true, true) => {
            "con.contype NOT IN ('p', 'u', 'f') OR con.confdelsetcols IS NOT NULL".to_string()
        }
        (true, false) => "con.contype NOT IN ('p', 'u', 'f')".to_string(),
    };
    let nnd = if v15 {
        "ci.indnullsnotdistinct"
    } else {
        "false"
    };
    format!(
        r#"SELECT con.conrelid::int8 AS relid, con.conname::text AS name, con.contype::text AS kind,
  con.conkey::text AS conkey,
  CASE WHEN {server_def} THEN pg_get_constraintdef(con.oid) END AS definition,
  con.convalidated AS validated, con.condeferrable AS deferrable,
  con.condeferred AS deferred, con.conislocal AS is_local,
  con.confrelid::int8 AS ref_oid, fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
  con.confkey::text AS confkey,
  CASE WHEN con.contype = 'f' AND NOT {ref_vis} THEN {ref_cols} END AS ref_columns,
  CASE WHEN con.contype = 'f' THEN pg_table_is_visible(con.confrelid) END AS ref_visible,
  con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
  con.confmatchtype::text AS match_type,
  ci.indkey::text AS index_key, ci.indnkeyatts::int4 AS index_nkey,
  coalesce({nnd}, false) AS nulls_not_distinct,
  obj_description(con.oid, 'pg_constraint') AS comment
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index ci ON con.contype IN ('p', 'u') AND ci.indexrelid = con.conindid
WHERE con.contype IN ('p', 'f', 'u', 'c', 'x', 'n') AND c.relkind IN {TABLE_KINDS} AND {vis}"#
    )
}

/// Query 5: indexes, unordered. `NULLS NOT DISTINCT` exists from PostgreSQL 15. The server
/// deparses what is plainly beyond a column list in default operator classes (expressions,
/// predicates, options, sort orders, other operator classes, partitioned indexes); the client
/// the rest, asking back (in the final exchange) for what it still cannot spell.
pub fn indexes(version_num: Option<i32>) -> String {
    let vis = visible("n");
    let nnd = if version_num.is_some_and(|v| v >= 150000) {
        "i.indnullsnotdistinct"
    } else {
        "false"
    };
    let server_def = if client_deparse(version_num) {
        "i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR ic.reloptions IS NOT NULL \
         OR ic.relkind <> 'i' OR NOT (0 = ALL (i.indoption::int2[])) \
         OR NOT (i.indclass::oid[] <@ (SELECT array_agg(oc.oid) FROM pg_opclass oc \
                                        WHERE oc.opcdefault))"
    } else {
        "true"
    };
    format!(
        r#"SELECT i.indrelid::int8 AS relid, i.indexrelid::int8 AS oid, ic.relname::text AS name,
  CASE WHEN {server_def} THEN pg_get_indexdef(i.indexrelid) END AS definition,
  i.indkey::text AS indkey, i.indnkeyatts::int4 AS nkey, i.indclass::text AS indclass,
  i.indcollation::text AS indcollation,
  pg_get_expr(i.indexprs, i.indrelid) AS expressions,
  i.indisunique AS is_unique, i.indisprimary AS is_primary, {nnd} AS nulls_not_distinct,
  pg_get_expr(i.indpred, i.indrelid) AS predicate, am.amname::text AS method,
  ic.relam::int8 AS am_oid, i.indisvalid AS is_valid, i.indisready AS is_ready,
  con.conname::text AS constraint_name
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
  AND con.contype IN ('p', 'u', 'x')
WHERE c.relkind IN {TABLE_KINDS} AND {vis}"#
    )
}

/// The final exchange's public Storage buckets (when query 1 found `storage.buckets`
/// readable, with its `id` and boolean `public` columns).
pub const PUBLIC_BUCKETS: &str =
    "SELECT id::text AS id FROM storage.buckets WHERE public IS TRUE ORDER BY id";

/// The final exchange's index definitions, for indexes the client could not spell.
pub fn index_definitions(oids: &[i64]) -> String {
    let list: Vec<String> = oids.iter().map(i64::to_string).collect();
    format!(
        "SELECT x.oid::int8 AS oid, pg_get_indexdef(x.oid) AS definition \
         FROM unnest('{{{}}}'::oid[]) x(oid)",
        list.join(",")
    )
}

/// Query 6: enums, domains and composite types (not those of extensions, nor table row types).
pub fn types() -> String {
    let vis = visible("n");
    let not_ext = not_extension_member("pg_type", "t.oid");
    format!(
        r#"SELECT t.typtype::text AS kind, n.nspname::text AS schema, t.typname::text AS name,
  pg_get_userbyid(t.typowner)::text AS owner, obj_description(t.oid, 'pg_type') AS comment,
  ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
        ORDER BY e.enumsortorder) AS labels,
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
  t.typnotnull AS not_null, t.typdefault::text AS default_expr,
  (SELECT coalesce(json_agg(json_build_object('name', con.conname::text,
      'definition', pg_get_constraintdef(con.oid), 'validated', con.convalidated)
    ORDER BY con.conname COLLATE "C"), '[]')::text
   FROM pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c') AS checks,
  (SELECT coalesce(json_agg(json_build_object('name', a.attname::text,
      'data_type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum), '[]')::text
   FROM pg_attribute a
   WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
  AS attributes
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_class tc ON tc.oid = t.typrelid
WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND tc.relkind = 'c'))
  AND {vis} AND {not_ext}
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C""#
    )
}

/// Query 7: functions and procedures that do not belong to extensions.
pub fn functions() -> String {
    let vis = visible("n");
    let not_ext = not_extension_member("pg_proc", "p.oid");
    format!(
        r#"SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS kind,
  pg_get_function_identity_arguments(p.oid) AS identity_arguments,
  CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result,
  l.lanname::text AS language, p.prosecdef AS security_definer,
  p.provolatile::text AS volatility, p.proconfig::text[] AS config,
  pg_get_userbyid(p.proowner)::text AS owner, p.proacl::text[] AS acl,
  obj_description(p.oid, 'pg_proc') AS comment,
  CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS definition
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE {vis} AND {not_ext}
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C",
  pg_get_function_identity_arguments(p.oid) COLLATE "C""#
    )
}

/// Query 8: user triggers, unordered. Internal ones (foreign keys' and other constraints') are left out,
/// but not triggers cloned onto partitions, which PostgreSQL 14 still marks internal.
pub fn triggers() -> String {
    let vis = visible("n");
    format!(
        r#"SELECT t.tgrelid::int8 AS relid, t.tgname::text AS name, t.tgtype::int4 AS tgtype,
  pn.nspname::text AS fn_schema, p.proname::text AS fn_name, t.tgenabled::text AS enabled,
  pg_get_triggerdef(t.oid) AS definition, t.tgconstraint <> 0 AS is_constraint,
  t.tgparentid <> 0 AS is_clone
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE (NOT t.tgisinternal OR (t.tgparentid <> 0 AND t.tgconstraint = 0))
  AND c.relkind IN {TABLE_KINDS} AND {vis}"#
    )
}

/// Query 9: row-level security policies, unordered.
pub fn policies() -> String {
    let vis = visible("n");
    format!(
        r#"SELECT pol.polrelid::int8 AS relid, pol.polname::text AS name,
  pol.polpermissive AS permissive, pol.polcmd::text AS command,
  ARRAY(SELECT CASE WHEN u.oid = 0 THEN 'public' ELSE r.rolname::text END
        FROM unnest(pol.polroles) WITH ORDINALITY u(oid, ord)
        LEFT JOIN pg_roles r ON r.oid = u.oid ORDER BY u.ord) AS roles,
  pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
  pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check_expr
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN {TABLE_KINDS} AND {vis}"#
    )
}

/// The preview: relation names, kinds, RLS flags and row estimates, with the schema filter
/// inlined (see `preview.rs`).
pub fn relation_list(schemas: &[String]) -> String {
    let vis = visible("n");
    format!(
        r#"SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
  c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
  c.reltuples::float8 AS reltuples
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN {TABLE_KINDS} AND {vis}"#
    )
    .replace("$1::text[]", &filter(schemas))
}

/// The schema filter as an array literal.
fn filter(schemas: &[String]) -> String {
    format!(
        "ARRAY[{}]::text[]",
        schemas
            .iter()
            .map(|s| crate::sql::quote_literal(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Names of the batch's statements, in order: each answers one result set (settings, none).
pub const INFO: &str = "server and small sets";
pub const SETTING: &str = "settings";
pub const STEPS: [&str; 11] = [
    INFO,
    "relations",
    // Hash joins only for the columns: with per-row index lookups into pg_description and
    // pg_attrdef the planner may otherwise pick, 118,000 columns take twice as long, and
    // a database with many column comments far longer.
    SETTING,
    "columns",
    SETTING,
    "constraints",
    "indexes",
    "types",
    "functions",
    "triggers",
    "policies",
];

/// Every catalog query in one simple-protocol batch (one round trip), the schema filter
/// inlined as an array literal, in the order of [`STEPS`]. `version_num` is the server's, when
/// the connection knows it.
pub fn batch(version_num: Option<i32>, schemas: &[String]) -> String {
    [
        info(),
        relations(),
        "SET LOCAL enable_nestloop = off".to_string(),
        columns(),
        "SET LOCAL enable_nestloop = on".to_string(),
        constraints(version_num),
        indexes(version_num),
        types(),
        functions(),
        triggers(),
        policies(),
    ]
    .join(";\n")
    .replace("$1::text[]", &filter(schemas))
}
