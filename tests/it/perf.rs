//! Issue 7's kit and the reader's speed-ups, checked for correctness (never timed: the figures
//! are the benchmark's, `cargo bench --bench scale`): the generator's shape, round trips that
//! stay constant on the wire, the definitions pgmend spells itself equal to the server's, and
//! a snapshot read through a slow link equal to one read directly.

use std::net::SocketAddr;
use std::time::Duration;

use pgmend::db::catalog::{ReadOptions, Snapshot, read_snapshot};
use pgmend_bench::{self as bench, Proxy};
use sqlx::{Connection, PgConnection};

use crate::support::TestDb;

fn upstream(url: &str) -> SocketAddr {
    let u = url::Url::parse(url).unwrap();
    format!("127.0.0.1:{}", u.port().unwrap()).parse().unwrap()
}

async fn generated(schemas: usize, tables: usize) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    bench::generate(&mut c, schemas, tables).await.unwrap();
    c.close().await.unwrap();
    db
}

async fn snapshot_of(url: &str) -> Snapshot {
    let mut c = PgConnection::connect(url).await.unwrap();
    let s = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    c.close().await.unwrap();
    s
}

#[tokio::test]
async fn the_generator_builds_the_issue_shape_at_a_small_scale() {
    let db = generated(2, 10).await;
    let e = bench::expected(2, 10);
    let s = snapshot_of(db.url()).await;
    let c = s.counts();
    assert_eq!(c.tables, e.tables);
    assert_eq!(c.views, e.views);
    assert_eq!(c.columns, e.columns);
    assert_eq!(c.indexes, e.indexes);
    assert_eq!(c.policies, e.policies);
    assert_eq!(c.triggers, e.triggers);
    assert_eq!(c.enums, e.enums);
    assert_eq!(c.sequences, e.sequences);
    let t = s.table("s002", "t00010").unwrap();
    assert_eq!(t.columns.len(), bench::generate::COLUMNS_PER_TABLE);
    assert!(t.rls_enabled && t.policies.len() == 2);
    assert_eq!(t.triggers.len(), 1);
    let fks: Vec<_> = t
        .constraints
        .iter()
        .filter_map(|k| k.foreign_key.as_ref())
        .collect();
    assert_eq!(fks.len(), 1);
    assert_eq!(fks[0].referenced_table, "t00009");
    assert!(s.table("s001", "v00005").is_some());
    let rls = s.tables.iter().filter(|t| t.rls_enabled).count();
    assert_eq!(rls, e.rls_tables);
}

/// Network round trips of one snapshot on an open connection, counted by the proxy.
async fn exchanges(db: &TestDb) -> (u64, u32) {
    let proxy = Proxy::start(upstream(db.url()), Duration::ZERO)
        .await
        .unwrap();
    let mut c = PgConnection::connect(&proxy.url_for(db.url()))
        .await
        .unwrap();
    let before = proxy.exchanges();
    let s = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    let n = proxy.exchanges() - before;
    c.close().await.unwrap();
    (n, s.round_trips)
}

#[tokio::test]
async fn round_trips_on_the_wire_do_not_grow_with_the_schema() {
    let small = generated(1, 10).await;
    let large = generated(2, 500).await;
    let (s, s_counted) = exchanges(&small).await;
    let (l, l_counted) = exchanges(&large).await;
    assert_eq!(s, l, "10 tables: {s} exchanges, 1,000 tables: {l}");
    assert!(l <= 15, "{l} exchanges");
    // The snapshot's own count is the wire's.
    assert_eq!((s_counted, l_counted), (s as u32, l as u32));
}

#[tokio::test]
async fn a_snapshot_through_a_slow_link_equals_one_read_directly() {
    let db = generated(1, 20).await;
    let proxy = Proxy::start(upstream(db.url()), Duration::from_millis(5))
        .await
        .unwrap();
    let mut direct = snapshot_of(db.url()).await;
    let mut slow = snapshot_of(&proxy.url_for(db.url())).await;
    assert!(
        proxy.exchanges() > 0
            && proxy
                .stats()
                .bytes_down
                .load(std::sync::atomic::Ordering::SeqCst)
                > 0
    );
    direct.read_ms = 0;
    slow.read_ms = 0;
    assert_eq!(direct, slow);
}

