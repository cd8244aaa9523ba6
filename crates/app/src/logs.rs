//! Logs to a file in the data dir, rotated by size: `<data dir>/logs/bosun.log`, and when it
//! passes [`MAX_BYTES`] it becomes `bosun.log.1` (the older ones shift up to `bosun.log.<KEEP>`,
//! the oldest is dropped). A `std::io::Write` that a tracing subscriber writes through.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const KEEP: usize = 3;

/// The log folder of a data dir.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

struct Inner {
    path: PathBuf,
    file: File,
    written: u64,
    max: u64,
    keep: usize,
}

/// A log file that rotates itself; clones share the file.
#[derive(Clone)]
pub struct RotatingFile {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RotatingFile")
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl RotatingFile {
    /// `<dir>/bosun.log`, rotated past `max` bytes, keeping `keep` older files.
    pub fn open(dir: &Path, max: u64, keep: usize) -> std::io::Result<RotatingFile> {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir)?;
        let path = dir.join("bosun.log");
        let file = open(&path)?;
        let written = file.metadata()?.len();
        Ok(RotatingFile {
            inner: Arc::new(Mutex::new(Inner {
                path,
                file,
                written,
                max,
                keep,
            })),
        })
    }

    /// The file being written.
    pub fn path(&self) -> PathBuf {
        self.lock().path.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn numbered(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

impl Inner {
    fn rotate(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            self.file = File::create(&self.path)?;
        } else {
            let _ = std::fs::remove_file(numbered(&self.path, self.keep));
            for n in (1..self.keep).rev() {
                let from = numbered(&self.path, n);
                if from.exists() {
                    std::fs::rename(&from, numbered(&self.path, n + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(&self.path, 1))?;
            self.file = open(&self.path)?;
        }
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut inner = self.lock();
        if inner.written > 0 && inner.written + buf.len() as u64 > inner.max {
            inner.rotate()?;
        }
        inner.file.write_all(buf)?;
        inner.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.lock().file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::open(dir.path(), 100, 2).unwrap();
        for i in 0..10 {
            // 40 bytes a line, written whole (as a tracing layer writes each event): two lines a file.
            log.write_all(format!("line {i:02} {}\n", "x".repeat(31)).as_bytes())
                .unwrap();
        }
        log.flush().unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert!(read("bosun.log").starts_with("line 08"));
        assert!(read("bosun.log").contains("line 09"));
        assert!(read("bosun.log.1").starts_with("line 06"));
        assert!(read("bosun.log.2").starts_with("line 04"));
        assert!(!dir.path().join("bosun.log.3").exists());
        for n in ["bosun.log", "bosun.log.1", "bosun.log.2"] {
            let len = std::fs::metadata(dir.path().join(n)).unwrap().len();
            assert!(len <= 100, "{n}: {len}");
        }
        // Reopening appends to the current file and counts what it holds.
        let mut again = RotatingFile::open(dir.path(), 100, 2).unwrap();
        again
            .write_all(format!("line 10 {}\n", "x".repeat(31)).as_bytes())
            .unwrap();
        assert!(read("bosun.log").starts_with("line 10"));
        assert!(read("bosun.log.1").starts_with("line 08"));
    }
}
