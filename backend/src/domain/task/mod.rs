//! Generation tasks: what can be asked for, and how a task moves through its life.

mod media;
mod params;
mod price;
mod status;
mod validation;

pub use params::*;
pub use status::*;
