//! The fakes over real HTTP: what a first-run wizard reads from the fake GitHub (the token's
//! scopes, the organisation, its members and teams) in the demo's shape and in the real-world
//! shape (`bosun_demo::real_world`).

mod github_orgs;
mod real_world;
mod support;
