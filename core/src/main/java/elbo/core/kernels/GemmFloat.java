package elbo.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major GEMM {@code C (+)= op(A)·op(B)} with the Vector API, after Goto and van de Geijn: the
 * "vector" operand is packed into {@code kc × NR} micro-panels, an {@code MR × NR} register tile of
 * {@code C} is accumulated with {@code fma}, one broadcast element of the other operand per row.
 *
 * <p><b>Orientation per shape.</b> The kernel computes {@code C' = A'·B'} with the vectors running along
 * the columns of {@code C'}. Normally {@code C' = C}. When {@code n} would waste many vector lanes
 * (e.g. {@code n = 40} with 32-wide panels) and {@code m} would not, it computes {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}
 * instead (vectors along {@code m}) and writes the tile transposed. Transposes are never materialised:
 * {@code A'} is read in place through a (row stride, column stride) pair, and {@code B'} is
 * transposed, if need be, while it is packed.
 *
 * <p><b>Blocking.</b> {@code k} is cut into blocks of at most {@value #KC_MAX} (about 256 when
 * longer) so a packed micro-panel ({@code kc × NR}) stays in L1 while the {@code MR}-row tiles of
 * {@code A'} stream from L2. {@code k}-blocks run in order and each is split over threads by column
 * panel: each element of {@code C} is computed by the same instructions whatever the thread count.
 */
final class GemmFloat {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of the register tile. */
    static final int MR = 8;
    /** Columns of the register tile: two vectors (16 accumulators with MR = 8). */
    static final int NR = 2 * L;
    /** Longest k done in one block. */
    static final int KC_MAX = 384;
    /** Target block length when k is longer. */
    static final int KC_TARGET = 256;
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    static final long PARALLEL_MIN_FMAS = 1L << 19;

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

    private GemmFloat() {
    }

    /** See {@link Kernels#gemm(boolean, boolean, int, int, int, float[], int, int, float[], int, int, boolean, float[], int, int)}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean accumulate, float[] c, int cOff, int ldc) {
        checkGemm(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        Job job = JOBS.get();
        try {
            job.plan(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
            job.runAll();
        } finally {
            job.clear();
        }
    }

    /**
     * True if {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} wastes fewer lanes than {@code C = op(A)·op(B)}, after a
     * 10% charge for the transposed (scalar) store.
     */
    static boolean swapped(int m, int n) {
        long normal = (long) roundUp(n, NR) * roundUp(m, MR);
        long swapped = (long) roundUp(m, NR) * roundUp(n, MR);
        return swapped * 11 < normal * 10;
    }

    /** Length of each k-block: k itself up to {@value #KC_MAX}, else about {@value #KC_TARGET}. */
    static int blockK(int k) {
        if (k <= KC_MAX) {
            return k;
        }
        int blocks = (k + KC_TARGET - 1) / KC_TARGET;
        return (k + blocks - 1) / blocks;
    }

    private static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    /** One product, described as {@code C' = A'·B'}; reused per calling thread. */
    private static final class Job implements Parallel.Job {
        int mm;
        int nn;
        int k;
        float[] a;
        int aOff;
        int ars;
        int acs;
        float[] b;
        int bOff;
        int bps;
        int bjs;
        float[] c;
        int cOff;
        int crs;
        int ccs;
        boolean accumulate;
        int p0;
        int kc;

        void plan(boolean transA, boolean transB, int m, int n, int k,
                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                  boolean accumulate, float[] c, int cOff, int ldc) {
            this.k = k;
            this.accumulate = accumulate;
            this.c = c;
            this.cOff = cOff;
            if (!swapped(m, n)) {
                // C' = C; A'(i,p) = op(A)(i,p); B'(p,j) = op(B)(p,j)
                mm = m;
                nn = n;
                this.a = a;
                this.aOff = aOff;
                ars = transA ? 1 : lda;
                acs = transA ? lda : 1;
                this.b = b;
                this.bOff = bOff;
                bps = transB ? 1 : ldb;
                bjs = transB ? ldb : 1;
                crs = ldc;
                ccs = 1;
            } else {
                // C' = Cᵀ; A'(j,p) = op(B)(p,j); B'(p,i) = op(A)(i,p)
                mm = n;
                nn = m;
                this.a = b;
                this.aOff = bOff;
                ars = transB ? ldb : 1;
                acs = transB ? 1 : ldb;
                this.b = a;
                this.bOff = aOff;
                bps = transA ? lda : 1;
                bjs = transA ? 1 : lda;
                crs = 1;
                ccs = ldc;
            }
        }

        void runAll() {
            int panels = (nn + NR - 1) / NR;
            int blockK = blockK(k);
            boolean parallel = (long) mm * nn * k >= PARALLEL_MIN_FMAS;
            for (p0 = 0; p0 < k; p0 += blockK) {
                kc = Math.min(blockK, k - p0);
                if (parallel) {
                    Parallel.run(panels, this);
                } else {
                    for (int t = 0; t < panels; t++) {
                        run(t);
                    }
                }
            }
        }

        void clear() {
            a = b = c = null;
        }

        /** Column panel {@code panel} of {@code C'} for the current k-block. */
        @Override
        public void run(int panel) {
            Workspace ws = WORKSPACES.get();
            float[] bp = ws.packedB(kc);
            int j0 = panel * NR;
            int nv = Math.min(NR, nn - j0);
            packB(b, bOff + p0 * bps + j0 * bjs, bps, bjs, kc, nv, bp, ws);
            boolean load = accumulate || p0 > 0;
            for (int i0 = 0; i0 < mm; i0 += MR) {
                int rows = Math.min(MR, mm - i0);
                int ci = cOff + i0 * crs + j0 * ccs;
                if (rows == MR) {
                    kernel(kc, a, aOff + i0 * ars + p0 * acs, ars, acs, bp, ws.tile);
                } else {
                    float[] ap = ws.packedA(kc);
                    packRows(a, aOff + i0 * ars + p0 * acs, ars, acs, kc, rows, ap);
                    kernel(kc, ap, 0, 1, MR, bp, ws.tile);
                }
                storeTile(ws.tile, rows, nv, c, ci, crs, ccs, load);
            }
        }
    }

    /** {@code bp[p·NR + j] = B'(p, j)} for {@code j < nv}, 0 for {@code nv <= j < NR}. */
    static void packB(float[] b, int off, int ps, int js, int kc, int nv, float[] bp, Workspace ws) {
        if (js == 1) {
            // rows of B' are contiguous: copy NR-wide vector rows, zero-filled past nv
            VectorMask<Float> m0 = S.indexInRange(0, nv);
            VectorMask<Float> m1 = S.indexInRange(L, nv);
            for (int p = 0; p < kc; p++) {
                int src = off + p * ps;
                FloatVector.fromArray(S, b, src, m0).intoArray(bp, p * NR);
                FloatVector.fromArray(S, b, src + L, m1).intoArray(bp, p * NR + L);
            }
        } else if (nv == NR) {
            // columns of B' are contiguous (a transposed operand): gather each row of the panel,
            // lane j from column j at index off + j·js + p
            int[] idx = ws.gatherIndex(js);
            for (int p = 0; p < kc; p++) {
                FloatVector.fromArray(S, b, off + p, idx, 0).intoArray(bp, p * NR);
                FloatVector.fromArray(S, b, off + p, idx, L).intoArray(bp, p * NR + L);
            }
        } else {
            // the last, partial panel of a transposed operand (a masked gather still range-checks
            // every lane): element by element, zero past nv
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < NR; j++) {
                    bp[p * NR + j] = j < nv ? b[off + j * js + p] : 0f;
                }
            }
        }
    }

    /** {@code ap[p·MR + r] = A'(r, p)} for {@code r < rows}, 0 for the missing rows of a tail tile. */
    static void packRows(float[] a, int off, int rs, int cs, int kc, int rows, float[] ap) {
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                ap[p * MR + r] = r < rows ? a[off + r * rs + p * cs] : 0f;
            }
        }
    }

    /**
     * The register tile: {@code T[r][j] = sum_p A'(r, p)·Bp[p][j]} for {@code r < MR, j < NR}, with
     * {@code A'(r, p) = a[ai + r·rs + p·cs]}, written to {@code tile[r·NR + j]} for {@link #storeTile}.
     */
    static void kernel(int kc, float[] a, int ai, int rs, int cs, float[] bp, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        int bi = 0;
        for (int p = 0; p < kc; p++, ai += cs, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            // row r of the tile += A'(r, p) * (row p of the packed panel)
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ai + r1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ai + r2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ai + r3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, a[ai + r4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, a[ai + r5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, a[ai + r6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, a[ai + r7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        // spill the tile to the per-thread scratch; storeTile adds it to C (kept out of this method so
        // that C1 can compile it: a larger body runs out of LIR virtual registers)
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
    }

    /** {@code C'(r, j) (+)= tile[r·NR + j]} for {@code r < rows, j < cols}, {@code C'(r, j) = c[ci + r·rs + j·cs]}. */
    static void storeTile(float[] tile, int rows, int cols, float[] c, int ci, int rs, int cs, boolean load) {
        if (cs == 1) {
            VectorMask<Float> m0 = S.indexInRange(0, cols);
            VectorMask<Float> m1 = S.indexInRange(L, cols);
            for (int r = 0; r < rows; r++) {
                int row = ci + r * rs;
                FloatVector v0 = FloatVector.fromArray(S, tile, r * NR);
                FloatVector v1 = FloatVector.fromArray(S, tile, r * NR + L);
                if (load) {
                    v0 = v0.add(FloatVector.fromArray(S, c, row, m0));
                    v1 = v1.add(FloatVector.fromArray(S, c, row + L, m1));
                }
                v0.intoArray(c, row, m0);
                v1.intoArray(c, row + L, m1);
            }
        } else {
            // transposed C': each column j of the tile is a contiguous run of C
            for (int j = 0; j < cols; j++) {
                int col = ci + j * cs;
                for (int r = 0; r < rows; r++) {
                    float t = tile[r * NR + j];
                    c[col + r * rs] = load ? c[col + r * rs] + t : t;
                }
            }
        }
    }

    /** Per-thread packing buffers, grown on demand and kept: steady state allocates nothing. */
    private static final class Workspace {
        final float[] tile = new float[MR * NR];
        private final int[] gather = new int[NR];
        private int gatherStride = -1;
        private float[] b = new float[KC_MAX * NR];
        private float[] a = new float[KC_MAX * MR];

        float[] packedB(int kc) {
            if (b.length < kc * NR) {
                b = new float[kc * NR];
            }
            return b;
        }

        /** {@code {0, js, 2·js, ...}}: the gather offsets of one row of a transposed panel. */
        int[] gatherIndex(int js) {
            if (js != gatherStride) {
                for (int j = 0; j < NR; j++) {
                    gather[j] = j * js;
                }
                gatherStride = js;
            }
            return gather;
        }

        float[] packedA(int kc) {
            if (a.length < kc * MR) {
                a = new float[kc * MR];
            }
            return a;
        }
    }

    /**
     * @throws IllegalArgumentException if a size is negative or a leading dimension is smaller than
     *     the stored row
     * @throws IndexOutOfBoundsException if an operand does not fit its array
     */
    static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
                          int aLen, int aOff, int lda, int bLen, int bOff, int ldb,
                          int cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
        checkOperand("A", transA ? k : m, transA ? m : k, aLen, aOff, lda);
        checkOperand("B", transB ? n : k, transB ? k : n, bLen, bOff, ldb);
        checkOperand("C", m, n, cLen, cOff, ldc);
    }

    private static void checkOperand(String name, int rows, int cols, int len, int off, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException(name + ": leading dimension " + ld + " < " + cols + " columns");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > len) {
            throw new IndexOutOfBoundsException(name + ": " + rows + "x" + cols + " with stride " + ld
                    + " at offset " + off + " does not fit an array of " + len);
        }
    }
}
