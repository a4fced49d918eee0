//! Generation tasks: what can be asked for, and how a task moves through its life.

mod filename;
mod media;
mod params;
mod price;
mod status;
mod validation;

pub use filename::DownloadName;
pub use params::*;
pub use status::*;
