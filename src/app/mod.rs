//! The interactive app's pure core: state, actions, `update`, effects, keymap and rows.

pub mod action;
pub mod ddl;
pub mod effect;
pub mod fixflow;
pub mod haystack;
pub mod keymap;
pub mod layout;
pub mod restore;
pub mod rows;
pub mod state;
pub mod update;
mod update_fix;

pub use action::{Action, ConnectionInfo};
pub use effect::Effect;
pub use state::{Mode, Phase, State, Tab};
pub use update::update;
