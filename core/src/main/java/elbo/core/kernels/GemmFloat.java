package elbo.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major GEMM {@code C (+)= op(A)·op(B)} with the Vector API, after Goto and van de Geijn: both
 * operands are packed, an {@code MR × NR} register tile of {@code C} is accumulated with {@code fma},
 * one broadcast element of the packed {@code A} micro-panel per tile row and {@code k} step.
 *
 * <p><b>Orientation per shape.</b> The kernel computes {@code C' = A'·B'} with the vectors running along
 * the columns of {@code C'}. Normally {@code C' = C}. When {@code n} would waste many vector lanes
 * (e.g. {@code n = 40} in 16-lane vectors) and {@code m} would not, and the swap costs no transposing
 * pack that the normal product avoids (see {@link #swapped}), it computes {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}
 * instead (vectors along {@code m}) and writes the tile transposed. Transposes are never materialised: the
 * operands are read through (row stride, column stride) pairs and transposed, if need be, while they
 * are packed.
 *
 * <p><b>The register tile</b> is {@code MR × NR}, chosen at start-up by the register file
 * ({@link VectorRegisters}): 8 rows × 2 vectors with 32 vector registers (AVX-512, NEON, SVE), 3 rows ×
 * 3 vectors with 16 (SSE, AVX2), so that the accumulators, one k-step of {@code B'} and the broadcasts
 * fit without a spill. The 16-register tile has one layout of {@code A'} (rows).
 *
 * <p><b>Packing and blocking.</b> {@code k} is cut into blocks of at most {@value #KC_MAX} (about
 * {@value #KC_TARGET} when longer). For each k-block a task first packs its row tiles of {@code A'}
 * (they stay in L2): the tile's rows at the fixed stride {@value #KC_MAX} (an array copy per row when
 * they run contiguously along {@code k}, else L × L transposes of the block, see {@link #packRows}),
 * or, for a transposed operand where a vector holds at least {@code MR} lanes, {@code k}-steps of
 * {@code MR} elements (one vector per step). Then, one column
 * panel at a time, it packs a {@code kc × NR} micro-panel of {@code B'} (it stays in L1) and runs the
 * register tile down the tiles of {@code A'}. A product of several row blocks keeps the panels each
 * thread packed, to pack each once rather than once per row block (see {@link #CACHED_B_MAX}). When
 * the panel's rows are contiguous, the first tile's kernel packs a whole panel as it reads it, so
 * that the copy partly hides behind its {@code fma}s (a separate packing pass took 6–9% of the time
 * of the VAE-shaped products with 32 registers, 2-4% with 16). When its columns are (a transposed
 * operand), the panel is packed ahead through L × L transposes, rounds of zips ({@link #transpose}),
 * faster than gathering it even inside the first kernel.
 * Packed operands make every load in the inner loop a fixed offset from the loop counter, so C2
 * can hoist the bounds checks out of it and folds the offsets into the addressing: the loop body is
 * loads, broadcasts and {@code fma}s and little else (the main tile's two-step loop, faster still,
 * keeps four range checks per two k-steps). (Reading an unpacked {@code A'} in place costs an
 * index computation and a bounds check per broadcast, on the ports the {@code fma}s need.) The last
 * column panel, when it is at most one vector wide, runs a one-vector tile instead of wasting half
 * of a two-vector one; with 16 registers, one two vectors wide runs 4 × 2 tiles rather than 3 × 3
 * ones with a third of their {@code fma}s on zeros. A whole tile of a row-major {@code C'} is added
 * to {@code C} straight from the registers; edge tiles and a transposed {@code C'} go through a
 * tile buffer, a whole tile of a transposed one is transposed in registers on the way (scalar
 * stores took 16% of 128x300x40).
 *
 * <p><b>Threads.</b> The work is cut into tasks (blocks of row tiles × groups of column panels) by
 * the shape, and by whether there is a second thread to share it. Each task runs its k-blocks in
 * order, and every element of {@code C} is computed by the same chain of {@code fma}s (from zero,
 * {@code p} ascending within a k-block, k-blocks added to {@code C} in order) whichever task or
 * thread computes it: results are bitwise identical for any thread count.
 */
final class GemmFloat {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Vector registers the JIT may allocate here: 16 (SSE, AVX2) or 32 (AVX-512, NEON, SVE). */
    static final int REGISTERS = VectorRegisters.count(S.vectorBitSize());
    /**
     * Rows of the register tile, chosen by the register file: 8 rows × 2 vectors (16 accumulators, two
     * vectors of {@code B'}, a broadcast: 19 registers) where there are 32, 3 × 3 (at most 15, see
     * {@link #tile3x3}) where there are 16. On AVX2 the 8-row tile spilled accumulators to the
     * stack every k-step (C2, JDK 25) and ran at 0.38-0.63 of OpenBLAS.
     */
    static final int MR = REGISTERS >= 32 ? 8 : 3;
    /** Vectors per row of the register tile. */
    static final int VECTORS = REGISTERS >= 32 ? 2 : 3;
    /** Columns of the register tile. */
    static final int NR = VECTORS * L;
    /** True for the 16-register tiles ({@link #tile3x3} and its siblings). */
    static final boolean SIXTEEN_REGISTERS = REGISTERS < 32;
    /**
     * True if a vector holds at least {@code MR} lanes, so that a k-step of a transposed {@code A'}
     * ({@link #packA}) and a column of a transposed tile ({@link #storeTransposedHalf}), {@code MR}
     * contiguous floats each, move as one vector (its first {@code MR} lanes); used only for 8 rows.
     * (Gathering a tile column to store a transposed tile was measured 2x slower than scalar stores.)
     */
    private static final boolean COLUMN_VECTORS = MR == 8 && MR * Float.SIZE <= S.vectorBitSize();
    /**
     * The first {@code MR} lanes, or null. A masked vector of the preferred species, not a vector of a
     * narrower species: a second float species (8-lane vectors beside 16-lane ones) made the Vector
     * API's type profiles bimorphic, and C2 then failed to intrinsify other kernels' loops now and then
     * (VectorKernels' compile rule 4).
     */
    private static final VectorMask<Float> FIRST_MR = COLUMN_VECTORS ? S.indexInRange(0, MR) : null;
    /** Longest k done in one block. */
    static final int KC_MAX = 384;
    /** Target block length when k is longer. */
    static final int KC_TARGET = 256;
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    static final long PARALLEL_MIN_FMAS = 1L << 19;
    /**
     * From this k-block length up, the main register tile ({@link #kernelRows2}) takes two k-steps
     * per trip of its loop: 1-5% faster than one step on k-blocks of 196 to 300 (in-JVM A/B on the
     * VAE shapes and 1024³, one and two threads), but 2-3% slower at k = 40. The loop is written
     * {@code p + 1 < kc} on purpose: as a counted loop to an even bound, C2 hoists all 16 broadcasts of
     * the two steps ahead of the fma's and spills accumulators (13-24% slower).
     */
    static final int TWO_STEP_MIN_KC = 64;
    /**
     * At most this many elements of packed {@code A'} per task, so that a task's block stays in L2: 256
     * rows in the row layout (32 tiles of 8, 85 of 3; a tile takes {@code MR × KC_MAX} whatever
     * {@code k}), more in the k-step layout when {@code k} is short (a tile takes {@code MR × kc}; 96
     * tiles of 8 at k = 128). Rows, not tiles: each row block packs {@code B'} once more, and 32 tiles
     * of 3 rows packed it four times for 128 rows. (8-row tiles: 784x128x300 TN ran 1-1.6% faster in
     * 2 blocks than in 4, but 1.5-2% slower in 1 (98 tiles); 1024³ ran no faster with 64 or 128
     * row-layout tiles.)
     */
    static final int TASK_A_ELEMENTS = 256 / MR * MR * KC_MAX;

    /**
     * At most this many elements of packed {@code B'} (all its k-blocks and panels) are kept by each
     * thread across the row blocks of a product, to pack each panel once, not once per row block: 20
     * times for the IWAE K=50 decoder's 5000 rows, where packing took 9-11% of the step at
     * -XX:UseAVX=2. 4M floats: 1024³, and the IWAE's products several times over.
     */
    static final long CACHED_B_MAX = 1L << 22;
    /** Numbers the products, so that a thread knows which of its kept panels belong to the current one. */
    private static final java.util.concurrent.atomic.AtomicLong SERIAL = new java.util.concurrent.atomic.AtomicLong();

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
     * True if {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} is cheaper than {@code C = op(A)·op(B)}: fewer wasted lanes
     * after a 10% charge for the transposed store, and 30% for transposing the packed {@code B'} when its
     * columns, not its rows, are contiguous ({@code B' = op(B)} if {@code transB}, {@code op(A)ᵀ} if not
     * {@code transA}). Columns are padded to whole vectors (the last panel may be one vector wide),
     * rows to whole tiles. (Without that charge, measured when B' was gathered, 128x300x40 swapped,
     * and ran at 0.71 of OpenBLAS on AVX-512. Forced to swap, so that it transposes the 128-row A
     * instead of the 784-row B, 128x300x784 NT ran at 0.76 of OpenBLAS against 0.89-0.90 unswapped,
     * -XX:UseAVX=2, one thread; 0.74 with an 8 × 1 tile for its last panel, one vector wide.)
     */
    static boolean swapped(boolean transA, boolean transB, int m, int n) {
        long normal = (long) roundUp(n, L) * roundUp(m, MR) * (transB ? 13 : 10);
        long swapped = (long) roundUp(m, L) * roundUp(n, MR) * (transA ? 11 : 14);
        return swapped < normal;
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
        /** Row tiles and column panels of {@code C'}. */
        int tiles;
        int panels;
        /** The task grid: {@code rowBlocks × colGroups} tasks. */
        int rowBlocks;
        int colGroups;
        /**
         * Whether each thread keeps the panels of {@code B'} it packs, for the next row block (see
         * {@link #CACHED_B_MAX}), and this product's number, which marks the panels it packed.
         */
        boolean cacheB;
        long serial;

        void plan(boolean transA, boolean transB, int m, int n, int k,
                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                  boolean accumulate, float[] c, int cOff, int ldc) {
            this.k = k;
            this.accumulate = accumulate;
            this.c = c;
            this.cOff = cOff;
            if (!swapped(transA, transB, m, n)) {
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
            tiles = (mm + MR - 1) / MR;
            panels = (nn + NR - 1) / NR;
            partition();
            cacheB = rowBlocks > 1 && (long) k * panels * NR <= CACHED_B_MAX;
            serial = SERIAL.incrementAndGet();
        }

        /**
         * Cuts the product into tasks. A task packs its block of row tiles of {@code A'} per k-block
         * (at most {@value #TASK_A_ELEMENTS} elements, to stay in L2) and each of its column panels of
         * {@code B'}. When the rows fit one block and a second thread is there to share the work, it
         * is cut in two: by rows when the rows of {@code B'} are contiguous (the halves are equal;
         * each packs {@code B'} again, in the first tile of each panel), else by columns (each group
         * repacks the cheap {@code A'} rather than a gathered {@code B'}). Also by columns when
         * {@code B'} is at least four times as wide as {@code A'} is tall, so that each thread reads
         * half of the large {@code B'} instead of all of it (128x300x784: +2.3%, median of 13 in-JVM
         * A/B runs of 21 pairs; 128x300x300 and 128x784x300, where it is 2.3 times, ran 3-7% slower
         * by columns: 5 whole panels against 4 and a narrow one). On one thread there is one
         * task per row block: a second would pack {@code A'} twice. No partition changes a result
         * (see the class comment).
         */
        private void partition() {
            colGroups = 1;
            int blockTiles = Math.max(1, TASK_A_ELEMENTS / packedTileSize(blockK(k)));
            rowBlocks = (tiles + blockTiles - 1) / blockTiles;
            int threads = Parallel.threads();
            if ((long) mm * nn * k < PARALLEL_MIN_FMAS || threads == 1) {
                return;
            }
            if (rowBlocks >= 2) {
                // a whole number of blocks per thread: 1024³ in 5 blocks on 2 threads ran at 0.76-0.80 of
                // OpenBLAS, in 6 at 0.89-0.94 (AVX2, paired, alternating runs)
                rowBlocks = Math.min(tiles, (rowBlocks + threads - 1) / threads * threads);
                return;
            }
            boolean wide = nn >= 4 * mm;
            if (tiles >= 2 && ((bjs == 1 && !wide) || panels < 2)) {
                rowBlocks = 2;
            } else if (panels >= 2) {
                colGroups = 2;
            }
        }

        /**
         * Elements one tile of {@code A'} takes packed, for a k-block of length {@code kc}: its rows at the
         * fixed stride {@value #KC_MAX} (see {@link #rowsLayout}), else {@code kc} k-steps of {@code MR}.
         */
        int packedTileSize(int kc) {
            return rowsLayout() ? MR * KC_MAX : MR * kc;
        }

        /**
         * True if {@code A'} is packed as rows of each tile at the stride {@value #KC_MAX} ({@link
         * #packRows}): when its rows run contiguously along k, and otherwise too unless an
         * {@code MR}-lane vector can copy a k-step of a tile at once ({@code COLUMN_VECTORS}).
         */
        boolean rowsLayout() {
            return acs == 1 || !COLUMN_VECTORS;
        }

        void runAll() {
            int tasks = rowBlocks * colGroups;
            if ((long) mm * nn * k >= PARALLEL_MIN_FMAS) {
                Parallel.run(tasks, this);
            } else {
                // small products stay on the calling thread (tall ones may still have several tasks)
                for (int t = 0; t < tasks; t++) {
                    run(t);
                }
            }
        }

        void clear() {
            a = b = c = null;
        }

        /** Task {@code task}: a block of row tiles × a group of column panels, over all of k. */
        @Override
        public void run(int task) {
            int rb = task / colGroups;
            int cg = task % colGroups;
            int t0 = (int) ((long) tiles * rb / rowBlocks);
            int t1 = (int) ((long) tiles * (rb + 1) / rowBlocks);
            int q0 = (int) ((long) panels * cg / colGroups);
            int q1 = (int) ((long) panels * (cg + 1) / colGroups);
            Workspace ws = WORKSPACES.get();
            int blockK = blockK(k);
            // A' is packed in one of two layouts: rows of each tile at a fixed stride (a plain copy
            // when they run contiguously along k, else through transposes of L x L blocks), or, for
            // a transposed A' where a vector holds MR lanes, k-steps of MR elements (a plain copy)
            boolean byRows = rowsLayout();
            for (int p0 = 0; p0 < k; p0 += blockK) {
                int kc = Math.min(blockK, k - p0);
                int size = packedTileSize(kc);
                float[] ap = ws.packedA((t1 - t0) * size + L); // L of slack: see packA
                if (byRows) {
                    int rows = Math.min(t1 * MR, mm) - t0 * MR;
                    packRows(a, aOff + t0 * MR * ars + p0 * acs, ars, acs, kc, rows, (t1 - t0) * MR, ap, ws);
                } else {
                    for (int t = t0; t < t1; t++) {
                        int i0 = t * MR;
                        packA(a, aOff + i0 * ars + p0 * acs, ars, acs, kc, Math.min(MR, mm - i0), ap, (t - t0) * size);
                    }
                }
                boolean load = accumulate || p0 > 0;
                for (int q = q0; q < q1; q++) {
                    // one micro-panel of B' at a time, in L1 while the tiles of A' stream past it;
                    // a last panel at most one vector wide runs the one-vector kernels
                    int j0 = q * NR;
                    int nv = Math.min(NR, nn - j0);
                    int w = nv > L ? NR : L;
                    int bi = bOff + p0 * bps + j0 * bjs; // B'(0, 0) of this panel
                    // packed once per thread and product when kept (cacheB), else once per row block
                    int slot = p0 / blockK * panels + q;
                    float[] bp = cacheB ? ws.cachedPanel(slot, kc * NR) : ws.packedB(kc * NR);
                    boolean packed = cacheB && ws.isPacked(slot, serial);
                    // a whole panel whose rows are contiguous (bjs == 1) is packed by the first tile's
                    // kernel as it reads it, a row at a time; every other panel is packed ahead (a
                    // transposed operand's through transposes)
                    boolean packAsRead = !packed && nv == NR && bjs == 1;
                    if (!packed && !packAsRead) {
                        packB(b, bi, bps, bjs, kc, nv, w, bp, ws);
                    }
                    // the row tiles, MR rows each. With 16 registers a panel at most two vectors wide
                    // runs 4 × 2 tiles (tile4x2) where 3 × 3 ones would spend a third of their fma's on
                    // its zero padding: the block's rows (padded to a multiple of 3) 4 at a time, then
                    // the last 0-3 tiles 3 at a time, as many as make the rest a multiple of 4. Either
                    // tile gives each element of C' the same chain of fma's.
                    int blockRows = (t1 - t0) * MR;
                    boolean narrow = SIXTEEN_REGISTERS && w == NR && nv <= 2 * L;
                    int threes = blockRows % 4 * 3 % 4; // 3·threes ≡ blockRows (mod 4)
                    int fours = narrow ? (blockRows - 3 * threes) / 4 : 0;
                    for (int t = 0, r0 = 0, tileRows = 0; r0 < blockRows; t++, r0 += tileRows) {
                        tileRows = t < fours ? 4 : MR;
                        int tileCols = t < fours ? 2 * L : w;
                        int i0 = t0 * MR + r0;
                        int rows = Math.min(tileRows, mm - i0); // padding: at most the last MR - 1 rows
                        int ao = byRows ? r0 * KC_MAX : r0 / MR * size;
                        // a whole tile of a row-major C' is updated in place, any other through the tile buffer
                        boolean whole = ccs == 1 && rows == tileRows && nv == tileCols;
                        float[] dst = whole ? c : ws.tile;
                        int di = whole ? cOff + i0 * crs + j0 : 0;
                        int drs = whole ? crs : NR;
                        boolean dload = whole && load;
                        if (SIXTEEN_REGISTERS) { // A' always in rows (see rowsLayout)
                            if (tileRows == 4) {
                                tile4x2(kc, ap, ao, bp, dst, di, drs, dload);
                            } else if (packAsRead && r0 == 0) {
                                tile3x3Packing(kc, ap, ao, b, bi, bps, bp, dst, di, drs, dload);
                            } else if (w == NR) {
                                tile3x3(kc, ap, ao, bp, dst, di, drs, dload);
                            } else {
                                tile3x1(kc, ap, ao, bp, dst, di, drs, dload);
                            }
                        } else if (packAsRead && r0 == 0) {
                            if (byRows) {
                                kernelRows2Packing(kc, ap, ao, b, bi, bps, bp, dst, di, drs, dload);
                            } else {
                                kernelSteps2Packing(kc, ap, ao, b, bi, bps, bp, dst, di, drs, dload);
                            }
                        } else if (byRows) {
                            if (w == NR) {
                                kernelRows2(kc, ap, ao, bp, dst, di, drs, dload);
                            } else {
                                kernelRows1(kc, ap, ao, bp, dst, di, drs, dload);
                            }
                        } else if (w == NR) {
                            kernelSteps2(kc, ap, ao, bp, dst, di, drs, dload);
                        } else {
                            kernelSteps1(kc, ap, ao, bp, dst, di, drs, dload);
                        }
                        if (!whole) {
                            storeTile(ws.tile, rows, nv, c, cOff + i0 * crs + j0 * ccs, crs, ccs, load);
                        }
                    }
                    if (cacheB) {
                        ws.markPacked(slot, serial); // packed ahead, or by the first tile's kernel
                    }
                }
            }
        }
    }

    /**
     * The rows layout of a whole block of tiles, which lie one after the other: {@code ap[i·KC_MAX + p]
     * = A'(i, p) = a[off + i·rs + p·cs]} for {@code i < rows}, {@code p < kc}, and 0 for
     * {@code rows <= i < paddedRows} (the missing rows of the last tile). Rows contiguous along
     * {@code k} ({@code cs == 1}) are copied; else {@code A'} is a transposed operand, its columns
     * contiguous ({@code rs == 1}, see plan), and the block is transposed (k-steps of 3 packed an
     * element at a time took 11% of 784x5000x300 TN and 38% of 300x5000x40 TN, -XX:UseAVX=2).
     */
    static void packRows(float[] a, int off, int rs, int cs, int kc, int rows, int paddedRows,
                         float[] ap, Workspace ws) {
        if (cs == 1) {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(a, off + i * rs, ap, i * KC_MAX, kc);
            }
        } else {
            assert rs == 1 : "A' with neither rows nor columns contiguous";
            transpose(a, off, cs, kc, rows, ap, 0, KC_MAX, ws);
        }
        for (int i = rows; i < paddedRows; i++) {
            java.util.Arrays.fill(ap, i * KC_MAX, i * KC_MAX + kc, 0f);
        }
    }

    /**
     * {@code bp[p·w + j] = B'(p, j)} for {@code j < nv}, 0 for {@code nv <= j < w}, where
     * {@code w} ({@code NR}, or {@code L} for a last panel at most one vector wide) is the width of
     * the micro-panel and {@code B'(p, j) = b[off + p·ps + j·js]}. Only panels narrower than
     * {@code NR} and transposed ones come here (whole panels of contiguous rows are packed by the
     * first tile's kernel, see run).
     */
    static void packB(float[] b, int off, int ps, int js, int kc, int nv, int w, float[] bp, Workspace ws) {
        if (js == 1 && nv == w) {
            // rows of B' contiguous and whole vectors wide: copy a vector at a time
            for (int p = 0; p < kc; p++) {
                for (int v = 0; v < w; v += L) {
                    FloatVector.fromArray(S, b, off + p * ps + v).intoArray(bp, p * w + v);
                }
            }
        } else if (nv == w) {
            // columns of B' contiguous (a transposed operand), whole vectors wide
            transpose(b, off, js, w, kc, bp, 0, w, ws);
        } else if (js == 1) {
            packPartialRows(b, off, ps, kc, nv, w, bp);
        } else {
            // the last, partial panel of a transposed operand (a masked gather still range-checks
            // every lane): column by column, reading each contiguously, then zero past nv
            for (int j = 0; j < nv; j++) {
                int src = off + j * js;
                for (int p = 0; p < kc; p++) {
                    bp[p * w + j] = b[src + p];
                }
            }
            for (int p = 0; p < kc; p++) {
                java.util.Arrays.fill(bp, p * w + nv, p * w + w, 0f);
            }
        }
    }

    /**
     * {@code to[to0 + c·ts + r] = from[fo + r·fs + c]} for {@code r < rows}, {@code c < cols}: a
     * transposed operand packed ({@code B'} along its panel, {@code A'} along its rows). Each L x L
     * block is read as L vectors along c (contiguous) and turned into L vectors along r by log2(L)
     * rounds of zips, {@code (r_i, r_(i+L/2)) -> (r'_2i, r'_(2i+1)) = (zipLow, zipHigh)} (see zipRound):
     * after log2(L) perfect shuffles row i holds column i. A block cut by the last column is copied
     * into the scratch block {@code zipT}, transposed there and its part copied out (strided scalar
     * reads made NT products 10-18% slower; a gather allocated 4.6 KB a call in one
     * KernelAllocationTest run, a boxed vector per row). The last {@code rows mod L} rows, a thin strip
     * (an A''s k tail, never a B' panel's), go an element at a time along c: through the scratch block
     * 784x5000x300 TN ran 5% slower (-XX:UseAVX=2). Between rounds a block passes through two L x L
     * scratch blocks in L1, one small method per round: an 8 x 8 block held in registers, 24 zips in
     * one method, was no faster (128x300x784 NT at 0.897-0.903 of OpenBLAS either way, -XX:UseAVX=2,
     * AMD Zen 5); a 16 x 16 block held in registers, 64 zips in one method, ran 3% faster but
     * sometimes compiled with the zips not inlined (C2's NodeCountInliningCutoff), each then boxing
     * its result: 128x300x784 NT at a quarter of OpenBLAS and 250 MB allocated per IWAE K=50 step. On
     * AMD Zen 5, one thread: 128x300x784 NT at 179 GFLOP/s with AVX-512 (145 when the first 8-row tile
     * gathered B' as it went, as the contiguous case is packed) and 92 with -XX:UseAVX=2 (82-87 with
     * gathers). Also slower at -XX:UseAVX=2 (paired, one thread): a scalar copy of whole panels, in
     * either loop order (0.77-0.80 of OpenBLAS against 0.89-0.90), and a load of one float per line of
     * the next panel's source rows while the current panel runs, a stand-in for a prefetch (0.87 against
     * 0.89): reading B is not what the transposes wait for.
     */
    static void transpose(float[] from, int fo, int fs, int rows, int cols, float[] to, int to0, int ts,
                          Workspace ws) {
        int wholeRows = rows / L * L;
        for (int c = 0; c < cols; c += L) {
            int cc = Math.min(L, cols - c);
            for (int r = 0; r < wholeRows; r += L) {
                if (cc == L) {
                    transposeBlock(from, fo + r * fs + c, fs, to, to0 + c * ts + r, ts, ws.zipX, ws.zipY);
                } else { // the rest of zipT is stale: moved, never copied out
                    float[] t = ws.zipT;
                    for (int i = 0; i < L; i++) {
                        System.arraycopy(from, fo + (r + i) * fs + c, t, i * L, cc);
                    }
                    transposeBlock(t, 0, L, t, 0, L, ws.zipX, ws.zipY);
                    for (int j = 0; j < cc; j++) {
                        System.arraycopy(t, j * L, to, to0 + (c + j) * ts + r, L);
                    }
                }
            }
        }
        for (int r = wholeRows; r < rows; r++) { // the last rows mod L, each read along c
            for (int c = 0; c < cols; c++) {
                to[to0 + c * ts + r] = from[fo + r * fs + c];
            }
        }
    }

    /**
     * {@code to[to0 + j·ts + i] = from[fo + i·fs + j]} for {@code i, j < L}: log2(L) rounds of zips, the
     * ones in between through the scratch blocks {@code x} and {@code y}. {@code to} may be {@code from}
     * when both are a block of their own: the first round reads all of it before the last one writes.
     */
    private static void transposeBlock(float[] from, int fo, int fs, float[] to, int to0, int ts,
                                       float[] x, float[] y) {
        if (ZIP_ROUNDS == 1) {
            zipRound(from, fo, fs, to, to0, ts);
            return;
        }
        zipRound(from, fo, fs, x, 0, L);
        for (int round = 2; round < ZIP_ROUNDS; round++) {
            zipRound(x, 0, L, y, 0, L);
            float[] swap = x;
            x = y;
            y = swap;
        }
        zipRound(x, 0, L, to, to0, ts);
    }

    /** log2(L): the rounds of zips that transpose an L x L block. */
    private static final int ZIP_ROUNDS = Integer.numberOfTrailingZeros(L);

    /**
     * One round: rows {@code from[fo + i·fs]}, {@code i < L}, are zipped in pairs {@code (i, i + L/2)}
     * into rows {@code 2i} and {@code 2i + 1} of {@code to[to0 + i·ts]}:
     * {@code zipLow = lo0 hi0 lo1 hi1 ...}, {@code zipHigh = lo(L/2) hi(L/2) lo(L/2+1) hi(L/2+1) ...},
     * each one shuffle applied to both rows and a blend taking the odd lanes from {@code hi}. (Written
     * here, not as helpers taking vectors: a helper C2 has compiled on its own to more than
     * {@code InlineSmallCode} is not inlined, and then boxes every vector; KernelAllocationTest.)
     */
    private static void zipRound(float[] from, int fo, int fs, float[] to, int to0, int ts) {
        for (int i = 0; i < L / 2; i++) {
            FloatVector lo = FloatVector.fromArray(S, from, fo + i * fs);
            FloatVector hi = FloatVector.fromArray(S, from, fo + (i + L / 2) * fs);
            lo.rearrange(ZIP_LOW).blend(hi.rearrange(ZIP_LOW), ODD_LANES).intoArray(to, to0 + 2 * i * ts);
            lo.rearrange(ZIP_HIGH).blend(hi.rearrange(ZIP_HIGH), ODD_LANES).intoArray(to, to0 + (2 * i + 1) * ts);
        }
    }

    /** Lanes {@code 2i} and {@code 2i + 1} both from lane {@code i} (ZIP_LOW) or {@code L/2 + i} (ZIP_HIGH). */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL);

    /**
     * {@code packB} for the last, partial panel of contiguous rows ({@code nv < w}), one vector column
     * of the panel at a time. In every row whose vector lies wholly inside {@code b}: a plain load,
     * its lanes past {@code nv} (whatever follows the panel: padding or the next row) zeroed by a
     * blend. In the last rows, where the vector would run past the end of {@code b}: element by
     * element. (A masked load is much slower than a plain one here, and an element loop for every
     * row took 2.4% of 128x300x300, whose last panel is 12 columns wide.)
     */
    static void packPartialRows(float[] b, int off, int ps, int kc, int nv, int w, float[] bp) {
        FloatVector zero = FloatVector.zero(S);
        for (int v = 0; v < w; v += L) {
            // w is the fewest whole vectors that hold nv columns, so every vector column has a lane
            // of the panel
            int lanes = Math.min(L, nv - v);
            VectorMask<Float> keep = S.indexInRange(0, lanes);
            int room = b.length - L - off - v; // row p's vector lies inside b iff p·ps <= room
            int inside = room < 0 ? 0 : Math.min(kc, room / ps + 1);
            int p = 0;
            for (; p < inside; p++) {
                zero.blend(FloatVector.fromArray(S, b, off + p * ps + v), keep).intoArray(bp, p * w + v);
            }
            for (; p < kc; p++) {
                int src = off + p * ps + v;
                int dst = p * w + v;
                for (int j = 0; j < L; j++) {
                    bp[dst + j] = j < lanes ? b[src + j] : 0f;
                }
            }
        }
    }

    /**
     * {@code ap[ao + p·MR + r] = A'(r, p)} for {@code r < rows}, 0 for the missing rows of a tail tile,
     * where {@code A'(r, p) = a[off + r·rs + p·cs]}: the k-steps layout, used only where
     * {@code COLUMN_VECTORS} holds (see {@code Job.rowsLayout}). Tiles are packed in ascending order,
     * and {@code ap} has room for {@code L} floats past the last one.
     */
    static void packA(float[] a, int off, int rs, int cs, int kc, int rows, float[] ap, int ao) {
        if (rs == 1 && rows == MR) {
            // a column of the tile is contiguous (a transposed operand): one vector per k-step. Whole
            // vectors, stored in ascending p: the lanes past MR land on the next step's place and are
            // overwritten by it (the last step's on the next tile's, or on the slack of packedA). The
            // load is masked only where a whole vector would run past the end of a. (Masked loads and
            // stores in every step took 15-25% longer on 300x100x80:TN, AVX-512 on Zen 5.)
            for (int p = 0; p < kc; p++) {
                int src = off + p * cs;
                FloatVector step = src + L <= a.length ? FloatVector.fromArray(S, a, src)
                        : FloatVector.fromArray(S, a, src, FIRST_MR);
                step.intoArray(ap, ao + p * MR);
            }
            return;
        }
        // rows of the tile: read each along p (contiguous when cs == 1)
        for (int r = 0; r < rows; r++) {
            int src = off + r * rs;
            for (int p = 0; p < kc; p++) {
                ap[ao + p * MR + r] = a[src + p * cs];
            }
        }
        for (int r = rows; r < MR; r++) {
            for (int p = 0; p < kc; p++) {
                ap[ao + p * MR + r] = 0f;
            }
        }
    }

    /*
     * The register tiles: C'(r, j) (+)= T(r, j) = sum_p A'(r, p)·B'(p, j) over one k-block, for r < MR
     * and j < w (two vectors, w = NR, or one, w = L), where
     *   A'(r, p) = ap[ao + r·KC_MAX + p] ("Rows" kernels) or ap[ao + p·MR + r] ("Steps" kernels);
     *   B'(p, j) = bp[p·w + j], the packed micro-panel; the "Packing" kernels, run on the first tile of
     *              a panel whose rows are contiguous, read B'(p, j) = b[bi + p·bs + j] instead and copy
     *              each row into bp as they go. The copy only partly hides behind the fma's: timed
     *              inside the product, such a tile takes as long as 2.0-2.2 plain ones on the VAE
     *              shapes and 3.1 at 1024³ (9-12% of the whole product), at 1024³ nearly all of it
     *              for reading the strided rows of b (without the two vector stores per k-step the
     *              product ran only 0.7% faster); a copy pass of its own costs more (in-JVM A/B:
     *              2.4-5.5% slower on the VAE shapes, no faster at 1024³). Reading b in place
     *              costs a bounds check per row (its stride bs is not a constant), which is why the
     *              other tiles read the packed copy;
     *   C'(r, j) = c[ci + r·rs + j]: C itself for a whole tile of a row-major C', else the tile buffer
     *              (rs = NR, load = false) that storeTile then adds to C.
     * Packed operands make every load in the loop a fixed offset from the loop counter: C2 hoists
     * the bounds checks and the one-step loops are nothing but loads, broadcasts and fma's.
     * kernelRows2's two-step loop keeps four range checks per trip and is faster all the same (see
     * TWO_STEP_MIN_KC). After the loop each accumulator is the argument of the add that brings in C,
     * not its receiver (VectorKernels' rule 3). Its store still dispatches through the type profile of
     * intoArray, which every kernel keeps populated with the one vector class (rule 4): written as
     * (-0 + acc).intoArray, the stores put the 8 x 2 tiles over C2's node budget for inlining
     * (NodeCountInliningCutoff), which then boxed every accumulator.
     */

    static void kernelSteps2(int kc, float[] ap, int ao, float[] bp,
                             float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bj = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c31 = FloatVector.fromArray(S, c, ci + 3 * rs + L).add(c31);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c41 = FloatVector.fromArray(S, c, ci + 4 * rs + L).add(c41);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c51 = FloatVector.fromArray(S, c, ci + 5 * rs + L).add(c51);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c61 = FloatVector.fromArray(S, c, ci + 6 * rs + L).add(c61);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
            c71 = FloatVector.fromArray(S, c, ci + 7 * rs + L).add(c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c30.intoArray(c, ci + 3 * rs);
        c31.intoArray(c, ci + 3 * rs + L);
        c40.intoArray(c, ci + 4 * rs);
        c41.intoArray(c, ci + 4 * rs + L);
        c50.intoArray(c, ci + 5 * rs);
        c51.intoArray(c, ci + 5 * rs + L);
        c60.intoArray(c, ci + 6 * rs);
        c61.intoArray(c, ci + 6 * rs + L);
        c70.intoArray(c, ci + 7 * rs);
        c71.intoArray(c, ci + 7 * rs + L);
    }

    static void kernelSteps2Packing(int kc, float[] ap, int ao, float[] b, int bi, int bs, float[] bp,
                                    float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bj = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bj);
            FloatVector b1 = FloatVector.fromArray(S, b, bj + L);
            b0.intoArray(bp, p * NR);
            b1.intoArray(bp, p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c31 = FloatVector.fromArray(S, c, ci + 3 * rs + L).add(c31);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c41 = FloatVector.fromArray(S, c, ci + 4 * rs + L).add(c41);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c51 = FloatVector.fromArray(S, c, ci + 5 * rs + L).add(c51);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c61 = FloatVector.fromArray(S, c, ci + 6 * rs + L).add(c61);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
            c71 = FloatVector.fromArray(S, c, ci + 7 * rs + L).add(c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c30.intoArray(c, ci + 3 * rs);
        c31.intoArray(c, ci + 3 * rs + L);
        c40.intoArray(c, ci + 4 * rs);
        c41.intoArray(c, ci + 4 * rs + L);
        c50.intoArray(c, ci + 5 * rs);
        c51.intoArray(c, ci + 5 * rs + L);
        c60.intoArray(c, ci + 6 * rs);
        c61.intoArray(c, ci + 6 * rs + L);
        c70.intoArray(c, ci + 7 * rs);
        c71.intoArray(c, ci + 7 * rs + L);
    }

    static void kernelSteps1(int kc, float[] ap, int ao, float[] bp,
                             float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bj = p * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x, c10);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x, c20);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x, c30);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(x, c40);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(x, c50);
            x = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = b0.fma(x, c60);
            x = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = b0.fma(x, c70);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + rs);
        c20.intoArray(c, ci + 2 * rs);
        c30.intoArray(c, ci + 3 * rs);
        c40.intoArray(c, ci + 4 * rs);
        c50.intoArray(c, ci + 5 * rs);
        c60.intoArray(c, ci + 6 * rs);
        c70.intoArray(c, ci + 7 * rs);
    }

    /**
     * The 16-register tile: 3 rows × 3 vectors: 9 accumulators, 3 vectors of B' and the broadcasts, 15
     * registers even when C2 hoists all three broadcasts ahead of the fma's (as it does). A' is
     * always packed in rows at the fixed stride KC_MAX (a transposed one through transposes: in
     * k-steps of 3, packed an element at a time, it was 11-38% slower on the TN products of the
     * IWAE's weight gradients); B' packed, {@code bp[p·w + j]}. {@code tile3x1} serves a last panel
     * one vector wide. Tried first on AVX2 (AMD Zen 5 with -XX:UseAVX=2, paired against
     * OpenBLAS's Haswell kernels, 1 thread): 5 rows × 2 vectors, 13 registers on paper, but C2 hoisted
     * its five broadcasts and spilled an accumulator every k-step (0.37-0.49 of OpenBLAS); 4 × 2 ran
     * clean at 0.53-0.88; 3 × 3 with A' always in k-steps at 0.55-0.90; as it is, 0.71-0.93 over runs.
     * Alone, on packed operands in L1 and L2, this tile runs at 105-106 GFLOP/s, 92% of the FMA peak
     * (114-116 by PeakBench's loop, 113-117 by such a loop in C); OpenBLAS's 1024³ product runs at
     * 104-110. Nine chains leave the two FMA ports little slack (at 4 cycles' latency they need 8 in
     * flight), and every tile with twelve accumulators spilled. (A probe's own peak loop, which C2
     * unrolled four times and spilled, read 98-103; against it this tile had looked as fast as the
     * peak.) Probed and not kept (same machine): 4 × 3, twelve accumulators, spills within each
     * k-step, C2 loading all four broadcasts of the step ahead of the fma's (44-47 GFLOP/s), also
     * with two vectors of B' kept and the third loaded again for each row (30); 6 × 2 ran as slowly
     * (also with its broadcasts made from int bits); two k-steps per trip spill (55-56); a 3 × 2 tile
     * for a last panel two vectors wide is small enough for C2 to unroll four times, and the twelve
     * broadcasts it then hoists spill (45; 128x300x40 ran slower with it): such a panel runs
     * {@link #tile4x2}.
     */
    static void tile3x3(int kc, float[] ap, int ao, float[] bp,
            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bj + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c02 = FloatVector.fromArray(S, c, ci + 2 * L).add(c02);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c12 = FloatVector.fromArray(S, c, ci + rs + 2 * L).add(c12);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c22 = FloatVector.fromArray(S, c, ci + 2 * rs + 2 * L).add(c22);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c12.intoArray(c, ci + rs + 2 * L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c22.intoArray(c, ci + 2 * rs + 2 * L);
    }

    /**
     * {@link #tile3x3} for the first tile of a panel whose rows are contiguous in {@code B}: it reads
     * the panel from {@code B} (row stride {@code bs}) and packs it into {@code bp} for the tiles after it.
     */
    static void tile3x3Packing(int kc, float[] ap, int ao, float[] b, int bi, int bs, float[] bp,
            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bj);
            FloatVector b1 = FloatVector.fromArray(S, b, bj + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bj + 2 * L);
            b0.intoArray(bp, p * NR);
            b1.intoArray(bp, p * NR + L);
            b2.intoArray(bp, p * NR + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c02 = FloatVector.fromArray(S, c, ci + 2 * L).add(c02);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c12 = FloatVector.fromArray(S, c, ci + rs + 2 * L).add(c12);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c22 = FloatVector.fromArray(S, c, ci + 2 * rs + 2 * L).add(c22);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c12.intoArray(c, ci + rs + 2 * L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c22.intoArray(c, ci + 2 * rs + 2 * L);
    }

    /**
     * The 16-register tile's kernel for a last panel two vectors wide (see the panel loop in run): 4
     * rows × 2 vectors, 8 accumulators, two vectors of B' (packed {@code NR} wide) and the
     * broadcasts. Probed alone on packed operands (AMD Zen 5, -XX:UseAVX=2) it runs as fast as
     * {@link #tile3x3}, 80-105 GFLOP/s by the host's speed, when compiled on its own; inlined into
     * the probe's loop it sometimes ran at 25-30. Its bytecode is above FreqInlineSize (325), as
     * tile3x3's is, so hot callers call it rather than inline it. A 3 × 2 tile has too few
     * accumulators to cover the fma latency (6 chains for 2 fma's a cycle of latency 4: 44-78).
     */
    static void tile4x2(int kc, float[] ap, int ao, float[] bp,
            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c31 = FloatVector.fromArray(S, c, ci + 3 * rs + L).add(c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c30.intoArray(c, ci + 3 * rs);
        c31.intoArray(c, ci + 3 * rs + L);
    }

    static void tile3x1(int kc, float[] ap, int ao, float[] bp,
            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = p * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + rs);
        c20.intoArray(c, ci + 2 * rs);
    }

    static void kernelRows2(int kc, float[] ap, int ao, float[] bp,
                            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int p = 0;
        if (kc >= TWO_STEP_MIN_KC) {
            // two k-steps per trip, each the step of the loop below (see TWO_STEP_MIN_KC); written
            // out twice on purpose: as an inner loop of two trips it ran 28-29% slower (in-JVM A/B)
            for (; p + 1 < kc; p += 2) {
                {
                    int q = p;
                    int ai = ao + q;
                    int bj = q * NR;
                    FloatVector b0 = FloatVector.fromArray(S, bp, bj);
                    FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
                    FloatVector x;
                    x = FloatVector.broadcast(S, ap[ai]);
                    c00 = b0.fma(x, c00);
                    c01 = b1.fma(x, c01);
                    x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
                    c10 = b0.fma(x, c10);
                    c11 = b1.fma(x, c11);
                    x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
                    c20 = b0.fma(x, c20);
                    c21 = b1.fma(x, c21);
                    x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
                    c30 = b0.fma(x, c30);
                    c31 = b1.fma(x, c31);
                    x = FloatVector.broadcast(S, ap[ai + 4 * KC_MAX]);
                    c40 = b0.fma(x, c40);
                    c41 = b1.fma(x, c41);
                    x = FloatVector.broadcast(S, ap[ai + 5 * KC_MAX]);
                    c50 = b0.fma(x, c50);
                    c51 = b1.fma(x, c51);
                    x = FloatVector.broadcast(S, ap[ai + 6 * KC_MAX]);
                    c60 = b0.fma(x, c60);
                    c61 = b1.fma(x, c61);
                    x = FloatVector.broadcast(S, ap[ai + 7 * KC_MAX]);
                    c70 = b0.fma(x, c70);
                    c71 = b1.fma(x, c71);
                }
                {
                    int q = p + 1;
                    int ai = ao + q;
                    int bj = q * NR;
                    FloatVector b0 = FloatVector.fromArray(S, bp, bj);
                    FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
                    FloatVector x;
                    x = FloatVector.broadcast(S, ap[ai]);
                    c00 = b0.fma(x, c00);
                    c01 = b1.fma(x, c01);
                    x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
                    c10 = b0.fma(x, c10);
                    c11 = b1.fma(x, c11);
                    x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
                    c20 = b0.fma(x, c20);
                    c21 = b1.fma(x, c21);
                    x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
                    c30 = b0.fma(x, c30);
                    c31 = b1.fma(x, c31);
                    x = FloatVector.broadcast(S, ap[ai + 4 * KC_MAX]);
                    c40 = b0.fma(x, c40);
                    c41 = b1.fma(x, c41);
                    x = FloatVector.broadcast(S, ap[ai + 5 * KC_MAX]);
                    c50 = b0.fma(x, c50);
                    c51 = b1.fma(x, c51);
                    x = FloatVector.broadcast(S, ap[ai + 6 * KC_MAX]);
                    c60 = b0.fma(x, c60);
                    c61 = b1.fma(x, c61);
                    x = FloatVector.broadcast(S, ap[ai + 7 * KC_MAX]);
                    c70 = b0.fma(x, c70);
                    c71 = b1.fma(x, c71);
                }
            }
        }
        for (; p < kc; p++) {
            int ai = ao + p;
            int bj = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector b1 = FloatVector.fromArray(S, bp, bj + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[ai + 4 * KC_MAX]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[ai + 5 * KC_MAX]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, ap[ai + 6 * KC_MAX]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, ap[ai + 7 * KC_MAX]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c31 = FloatVector.fromArray(S, c, ci + 3 * rs + L).add(c31);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c41 = FloatVector.fromArray(S, c, ci + 4 * rs + L).add(c41);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c51 = FloatVector.fromArray(S, c, ci + 5 * rs + L).add(c51);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c61 = FloatVector.fromArray(S, c, ci + 6 * rs + L).add(c61);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
            c71 = FloatVector.fromArray(S, c, ci + 7 * rs + L).add(c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c30.intoArray(c, ci + 3 * rs);
        c31.intoArray(c, ci + 3 * rs + L);
        c40.intoArray(c, ci + 4 * rs);
        c41.intoArray(c, ci + 4 * rs + L);
        c50.intoArray(c, ci + 5 * rs);
        c51.intoArray(c, ci + 5 * rs + L);
        c60.intoArray(c, ci + 6 * rs);
        c61.intoArray(c, ci + 6 * rs + L);
        c70.intoArray(c, ci + 7 * rs);
        c71.intoArray(c, ci + 7 * rs + L);
    }

    static void kernelRows2Packing(int kc, float[] ap, int ao, float[] b, int bi, int bs, float[] bp,
                                   float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bj);
            FloatVector b1 = FloatVector.fromArray(S, b, bj + L);
            b0.intoArray(bp, p * NR);
            b1.intoArray(bp, p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[ai + 4 * KC_MAX]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[ai + 5 * KC_MAX]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, ap[ai + 6 * KC_MAX]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, ap[ai + 7 * KC_MAX]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c01 = FloatVector.fromArray(S, c, ci + L).add(c01);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c11 = FloatVector.fromArray(S, c, ci + rs + L).add(c11);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c21 = FloatVector.fromArray(S, c, ci + 2 * rs + L).add(c21);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c31 = FloatVector.fromArray(S, c, ci + 3 * rs + L).add(c31);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c41 = FloatVector.fromArray(S, c, ci + 4 * rs + L).add(c41);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c51 = FloatVector.fromArray(S, c, ci + 5 * rs + L).add(c51);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c61 = FloatVector.fromArray(S, c, ci + 6 * rs + L).add(c61);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
            c71 = FloatVector.fromArray(S, c, ci + 7 * rs + L).add(c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + rs);
        c11.intoArray(c, ci + rs + L);
        c20.intoArray(c, ci + 2 * rs);
        c21.intoArray(c, ci + 2 * rs + L);
        c30.intoArray(c, ci + 3 * rs);
        c31.intoArray(c, ci + 3 * rs + L);
        c40.intoArray(c, ci + 4 * rs);
        c41.intoArray(c, ci + 4 * rs + L);
        c50.intoArray(c, ci + 5 * rs);
        c51.intoArray(c, ci + 5 * rs + L);
        c60.intoArray(c, ci + 6 * rs);
        c61.intoArray(c, ci + 6 * rs + L);
        c70.intoArray(c, ci + 7 * rs);
        c71.intoArray(c, ci + 7 * rs + L);
    }

    static void kernelRows1(int kc, float[] ap, int ao, float[] bp,
                            float[] c, int ci, int rs, boolean load) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            int bj = p * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bj);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            x = FloatVector.broadcast(S, ap[ai + KC_MAX]);
            c10 = b0.fma(x, c10);
            x = FloatVector.broadcast(S, ap[ai + 2 * KC_MAX]);
            c20 = b0.fma(x, c20);
            x = FloatVector.broadcast(S, ap[ai + 3 * KC_MAX]);
            c30 = b0.fma(x, c30);
            x = FloatVector.broadcast(S, ap[ai + 4 * KC_MAX]);
            c40 = b0.fma(x, c40);
            x = FloatVector.broadcast(S, ap[ai + 5 * KC_MAX]);
            c50 = b0.fma(x, c50);
            x = FloatVector.broadcast(S, ap[ai + 6 * KC_MAX]);
            c60 = b0.fma(x, c60);
            x = FloatVector.broadcast(S, ap[ai + 7 * KC_MAX]);
            c70 = b0.fma(x, c70);
        }
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci).add(c00);
            c10 = FloatVector.fromArray(S, c, ci + rs).add(c10);
            c20 = FloatVector.fromArray(S, c, ci + 2 * rs).add(c20);
            c30 = FloatVector.fromArray(S, c, ci + 3 * rs).add(c30);
            c40 = FloatVector.fromArray(S, c, ci + 4 * rs).add(c40);
            c50 = FloatVector.fromArray(S, c, ci + 5 * rs).add(c50);
            c60 = FloatVector.fromArray(S, c, ci + 6 * rs).add(c60);
            c70 = FloatVector.fromArray(S, c, ci + 7 * rs).add(c70);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + rs);
        c20.intoArray(c, ci + 2 * rs);
        c30.intoArray(c, ci + 3 * rs);
        c40.intoArray(c, ci + 4 * rs);
        c50.intoArray(c, ci + 5 * rs);
        c60.intoArray(c, ci + 6 * rs);
        c70.intoArray(c, ci + 7 * rs);
    }


    /** {@code C'(r, j) (+)= tile[r·NR + j]} for {@code r < rows, j < cols}, {@code C'(r, j) = c[ci + r·rs + j·cs]}. */
    static void storeTile(float[] tile, int rows, int cols, float[] c, int ci, int rs, int cs, boolean load) {
        if (cs == 1 && VECTORS != 2) {
            // the 16-register tile: a vector at a time, masked past cols
            for (int v = 0; v < cols; v += L) {
                VectorMask<Float> m = S.indexInRange(v, cols);
                boolean whole = v + L <= cols;
                for (int r = 0; r < rows; r++) {
                    int at = ci + r * rs + v;
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + v);
                    if (whole) {
                        (load ? t.add(FloatVector.fromArray(S, c, at)) : t).intoArray(c, at);
                    } else {
                        (load ? t.add(FloatVector.fromArray(S, c, at, m)) : t).intoArray(c, at, m);
                    }
                }
            }
        } else if (cs == 1 && cols == NR) {
            // a whole tile: plain vector loads and stores (masked ones are much slower)
            for (int r = 0; r < rows; r++) {
                int row = ci + r * rs;
                FloatVector v0 = FloatVector.fromArray(S, tile, r * NR);
                FloatVector v1 = FloatVector.fromArray(S, tile, r * NR + L);
                if (load) {
                    v0 = FloatVector.fromArray(S, c, row).add(v0);
                    v1 = FloatVector.fromArray(S, c, row + L).add(v1);
                }
                v0.intoArray(c, row);
                v1.intoArray(c, row + L);
            }
        } else if (cs == 1) {
            VectorMask<Float> m0 = S.indexInRange(0, cols);
            if (cols > L) {
                VectorMask<Float> m1 = S.indexInRange(L, cols);
                for (int r = 0; r < rows; r++) {
                    int row = ci + r * rs;
                    FloatVector v0 = FloatVector.fromArray(S, tile, r * NR);
                    FloatVector v1 = FloatVector.fromArray(S, tile, r * NR + L);
                    if (load) {
                        v0 = FloatVector.fromArray(S, c, row, m0).add(v0);
                        v1 = FloatVector.fromArray(S, c, row + L, m1).add(v1);
                    }
                    v0.intoArray(c, row, m0);
                    v1.intoArray(c, row + L, m1);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int row = ci + r * rs;
                    FloatVector v0 = FloatVector.fromArray(S, tile, r * NR);
                    if (load) {
                        v0 = FloatVector.fromArray(S, c, row, m0).add(v0);
                    }
                    v0.intoArray(c, row, m0);
                }
            }
        } else if (TRANSPOSE_IN_REGISTERS && rs == 1 && rows == MR && cols == NR) {
            // a whole tile of a transposed C' whose columns are contiguous runs of C: each half of the
            // tile is transposed in registers, then every column is one vector of C, masked to MR lanes
            storeTransposedHalf(tile, 0, c, ci, cs, load);
            storeTransposedHalf(tile, L, c, ci + L * cs, cs, load);
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

    /*
     * The in-register transpose of one half of a tile (MR = 8 vectors of L lanes, L a multiple of 8):
     * a butterfly of three stages. Stage s pairs the vectors whose indices differ in bit s and swaps
     * that bit of the vector index with a bit of the lane index; after the last stage vector u holds
     * the columns u·L/MR ... of the half, each in MR consecutive lanes. An output of stage s is
     * p.rearrange(X).blend(q.rearrange(X), M): the same permute of both inputs (X depends only on
     * bit s of the output's index, "low" or "high") and a blend. (A two-source rearrange computes
     * a mask more; shuffles built inside the loop, or read from an array, cost more than the
     * transpose saves: these are constants.)
     */
    private static final boolean TRANSPOSE_IN_REGISTERS = COLUMN_VECTORS && MR == 8 && L % MR == 0;
    private static final int TRANSPOSE_STAGES = 3;
    private static final VectorShuffle<Float> T0_LOW = transposeShuffle(0, 0);
    private static final VectorShuffle<Float> T0_HIGH = transposeShuffle(0, 1);
    private static final VectorShuffle<Float> T1_LOW = transposeShuffle(1, 0);
    private static final VectorShuffle<Float> T1_HIGH = transposeShuffle(1, 1);
    private static final VectorShuffle<Float> T2_LOW = transposeShuffle(2, 0);
    private static final VectorShuffle<Float> T2_HIGH = transposeShuffle(2, 1);
    private static final VectorMask<Float> T0_FROM_Q = transposeMask(0);
    private static final VectorMask<Float> T1_FROM_Q = transposeMask(1);
    private static final VectorMask<Float> T2_FROM_Q = transposeMask(2);

    /**
     * Where element (r, i) of a tile half is after {@code stage} butterfly stages: {@code {vector,
     * lane}}. Bit t of the vector index is bit {@code lowBits + t} of i for the stages done (t < stage),
     * else bit t of r; the lane is i with bit {@code lowBits + t} replaced by bit t of r for the stages
     * done, and after the last stage {@code (i mod L/MR)·MR + r}: column i in consecutive lanes.
     */
    private static int[] transposePlace(int r, int i, int stage) {
        int lowBits = Integer.numberOfTrailingZeros(L / MR);
        int vector = 0;
        int lane = i;
        for (int t = 0; t < TRANSPOSE_STAGES; t++) {
            boolean done = t < stage;
            vector |= (done ? (i >> (lowBits + t)) & 1 : (r >> t) & 1) << t;
            if (done) {
                lane = (lane & ~(1 << (lowBits + t))) | (((r >> t) & 1) << (lowBits + t));
            }
        }
        if (stage == TRANSPOSE_STAGES) {
            lane = (i & ((1 << lowBits) - 1)) * MR + r;
        }
        return new int[] {vector, lane};
    }

    /** Stage s's permute for the outputs whose index has bit s = {@code high}; null if unused. */
    private static VectorShuffle<Float> transposeShuffle(int s, int high) {
        if (!TRANSPOSE_IN_REGISTERS) {
            return null;
        }
        int[] from = new int[L];
        for (int r = 0; r < MR; r++) {
            for (int i = 0; i < L; i++) {
                int[] to = transposePlace(r, i, s + 1);
                if (((to[0] >> s) & 1) == high) {
                    from[to[1]] = transposePlace(r, i, s)[1];
                }
            }
        }
        return VectorShuffle.fromArray(S, from, 0);
    }

    /** Stage s's blend: the output lanes taken from q, the input with bit s set; null if unused. */
    private static VectorMask<Float> transposeMask(int s) {
        if (!TRANSPOSE_IN_REGISTERS) {
            return null;
        }
        boolean[] fromQ = new boolean[L];
        for (int r = 0; r < MR; r++) {
            for (int i = 0; i < L; i++) {
                fromQ[transposePlace(r, i, s + 1)[1]] = ((transposePlace(r, i, s)[0] >> s) & 1) == 1;
            }
        }
        return VectorMask.fromArray(S, fromQ, 0);
    }

    /** One output of a butterfly stage. */
    private static FloatVector mix(FloatVector p, FloatVector q, VectorShuffle<Float> x, VectorMask<Float> fromQ) {
        return p.rearrange(x).blend(q.rearrange(x), fromQ);
    }

    /**
     * {@code c[ci + i·cs + r] (+)= tile[r·NR + j0 + i]} for {@code r < MR, i < L}: one half of a whole
     * tile, transposed in registers. The result is written back over the half, column i at
     * {@code tile[(i / (L/MR))·NR + j0 + (i mod L/MR)·MR]}, and added to C one vector per column, masked
     * to its first MR lanes.
     */
    private static void storeTransposedHalf(float[] tile, int j0, float[] c, int ci, int cs, boolean load) {
        FloatVector v0 = FloatVector.fromArray(S, tile, j0);
        FloatVector v1 = FloatVector.fromArray(S, tile, NR + j0);
        FloatVector v2 = FloatVector.fromArray(S, tile, 2 * NR + j0);
        FloatVector v3 = FloatVector.fromArray(S, tile, 3 * NR + j0);
        FloatVector v4 = FloatVector.fromArray(S, tile, 4 * NR + j0);
        FloatVector v5 = FloatVector.fromArray(S, tile, 5 * NR + j0);
        FloatVector v6 = FloatVector.fromArray(S, tile, 6 * NR + j0);
        FloatVector v7 = FloatVector.fromArray(S, tile, 7 * NR + j0);
        // stage 0: pairs (0,1) (2,3) (4,5) (6,7)
        FloatVector w0 = mix(v0, v1, T0_LOW, T0_FROM_Q);
        FloatVector w1 = mix(v0, v1, T0_HIGH, T0_FROM_Q);
        FloatVector w2 = mix(v2, v3, T0_LOW, T0_FROM_Q);
        FloatVector w3 = mix(v2, v3, T0_HIGH, T0_FROM_Q);
        FloatVector w4 = mix(v4, v5, T0_LOW, T0_FROM_Q);
        FloatVector w5 = mix(v4, v5, T0_HIGH, T0_FROM_Q);
        FloatVector w6 = mix(v6, v7, T0_LOW, T0_FROM_Q);
        FloatVector w7 = mix(v6, v7, T0_HIGH, T0_FROM_Q);
        // stage 1: pairs (0,2) (1,3) (4,6) (5,7)
        v0 = mix(w0, w2, T1_LOW, T1_FROM_Q);
        v1 = mix(w1, w3, T1_LOW, T1_FROM_Q);
        v2 = mix(w0, w2, T1_HIGH, T1_FROM_Q);
        v3 = mix(w1, w3, T1_HIGH, T1_FROM_Q);
        v4 = mix(w4, w6, T1_LOW, T1_FROM_Q);
        v5 = mix(w5, w7, T1_LOW, T1_FROM_Q);
        v6 = mix(w4, w6, T1_HIGH, T1_FROM_Q);
        v7 = mix(w5, w7, T1_HIGH, T1_FROM_Q);
        // stage 2: pairs (0,4) (1,5) (2,6) (3,7)
        mix(v0, v4, T2_LOW, T2_FROM_Q).intoArray(tile, j0);
        mix(v1, v5, T2_LOW, T2_FROM_Q).intoArray(tile, NR + j0);
        mix(v2, v6, T2_LOW, T2_FROM_Q).intoArray(tile, 2 * NR + j0);
        mix(v3, v7, T2_LOW, T2_FROM_Q).intoArray(tile, 3 * NR + j0);
        mix(v0, v4, T2_HIGH, T2_FROM_Q).intoArray(tile, 4 * NR + j0);
        mix(v1, v5, T2_HIGH, T2_FROM_Q).intoArray(tile, 5 * NR + j0);
        mix(v2, v6, T2_HIGH, T2_FROM_Q).intoArray(tile, 6 * NR + j0);
        mix(v3, v7, T2_HIGH, T2_FROM_Q).intoArray(tile, 7 * NR + j0);
        int perVector = L / MR;
        for (int i = 0; i < L; i++) {
            int col = ci + i * cs;
            // a whole vector of the tile (its lanes past MR are the next column's, or the slack at its end)
            FloatVector t = FloatVector.fromArray(S, tile, (i / perVector) * NR + j0 + (i % perVector) * MR);
            if (load) {
                t = FloatVector.fromArray(S, c, col, FIRST_MR).add(t);
            }
            t.intoArray(c, col, FIRST_MR);
        }
    }

    /** Per-thread packing buffers, grown on demand and kept: steady state allocates nothing. */
    private static final class Workspace {
        // 4 rows for tile4x2; L floats of slack, for storeTransposedHalf's whole-vector loads
        final float[] tile = new float[Math.max(MR, 4) * NR + L];
        /** Scratch blocks for {@link #transpose}: its middle rounds, and the blocks cut by an edge. */
        final float[] zipX = new float[L * L];
        final float[] zipY = new float[L * L];
        final float[] zipT = new float[L * L];
        private float[] b = new float[KC_MAX * NR];
        private float[] a = new float[KC_MAX * MR];

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        /** Packed panels of B' kept across row blocks: slot (k-block, panel), and the product that packed each. */
        private float[][] panels = new float[0][];
        private long[] packedBy = new long[0];

        /** Slot {@code slot}'s panel, at least {@code size} long, and whether product {@code serial} packed it already. */
        float[] cachedPanel(int slot, int size) {
            if (panels.length <= slot) {
                panels = java.util.Arrays.copyOf(panels, Math.max(slot + 1, 2 * panels.length));
                packedBy = java.util.Arrays.copyOf(packedBy, panels.length);
            }
            if (panels[slot] == null || panels[slot].length < size) {
                panels[slot] = new float[size];
                packedBy[slot] = 0;
            }
            return panels[slot];
        }

        boolean isPacked(int slot, long serial) {
            return packedBy[slot] == serial;
        }

        void markPacked(int slot, long serial) {
            packedBy[slot] = serial;
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
