package elbo.core;

/**
 * Walks a broadcast iteration space as a sequence of contiguous runs, so that kernels see long 1-D
 * loops instead of per-element index arithmetic.
 *
 * <p>Each operand's shape broadcasts to the output shape. Its stride along a broadcast axis is 0.
 * Axes of output size 1 are dropped, and neighbouring axes that every operand traverses contiguously
 * are merged; the innermost remaining axis then has, for every operand, stride 1 (it moves) or 0 (it
 * stays), and is handed to the callback as one run. {@link #forEachRows} hands over the two innermost
 * axes at once, rows of runs, so that a short innermost run (a broadcast {@code [B, 1, D] − [K, D]}
 * has runs of {@code D}) costs one kernel call per block instead of one per run.
 */
final class Broadcast {

    /** One run of {@code n} output elements starting at flat output index {@code outOff}. */
    @FunctionalInterface
    interface Run {
        /**
         * @param off    each operand's flat offset at the start of the run
         * @param stride each operand's stride along the run: 1 (contiguous) or 0 (one value repeated)
         */
        void apply(int[] off, int[] stride, int outOff, int n);
    }

    /**
     * A block of {@code rows × cols} output elements, row-major from flat output index {@code outOff}:
     * the two innermost merged axes, for operations whose innermost run alone is short.
     */
    @FunctionalInterface
    interface Rows {
        /**
         * @param off each operand's flat offset at the start of the block
         * @param row each operand's stride from one row to the next (0: the same row again)
         * @param col each operand's stride along a row: 1 (contiguous) or 0 (one value repeated)
         */
        void apply(int[] off, int[] row, int[] col, int outOff, int rows, int cols);
    }

    private Broadcast() {
    }

    /**
     * Walks the space as blocks of the two innermost merged axes (one row when only one is left): the
     * runs of {@link #forEachRun}, handed over a block of rows at a time.
     */
    static void forEachRows(Shape out, Shape[] operands, Rows rows) {
        walk(out, operands, true, rows);
    }

    static void forEachRun(Shape out, Shape[] operands, Run run) {
        walk(out, operands, false, (off, row, col, outOff, rows, cols) -> run.apply(off, col, outOff, cols));
    }

    /** The walk: blocks of the two innermost merged axes if {@code blocks}, else one row (run) at a time. */
    private static void walk(Shape out, Shape[] operands, boolean blocks, Rows block) {
        int total = out.numel();
        if (total == 0) {
            return;
        }
        int k = operands.length;
        int r = out.rank();
        // Per-axis output size and operand strides, keeping only axes of size > 1.
        int[] dims = new int[r];
        int[][] st = new int[k][r];
        int kept = 0;
        for (int ax = 0; ax < r; ax++) {
            int size = out.dim(ax);
            if (size == 1) {
                continue;
            }
            dims[kept] = size;
            for (int j = 0; j < k; j++) {
                st[j][kept] = operandStride(operands[j], out, ax);
            }
            kept++;
        }
        // Merge axis a into a+1 where every operand is contiguous across the pair.
        int m = 0;
        int[] mdims = new int[Math.max(kept, 1)];
        int[][] mst = new int[k][Math.max(kept, 1)];
        for (int ax = 0; ax < kept; ax++) {
            boolean merge = m > 0;
            for (int j = 0; j < k && merge; j++) {
                merge = mst[j][m - 1] == st[j][ax] * dims[ax];
            }
            if (merge) {
                mdims[m - 1] *= dims[ax];
                for (int j = 0; j < k; j++) {
                    mst[j][m - 1] = st[j][ax];
                }
            } else {
                mdims[m] = dims[ax];
                for (int j = 0; j < k; j++) {
                    mst[j][m] = st[j][ax];
                }
                m++;
            }
        }
        int[] off = new int[k];
        int[] stride = new int[k];
        int[] rowStride = new int[k];
        if (m == 0) { // a single element
            block.apply(off, rowStride, stride, 0, 1, 1);
            return;
        }
        int inner = mdims[m - 1];
        for (int j = 0; j < k; j++) {
            stride[j] = mst[j][m - 1];
        }
        int rows = 1;
        if (blocks && m >= 2) { // the second-innermost axis becomes the rows of each block
            rows = mdims[m - 2];
            for (int j = 0; j < k; j++) {
                rowStride[j] = mst[j][m - 2];
            }
            m--;
        }
        // Odometer over the outer axes.
        int[] counter = new int[m - 1];
        int[] base = new int[k];
        for (int outOff = 0; outOff < total; outOff += inner * rows) {
            System.arraycopy(base, 0, off, 0, k);
            block.apply(off, rowStride, stride, outOff, rows, inner);
            for (int ax = m - 2; ax >= 0; ax--) {
                counter[ax]++;
                for (int j = 0; j < k; j++) {
                    base[j] += mst[j][ax];
                }
                if (counter[ax] < mdims[ax]) {
                    break;
                }
                for (int j = 0; j < k; j++) {
                    base[j] -= mst[j][ax] * mdims[ax];
                }
                counter[ax] = 0;
            }
        }
    }

    /** Stride of {@code operand} along output axis {@code ax}: 0 where it broadcasts. */
    private static int operandStride(Shape operand, Shape out, int ax) {
        int lead = out.rank() - operand.rank();
        int oax = ax - lead;
        if (oax < 0 || operand.dim(oax) == 1) {
            return 0;
        }
        return operand.sizeOf(oax + 1, operand.rank());
    }
}
