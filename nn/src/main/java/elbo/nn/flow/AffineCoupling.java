package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Init;
import elbo.nn.Layer;
import elbo.nn.Sequential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The affine coupling layer of RealNVP (Dinh, Sohl-Dickstein &amp; Bengio 2017). A fixed binary mask
 * {@code m ∈ {0,1}^D} splits the coordinates: those with {@code m_d = 1} pass through unchanged and
 * condition an MLP {@code NN} that outputs a log-scale and a shift for the others:
 *
 * <pre>
 *   (ŝ, t) = NN(m ⊙ x),   s = (1 - m) ⊙ B·tanh(ŝ / B),   t ← (1 - m) ⊙ t
 *
 *   forward:  y = m ⊙ x + (1 - m) ⊙ (x ⊙ exp(s) + t),         log|det ∂y/∂x| =  Σ_d s_d
 *   inverse:  x = m ⊙ y + (1 - m) ⊙ ((y - t) ⊙ exp(-s)),      log|det ∂x/∂y| = -Σ_d s_d
 * </pre>
 *
 * with {@code s, t} computed from {@code m ⊙ x = m ⊙ y} in both directions, so both are one pass. The
 * Jacobian is triangular (after sorting the coordinates by mask), with diagonal {@code exp(s)}. The
 * log-scale is bounded by {@code B} ({@link Flow#softClamp}). The conditioner's last layer starts at
 * zero, so a new layer is the identity. Stack layers with complementary masks ({@link Flows#realNvp}) so
 * that every coordinate gets transformed.
 */
public final class AffineCoupling extends Flow {
    private final Tensor mask;
    private final MaskedLinear[] net;
    private final Sequential conditioner;
    private final double bound;

    /**
     * A coupling with a ReLU conditioner and the default log-scale bound.
     *
     * @param mask   {@code m}: true where the coordinate passes through and conditions the rest
     * @param hidden widths of the conditioner's hidden layers
     * @throws IllegalArgumentException if the mask is empty or a width is not positive
     */
    public AffineCoupling(boolean[] mask, int[] hidden, DType dtype, Rng rng) {
        this(mask, hidden, Activation.Kind.RELU, DEFAULT_LOG_SCALE_BOUND, dtype, rng);
    }

    /**
     * @param mask          {@code m}: true where the coordinate passes through and conditions the rest
     * @param hidden        widths of the conditioner's hidden layers (may be empty)
     * @param activation    the conditioner's hidden nonlinearity
     * @param logScaleBound {@code B}
     * @throws IllegalArgumentException if the mask is empty, a width or the bound is not positive
     */
    public AffineCoupling(boolean[] mask, int[] hidden, Activation.Kind activation, double logScaleBound,
            DType dtype, Rng rng) {
        super(mask.length, dtype);
        int d = mask.length;
        if (d < 1) {
            throw new IllegalArgumentException("AffineCoupling: empty mask");
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("AffineCoupling: hidden widths must be positive, got "
                        + Arrays.toString(hidden));
            }
        }
        this.bound = checkBound(logScaleBound);
        Tensor m = Tensor.zeros(dtype, d);
        for (int i = 0; i < d; i++) {
            m.setFlat(i, mask[i] ? 1.0 : 0.0);
        }
        this.mask = buffer("mask", m);
        int[] widths = new int[hidden.length + 2];
        widths[0] = d;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = 2 * d;
        this.net = new MaskedLinear[widths.length - 1];
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < net.length; l++) {
            net[l] = new MaskedLinear(widths[l], widths[l + 1], null, dtype, rng);
            layers.add(net[l]);
            if (l + 1 < net.length) {
                layers.add(new Activation(activation));
            }
        }
        Init.zeros(net[net.length - 1].weight());
        this.conditioner = child("conditioner", new Sequential(layers));
    }

    /**
     * The alternating mask {@code m_d = 1} iff {@code d ≡ parity (mod 2)}: parity 0 keeps the even
     * coordinates, parity 1 the odd ones.
     */
    public static boolean[] alternatingMask(int eventSize, int parity) {
        boolean[] m = new boolean[eventSize];
        for (int i = 0; i < eventSize; i++) {
            m[i] = i % 2 == parity % 2;
        }
        return m;
    }

    /** {@code y = m ⊙ x + (1 - m) ⊙ (x ⊙ exp(s) + t)}, log-det {@code Σ s}. */
    @Override
    public Result forward(Tensor x) {
        checkInput(x, "forward");
        Tensor kept = x.mul(mask);
        Tensor[] st = scaleAndShift(kept);
        Tensor y = kept.add(x.mul(st[0].exp()).add(st[1]).mul(mask.rsub(1.0)));
        return new Result(y, st[0].sum(-1, false));
    }

    /** {@code x = m ⊙ y + (1 - m) ⊙ ((y - t) ⊙ exp(-s))}, log-det {@code -Σ s}. */
    @Override
    public Result inverse(Tensor y) {
        checkInput(y, "inverse");
        Tensor kept = y.mul(mask);
        Tensor[] st = scaleAndShift(kept);
        Tensor x = kept.add(y.sub(st[1]).mul(st[0].neg().exp()).mul(mask.rsub(1.0)));
        return new Result(x, st[0].sum(-1, false).neg());
    }

    /** {@code s} and {@code t} from the kept coordinates, both zero where {@code m = 1}. */
    private Tensor[] scaleAndShift(Tensor kept) {
        Tensor h = conditioner.forward(kept);
        int d = eventSize();
        Tensor free = mask.rsub(1.0);
        Tensor s = softClamp(h.narrow(-1, 0, d), bound).mul(free);
        Tensor t = h.narrow(-1, d, d).mul(free);
        return new Tensor[] {s, t};
    }

    /** A copy of the mask: true where coordinates pass through. */
    public boolean[] mask() {
        boolean[] m = new boolean[eventSize()];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask.getFlat(i) != 0.0;
        }
        return m;
    }

    /**
     * The conditioner's affine layers (unmasked {@link MaskedLinear}s), input side first; the last one
     * outputs {@code [ŝ, t]}, {@code 2D} wide.
     */
    public MaskedLinear[] conditionerLayers() {
        return net.clone();
    }
}
