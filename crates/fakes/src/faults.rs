//! Switchable faults: what a flaky provider does to a client. Tests set them through
//! [`Faults::set`] or `PUT /_fake/faults` with a JSON [`FaultConfig`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The faults switched on (`PUT /_fake/faults`); none by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultConfig {
    /// Primary rate limit: after `remaining` more requests, answer 403 with
    /// `X-RateLimit-Remaining: 0` until `reset_after_secs` have passed.
    pub primary_rate_limit: Option<PrimaryLimit>,
    /// Secondary rate limit: the next `requests` requests get `status` (403 or 429) with
    /// `Retry-After: retry_after_secs`.
    pub secondary_rate_limit: Option<SecondaryLimit>,
    /// The next `count` requests whose path contains `path_contains` fail with `status`.
    pub server_errors: Option<Burst>,
    /// The next `count` matching responses are cut in half (invalid JSON).
    pub truncate: Option<Burst>,
    /// The next `count` matching responses are well-formed JSON of the wrong shape.
    pub malformed: Option<Burst>,
    /// Every response is delayed this long (before the request is handled).
    pub delay_ms: Option<u64>,
    /// Only requests whose path contains this are delayed (all when unset): a provider slow to
    /// write but quick to read.
    pub delay_path_contains: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A primary rate limit (see [`FaultConfig::primary_rate_limit`]).
