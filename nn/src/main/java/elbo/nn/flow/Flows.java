package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.nn.Activation;
import elbo.nn.dist.StandardNormal;
import elbo.nn.dist.TransformedDistribution;

import java.util.ArrayList;
import java.util.List;

/**
 * Ready-made flows on {@code R^D} and the flow distribution built from them. Every flow is in the
 * generative orientation ({@code forward}: noise to data, {@code inverse}: data to noise; see {@link Flow}),
 * starts at (or, with ActNorm, is data-initialised near) the identity, and is a {@link elbo.nn.Module}
 * whose parameters an optimizer can train:
 *
 * <pre>{@code
 *   Composition f = Flows.maf(2, 5, 64, DType.FLOAT32, rng);
 *   TransformedDistribution p = Flows.distribution(f);   // base N(0, I_D)
 *   Tensor loss = p.logProb(xBatch).mean().neg();         // one MADE pass per layer
 *   Tensor x = p.sample(rng, 1000);                       // D MADE passes per layer
 * }</pre>
 *
 * <table>
 *   <caption>Cost of the two directions, per layer</caption>
 *   <tr><th>flow</th><th>logProb (inverse)</th><th>sample (forward)</th></tr>
 *   <tr><td>{@link #realNvp RealNVP}</td><td>1 pass</td><td>1 pass</td></tr>
 *   <tr><td>{@link #maf MAF}</td><td>1 pass</td><td>D passes</td></tr>
 *   <tr><td>{@link #iaf IAF}</td><td>D passes</td><td>1 pass (and its own log-density)</td></tr>
 *   <tr><td>{@link #planar planar}</td><td>none (use {@link Inverted})</td><td>1 pass</td></tr>
 * </table>
 *
 * All conditioners have two hidden layers of width {@code hidden} with ReLU, and log-scales bounded by
 * {@link Flow#DEFAULT_LOG_SCALE_BOUND}.
 */
public final class Flows {
    private Flows() {
    }

    /**
     * RealNVP: {@code layers} {@link AffineCoupling}s with alternating masks (even coordinates kept, then
     * odd, ...), without ActNorm.
     *
     * @throws IllegalArgumentException if {@code D}, {@code layers} or {@code hidden} is not positive
     */
    public static Composition realNvp(int eventSize, int layers, int hidden, DType dtype, Rng rng) {
        return realNvp(eventSize, layers, hidden, false, dtype, rng);
    }

