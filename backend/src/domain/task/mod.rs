//! Generation tasks: what can be asked for, and how a task moves through its life.

mod filename;
mod media;
mod params;
mod price;
mod spend;
mod status;
mod validation;

pub use filename::DownloadName;
pub use params::*;
pub use spend::{Acknowledged, SpendWarning};
pub(crate) use spend::{RECENT_SUCCESS_HOURS, check as check_spend};
pub use status::*;
