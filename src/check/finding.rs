//! What a check reports.

use std::borrow::Cow;

use serde::Serialize;

use crate::rules::Rule;
use crate::rules::Severity;

/// Where in a checklist an item was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// The checklist file's path, or `preset:NAME`.
    pub file: String,
    pub line: usize,
}

/// One thing that is not as it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable across runs: `rule:object` (e.g. `table.missing:public.session`).
    pub id: String,
    /// The checklist rule or lint that produced it (serialised as its id, e.g. `table.missing`,
    /// `lint.unindexed_foreign_key`).
    pub rule: Rule,
    pub severity: Severity,
    /// Schema-qualified, quoted as PostgreSQL would (`public."UserProfile"`).
    pub object: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
    /// Why it matters, in words the engineer reads next to the ✘. A lint's is its own static
    /// text, shared by all its findings rather than copied into each (issue 15: 37,500 lint
    /// findings copied 9 MB of it).
    pub why: Option<Cow<'static, str>>,
    /// What to do about it.
    pub remedy: Option<String>,
    /// The checklist item it came from (None for lints).
    pub source: Option<SourceRef>,
    /// pgmend can generate a fix for it.
    pub fixable: bool,
    /// The checklist's source does not state what this finding holds the database to: the
    /// assumption, in words. Such a finding is capped at `info`, never counts for the exit
    /// code, and `fix --all` leaves it alone (`checklist::assumed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

impl Finding {
    /// A finding with the required parts; the rest is filled with the builder methods.
    pub fn new(
        rule: impl Into<Rule>,
        severity: Severity,
        object: String,
        message: String,
    ) -> Finding {
        let rule = rule.into();
        Finding {
            id: format!("{rule}:{object}"),
            rule,
            severity,
            object,
            expected: None,
            actual: None,
            message,
            why: None,
            remedy: None,
            source: None,
            fixable: false,
            assumed: None,
        }
    }

    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.expected = Some(e.into());
        self
    }

    pub fn actual(mut self, a: impl Into<String>) -> Self {
        self.actual = Some(a.into());
        self
    }

    pub fn why(mut self, w: Option<&str>) -> Self {
        self.why = w.map(|w| Cow::Owned(w.to_string()));
        self
    }

    /// `why`, with text that lives as long as the program (a lint's).
    pub fn why_static(mut self, w: &'static str) -> Self {
        self.why = Some(Cow::Borrowed(w));
        self
    }

    pub fn remedy(mut self, r: impl Into<String>) -> Self {
        self.remedy = Some(r.into());
        self
    }

    pub fn fixable(mut self, f: bool) -> Self {
        self.fixable = f;
        self
    }

    pub fn source(mut self, s: SourceRef) -> Self {
        self.source = Some(s);
        self
    }

    /// Marks the finding as resting on an assumption (None: leaves it as it is); its severity
    /// is capped at [`crate::checklist::assumed::CAP`].
    pub fn assume(&mut self, assumption: Option<String>) -> &mut Self {
        if let Some(a) = assumption {
            self.severity = self.severity.min(crate::checklist::assumed::CAP);
            self.assumed.get_or_insert(a);
        }
        self
    }

    /// The finding rests on an assumption of the checklist.
    pub fn is_assumed(&self) -> bool {
        self.assumed.is_some()
    }

    /// The item could not be evaluated (rule `<kind>.unknown`).
    pub fn is_unknown(&self) -> bool {
        self.rule.is_unknown()
    }

    /// Makes the id unique when one rule finds several things on one object.
    pub fn id_suffix(mut self, suffix: &str) -> Self {
        self.id = format!("{}/{suffix}", self.id);
        self
    }
}
