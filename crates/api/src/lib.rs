//! The API surface (being written).