    /**
     * RealNVP: {@code layers} {@link AffineCoupling}s with alternating masks; with {@code actNorm}, each
     * coupling is followed (in forward order) by an {@link ActNorm}, so that in the density direction every
     * coupling sees data-normalised inputs (Glow's step). Forward order
     * {@code [coupling₀, (actnorm₀), coupling₁, (actnorm₁), ...]}; the layer with mask parity {@code k mod 2}
     * is the {@code k}-th.
     *
     * @throws IllegalArgumentException if {@code D}, {@code layers} or {@code hidden} is not positive
     */
    public static Composition realNvp(int eventSize, int layers, int hidden, boolean actNorm, DType dtype, Rng rng) {
        check(eventSize, layers, hidden);
        List<Bijector> parts = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            parts.add(new AffineCoupling(AffineCoupling.alternatingMask(eventSize, k % 2), new int[] {hidden, hidden},
                    dtype, rng));
            if (actNorm) {
                parts.add(new ActNorm(eventSize, dtype));
            }
        }
        return new Composition(parts);
    }

    /**
     * MAF: {@code layers} {@link MaskedAutoregressiveFlow}s with natural-order MADEs, separated by
     * {@link Permutation#reverse reversals} ({@code [maf₀, reverse, maf₁, reverse, ..., maf_{L-1}]}).
     * Density in one pass per layer, sampling in {@code D}.
     *
     * @throws IllegalArgumentException if {@code D}, {@code layers} or {@code hidden} is not positive
     */
    public static Composition maf(int eventSize, int layers, int hidden, DType dtype, Rng rng) {
        check(eventSize, layers, hidden);
        List<Bijector> parts = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            if (k > 0) {
                parts.add(Permutation.reverse(eventSize));
            }
            parts.add(new MaskedAutoregressiveFlow(Made.naturalOrder(eventSize), new int[] {hidden, hidden}, dtype, rng));
        }
        return new Composition(parts);
    }

    /**
     * IAF: {@code layers} {@link InverseAutoregressiveFlow}s with natural-order MADEs, separated by
     * {@link Permutation#reverse reversals} ({@code [iaf₀, reverse, iaf₁, reverse, ..., iaf_{L-1}]}).
     * Sampling in one pass per layer, density in {@code D}.
     *
     * @throws IllegalArgumentException if {@code D}, {@code layers} or {@code hidden} is not positive
     */
    public static Composition iaf(int eventSize, int layers, int hidden, DType dtype, Rng rng) {
        return iaf(eventSize, layers, hidden, 0, dtype, rng);
    }

    /**
     * IAF as {@link #iaf(int, int, int, DType, Rng)}, every layer's MADE also reading a context of size
     * {@code contextSize} (0: none): the flow posterior {@code z = f(z₀; h(x))} of Kingma et al. (2016),
     * used through {@link Composition#given}.
     *
     * @throws IllegalArgumentException if {@code D}, {@code layers} or {@code hidden} is not positive, or
     *                                  {@code contextSize < 0}
     */
    public static Composition iaf(int eventSize, int layers, int hidden, int contextSize, DType dtype, Rng rng) {
        check(eventSize, layers, hidden);
        List<Bijector> parts = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            if (k > 0) {
                parts.add(Permutation.reverse(eventSize));
            }
            parts.add(new InverseAutoregressiveFlow(Made.naturalOrder(eventSize), new int[] {hidden, hidden},
                    contextSize, Activation.Kind.RELU, Flow.DEFAULT_LOG_SCALE_BOUND, dtype, rng));
        }
        return new Composition(parts);
    }

    /**
     * {@code layers} identity-initialised {@link PlanarFlow}s: forward only. For a density model wrap it in
     * {@link Inverted} and sample with {@link PlanarStack#numericalInverse} (see {@link PlanarStack}).
     *
     * @throws IllegalArgumentException if {@code D} or {@code layers} is not positive
     */
    public static PlanarStack planar(int eventSize, int layers, DType dtype, Rng rng) {
        check(eventSize, layers, 1);
        return new PlanarStack(eventSize, layers, dtype, rng);
    }

    /**
     * The flow distribution {@code x = f(u)}, {@code u ~ N(0, I_D)}: {@code logProb} (through
     * {@code f.inverse}), {@code sample}, {@code rsample} and {@code rsampleWithLogProb} (through
     * {@code f.forward}) of {@link TransformedDistribution}.
     *
     * @throws IllegalArgumentException if the flow does not fix its event size or dtype (a container of
     *                                  plain bijectors only): build the {@link TransformedDistribution} directly
     */
    public static TransformedDistribution distribution(Flow flow) {
        if (flow.eventSize() < 0 || flow.dtype() == null) {
            throw new IllegalArgumentException("Flows.distribution: " + flow.getClass().getSimpleName()
                    + " does not fix its event size and dtype; build new TransformedDistribution(base, flow) directly");
        }
        return new TransformedDistribution(new StandardNormal(flow.eventSize(), flow.dtype()), flow);
    }

    private static void check(int eventSize, int layers, int hidden) {
        if (eventSize < 1 || layers < 1 || hidden < 1) {
            throw new IllegalArgumentException("Flows: event size, layers and hidden width must be positive, got D="
                    + eventSize + ", layers=" + layers + ", hidden=" + hidden);
        }
    }
}
