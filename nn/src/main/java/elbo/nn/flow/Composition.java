package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Tensor;
import elbo.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Bijectors applied one after another, {@code f = f_n ∘ ... ∘ f_2 ∘ f_1}:
 *
 * <pre>
 *   forward:  x_0 = x,  x_k = f_k(x_{k-1}),            log|det ∂f/∂x|   = Σ_k log|det ∂f_k/∂x_{k-1}|
 *   inverse:  y_n = y,  y_{k-1} = f_k⁻¹(y_k) (k = n..1), log|det ∂f⁻¹/∂y| = Σ_k log|det ∂f_k⁻¹/∂y_k|
 * </pre>
 *
 * The parts that are {@link Module}s are registered as children named {@code 0, 1, ...} (by position), so
 * the composition's state dict holds every layer's parameters. Parts that are plain bijectors (such as
 * {@link ElementwiseAffine}) are applied but own no registered state.
 *
 * <p>A composition of conditional parts (IAF layers reading an encoder's context) is itself conditional:
 * {@link #given} binds the context into every part that reads one.
 */
public final class Composition extends Flow implements ConditionalBijector {
    private final List<Bijector> parts;

    /**
     * @param parts the bijectors in forward order ({@code parts[0]} is applied first)
     * @throws IllegalArgumentException if there are no parts, or two {@link Flow} parts fix different event
     *                                  sizes or dtypes
     */
    public Composition(Bijector... parts) {
        this(List.of(parts));
    }

    /** As {@link #Composition(Bijector...)}. */
    public Composition(List<? extends Bijector> parts) {
        super(commonEventSize(parts), commonDtype(parts));
        this.parts = List.copyOf(parts);
        for (int i = 0; i < this.parts.size(); i++) {
            if (this.parts.get(i) instanceof Module m) {
                child(Integer.toString(i), m);
            }
        }
    }

    private static int commonEventSize(List<? extends Bijector> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("Composition: needs at least one bijector");
        }
        int d = -1;
        for (Bijector b : parts) {
            int e = b instanceof Flow f ? f.eventSize() : -1;
            if (e >= 0 && d >= 0 && e != d) {
                throw new IllegalArgumentException("Composition: parts have different event sizes " + d + " and " + e);
            }
            d = e >= 0 ? e : d;
        }
        return d;
    }

    private static DType commonDtype(List<? extends Bijector> parts) {
        DType d = null;
        for (Bijector b : parts) {
            DType e = b instanceof Flow f ? f.dtype() : null;
            if (e != null && d != null && e != d) {
                throw new IllegalArgumentException("Composition: parts have different dtypes " + d + " and " + e);
            }
            d = e != null ? e : d;
        }
        return d;
    }

    /** The parts in forward order (unmodifiable). */
    public List<Bijector> parts() {
        return Collections.unmodifiableList(parts);
    }

    /** {@code f_n(...f_1(x))}, log-dets summed. */
    @Override
    public Result forward(Tensor x) {
        checkInput(x, "forward");
        return chainForward(parts, x);
    }

    /** {@code f_n(...f_1(x))} through {@code parts} in order, their log-dets summed: the chain rule of log-dets. */
    static Result chainForward(Iterable<? extends Bijector> parts, Tensor x) {
        Tensor logDet = null;
        for (Bijector b : parts) {
            Result r = b.forward(x);
            x = r.value();
            logDet = logDet == null ? r.logDetJ() : logDet.add(r.logDetJ());
        }
        return new Result(x, logDet);
    }

    /**
     * {@code f_1⁻¹(...f_n⁻¹(y))}, log-dets summed.
     *
     * @throws UnsupportedOperationException if a part has no inverse
     */
    @Override
    public Result inverse(Tensor y) {
        checkInput(y, "inverse");
        return chainInverse(parts, y);
    }

    /** {@code f_1⁻¹(...f_n⁻¹(y))} through {@code parts} in reverse order, their log-dets summed. */
    static Result chainInverse(List<? extends Bijector> parts, Tensor y) {
        Tensor logDet = null;
        for (int k = parts.size() - 1; k >= 0; k--) {
            Result r = parts.get(k).inverse(y);
            y = r.value();
            logDet = logDet == null ? r.logDetJ() : logDet.add(r.logDetJ());
        }
        return new Result(y, logDet);
    }

    /** The composition of the parts' own detached views (so plain bijectors are detached too). */
    @Override
    public Bijector detached() {
        return new Chain(parts).detached();
    }

    /** The largest context size of the parts (they all read the same context), 0 if none reads one. */
    @Override
    public int contextSize() {
        int c = 0;
        for (Bijector b : parts) {
            c = b instanceof ConditionalBijector cb ? Math.max(c, cb.contextSize()) : c;
        }
        return c;
    }

    /**
     * The chain with {@code context} bound into every part that reads one.
     *
     * @throws IllegalStateException if no part reads a context
     */
    @Override
    public Bijector given(Tensor context) {
        if (contextSize() == 0) {
            throw new IllegalStateException("Composition.given: no part of this flow reads a context");
        }
        List<Bijector> bound = new ArrayList<>(parts.size());
        for (Bijector b : parts) {
            bound.add(b instanceof ConditionalBijector cb && cb.contextSize() > 0 ? cb.given(context) : b);
        }
        return new Chain(bound);
    }

    /** A lightweight chain of bijectors (no module state): the bound and detached views of a composition. */
    private record Chain(List<Bijector> parts) implements Bijector {
        @Override
        public Result forward(Tensor x) {
            return chainForward(parts, x);
        }

        @Override
        public Result inverse(Tensor y) {
            return chainInverse(parts, y);
        }

        @Override
        public Bijector detached() {
            List<Bijector> d = new ArrayList<>(parts.size());
            for (Bijector b : parts) {
                d.add(b.detached());
            }
            return new Chain(d);
        }
    }
}
