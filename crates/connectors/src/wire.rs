//! Small types shared by provider payloads.

use bosun_core::time::{Ts, parse_rfc3339};
use serde::{Deserialize, Deserializer};

/// An RFC 3339 timestamp; anything else is a decoding error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub Ts);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s = String::deserialize(d)?;
        parse_rfc3339(&s)
            .map(Time)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}")))
    }
}
