//! Where an installed Bosun keeps its data files (docs/packaging.md). A package puts the binaries
//! in `PREFIX/bin` and their data beside them: the UI in `PREFIX/share/bosun/ui`, the demo's docs
//! in `PREFIX/share/bosun/demo/docs`, the embedding model and runtime in `PREFIX/lib/bosun/models`.
//! The prefix is found at run time from the running executable, never fixed at compile time, so
//! the same binary works from `/usr/bin`, `/usr/local/bin` or an unpacked tree. This is the one
//! place in `bosun-core` that looks at the file system.

use std::path::{Path, PathBuf};

/// `PREFIX/<rel>` for the running executable (`PREFIX/bin/bosun` → `PREFIX/<rel>`), when that
/// directory exists. `None` in a source checkout (`target/<profile>/../<rel>` does not exist).
pub fn installed_dir(rel: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    beside(&exe, rel)
}

/// `<exe's directory>/../<rel>` when it is a directory.
pub fn beside(exe: &Path, rel: &str) -> Option<PathBuf> {
    let dir = exe.parent()?.parent()?.join(rel);
    dir.is_dir().then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_data_beside_the_bin_directory_only_when_it_exists() {
        let root = std::env::temp_dir().join(format!("bosun-install-{}", std::process::id()));
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("share/bosun/ui")).unwrap();
        let exe = root.join("bin/bosun");
        assert_eq!(
            beside(&exe, "share/bosun/ui"),
            Some(root.join("share/bosun/ui"))
        );
        assert_eq!(beside(&exe, "lib/bosun/models"), None);
        assert_eq!(beside(Path::new("/bosun"), "share/bosun/ui"), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
