//! The files each pull request changed (GitHub's `/pulls/{n}/files`): the files its review
//! comments are on, then files of the repository's folders — the first folders busier than the
//! rest, as in a real codebase — until the pull request's `changed_files`, its lines shared
//! among them. Drawn from their own random streams, after everything else, so the rest of the
//! demo keeps its numbers.

use super::Gen;
use crate::text;
use crate::world::PullFile;

impl Gen {
    pub(crate) fn pull_files(&mut self) {
        for repo in &mut self.repos {
            let mut rng = self.rng.fork(&format!("files/{}", repo.name));
            let dirs = text::repo_dirs(&repo.name);
            // Folder i is changed (n - i) times as often as the last one.
            let weights: Vec<f64> = (0..dirs.len()).map(|i| (dirs.len() - i) as f64).collect();
            for p in &mut repo.pulls {
                let mut paths: Vec<String> = Vec::new();
                for c in repo
                    .review_comments
                    .iter()
                    .filter(|c| c.pull_number == p.number)
                {
                    if !paths.contains(&c.path) {
                        paths.push(c.path.clone());
                    }
                }
                let want = p.changed_files.max(1) as usize;
                let mut tries = 0;
                while paths.len() < want && tries < 4 * want {
                    tries += 1;
                    let dir = dirs[rng.weighted(&weights)];
                    let path = text::file_in(&mut rng, &repo.name, dir);
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
                let n = paths.len() as i64;
                p.files = paths
                    .into_iter()
                    .enumerate()
                    .map(|(i, path)| {
                        let share = |total: i64| total / n + i64::from((i as i64) < total % n);
                        PullFile {
                            path,
                            status: "modified".into(),
                            additions: share(p.additions),
                            deletions: share(p.deletions),
                        }
                    })
                    .collect();
            }
        }
    }
}
