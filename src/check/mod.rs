//! Comparing a snapshot with checklists, and running the lints. `run` is pure: everything it
//! needs from the database is in the snapshot and the [`Facts`] gathered before it.

mod accept;
pub mod credential;
pub mod detect;
pub mod facts;
pub mod finding;
mod items;
pub mod lints;
pub mod policy_match;
pub mod waive;

use std::collections::BTreeMap;

use serde::Serialize;

pub use facts::{Facts, gather_facts};
pub use finding::{Finding, SourceRef};

use crate::checklist::{Checklist, LintSetting};
use crate::db::catalog::Snapshot;
use crate::rules::Severity;

/// One checklist item and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    /// `table`, `enum`, `index`, `view`, `rls`, `policy`, …
    pub kind: &'static str,
    /// The object the item is about, quoted as PostgreSQL would.
    pub object: String,
    pub severity: Severity,
    pub why: Option<String>,
    pub source: SourceRef,
    /// Empty when the item holds (✔).
    pub findings: Vec<Finding>,
    /// The whole item is an assumption of the checklist (`assumed`): the assumption in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

impl ItemResult {
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// Every finding says the item could not be evaluated.
    pub fn unknown(&self) -> bool {
        !self.findings.is_empty() && self.findings.iter().all(Finding::is_unknown)
    }

    /// Every finding rests on an assumption: the item is a note, not a failure.
    pub fn only_assumed(&self) -> bool {
        !self.findings.is_empty() && self.findings.iter().all(Finding::is_assumed)
    }

    /// The worst severity among the findings (the item's own when it passed).
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(self.severity)
    }
}

/// A lint finding a checklist accepts, and which item says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub finding: Finding,
    /// "the checklist states rls = \"disabled\" (file:line)".
    pub by: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The checklists used (file paths or `preset:NAME`).
    pub checklists: Vec<String>,
    pub items: Vec<ItemResult>,
    /// Lint findings (lints are not checklist items: they only report what is wrong).
    pub lint_findings: Vec<Finding>,
    /// Lint findings a checklist overrules: an item states the contrary (`rls = "disabled"`,
    /// `security_invoker = false`, `primary_key = []`), or a snapshot checklist records the
    /// object as it is. Shown, never counted or fixed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<Accepted>,
    /// The lints that ran.
    pub lints_run: Vec<String>,
    /// The platform the checks assumed: a checklist's `platform`, else detected.
    pub platform: Option<detect::PlatformGuess>,
    /// With no checklist: the built-in preset that looks like this database (never applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<detect::Suggestion>,
    /// Findings a `[[waive]]` sets aside: listed, never counted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<waive::Waived>,
    /// Waivers past their `until` day: their findings count again.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expired_waivers: Vec<waive::WaiverNote>,
    /// Waivers that match no finding (the finding is gone, or the id is mistyped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unused_waivers: Vec<waive::WaiverNote>,
    /// What the checklists that adapt (`adapt = true`) changed to fit this database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adaptations: Vec<crate::checklist::adapt::Adaptation>,
}

impl Report {
    /// Every finding: failed items' first, then lints'.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.items
            .iter()
            .flat_map(|i| &i.findings)
            .chain(&self.lint_findings)
    }

    /// Findings per severity, worst first.
    pub fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in self.findings() {
            *m.entry(f.severity).or_insert(0) += 1;
        }
        m
    }

    /// The worst severity among the findings that count: assumed ones never do (they decide no
    /// exit code).
    pub fn worst(&self) -> Option<Severity> {
        self.findings()
            .filter(|f| !f.is_assumed())
            .map(|f| f.severity)
            .max()
    }

    /// How many findings rest on an assumption of the checklist.
    pub fn assumed(&self) -> usize {
        self.findings().filter(|f| f.is_assumed()).count()
    }
}

/// Lint switches from config.toml, applied before the checklists' own `[lints]`.
pub type LintOverrides = BTreeMap<String, LintSetting>;

/// What a check takes besides the checklists, from config.toml and the command line.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Lint switches, applied before the checklists' own `[lints]`.
    pub lints: LintOverrides,
    /// Waivers from config.toml, as `[[waive]]` in a checklist.
    pub waivers: Vec<crate::checklist::Waiver>,
    /// Where those waivers are written (the config file's path).
    pub waivers_from: String,
    /// `--no-lints`: no lint runs, so none is reported.
    pub no_lints: bool,
}

/// The one way every path checks (`check`, `fix`, `check --fleet`, the app): the checklists
/// adapted to `snapshot` ([`crate::checklist::adapt`]), their facts gathered on `conn` (none
/// without a connection), then [`run`]. Returns the adapted checklists, which the fixes must be
/// planned from (None when no checklist adapts: plan from the ones given), and the report with
/// the adaptations. Which findings pgmend can mend is the caller's to mark, on the checklists
/// returned (`fix::mark_fixable`): the checker knows nothing of the fixer.
pub async fn check_adapted(
    conn: Option<&mut sqlx::PgConnection>,
    snapshot: &Snapshot,
    checklists: &[Checklist],
    settings: &Settings,
) -> (Option<Vec<Checklist>>, Report) {
    let (adapted, adaptations) = match crate::checklist::adapt::adapt_if_asked(checklists, snapshot)
    {
        Some((lists, notes)) => (Some(lists), notes),
        None => (None, Vec::new()),
    };
    let lists = adapted.as_deref().unwrap_or(checklists);
    let facts = match conn {
        Some(c) => gather_facts(c, lists).await,
        None => Facts::default(),
    };
    let mut report = run_with(snapshot, lists, &facts, settings);
    report.adaptations = adaptations;
    (adapted, report)
}