/// Index and key shapes pgmend spells itself, and neighbours it must leave to the server.
const SHAPES: &str = r#"
CREATE SCHEMA "Other";
CREATE SCHEMA hidden;
CREATE TYPE state AS ENUM ('a', 'b');
CREATE DOMAIN email AS text;
CREATE TABLE hidden.target (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE "Other"."Target" ("Id" bigint PRIMARY KEY);
CREATE TABLE public."user" (
  id int GENERATED ALWAYS AS IDENTITY,
  "Select" text COLLATE "C",
  name varchar(40),
  plain text,
  st state,
  tags text[],
  span int4range,
  mail email,
  addr cidr,
  ext_id bigint,
  code text,
  other_id int,
  json jsonb,
  PRIMARY KEY (id) INCLUDE (name),
  UNIQUE NULLS NOT DISTINCT (plain, st),
  UNIQUE (code) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT "Fk Mixed" FOREIGN KEY (ext_id) REFERENCES "Other"."Target" ("Id")
    MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL,
  FOREIGN KEY (other_id) REFERENCES hidden.target (id) ON DELETE RESTRICT NOT VALID,
  CHECK (length(plain) > 0)
);
CREATE TABLE child (id int REFERENCES public."user" (id) ON DELETE CASCADE ON UPDATE SET DEFAULT, c text);
CREATE INDEX ON public."user" ("Select");
CREATE INDEX ON public."user" ("Select" COLLATE "default");
CREATE INDEX ON public."user" (plain COLLATE "C");
CREATE INDEX ON public."user" (name);
CREATE INDEX ON public."user" (name varchar_pattern_ops);
CREATE INDEX ON public."user" (st, id DESC);
CREATE INDEX ON public."user" (st);
CREATE INDEX ON public."user" USING gin (tags);
CREATE INDEX ON public."user" USING gin (json);
CREATE INDEX ON public."user" USING gin (json jsonb_path_ops);
CREATE INDEX ON public."user" USING gist (span);
CREATE INDEX ON public."user" USING hash (plain);
CREATE INDEX ON public."user" USING brin (id);
CREATE INDEX ON public."user" (mail);
CREATE INDEX ON public."user" (addr);
CREATE INDEX ON public."user" (lower(plain));
CREATE INDEX ON public."user" (plain) WHERE plain <> '';
CREATE INDEX ON public."user" (plain) WITH (fillfactor = 70);
CREATE INDEX "Mixed Case" ON public."user" (id) INCLUDE (tags, json);
CREATE UNIQUE INDEX ON public."user" (plain) NULLS NOT DISTINCT;
CREATE TABLE pair (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE pair_ref (a int, b int, FOREIGN KEY (a, b) REFERENCES pair ON DELETE SET NULL (b));
CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
CREATE INDEX ON parted (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
"#;

#[tokio::test]
async fn definitions_pgmend_spells_equal_the_servers() {
    let db = TestDb::new().await;
    db.exec(SHAPES).await;
    let snap = snapshot_of(db.url()).await;
    let mut c = db.connect().await;
    let indexes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, ic.relname::text, pg_get_indexdef(i.indexrelid)
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = ic.relnamespace
         WHERE n.nspname IN ('public', 'Other', 'hidden')",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert!(indexes.len() > 25, "{}", indexes.len());
    for (schema, name, def) in &indexes {
        let found = snap
            .tables
            .iter()
            .filter(|t| &t.schema == schema)
            .flat_map(|t| &t.indexes)
            .find(|i| &i.name == name)
            .unwrap_or_else(|| panic!("index {schema}.{name} missing"));
        assert_eq!(&found.definition, def, "index {schema}.{name}");
    }
    let keys: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text, con.conname::text, pg_get_constraintdef(con.oid)
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'Other', 'hidden')",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert!(keys.len() > 10, "{}", keys.len());
    for (schema, table, name, def) in &keys {
        let t = snap.table(schema, table).unwrap();
        let k = t
            .constraints
            .iter()
            .find(|k| &k.name == name)
            .unwrap_or_else(|| panic!("constraint {name} of {schema}.{table} missing"));
        assert_eq!(&k.definition, def, "constraint {name} of {schema}.{table}");
    }
    c.close().await.unwrap();
    // Keys referencing a table outside the snapshot still name their columns.
    let only_public = ReadOptions {
        schemas: vec!["public".into()],
        ..Default::default()
    };
    let mut c = db.connect().await;
    let s = read_snapshot(&mut c, &only_public).await.unwrap();
    let user = s.table("public", "user").unwrap();
    let fk = user
        .constraints
        .iter()
        .find(|k| k.name == "Fk Mixed")
        .and_then(|k| k.foreign_key.as_ref())
        .unwrap();
    assert_eq!(fk.referenced_columns, ["Id"]);
    assert!(s.table("Other", "Target").is_none());
}

#[tokio::test]
async fn the_preview_lists_the_relations_of_the_snapshot_in_its_order() {
    let db = generated(1, 20).await;
    let mut c = db.connect().await;
    let opts = ReadOptions::default();
    let preview = pgmend::db::catalog::read_relation_list(&mut c, &opts)
        .await
        .unwrap();
    let full = read_snapshot(&mut c, &opts).await.unwrap();
    assert!(preview.partial && !full.partial);
    let key = |s: &Snapshot| -> Vec<(String, String, String, bool, i64)> {
        s.tables
            .iter()
            .map(|t| {
                let kind = format!("{:?}", t.kind);
                (
                    t.schema.clone(),
                    t.name.clone(),
                    kind,
                    t.rls_enabled,
                    t.row_estimate,
                )
            })
            .collect()
    };
    assert_eq!(key(&preview), key(&full));
    // A full snapshot's JSON does not mention the flag.
    assert!(!serde_json::to_string(&full).unwrap().contains("partial"));
}

mod app {
    use std::sync::Arc;

    use pgmend::app::haystack;
    use pgmend::app::rows::{self, Row};
    use pgmend::app::{Action, ConnectionInfo, State, Tab, update};
    use pgmend::db::catalog::{ReadOptions, read_relation_list, read_snapshot};

    use super::generated;

    fn typed(s: &mut State, tab: Tab, text: &str) -> Vec<Row> {
        update(s, Action::GotoTab(tab));
        update(s, Action::StartFilter);
        for ch in text.chars() {
            update(s, Action::Input(ch));
        }
        let rows = s.list().rows.clone();
        update(s, Action::Back);
        rows
    }

    #[tokio::test]
    async fn filtering_with_prepared_labels_finds_the_same_rows() {
        let db = generated(2, 20).await;
        let mut c = db.connect().await;
        let snap = Arc::new(
            read_snapshot(&mut c, &ReadOptions::default())
                .await
                .unwrap(),
        );
        let mut s = State::new("t".into(), 120, 40);
        update(&mut s, Action::Connected(Ok(ConnectionInfo::default())));
        let request = s.request;
        update(
            &mut s,
            Action::SnapshotLoaded {
                request,
                result: Ok(snap.clone()),
            },
        );
        let cases = [
            (Tab::Tables, "s002.t0001"),
            (Tab::Indexes, "parent"),
            (Tab::Policies, "write_own"),
        ];
        let slow: Vec<Vec<Row>> = cases.iter().map(|(t, f)| typed(&mut s, *t, f)).collect();
        // Labels from other data are refused; those of this snapshot are kept.
        for &tab in haystack::SNAPSHOT_TABS {
            let labels = Arc::new(haystack::build(tab, Some(&snap), None));
            update(
                &mut s,
                Action::LabelsReady {
                    request,
                    tab,
                    source: 1,
                    labels: labels.clone(),
                },
            );
            assert!(s.lists[tab.index()].haystack.is_none());
            let source = haystack::source_of(&snap);
            update(
                &mut s,
                Action::LabelsReady {
                    request,
                    tab,
                    source,
                    labels,
                },
            );
            assert!(s.lists[tab.index()].haystack.is_some());
        }
        for ((tab, f), want) in cases.iter().zip(slow) {
            let got = typed(&mut s, *tab, f);
            assert!(
                !got.is_empty() && got.len() < s.list().rows.len(),
                "{tab:?} {f}"
            );
            assert_eq!(got, want, "{tab:?} filtered by {f:?}");
        }
    }

    #[tokio::test]
    async fn a_preview_shows_the_tables_until_the_snapshot_replaces_it() {
        let db = generated(1, 20).await;
        let mut c = db.connect().await;
        let opts = ReadOptions::default();
        let preview = Arc::new(read_relation_list(&mut c, &opts).await.unwrap());
        let full = Arc::new(read_snapshot(&mut c, &opts).await.unwrap());
        let mut s = State::new("t".into(), 120, 40);
        update(&mut s, Action::Connected(Ok(ConnectionInfo::default())));
        let request = s.request;
        update(
            &mut s,
            Action::SnapshotPreview {
                request,
                snapshot: preview,
            },
        );
        update(&mut s, Action::GotoTab(Tab::Tables));
        assert_eq!(s.list().rows.len(), 20);
        for _ in 0..3 {
            update(&mut s, Action::Down);
        }
        let picked = *s.selected_row().unwrap();
        let label = rows::label(picked, s.snapshot.as_deref(), None);
        assert!(
            label.starts_with("s001.t00004") && !label.contains("cols"),
            "{label}"
        );
        update(
            &mut s,
            Action::SnapshotLoaded {
                request,
                result: Ok(full.clone()),
            },
        );
        assert_eq!(*s.selected_row().unwrap(), picked);
        let label = rows::label(picked, s.snapshot.as_deref(), None);
        assert!(label.contains("11 cols"), "{label}");
        // A late preview never replaces the full snapshot.
        let again = Arc::new(read_relation_list(&mut c, &opts).await.unwrap());
        update(
            &mut s,
            Action::SnapshotPreview {
                request,
                snapshot: again,
            },
        );
        assert!(!s.snapshot.as_ref().unwrap().partial);
    }
}

/// The lint-heavy shape (issue 15) fires each lint it is built for, on the tables it says, and
/// the unindexed foreign keys all get a plan (found through the per-table lookups).
#[tokio::test]
async fn the_lint_heavy_shape_fires_its_lints_where_it_says() {
    use pgmend::check::{self, Facts};
    use pgmend::checklist::Checklist;
    use pgmend::rules::Severity;
    use pgmend::rules::{LintId, Rule};
    use pgmend_bench::lint_heavy;

    let db = TestDb::new().await;
    let mut c = db.connect().await;
    let built = lint_heavy::generate(&mut c, 1, 10).await.unwrap();
    c.close().await.unwrap();
    let s = snapshot_of(db.url()).await;
    let counts = s.counts();
    assert_eq!(counts.tables, built.tables);
    assert_eq!(counts.views, built.views);
    assert_eq!(counts.enums, built.enums);
    assert_eq!(counts.policies, built.policies);
    let exposure = Checklist::parse(&lint_heavy::exposure_toml(1), "exposure.toml").unwrap();
    let exposure = [exposure];
    let mut report = check::run(&s, &exposure, &Facts::default(), &Default::default());
    pgmend::fix::mark_fixable(&mut report, &s, &exposure);
    let of = |l: LintId| {
        report
            .lint_findings
            .iter()
            .filter(|f| f.rule == Rule::Lint(l))
            .collect::<Vec<_>>()
    };
    // Two foreign keys per table, no index on either.
    let fks = of(LintId::UnindexedForeignKey);
    assert_eq!(fks.len(), built.foreign_keys);
    assert!(fks.iter().all(|f| f.fixable), "{fks:#?}");
    // Odd tables: RLS off; of those, t00001, t00005 and t00009 granted to PUBLIC.
    assert_eq!(of(LintId::RlsDisabledInExposedSchema).len(), 5);
    assert_eq!(of(LintId::ApiRolePrivilegesOnUserData).len(), 3);
    // Even tables: two permissive SELECT policies for PUBLIC.
    assert_eq!(of(LintId::MultiplePermissivePolicies).len(), 5);
    // t00010's function.
    assert_eq!(of(LintId::SecurityDefinerExposed).len(), built.functions);
    assert_eq!(of(LintId::FunctionSearchPathMutable).len(), built.functions);
    // The chain over t00010 (RLS on) bypasses it at every step, read through the views
    // beneath (high); the chain over t00005 (RLS off, granted to PUBLIC) runs as its owner
    // too, over what its readers may read anyway (medium: issue 16).
    let mut views: Vec<(&str, Severity)> = of(LintId::ViewWithoutSecurityInvoker)
        .iter()
        .map(|f| (f.object.as_str(), f.severity))
        .collect();
    views.sort();
    assert_eq!(
        views,
        [
            ("l001.va00005", Severity::Medium),
            ("l001.va00010", Severity::High),
            ("l001.vb00005", Severity::Medium),
            ("l001.vb00010", Severity::High),
            ("l001.vc00005", Severity::Medium),
            ("l001.vc00010", Severity::High),
        ]
    );
}
