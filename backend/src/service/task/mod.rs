//! Generation tasks: submit (and price, and de-duplicate), read, list, promote, retry,
//! cancel, and move them through their statuses.
//!
//! Every change is written in one transaction with its history row and announced from
//! inside it (see [`crate::events`]); this process's subscribers hear of it right after
//! the commit.

use super::ServiceError;
use crate::auth::Viewer;

mod lineage;
mod query;
mod spend;
mod submit;
mod transition;

pub(crate) use lineage::*;
pub(crate) use query::*;
pub use spend::SpendNotice;
pub use submit::*;
pub(crate) use transition::*;

fn require_creator(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.roles.can_create() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only creators submit tasks"))
    }
}
