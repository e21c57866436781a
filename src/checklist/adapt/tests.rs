use super::detect::{Case, majority};
use super::*;
use crate::checklist::IndexKey;
use crate::db::catalog::{
    Column, Constraint, ConstraintKind, RelationKind, ServerInfo, Snapshot, Table,
};

fn snapshot(tables: Vec<Table>) -> Snapshot {
    let mut s = Snapshot::empty(ServerInfo {
        version_num: 150004,
        version: "PostgreSQL 15.4".into(),
        database: "db".into(),
        current_user: "owner".into(),
        is_superuser: true,
    });
    s.tables = tables;
    s.tables
        .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    s
}

/// `public.name` with `(column, type)`s; the first is its primary key.
fn table(name: &str, cols: &[(&str, &str)]) -> Table {
    let mut t = Table::bare("public", name, RelationKind::Table);
    t.columns = cols
        .iter()
        .enumerate()
        .map(|(i, (n, ty))| Column {
            name: (*n).into(),
            position: i as i32 + 1,
            data_type: (*ty).into(),
            not_null: i == 0,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            acl: Vec::new(),
        })
        .collect();
    t.constraints.push(Constraint {
        name: format!("{name}_pkey"),
        kind: ConstraintKind::PrimaryKey,
        columns: vec![cols[0].0.to_string()],
        definition: format!("PRIMARY KEY ({})", cols[0].0),
        validated: true,
        deferrable: false,
        initially_deferred: false,
        is_local: true,
        foreign_key: None,
        comment: None,
    });
    t
}

/// A TypeORM-style database: snake_case tables, camelCase columns, integer ids.
fn typeorm() -> Snapshot {
    snapshot(vec![
        table(
            "organizations",
            &[
                ("id", "integer"),
                ("createdAt", "timestamp without time zone"),
                ("displayName", "text"),
            ],
        ),
        table(
            "users",
            &[
                ("id", "bigint"),
                ("organizationId", "integer"),
                ("firstName", "text"),
                ("createdAt", "timestamp without time zone"),
            ],
        ),
        table(
            "migrations",
            &[("id", "integer"), ("timestamp", "bigint"), ("name", "text")],
        ),
    ])
}

const PRESET: &str = r#"
[checklist]
name = "t"
adapt = true

[[table]]
name = "chats"
primary_key = ["id"]
columns = [
    { name = "id", type = "uuid" },
    { name = "organization_id", type = "uuid", nullable = false },
    { name = "last_message_at", type = "timestamp" },
]
foreign_keys = [{ columns = ["organization_id"], references = "organizations(id)" }]

[[table]]
name = "chat_members"
primary_key = ["id"]
columns = [
    { name = "id", type = "serial" },
    { name = "chat_id", type = "uuid" },
    { name = "user_id", type = "uuid" },
]
unique = [{ columns = ["chat_id", "user_id"] }]
foreign_keys = [
    { columns = ["chat_id"], references = "chats(id)" },
    { columns = ["user_id"], references = "public.users(id)" },
]

[[table]]
name = "member_notes"
primary_key = ["id"]
columns = [{ name = "id", type = "uuid" }, { name = "member_id", type = "uuid" }]
foreign_keys = [{ columns = ["member_id"], references = "chat_members" }]

[[index]]
table = "chat_members"
columns = ["user_id", { expression = "lower(user_id::text)" }]
where = "chat_id IS NOT NULL"

[[data]]
name = "seeded"
query = "SELECT EXISTS (SELECT 1 FROM public.users u WHERE u.organization_id = 1 AND u.first_name = 'first_name' AND \"created_at\" < now()) -- first_name"

[[function]]
name = "touch"
definition = "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.last_message_at = now(); RETURN NEW; END $fn$"
"#;

fn adapted(text: &str, snap: &Snapshot) -> (Checklist, Vec<Adaptation>) {
    let c = Checklist::parse(text, "preset:t").unwrap();
    let (mut lists, notes) = adapt(&[c], snap);
    (lists.remove(0), notes)
}

