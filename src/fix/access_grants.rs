//! The `authenticated_without_grant` lint's fix: GRANT `authenticated` the commands its
//! policies are written for, so the policies run (row level security stays on and decides the
//! rows). Undo revokes exactly those.

use crate::check::Finding;
use crate::check::lints::authenticated_without_grant::policy_privileges;
use crate::db::privileges::list;
use crate::sql::qualified;

use super::build::B;
use super::cx::Cx;
use super::plan::Plan;

pub(crate) fn lint_authenticated(cx: &Cx, f: &Finding) -> Option<Plan> {
    let t = cx.relation_by_object(&f.object)?;
    if cx.managed(&t.schema) || !t.rls_enabled {
        return None;
    }
    let privileges = policy_privileges(t);
    if privileges.is_empty() {
        return None;
    }
    let tq = qualified(&t.schema, &t.name);
    let l = list(&privileges);
    let policies: Vec<&str> = t.policies.iter().map(|p| p.name.as_str()).collect();
    let mut b = B::new(&f.id, format!("grant {l} on {tq} to authenticated"));
    b.table(&tq);
    b.tx(
        format!("grant {l} on {tq} to authenticated"),
        format!("GRANT {l} ON TABLE {tq} TO authenticated"),
    );
    b.undo_tx(
        format!("revoke {l} on {tq} from authenticated"),
        format!("REVOKE {l} ON TABLE {tq} FROM authenticated"),
    );
    b.lock(
        &tq,
        super::build::locks::ACCESS_EXCLUSIVE,
        super::build::locks::brief(&tq),
    )
    .hazard(format!(
        "signed-in clients (authenticated) gain {l} on {tq}; row level security stays on and \
         its policies ({}) decide which rows",
        policies.join(", ")
    ));
    Some(b.done())
}
