package elbo.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkspaceTest {

    /** A few steps of gradient descent on a tiny two-layer net, optionally each step in a workspace. */
    private static double[] train(boolean useWorkspace, int steps) {
        Rng rng = new Rng(4);
        Tensor w1 = rng.normal(DType.FLOAT32, 5, 8).requiresGrad(true);
        Tensor w2 = rng.normal(DType.FLOAT32, 8, 3).requiresGrad(true);
        Tensor x = rng.normal(DType.FLOAT32, 16, 5);
        Tensor y = rng.normal(DType.FLOAT32, 16, 3);
        for (int s = 0; s < steps; s++) {
            Workspace ws = useWorkspace ? Workspace.open() : null;
            try {
                Tensor loss = x.matmul(w1).tanh().matmul(w2).sub(y).square().mean()
                        .add(x.matmul(w1).softplus().logSumExp(1, false).mean());
                w1.zeroGrad();
                w2.zeroGrad();
                loss.backward();
                try (Autograd.Scope ignored = Autograd.noGrad()) {
                    for (Tensor p : new Tensor[] {w1, w2}) {
                        float[] v = p.f32(), g = p.grad().f32();
                        for (int i = 0; i < v.length; i++) {
                            v[i] -= 0.05f * g[i];
                        }
                    }
                }
            } finally {
                if (ws != null) {
                    ws.close();
                }
            }
        }
        double[] out = new double[w1.numel() + w2.numel()];
        System.arraycopy(w1.toDoubleArray(), 0, out, 0, w1.numel());
        System.arraycopy(w2.toDoubleArray(), 0, out, w1.numel(), w2.numel());
        return out;
    }

    @Test
    void trainingInAWorkspaceGivesBitwiseTheSameTrajectory() {
        assertArrayEquals(train(false, 20), train(true, 20));
    }

    /**
     * Ops that skip clearing recycled storage must write every element: fill every array a workspace has
     * lent with NaN, then recompute in a new scope (same shapes, so the same arrays come back) and compare
     * with the result computed on fresh, zeroed heap arrays.
     */
    @Test
    void opsWriteEveryElementOfRecycledStorage() {
        double[] fresh = recyclingWorkload(null);
        try (Workspace ws = Workspace.open()) {
            recyclingWorkload(ws);
        }
        try (Workspace ws = Workspace.open()) {
            assertArrayEquals(fresh, recyclingWorkload(ws));
        }
    }

    /**
     * Forward and backward through matmul (plain, broadcast batch, batch 0, k = 0), linear (also with no
     * rows), broadcastTo, pow, map, zip; then backward again after zeroGrad, so that W's gradient is
     * computed in its released storage.
     */
    private static double[] recyclingWorkload(Workspace poison) {
        Rng rng = new Rng(21);
        Tensor x = rng.normal(DType.FLOAT64, 6, 5).requiresGrad(true);
        Tensor w = rng.normal(DType.FLOAT64, 4, 5).requiresGrad(true);
        Tensor b = rng.normal(DType.FLOAT64, 4).requiresGrad(true);
        Tensor batchA = rng.normal(DType.FLOAT64, 3, 2, 5);
        Tensor empty = Tensor.zeros(DType.FLOAT64, 0, 2, 5);
        Tensor h = Tensor.linear(x, w, b).tanh();                                  // [6, 4]
        Tensor y = h.matmul(w).square().add(x.exp()).sum()                         // [6, 5]
                .add(batchA.matmul(x.transpose(0, 1)).pow(3).mean())               // [3, 2, 6], x shared
                .add(empty.matmul(x.transpose(0, 1)).sum())                        // batch 0: dx part is 0
                .add(b.broadcastTo(6, 4).mul(h).sum())
                .add(rng.normal(DType.FLOAT64, 3).sum())
                .add(Tensor.zeros(DType.FLOAT64, 6, 0).matmul(Tensor.zeros(DType.FLOAT64, 0, 5)).add(x).sum()) // k = 0
                .add(Tensor.linear(Tensor.zeros(DType.FLOAT64, 0, 5), w, b).sum());      // dW by a k = 0 GEMM
        y.backward();
        double[] first = concat(x.grad().toDoubleArray(), w.grad().toDoubleArray(), b.grad().toDoubleArray());
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        y.backward();
        double[] out = concat(y.toDoubleArray(), first, x.grad().toDoubleArray(), w.grad().toDoubleArray(),
                b.grad().toDoubleArray());
        if (poison != null) {
            poison.fillLent(Double.NaN);
        }
        return out;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /**
     * A weight's gradient is computed into the storage zeroGrad() released: once there is such storage,
     * the step borrows one array fewer from the workspace, and the gradient stays in the same array.
     */
    @Test
    void aWeightGradientIsComputedInThePreviousGradientsStorage() {
        Rng rng = new Rng(5);
        Tensor x = rng.normal(DType.FLOAT32, 7, 3);
        Tensor w = rng.normal(DType.FLOAT32, 2, 3).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FLOAT32, 2).requiresGrad(true);
        float[] first = null;
        int[] lent = new int[3];
        for (int step = 0; step < 3; step++) {
            try (Workspace ws = Workspace.open()) {
                w.zeroGrad();
                b.zeroGrad();
                Tensor.linear(x, w, b).square().sum().backward();
                lent[step] = ws.lentArrays();
                if (first == null) {
                    first = w.grad().f32();
                } else {
                    assertTrue(first == w.grad().f32(), "step " + step + ": the gradient's storage was reused");
                }
            }
        }
        assertEquals(lent[0] - 1, lent[1], "the second step computes dW in place, not in a borrowed array");
        assertEquals(lent[1], lent[2]);
    }

    /** A weight reached by two paths: the second path's gradient must not land in the lent storage too. */
    @Test
    void aSharedWeightGetsTheSumOfBothPathsGradients() {
        Rng rng = new Rng(6);
        Tensor x = rng.normal(DType.FLOAT64, 5, 3);
        Tensor w = rng.normal(DType.FLOAT64, 3, 3).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FLOAT64, 3);
        double[] want = null;
        for (int step = 0; step < 3; step++) {
            try (Workspace ignored = Workspace.open()) {
                w.zeroGrad();
                Tensor.linear(Tensor.linear(x, w, b).tanh(), w, b).sum().backward();
                double[] got = w.grad().toDoubleArray();
                if (want == null) {
                    want = got;
                    // d/dW of sum(tanh(x Wᵀ) Wᵀ): finite differences on one entry
                    double eps = 1e-6;
                    double[] v = w.f64();
                    double saved = v[4];
                    v[4] = saved + eps;
                    double up = Tensor.linear(Tensor.linear(x, w, b).tanh(), w, b).sum().item();
                    v[4] = saved - eps;
                    double down = Tensor.linear(Tensor.linear(x, w, b).tanh(), w, b).sum().item();
                    v[4] = saved;
                    w.markModified();
                    assertEquals((up - down) / (2 * eps), got[4], 1e-6);
                } else {
                    assertArrayEquals(want, got, "step " + step);
                }
            }
        }
    }

    @Test
    void steadyStateStepsCreateNoNewArrays() {
        train(true, 3);
        long before = Workspace.arraysCreated();
        train(true, 10);
        // the second run reuses the first run's pool (same shapes): only its own 4 leaves are heap arrays
        assertEquals(before, Workspace.arraysCreated(), "pooled arrays were reused");
    }

    @Test
    void tensorsMadeInAClosedScopeAreDeadButCopiesAndLeafGradsLive() {
        Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor scratch;
        Tensor kept;
        try (Workspace ws = Workspace.open()) {
            scratch = w.mul(w);
            kept = scratch.copy();
            scratch.sum().backward();
            assertArrayEquals(new float[] {1, 4, 9}, scratch.toFloatArray());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, scratch::toFloatArray);
        assertTrue(e.getMessage().contains("Workspace scope that has closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> scratch.reshape(1, 3));
        assertThrows(IllegalStateException.class, () -> scratch.detach().getFlat(0));
        assertArrayEquals(new float[] {1, 4, 9}, kept.toFloatArray());
        assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray());
        // a second scope's gradient accumulates into the same heap gradient
        try (Workspace ws = Workspace.open()) {
            w.mul(w).sum().backward();
        }
        assertArrayEquals(new float[] {4, 8, 12}, w.grad().toFloatArray());
    }

    @Test
    void scratchTensorsSayTheyAreScratch() {
        assertTrue(!Tensor.zeros(DType.FLOAT32, 2).isWorkspaceScratch());
        try (Workspace ws = Workspace.open()) {
            Tensor t = Tensor.zeros(DType.FLOAT32, 2);
            assertTrue(t.isWorkspaceScratch());
            assertTrue(t.reshape(1, 2).isWorkspaceScratch(), "views share the lease");
            assertTrue(!t.copy().isWorkspaceScratch(), "copies are heap storage");
        }
    }

    @Test
    void scopesNestAndOnlyTheOutermostRecycles() {
        Tensor inner;
        try (Workspace outer = Workspace.open()) {
            try (Workspace nested = Workspace.open()) {
                inner = Tensor.ones(DType.FLOAT64, 2).mul(3.0);
            }
            assertEquals(6.0, inner.sum().item(), "still alive after the nested close");
        }
        assertThrows(IllegalStateException.class, inner::toDoubleArray);
        Workspace ws = Workspace.open();
        ws.close();
        assertEquals("Workspace closed more often than opened",
                assertThrows(IllegalStateException.class, ws::close).getMessage());
    }

    @Test
    void trimReleasesThePoolOutsideScopes() {
        train(true, 2);
        Workspace.trim();
        long before = Workspace.arraysCreated();
        train(true, 1);
        assertTrue(Workspace.arraysCreated() > before, "after trim the next step allocates afresh");
        try (Workspace ws = Workspace.open()) {
            assertThrows(IllegalStateException.class, Workspace::trim);
        }
    }
}