fn columns(c: &Checklist, table: &str) -> Vec<(String, Option<String>)> {
    let t = c
        .file
        .tables
        .iter()
        .map(|t| t.get_ref())
        .find(|t| t.name == table)
        .unwrap_or_else(|| panic!("no table {table}"));
    t.columns
        .iter()
        .map(|c| {
            let c = c.get_ref();
            (
                c.name.to_string(),
                c.data_type.as_ref().map(|t| t.to_string()),
            )
        })
        .collect()
}

#[test]
fn conventions_by_majority() {
    assert_eq!(
        majority(["user_id", "created_at", "id", "email"]),
        Some(Case::Snake)
    );
    assert_eq!(majority(["userId", "createdAt", "id"]), Some(Case::Camel));
    assert_eq!(
        majority(["User", "ChatMessage", "_prisma_migrations"]),
        Some(Case::Pascal)
    );
    // Too few names, or a mix, is no convention.
    assert_eq!(majority(["id", "email", "users"]), None);
    assert_eq!(majority(["userId"]), None);
    assert_eq!(
        majority(["userId", "createdAt", "user_id", "time_range"]),
        None
    );
    let c = detect::conventions(&typeorm());
    // `migrations` (TypeORM's own) does not vote; single words show nothing.
    assert_eq!(c.tables, None);
    assert_eq!(c.columns, Some(Case::Camel));
}

#[test]
fn names_follow_the_database() {
    let (c, notes) = adapted(PRESET, &typeorm());
    assert_eq!(
        columns(&c, "chats"),
        [
            ("id".into(), Some("uuid".into())),
            ("organizationId".into(), Some("integer".into())),
            ("lastMessageAt".into(), Some("timestamp".into())),
        ]
    );
    let t = c.file.tables[1].get_ref();
    assert_eq!(t.unique[0].get_ref().columns, ["chatId", "userId"]);
    assert_eq!(t.foreign_keys[1].get_ref().columns, ["userId"]);
    assert_eq!(t.foreign_keys[1].get_ref().references, "public.users(id)");
    let idx = c.file.indexes[0].get_ref();
    assert_eq!(idx.columns[0], IndexKey::Column("userId".into()));
    assert_eq!(idx.columns[1].expression(), Some("lower(\"userId\"::text)"));
    assert_eq!(idx.predicate.as_deref(), Some("\"chatId\" IS NOT NULL"));
    let said: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert!(
        said.contains(&"column chats.organization_id: the database names it \"organizationId\"".to_string())
            || said.contains(&"column chats.organization_id: created as \"organizationId\" (camelCase columns in this database)".to_string()),
        "{said:#?}"
    );
    assert!(
        said.contains(&"column chat_members.user_id: created as \"userId\" (camelCase columns in this database)".to_string()),
        "{said:#?}"
    );
}

#[test]
fn sql_names_are_rewritten_but_literals_and_comments_are_not() {
    let (c, _) = adapted(PRESET, &typeorm());
    assert_eq!(
        c.file.data[0].get_ref().query,
        "SELECT EXISTS (SELECT 1 FROM public.users u WHERE u.\"organizationId\" = 1 AND u.\"firstName\" = 'first_name' AND \"createdAt\" < now()) -- first_name"
    );
    // A dollar-quoted body is rewritten in turn, its tag kept.
    assert_eq!(
        c.file.functions[0].get_ref().definition.as_deref(),
        Some(
            "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.\"lastMessageAt\" = now(); RETURN NEW; END $fn$"
        )
    );
}

