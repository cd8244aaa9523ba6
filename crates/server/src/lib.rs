//! The HTTP front door (being written).
