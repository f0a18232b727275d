package elbo.nn.flow;

import elbo.core.Rng;
import elbo.core.Tensor;

import java.util.Arrays;

/**
 * A fixed permutation of the event axis, volume preserving:
 *
 * <pre>
 *   forward:  y_i = x_{π(i)},    log|det| = 0
 *   inverse:  x_j = y_{π⁻¹(j)},  log|det| = 0
 * </pre>
 *
 * Placed between autoregressive or coupling layers so that every coordinate is eventually transformed
 * conditioned on every other. The permutation is fixed at construction (it is not part of the state
 * dict: rebuild it the same way, e.g. with the same seed). Works for any dtype.
 */
public final class Permutation extends Flow {
    private final int[] perm;
    private final int[] inv;

    /**
     * @param perm {@code π}: {@code y_i = x_{perm[i]}}
     * @throws IllegalArgumentException if {@code perm} is not a permutation of {@code 0..D-1} (D ≥ 1)
     */
    public Permutation(int... perm) {
        super(perm.length, null);
        if (perm.length == 0) {
            throw new IllegalArgumentException("Permutation: empty permutation");
        }
        this.perm = perm.clone();
        this.inv = new int[perm.length];
        Arrays.fill(inv, -1);
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] < 0 || perm[i] >= perm.length || inv[perm[i]] >= 0) {
                throw new IllegalArgumentException("Permutation: " + Arrays.toString(perm)
                        + " is not a permutation of 0.." + (perm.length - 1));
            }
            inv[perm[i]] = i;
        }
    }

    /** The reversal {@code y_i = x_{D-1-i}}, its own inverse. */
    public static Permutation reverse(int eventSize) {
        int[] p = new int[eventSize];
        for (int i = 0; i < eventSize; i++) {
            p[i] = eventSize - 1 - i;
        }
        return new Permutation(p);
    }

    /** A uniformly random permutation drawn from {@code rng}. */
    public static Permutation random(int eventSize, Rng rng) {
        return new Permutation(rng.permutation(eventSize));
    }

    /** A copy of {@code π}. */
    public int[] permutation() {
        return perm.clone();
    }

    /** {@code y_i = x_{π(i)}}, log-det 0. */
    @Override
    public Result forward(Tensor x) {
        checkInput(x, "forward");
        return new Result(x.indexSelect(-1, perm), zeroLogDet(x));
    }

    /** {@code x_j = y_{π⁻¹(j)}}, log-det 0. */
    @Override
    public Result inverse(Tensor y) {
        checkInput(y, "inverse");
        return new Result(y.indexSelect(-1, inv), zeroLogDet(y));
    }

    /** Itself: there are no parameters. */
    @Override
    public Bijector detached() {
        return this;
    }
}
