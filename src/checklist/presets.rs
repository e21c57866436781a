//! Built-in checklists, one per seeded platform, compiled into the binary. Each preset is named
//! after the scenario in `assets/scenarios/` it describes.

/// (name, TOML text) of every preset, in the order of `assets/scenarios/index.toml`.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "virtual-audience",
        include_str!("../../assets/presets/virtual-audience.toml"),
    ),
    (
        "chat-system",
        include_str!("../../assets/presets/chat-system.toml"),
    ),
    ("lms", include_str!("../../assets/presets/lms.toml")),
    (
        "mood-journal",
        include_str!("../../assets/presets/mood-journal.toml"),
    ),
    (
        "event-platform",
        include_str!("../../assets/presets/event-platform.toml"),
    ),
];

pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

pub fn text(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for name in names() {
            if let Err(e) = crate::checklist::Checklist::preset(name) {
                panic!("{name}: {e}");
            }
        }
    }
}
