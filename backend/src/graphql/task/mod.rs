//! Generation tasks in the API: `submitTask`, `task`, `tasks`, and the `Task`,
//! `OutputAsset` and `TaskTransition` types.

mod inputs;
mod mutations;
mod object;
mod output;
mod query;

pub use mutations::*;
pub use object::*;
pub use output::*;
pub use query::*;
