//! One component per route.

pub mod board;
pub mod login;
pub mod settings;
pub mod task;