#[test]
fn foreign_key_columns_take_the_referenced_type() {
    let (c, notes) = adapted(PRESET, &typeorm());
    let members = columns(&c, "chat_members");
    // users.id is bigint in the database; chats is new, its id uuid as stated.
    assert_eq!(members[2], ("userId".into(), Some("bigint".into())));
    assert_eq!(members[1], ("chatId".into(), Some("uuid".into())));
    // A chain through a new table: member_notes → chat_members' serial primary key.
    assert_eq!(
        columns(&c, "member_notes")[1],
        ("memberId".into(), Some("integer".into()))
    );
    let said: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert!(
        said.contains(&"column chat_members.userId: bigint, the type of the referenced key users.id (the checklist says uuid)".to_string()),
        "{said:#?}"
    );
}

#[test]
fn existing_objects_are_found_under_their_spelling() {
    let snap = snapshot(vec![
        table(
            "ChatMembers",
            &[
                ("id", "integer"),
                ("chatId", "integer"),
                ("userId", "integer"),
            ],
        ),
        table("Users", &[("id", "integer"), ("createdAt", "timestamp")]),
    ]);
    let text = r#"
[checklist]
adapt = true

[[table]]
name = "chat_members"
columns = [{ name = "user_id", type = "uuid" }, { name = "joined_at", type = "timestamp" }]
foreign_keys = [{ columns = ["user_id"], references = "users(id)" }]

[[table]]
name = "chat_rooms"
columns = [{ name = "id", type = "uuid" }]

[[policy]]
table = "chat_members"
name = "own"
using = "user_id = current_setting('app.user_id')::integer"
"#;
    let (c, _) = adapted(text, &snap);
    assert_eq!(c.file.tables[0].get_ref().name, "ChatMembers");
    assert_eq!(
        columns(&c, "ChatMembers"),
        [
            ("userId".into(), Some("integer".into())),
            ("joinedAt".into(), Some("timestamp".into())),
        ]
    );
    assert_eq!(
        c.file.tables[0].get_ref().foreign_keys[0]
            .get_ref()
            .references,
        "Users(id)"
    );
    // A new table follows the tables' convention.
    assert_eq!(c.file.tables[1].get_ref().name, "ChatRooms");
    let p = c.file.policies[0].get_ref();
    assert_eq!(p.table, "ChatMembers");
    assert_eq!(
        p.using.as_deref(),
        Some("\"userId\" = current_setting('app.user_id')::integer")
    );
}

#[test]
fn an_ambiguous_or_snake_case_database_keeps_the_names() {
    let snake = snapshot(vec![table(
        "users",
        &[
            ("id", "uuid"),
            ("created_at", "timestamptz"),
            ("first_name", "text"),
        ],
    )]);
    let (c, notes) = adapted(PRESET, &snake);
    assert_eq!(columns(&c, "chats")[1].0, "organization_id");
    assert_eq!(
        c.file.data[0].get_ref().query,
        Checklist::parse(PRESET, "x").unwrap().file.data[0]
            .get_ref()
            .query
    );
    // Only the types of keys into a table that exists (users) or an integer one change.
    assert!(
        notes
            .iter()
            .all(|n| n.change.contains("the type of the referenced key")),
        "{notes:#?}"
    );
    let empty = snapshot(Vec::new());
    let (c, _) = adapted(PRESET, &empty);
    assert_eq!(
        columns(&c, "chat_members")[2],
        ("user_id".into(), Some("uuid".into()))
    );
}

#[test]
fn checklists_without_adapt_are_held_exactly() {
    let text = PRESET.replace("adapt = true", "");
    let (c, notes) = adapted(&text, &typeorm());
    assert!(notes.is_empty());
    assert_eq!(
        columns(&c, "chat_members")[2],
        ("user_id".into(), Some("uuid".into()))
    );
}

