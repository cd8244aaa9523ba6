//! The store shared between concurrent fetches: one writer connection behind a mutex, used from
//! blocking threads so that the async runtime never waits on SQLite.

use crate::Result;
use bosun_store::Store;
use bosun_store::Tx;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Db(Arc<Mutex<Store>>);

impl Db {
    pub fn new(store: Store) -> Db {
        Db(Arc::new(Mutex::new(store)))
    }

    /// Run `f` in one transaction on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx<'_>) -> Result<T> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.lock().unwrap_or_else(|e| e.into_inner());
            let tx = store.begin()?;
            let v = f(&tx)?;
            tx.commit()?;
            Ok(v)
        })
        .await
        .map_err(|e| crate::ConnectorError::task_failed("store", e))?
    }

    /// Run a read on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let store = inner.lock().unwrap_or_else(|e| e.into_inner());
            f(&store)
        })
        .await
        .map_err(|e| crate::ConnectorError::task_failed("store", e))?
    }

    /// Run `f` on the store itself, on a blocking thread (a step between syncs that needs the
    /// whole store, like resolving identities).
    pub async fn with_store<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> T + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut store)
        })
        .await
        .map_err(|e| crate::ConnectorError::task_failed("store", e))
    }

    /// Take the store back (when the sync is over).
    pub fn into_inner(self) -> Option<Store> {
        Arc::try_unwrap(self.0)
            .ok()
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
    }
}
