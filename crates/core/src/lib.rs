//! The shared vocabulary of Bosun.
//!
//! Everything here is plain data or a tiny utility with no I/O: the normalized records that
//! connectors produce and the store persists, the error [`Code`]s every front door reports, the
//! injected [`Clock`], the [`Sensitive`] wrapper for secrets, and a seedable PRNG whose output never
//! changes between releases (demo data must be reproducible forever). One exception to "no I/O":
//! [`install`] finds an installed package's data files beside the running executable.

#![warn(missing_docs)]

pub mod clock;
pub mod error;
pub mod install;
pub mod model;
pub mod rng;
pub mod secret;
pub mod time;
pub mod weburl;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Code, HasCode};
pub use rng::Rng;
pub use secret::Sensitive;
pub use weburl::is_web_url;