#[test]
fn camel_case_names_become_snake_case_in_a_snake_case_database() {
    let snap = snapshot(vec![
        table(
            "users",
            &[
                ("id", "integer"),
                ("created_at", "timestamp"),
                ("provider_id", "text"),
            ],
        ),
        table("rooms", &[("id", "integer"), ("owner_id", "integer")]),
    ]);
    let text = r#"
[checklist]
adapt = true

[[table]]
name = "sessions"
columns = [{ name = "userId", type = "text" }, { name = "refreshToken", type = "text" }]
foreign_keys = [{ columns = ["userId"], references = "users(id)" }]

[[data]]
name = "q"
query = "SELECT count(*) = 0 FROM sessions WHERE \"refreshToken\" IS NULL AND \"providerId\" = 'x'"
"#;
    let (c, notes) = adapted(text, &snap);
    assert!(
        notes.iter().any(|n| n.to_string()
            == "column providerId (in SQL): the database names it \"provider_id\""),
        "{notes:#?}"
    );
    assert_eq!(
        columns(&c, "sessions"),
        [
            ("user_id".into(), Some("integer".into())),
            ("refresh_token".into(), Some("text".into())),
        ]
    );
    // A column no item states is found in the database under its spelling.
    assert_eq!(
        c.file.data[0].get_ref().query,
        "SELECT count(*) = 0 FROM sessions WHERE refresh_token IS NULL AND provider_id = 'x'"
    );
}

#[test]
fn an_existing_referenced_key_keeps_its_type() {
    let text = r#"
[checklist]
adapt = true

[[table]]
name = "users"
columns = [{ name = "id", type = "uuid", default = "gen_random_uuid()" }, { name = "email_address", type = "text" }]

[[table]]
name = "user_notes"
columns = [{ name = "id", type = "uuid" }, { name = "user_id", type = "uuid" }]
foreign_keys = [{ columns = ["user_id"], references = "users" }]
"#;
    let (c, notes) = adapted(text, &typeorm());
    let users = c.file.tables[0].get_ref().columns[0].get_ref();
    assert_eq!(users.data_type.as_deref(), Some("bigint"));
    assert_eq!(
        users.default, None,
        "a uuid default does not fit a bigint key"
    );
    // The key named by the primary key (no column list) is found in the database.
    assert_eq!(
        columns(&c, "user_notes")[1],
        ("userId".into(), Some("bigint".into()))
    );
    let said: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert!(
        said.contains(&"column users.id: bigint, as the database has it: a key keeps its type (the checklist says uuid)".to_string()),
        "{said:#?}"
    );
}

#[test]
fn adaptations_concern_the_items_of_their_relation() {
    let a = Adaptation {
        checklist: "preset:t".into(),
        object: "column chat_members.user_id".into(),
        change: "the database names it \"userId\"".into(),
        kind: AdaptationKind::Name,
    };
    assert!(a.concerns("preset:t", "public.\"ChatMembers\""));
    assert!(a.concerns("preset:t", "public.chat_members.\"userId\""));
    assert!(!a.concerns("preset:t", "public.chats"));
    assert!(!a.concerns("preset:other", "public.chat_members"));
}

#[test]
fn sql_leaves_functions_aliases_and_other_schemas_alone() {
    let mut snap = typeorm();
    snap.schemas.push(crate::db::catalog::Schema {
        name: "auth".into(),
        owner: "postgres".into(),
        comment: None,
        managed: true,
        acl: Vec::new(),
        acl_is_default: true,
    });
    let text = r#"
[checklist]
adapt = true

[[table]]
name = "chats"
columns = [{ name = "organization_id", type = "integer" }, { name = "last_message_at", type = "timestamp" }]

[[data]]
name = "q"
query = "SELECT last_message_at AS last_message_at, organization_id(1), auth.organization_id, reporting.chats.last_message_at, \"organization_id\" FROM chats WHERE $$organization_id$$ <> E'organization_id'"
"#;
    let (c, _) = adapted(text, &snap);
    assert_eq!(
        c.file.data[0].get_ref().query,
        "SELECT \"lastMessageAt\" AS last_message_at, organization_id(1), auth.organization_id, reporting.chats.last_message_at, \"organizationId\" FROM chats WHERE $$organization_id$$ <> E'organization_id'"
    );
}
