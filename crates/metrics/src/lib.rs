//! Delivery metrics people can trust, as a pure engine: a [`Dataset`](data::Dataset) and a scope
//! in, numbers with the records behind them out. Definitions are in docs/metric-definitions.md and
//! on each module; every number is a count, a ratio with its parts, or a median/percentile summary
//! of named samples — never a mean mixed in silently.

#![warn(missing_docs)]

pub mod capacity;
pub mod charts;
pub mod data;
pub mod definitions;
pub mod dora;
pub mod experts;
pub mod flow;
pub mod forecast;
pub mod holidays;
pub mod incident_stats;
pub mod investment;
pub mod prs;
pub mod review;
pub mod sprint;
pub mod stats;
pub mod suspects;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testkit;
