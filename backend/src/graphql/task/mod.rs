//! Generation tasks in the API: `submitTask`, `task`, `tasks`, and the `Task`,
//! `OutputAsset` and `TaskTransition` types.

mod inputs;
mod mutations;
mod object;
mod output;
mod query;

pub(crate) use mutations::*;
pub(crate) use object::*;
pub(crate) use output::*;
pub(crate) use query::*;
