//! The dense side of search: every vector of the pinned model in one contiguous in-memory matrix,
//! scanned exactly (dot products of unit vectors = cosine). At 100k chunks × 384 dimensions that is
//! 150 MB and one pass over it per query; measured in `bench/knowledge.sh` (docs/knowledge.md says
//! why this beat sqlite-vec here).

use crate::error::Result;
use bosun_store::Store;
use bosun_store::knowledge as kstore;

/// Every chunk's vector of one model, in memory.
#[derive(Debug, Clone, Default)]
pub struct VectorIndex {
    /// The model.
    pub model_id: String,
    /// The length of its vectors.
    pub dims: usize,
    /// Sorted ascending.
    ids: Vec<i64>,
    data: Vec<f32>,
}

impl VectorIndex {
    /// Load every vector of `model_id` with `dims` dimensions.
    pub fn load(store: &Store, model_id: &str, dims: usize) -> Result<VectorIndex> {
        let mut ids = Vec::new();
        let mut data = Vec::new();
        kstore::for_each_embedding(store.conn(), model_id, dims, |id, blob| {
            if blob.len() == dims * 4 {
                ids.push(id);
                data.extend(
                    blob.chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                );
            }
        })?;
        Ok(VectorIndex {
            model_id: model_id.to_string(),
            dims,
            ids,
            data,
        })
    }

    /// Build from parts (benchmarks).
    pub fn from_parts(model_id: &str, dims: usize, mut rows: Vec<(i64, Vec<f32>)>) -> VectorIndex {
        rows.sort_by_key(|r| r.0);
        let mut ids = Vec::with_capacity(rows.len());
        let mut data = Vec::with_capacity(rows.len() * dims);
        for (id, v) in rows {
            if v.len() == dims {
                ids.push(id);
                data.extend(v);
            }
        }
        VectorIndex {
            model_id: model_id.to_string(),
            dims,
            ids,
            data,
        }
    }

    /// Vectors held.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No vector held.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The vector of chunk `id`.
    pub fn get(&self, id: i64) -> Option<&[f32]> {
        let i = self.ids.binary_search(&id).ok()?;
        Some(&self.data[i * self.dims..(i + 1) * self.dims])
    }

    /// The `k` most similar chunks to the unit vector `q`, best first.
    pub fn top_k(&self, q: &[f32], k: usize) -> Vec<(i64, f32)> {
        if q.len() != self.dims || k == 0 {
            return Vec::new();
        }
        // A small sorted buffer beats a heap for k ≈ 50.
        let mut best: Vec<(f32, i64)> = Vec::with_capacity(k + 1);
        for (i, row) in self.data.chunks_exact(self.dims).enumerate() {
            let s = dot(row, q);
            if best.len() < k || s > best[best.len() - 1].0 {
                let pos = best.partition_point(|b| b.0 >= s);
                best.insert(pos, (s, self.ids[i]));
                if best.len() > k {
                    best.pop();
                }
            }
        }
        best.into_iter().map(|(s, id)| (id, s)).collect()
    }
}

/// Dot product, written so the compiler vectorizes it (eight independent lanes, no bounds checks).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_is_exact_and_ordered() {
        let rows: Vec<(i64, Vec<f32>)> = (0..100)
            .map(|i| {
                let a = i as f32 / 100.0;
                (i, vec![a, (1.0 - a * a).sqrt(), 0.0])
            })
            .collect();
        let idx = VectorIndex::from_parts("m", 3, rows);
        let top = idx.top_k(&[1.0, 0.0, 0.0], 3);
        assert_eq!(
            top.iter().map(|t| t.0).collect::<Vec<_>>(),
            vec![99, 98, 97]
        );
        assert!(idx.get(5).is_some() && idx.get(500).is_none());
        assert!(
            idx.top_k(&[1.0, 0.0], 3).is_empty(),
            "a wrong-size query finds nothing"
        );
    }
}
