package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Linear;
import elbo.nn.Module;

import java.util.Arrays;

/**
 * MADE, the masked autoencoder for distribution estimation (Germain, Gregor, Murray &amp; Larochelle 2015):
 * an MLP on {@code x ∈ R^D} whose weights are masked so that every output {@code i} depends only on the
 * inputs that come <em>before</em> {@code i} in a chosen ordering, which makes its Jacobian triangular
 * (after reordering) and is what {@link MaskedAutoregressiveFlow} and {@link InverseAutoregressiveFlow}
 * are built on.
 *
 * <p><b>Ordering.</b> {@code ordering[d]} is the position (0-based) of input {@code d} in the
 * autoregressive order; output {@code i} may depend on input {@code j} only if
 * {@code ordering[j] < ordering[i]} (so the first variable's outputs are constants).
 * {@link #naturalOrder}, {@link #reversedOrder} and {@link #randomOrder} build the usual ones.
 *
 * <p><b>Degrees and masks.</b> Input {@code d} gets degree {@code m⁰(d) = ordering[d] + 1 ∈ 1..D}. Hidden
 * unit {@code k} of every hidden layer gets degree {@code m(k) = 1 + (k mod max(1, D-1))}, cycling through
 * {@code 1..D-1} (the deterministic variant of Germain et al.'s sampling; every degree is present once a
 * layer has at least {@code D-1} units). A hidden unit connects to the previous layer's unit {@code j} iff
 * {@code m(k) ≥ m_prev(j)}; output {@code i} connects to the last hidden unit {@code k} iff
 * {@code m⁰(i) > m(k)} (strictly). A path from input {@code j} to output {@code i} then needs
 * {@code m⁰(j) ≤ ... < m⁰(i)}, i.e. {@code ordering[j] < ordering[i]}.
 *
 * <p><b>Outputs.</b> The network produces {@code K = outputsPerDimension} numbers per input dimension
 * (for an affine autoregressive flow: a shift {@code μ_i} and a log-scale {@code α_i}); {@link #forward}
 * returns them as {@code K} tensors of shape {@code [..., D]}.
 *
 * <p><b>Context.</b> With {@code contextSize > 0} the first layer also reads a context vector {@code c}
 * through an unmasked linear map, {@code h₁ = act(M₁(x) + W_c c)} (Kingma et al. 2016, the IAF posterior
 * conditioned on the encoder): every output may depend on all of {@code c}, and the masks still order the
 * {@code x} inputs. The context broadcasts against the leading axes of {@code x}.
 */
public final class Made extends Module {
    private final int eventSize;
    private final int outputs;
    private final int[] ordering;
    private final MaskedLinear[] layers;
    private final Linear context;
    private final Activation.Kind activation;

    /**
     * @param ordering            {@code ordering[d]}: position of input {@code d}; a permutation of {@code 0..D-1}
     * @param hidden              widths of the hidden layers (may be empty: a single masked layer)
     * @param outputsPerDimension {@code K ≥ 1}
     * @param activation          the nonlinearity after each hidden layer
     * @throws IllegalArgumentException if {@code ordering} is not a permutation, a width is not positive or
     *                                  {@code K < 1}
     */
    public Made(int[] ordering, int[] hidden, int outputsPerDimension, Activation.Kind activation, DType dtype,
            Rng rng) {
        this(ordering, hidden, outputsPerDimension, 0, activation, dtype, rng);
    }

    /**
     * A MADE whose first layer also reads a context of size {@code contextSize} (0: none).
     *
     * @throws IllegalArgumentException as {@link #Made(int[], int[], int, Activation.Kind, DType, Rng)}, or if
     *                                  {@code contextSize < 0}
     */
    public Made(int[] ordering, int[] hidden, int outputsPerDimension, int contextSize, Activation.Kind activation,
            DType dtype, Rng rng) {
        int d = ordering.length;
        if (contextSize < 0) {
            throw new IllegalArgumentException("Made: contextSize must be at least 0, got " + contextSize);
        }
        checkOrdering(ordering);
        if (outputsPerDimension < 1) {
            throw new IllegalArgumentException("Made: outputsPerDimension must be at least 1, got " + outputsPerDimension);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("Made: hidden widths must be positive, got " + Arrays.toString(hidden));
            }
        }
        this.eventSize = d;
        this.outputs = outputsPerDimension;
        this.ordering = ordering.clone();
        this.activation = activation;
        this.layers = new MaskedLinear[hidden.length + 1];

