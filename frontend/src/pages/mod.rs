//! One component per route.

pub mod board;
pub mod login;
