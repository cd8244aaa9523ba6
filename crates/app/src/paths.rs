//! Every directory Bosun touches comes from here, so tests and demo mode can redirect them all.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_file: PathBuf,
}

impl Paths {
    /// Resolve the paths: `--data-dir` > `BOSUN_DATA_DIR` > the user's data dir; `--config` >
    /// `BOSUN_CONFIG` > `<data dir>/config.toml` when the data dir was chosen explicitly, else the
    /// user's config dir.
    pub fn resolve(data_dir: Option<PathBuf>, config: Option<PathBuf>) -> Paths {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let explicit = data_dir.or_else(|| env("BOSUN_DATA_DIR"));
        let data = explicit.clone().unwrap_or_else(default_data_dir);
        let config_file =
            config
                .or_else(|| env("BOSUN_CONFIG"))
                .unwrap_or_else(|| match explicit {
                    Some(d) => d.join("config.toml"),
                    None => default_config_dir().join("config.toml"),
                });
        Paths {
            data_dir: data,
            config_file,
        }
    }

    /// Paths rooted in one directory (tests, demo mode).
    pub fn in_dir(dir: &Path) -> Paths {
        Paths {
            data_dir: dir.to_path_buf(),
            config_file: dir.join("config.toml"),
        }
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("bosun.db")
    }
}

/// A fresh folder for a throwaway demo (`serve --demo` without `--data-dir`): created exclusively
/// under the temp dir with an unpredictable name and mode 0700, so another local user can neither
/// guess it nor plant it (or a link) first. The caller removes it when done.
pub fn demo_temp_dir() -> std::io::Result<PathBuf> {
    let mut b = tempfile::Builder::new();
    b.prefix("bosun-demo-");
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    Ok(b.tempdir()?.keep())
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map_or_else(|| home().join(".local/share"), PathBuf::from)
        .join("bosun")
}

fn default_config_dir() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map_or_else(|| home().join(".config"), PathBuf::from)
        .join("bosun")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16.8: the demo's data went to `/tmp/bosun-demo-<pid>`, created with
    /// `create_dir_all` (a folder or link planted there by another user was used as is).
    #[cfg(unix)]
    #[test]
    fn demo_temp_dir_is_unpredictable_private_and_new() {
        use std::os::unix::fs::PermissionsExt;
        let a = demo_temp_dir().unwrap();
        let b = demo_temp_dir().unwrap();
        assert_ne!(a, b);
        for d in [&a, &b] {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with("bosun-demo-"), "{name}");
            assert_ne!(name, format!("bosun-demo-{}", std::process::id()));
            let m = std::fs::symlink_metadata(d).unwrap();
            assert!(m.is_dir());
            assert_eq!(m.permissions().mode() & 0o777, 0o700);
            assert_eq!(
                std::fs::read_dir(d).unwrap().count(),
                0,
                "created empty, not reused"
            );
            std::fs::remove_dir(d).unwrap();
        }
    }

    #[test]
    fn an_explicit_data_dir_carries_its_config() {
        let p = Paths::resolve(Some("/tmp/x".into()), None);
        assert_eq!(p.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(p.config_file, PathBuf::from("/tmp/x/config.toml"));
        assert_eq!(p.database(), PathBuf::from("/tmp/x/bosun.db"));
        let p = Paths::resolve(Some("/tmp/x".into()), Some("/etc/b.toml".into()));
        assert_eq!(p.config_file, PathBuf::from("/etc/b.toml"));
    }
}