        int[] prev = new int[d];
        for (int j = 0; j < d; j++) {
            prev[j] = ordering[j] + 1;
        }
        int prevWidth = d;
        for (int l = 0; l < hidden.length; l++) {
            int[] deg = new int[hidden[l]];
            for (int k = 0; k < deg.length; k++) {
                deg[k] = 1 + k % Math.max(1, d - 1);
            }
            Tensor mask = Tensor.zeros(dtype, deg.length, prevWidth);
            for (int k = 0; k < deg.length; k++) {
                for (int j = 0; j < prevWidth; j++) {
                    mask.setFlat(k * prevWidth + j, deg[k] >= prev[j] ? 1.0 : 0.0);
                }
            }
            layers[l] = child(Integer.toString(l), new MaskedLinear(prevWidth, deg.length, mask, dtype, rng));
            prev = deg;
            prevWidth = deg.length;
        }
        // Output block b, dimension i sits at column b*D + i.
        Tensor mask = Tensor.zeros(dtype, outputs * d, prevWidth);
        for (int b = 0; b < outputs; b++) {
            for (int i = 0; i < d; i++) {
                for (int k = 0; k < prevWidth; k++) {
                    mask.setFlat((b * d + i) * prevWidth + k, ordering[i] + 1 > prev[k] ? 1.0 : 0.0);
                }
            }
        }
        layers[hidden.length] = child(Integer.toString(hidden.length),
                new MaskedLinear(prevWidth, outputs * d, mask, dtype, rng));
        this.context = contextSize == 0 ? null
                : child("context", new Linear(contextSize, layers[0].outFeatures(), false, dtype, rng));
    }

    private static void checkOrdering(int[] ordering) {
        boolean[] seen = new boolean[ordering.length];
        for (int o : ordering) {
            if (o < 0 || o >= ordering.length || seen[o]) {
                throw new IllegalArgumentException("Made: ordering " + Arrays.toString(ordering)
                        + " is not a permutation of 0.." + (ordering.length - 1));
            }
            seen[o] = true;
        }
        if (ordering.length == 0) {
            throw new IllegalArgumentException("Made: the event size must be at least 1");
        }
    }

    /** {@code ordering[d] = d}: output {@code i} depends on {@code x_0 .. x_{i-1}}. */
    public static int[] naturalOrder(int eventSize) {
        int[] o = new int[eventSize];
        for (int i = 0; i < eventSize; i++) {
            o[i] = i;
        }
        return o;
    }

    /** {@code ordering[d] = D-1-d}: output {@code i} depends on {@code x_{i+1} .. x_{D-1}}. */
    public static int[] reversedOrder(int eventSize) {
        int[] o = new int[eventSize];
        for (int i = 0; i < eventSize; i++) {
            o[i] = eventSize - 1 - i;
        }
        return o;
    }

    /** A uniformly random ordering determined by {@code seed}. */
    public static int[] randomOrder(int eventSize, long seed) {
        return new Rng(seed).permutation(eventSize);
    }

    /**
     * The {@code K} outputs, each {@code [..., D]}: {@code out[b][..., i]} depends only on the inputs
     * {@code x_j} with {@code ordering[j] < ordering[i]}.
     *
     * @throws ShapeException if {@code x} is not {@code [..., D]}
     */
    public Tensor[] forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * The outputs given a context {@code c} ({@code [..., C]}, broadcasting against {@code x}'s leading axes),
     * or {@code null} for none.
     *
     * @throws ShapeException if {@code x} is not {@code [..., D]}, or a context is given to a MADE without one
     *                        (or of the wrong size), or none is given to a MADE that needs one
     */
    public Tensor[] forward(Tensor x, Tensor c) {
        if (x.rank() < 1 || x.dim(-1) != eventSize) {
            throw new ShapeException("Made.forward: input of shape " + x.shape() + " is not [..., " + eventSize + "]");
        }
        if ((c == null) != (context == null)) {
            throw new ShapeException("Made.forward: " + (context == null ? "this MADE takes no context, got one of shape "
                    + c.shape() : "this MADE needs a context of size " + context.inFeatures() + ", got none"));
        }
        Tensor h = x;
        for (int l = 0; l < layers.length; l++) {
            h = layers[l].forward(h);
            if (l == 0 && c != null) {
                h = h.add(context.forward(c));
            }
            if (l + 1 < layers.length) {
                h = Activation.apply(activation, h);
            }
        }
        Tensor[] out = new Tensor[outputs];
        for (int b = 0; b < outputs; b++) {
            out[b] = outputs == 1 ? h : h.narrow(-1, b * eventSize, eventSize);
        }
        return out;
    }

    /** A copy of the ordering. */
    public int[] ordering() {
        return ordering.clone();
    }

    public int eventSize() {
        return eventSize;
    }

    public int outputsPerDimension() {
        return outputs;
    }

    /** The size of the context the first layer reads, 0 for none. */
    public int contextSize() {
        return context == null ? 0 : context.inFeatures();
    }

    /** The masked layers, input side first (the last one produces the outputs). */
    public MaskedLinear[] layers() {
        return layers.clone();
    }
}
