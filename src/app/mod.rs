//! The interactive app's pure core: state, actions, `update`, effects, keymap and rows.

pub mod action;
pub mod columns;
mod commands;
pub mod ddl;
pub mod effect;
pub mod fixflow;
pub mod haystack;
pub mod help;
pub mod keydefs;
pub mod keymap;
pub mod layout;
mod picker;
pub mod restore;
pub mod rows;
pub mod scope;
pub mod state;
pub mod update;
mod update_access;
mod update_fix;

pub use action::{Action, ConnectionInfo};
pub use effect::Effect;
pub use state::{Mode, Phase, State, Tab};
pub use update::update;

/// The findings `f` would fix now: the marked items', else the selected row's.
pub fn update_fix_findings(s: &State) -> Vec<String> {
    update_fix::findings_to_fix(s)
}
