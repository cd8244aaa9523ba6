//! The demo organisation (Tidewater Labs, defined in `demo/org.toml`) and a seeded generator that
//! turns it into months of realistic activity: commits, pull requests, reviews, CI, deployments,
//! tickets and sprints, incidents and chat. The fake providers serve the resulting [`World`]
//! over the real provider APIs, so demo mode exercises the production connectors.
//!
//! Same seed, scale and `as_of` ⇒ the same world, byte for byte.

pub mod actions;
pub mod calendar;
pub mod drift;
mod generator;
pub mod goals;
pub mod ids;
pub mod org;
pub mod real_world;
mod text;
pub mod world;

pub use generator::{GenOptions, generate};
pub use org::{Org, OrgError};
pub use real_world::RealWorld;
pub use world::World;
