//! Small types shared by provider payloads.

use crate::error::{ConnectorError, Result};
use bosun_core::time::{Ts, parse_rfc3339};
use bosun_store::sync_state::Source;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The bytes kept as a record's raw payload: the compact JSON text of `v`. Printing a `Value`
/// cannot fail (its keys are strings), so no payload is ever stored empty.
pub(crate) fn raw_json(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// Raw JSON items as one JSON array (a list's raw payload).
pub(crate) fn join_raw<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![b'['];
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p);
    }
    out.push(b']');
    out
}

/// A source's settings in its connector's shape; a configuration error naming the source if they
/// do not fit.
pub(crate) fn settings<T: DeserializeOwned>(source: &Source) -> Result<T> {
    serde_json::from_value(source.settings.clone())
        .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))
}

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