/// Overrides that turn every lint off (`--no-lints`; checks of the checklist's items only).
pub fn all_lints_off() -> LintOverrides {
    crate::rules::LintId::ALL
        .iter()
        .map(|l| {
            (
                l.as_str().to_string(),
                crate::checklist::LintSetting::Enabled(false),
            )
        })
        .collect()
}

/// Checks `snapshot` against `checklists` and runs the enabled lints.
pub fn run(
    snapshot: &Snapshot,
    checklists: &[Checklist],
    facts: &Facts,
    overrides: &LintOverrides,
) -> Report {
    run_with(
        snapshot,
        checklists,
        facts,
        &Settings {
            lints: overrides.clone(),
            ..Settings::default()
        },
    )
}

/// [`run`] with the waivers of config.toml, and `--no-lints`.
pub fn run_with(
    snapshot: &Snapshot,
    checklists: &[Checklist],
    facts: &Facts,
    settings: &Settings,
) -> Report {
    let mut overrides = settings.lints.clone();
    if settings.no_lints {
        overrides.extend(all_lints_off());
    }
    let overrides = &overrides;
    let platform = detect::platform(snapshot, checklists);
    let mut report = Report {
        checklists: checklists.iter().map(|c| c.source.clone()).collect(),
        suggestion: checklists
            .is_empty()
            .then(|| detect::suggest(snapshot))
            .flatten(),
        ..Default::default()
    };
    for c in checklists {
        items::check_all(snapshot, c, facts, &mut report.items);
    }
    run_lints(
        snapshot,
        checklists,
        platform.platform,
        overrides,
        &mut report,
    );
    report.platform = Some(platform);
    accept::overrule(&mut report, snapshot, checklists);
    if settings.no_lints {
        report.lint_findings.clear();
        report.lints_run.clear();
    }
    let mut waivers = waive::from_checklists(checklists);
    waivers.extend(settings.waivers.iter().map(|w| waive::Stated {
        waiver: w,
        by: settings.waivers_from.clone(),
    }));
    waive::apply(&mut report, &waivers, &waive::today());
    report
}

/// The schemas an API exposes to clients, where one does: those the checklists list
/// (`exposed_schemas`), else `public` on a Supabase or PostgREST database (said by a
/// checklist's `platform`, or detected: [`detect::platform`]). A plain PostgreSQL database
/// exposes none, so the exposed-schema lints (RLS, API role grants) stay quiet, even where an
/// `anon` role exists in the cluster but holds nothing in this database.
pub fn exposed_schemas(snapshot: &Snapshot, checklists: &[Checklist]) -> Vec<String> {
    use crate::checklist::Platform;
    let said: Vec<&Vec<String>> = checklists
        .iter()
        .filter_map(|c| c.file.checklist.exposed_schemas.as_ref())
        .collect();
    let api = checklists.iter().any(|c| {
        matches!(
            c.file.checklist.platform,
            Some(Platform::Supabase | Platform::Postgrest)
        )
    }) || matches!(
        detect::platform(snapshot, &[]).platform,
        Platform::Supabase | Platform::Postgrest
    );
    let mut exposed: Vec<String> = if !said.is_empty() {
        said.into_iter().flatten().cloned().collect()
    } else if api {
        vec!["public".into()]
    } else {
        Vec::new()
    };
    exposed.sort();
    exposed.dedup();
    exposed
}

fn run_lints(
    snapshot: &Snapshot,
    checklists: &[Checklist],
    platform: crate::checklist::Platform,
    overrides: &LintOverrides,
    report: &mut Report,
) {
    let exposed = exposed_schemas(snapshot, checklists);
    let ctx = lints::LintContext {
        snapshot,
        exposed_schemas: &exposed,
        platform: Some(platform),
        wants_snake_case_views: checklists
            .iter()
            .any(|c| c.file.views.iter().any(|v| v.get_ref().snake_case)),
    };
    for lint in lints::ALL {
        let mut enabled = true;
        let mut severity = None;
        let settings = overrides.get(lint.id.as_str()).into_iter().chain(
            checklists
                .iter()
                .filter_map(|c| c.file.lints.get(lint.id.as_str()).map(|s| s.get_ref())),
        );
        for s in settings {
            match s {
                LintSetting::Enabled(on) => enabled = *on,
                LintSetting::Detailed(d) => {
                    enabled = d.enabled;
                    severity = d.severity.or(severity);
                }
            }
        }
        if !enabled {
            continue;
        }
        report.lints_run.push(lint.id.as_str().to_string());
        for mut f in (lint.run)(&ctx, lint) {
            if let Some(s) = severity {
                f.severity = s;
            }
            report.lint_findings.push(f);
        }
    }
}