pub struct PrimaryLimit {
    /// Requests still answered before the limit.
    pub remaining: u32,
    /// Seconds from now until the limit resets.
    pub reset_after_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A secondary rate limit (see [`FaultConfig::secondary_rate_limit`]).
pub struct SecondaryLimit {
    /// Requests refused.
    pub requests: u32,
    /// The `Retry-After` they carry, in seconds.
    pub retry_after_secs: u64,
    /// The status they get: 403 or 429 (the default).
    #[serde(default = "default_secondary_status")]
    pub status: u16,
    /// Answer the way GitHub's older "abuse detection" limit does: no `Retry-After` at all, so
    /// the client has to choose how long to wait.
    #[serde(default)]
    pub no_retry_after: bool,
}

fn default_secondary_status() -> u16 {
    429
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A run of bad answers to the next requests whose path matches.
pub struct Burst {
    /// How many requests get one.
    pub count: u32,
    /// Only requests whose path contains this (all when unset).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// The status of a server error (502 by default).
    #[serde(default = "default_error_status")]
    pub status: u16,
}

fn default_error_status() -> u16 {
    502
}

impl Burst {
    fn matches(&self, path: &str) -> bool {
        self.count > 0
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Handle the request, then maybe spoil the answer.
    Serve {
        /// Cut the answer in half.
        truncate: bool,
        /// Answer well-formed JSON of the wrong shape.
        malformed: bool,
    },
    /// Refuse it: the primary rate limit is spent.
    PrimaryLimited {
        /// When the limit resets (unix time).
        reset: u64,
    },
    /// Refuse it: the secondary rate limit.
    SecondaryLimited {
        /// 403 or 429.
        status: u16,
        /// `Retry-After` in seconds; `None` for the older limit that names no time.
        retry_after: Option<u64>,
    },
    /// Fail it with a server error.
    ServerError {
        /// The status (5xx).
        status: u16,
    },
}

/// The fault switchboard of one fake server, and its request counts.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    config: FaultConfig,
    primary_reset_at: Option<u64>,
    stats: Stats,
}

/// Request counts, for tests and benchmarks (`GET /_fake/stats`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Requests served.
    pub requests: u64,
    /// Of which answered 304 Not Modified.
    pub not_modified: u64,
    /// Requests by answer status.
    pub by_status: BTreeMap<u16, u64>,
    /// Requests by route (the matched path pattern).
    pub by_route: BTreeMap<String, u64>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Faults {
    /// Switch to `config` (the primary limit's clock starts now).
    pub fn set(&self, config: FaultConfig) {
        let mut st = self.lock();
        st.primary_reset_at = config
            .primary_rate_limit
            .as_ref()
            .map(|p| now_secs() + p.reset_after_secs);
        st.config = config;
    }

    /// The faults switched on.
    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Switch every fault off.
    pub fn clear(&self) {
        self.set(FaultConfig::default());
    }

    /// The request counts so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// Start counting again from zero.
    pub fn reset_stats(&self) {
        self.lock().stats = Stats::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long a request for `path` waits before it is handled.
    pub fn delay_ms(&self, path: &str) -> Option<u64> {
        let st = self.lock();
        let matches = st
            .config
            .delay_path_contains
            .as_deref()
            .is_none_or(|p| path.contains(p));
        st.config.delay_ms.filter(|_| matches)
    }

    /// Decide what happens to a request for `path`, consuming one unit of any matching fault.
    pub fn decide(&self, path: &str) -> Verdict {
        let mut st = self.lock();
        let now = now_secs();
        if let Some(s) = st.config.secondary_rate_limit.as_mut()
            && s.requests > 0
        {
            s.requests -= 1;
            return Verdict::SecondaryLimited {
                status: s.status,
                retry_after: (!s.no_retry_after).then_some(s.retry_after_secs),
            };
        }
        if let Some(b) = st.config.server_errors.as_mut().filter(|b| b.matches(path)) {
            b.count -= 1;
            return Verdict::ServerError { status: b.status };
        }
        let reset_at = st.primary_reset_at;
        if let Some(p) = st.config.primary_rate_limit.as_mut() {
            let reset = reset_at.unwrap_or(now);
            if now >= reset {
                st.config.primary_rate_limit = None;
                st.primary_reset_at = None;
            } else if p.remaining == 0 {
                return Verdict::PrimaryLimited { reset };
            } else {
                p.remaining -= 1;
            }
        }
        let mut truncate = false;
        if let Some(b) = st.config.truncate.as_mut().filter(|b| b.matches(path)) {
            b.count -= 1;
            truncate = true;
        }
        let mut malformed = false;
        if let Some(b) = st.config.malformed.as_mut().filter(|b| b.matches(path)) {
            b.count -= 1;
            malformed = true;
        }
        Verdict::Serve {
            truncate,
            malformed,
        }
    }

    /// The rate-limit headers' values: (remaining, reset).
    pub fn rate_window(&self) -> (u64, u64) {
        let st = self.lock();
        match (&st.config.primary_rate_limit, st.primary_reset_at) {
            (Some(p), Some(reset)) => (u64::from(p.remaining), reset),
            _ => (5000 - (st.stats.requests % 5000), now_secs() + 3600),
        }
    }

    /// Count one answered request.
    pub fn record(&self, route: &str, status: u16) {
        let mut st = self.lock();
        st.stats.requests += 1;
        if status == 304 {
            st.stats.not_modified += 1;
        }
        *st.stats.by_status.entry(status).or_default() += 1;
        *st.stats.by_route.entry(route.to_string()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_are_consumed_and_scoped_to_paths() {
        let f = Faults::default();
        f.set(FaultConfig {
            server_errors: Some(Burst {
                count: 2,
                path_contains: Some("/pulls".into()),
                status: 503,
            }),
            ..Default::default()
        });
        assert_eq!(
            f.decide("/repos/o/r/commits"),
            Verdict::Serve {
                truncate: false,
                malformed: false
            }
        );
        assert_eq!(
            f.decide("/repos/o/r/pulls"),
            Verdict::ServerError { status: 503 }
        );
        assert_eq!(
            f.decide("/repos/o/r/pulls/1"),
            Verdict::ServerError { status: 503 }
        );
        assert_eq!(
            f.decide("/repos/o/r/pulls"),
            Verdict::Serve {
                truncate: false,
                malformed: false
            }
        );
    }

    #[test]
    fn primary_limit_blocks_after_the_budget() {
        let f = Faults::default();
        f.set(FaultConfig {
            primary_rate_limit: Some(PrimaryLimit {
                remaining: 1,
                reset_after_secs: 60,
            }),
            ..Default::default()
        });
        assert!(matches!(f.decide("/x"), Verdict::Serve { .. }));
        assert!(matches!(f.decide("/x"), Verdict::PrimaryLimited { .. }));
    }
}
