# The sqlite-vec alternative to the in-process scan (docs/knowledge.md, "Dense index"), measured
# the way bench/knowledge.sh measures ours: N random unit vectors of 384 dimensions, top-50 KNN.
# Needs Debian's python3 (its sqlite3 can load extensions) and sqlite-vec from PyPI:
#   /usr/bin/python3 -m venv /tmp/vec && /tmp/vec/bin/pip install sqlite-vec==0.1.9
#   /tmp/vec/bin/python bench/knowledge-sqlite-vec.py 100000
# sqlite-vec vec0 KNN vs the same brute-force scan, 384-dim float32, for the knowledge docs.
import sqlite3, sqlite_vec, struct, random, time, sys
n = int(sys.argv[1]); d = 384
random.seed(7)
c = sqlite3.connect(":memory:"); c.enable_load_extension(True); sqlite_vec.load(c)
c.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding float[{d}])")
def vec():
    x = [random.uniform(-1, 1) for _ in range(d)]; n2 = sum(a*a for a in x) ** 0.5
    return struct.pack(f"{d}f", *[a/n2 for a in x])
t = time.time()
c.executemany("INSERT INTO v(rowid, embedding) VALUES (?, ?)", ((i, vec()) for i in range(n)))
build = time.time() - t
qs = [vec() for _ in range(30)]
lat = []
for q in qs:
    t = time.perf_counter()
    c.execute("SELECT rowid, distance FROM v WHERE embedding MATCH ? AND k = 50 ORDER BY distance", (q,)).fetchall()
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print(f"sqlite-vec 0.1.9 vec0, {n} x {d}: built in {build:.1f}s, KNN top-50 p50 {lat[len(lat)//2]:.1f} ms, p95 {lat[int(len(lat)*0.95)]:.1f} ms")
