package elbo.nn.optim;

import elbo.core.DType;
import elbo.core.Tensor;
import elbo.nn.Module;
import elbo.nn.StateDictException;

import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with
 * PyTorch's conventions ({@code torch.optim.SGD}, no dampening).
 *
 * <p>For each parameter {@code θ} with gradient {@code ∇}, learning rate {@code η}, momentum
 * {@code μ} and weight decay {@code λ}:
 * <pre>
 *   g ← ∇ + λ·θ
 *   if μ &gt; 0:   b ← μ·b + g                      (momentum buffer, b₀ = 0, so b₁ = g)
 *               d ← g + μ·b   (Nesterov)   or   d ← b   (classical)
 *   else:       d ← g
 *   θ ← θ − η·d
 * </pre>
 * Arithmetic is done in double precision and rounded once when stored (float32 parameters and buffers).
 *
 * <p>State dict: {@code step}, {@code lr}, {@code momentum}, {@code nesterov} (0 or 1),
 * {@code weight_decay}, and, when {@code μ > 0}, {@code momentum_buffer.<parameter path>}.
 */
public final class Sgd extends Optimizer {
    /** State-dict key prefix of the momentum buffers. */
    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    private double momentum;
    private boolean nesterov;
    private double weightDecay;
    private final Tensor[] momentumBuffers;

    /**
     * Plain SGD: {@code θ ← θ − η·∇}.
     *
     * @throws IllegalArgumentException if the learning rate is negative or not finite, or the module has
     *                                  no parameters
     */
    public Sgd(Module module, double learningRate) {
        this(module.namedParameters(), learningRate, 0.0, false, 0.0);
    }

    /** SGD on {@code module}'s parameters; see {@link #Sgd(Map, double, double, boolean, double)}. */
    public Sgd(Module module, double learningRate, double momentum, boolean nesterov, double weightDecay) {
        this(module.namedParameters(), learningRate, momentum, nesterov, weightDecay);
    }

    /**
     * SGD on the given parameters.
     *
     * @param momentum    {@code μ} in [0, 1); 0 disables momentum (and allocates no buffers)
     * @param nesterov    use Nesterov's look-ahead form (requires {@code μ > 0})
     * @param weightDecay {@code λ ≥ 0}, L2 penalty {@code λ/2·‖θ‖²} added through the gradient
     * @throws IllegalArgumentException if a hyper-parameter is out of range, Nesterov is asked for
     *                                  without momentum, or there are no parameters
     */
    public Sgd(Map<String, Tensor> namedParameters, double learningRate, double momentum, boolean nesterov,
               double weightDecay) {
        super(namedParameters, learningRate);
        if (!(momentum >= 0.0 && momentum < 1.0)) {
            throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
        }
        if (nesterov && momentum == 0.0) {
            throw new IllegalArgumentException("Sgd: Nesterov momentum needs momentum > 0");
        }
        if (!(weightDecay >= 0.0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("Sgd: weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.momentumBuffers = new Tensor[parameterCount()];
        if (momentum > 0.0) {
            for (int i = 0; i < momentumBuffers.length; i++) {
                momentumBuffers[i] = bufferLike(parameter(i));
            }
        }
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad) {
        double lr = learningRate();
        Tensor buffer = momentumBuffers[index];
        if (parameter.dtype() == DType.FLOAT32) {
            float[] p = parameter.f32();
            float[] g = grad.f32();
            float[] b = buffer == null ? null : buffer.f32();
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] + weightDecay * p[i];
                double d = gi;
                if (b != null) {
                    double bi = momentum * b[i] + gi;
                    b[i] = (float) bi;
                    d = nesterov ? gi + momentum * bi : bi;
                }
                p[i] = (float) (p[i] - lr * d);
            }
        } else {
            double[] p = parameter.f64();
            double[] g = grad.f64();
            double[] b = buffer == null ? null : buffer.f64();
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] + weightDecay * p[i];
                double d = gi;
                if (b != null) {
                    double bi = momentum * b[i] + gi;
                    b[i] = bi;
                    d = nesterov ? gi + momentum * bi : bi;
                }
                p[i] = p[i] - lr * d;
            }
        }
    }

    @Override
    protected void saveState(Map<String, Tensor> out) {
        out.put("momentum", scalar(momentum));
        out.put("nesterov", scalar(nesterov ? 1.0 : 0.0));
        out.put("weight_decay", scalar(weightDecay));
        if (momentum > 0.0) {
            for (int i = 0; i < momentumBuffers.length; i++) {
                out.put(MOMENTUM_BUFFER + "." + parameterName(i), momentumBuffers[i]);
            }
        }
    }

    @Override
    protected void validateState(Map<String, Tensor> state) {
        double mu = requireInRange(state, "momentum", 0.0, 1.0, true);
        double nest = state.get("nesterov").item();
        if (nest != 0.0 && nest != 1.0) {
            throw new StateDictException("Sgd.loadStateDict: entry 'nesterov' must be 0 or 1, got " + nest);
        }
        if ((mu > 0.0) != (momentum > 0.0)) {
            throw new StateDictException("Sgd.loadStateDict: entry 'momentum' = " + mu + " but this optimizer was built "
                    + (momentum > 0.0 ? "with" : "without") + " momentum buffers");
        }
        if (nest == 1.0 && mu == 0.0) {
            throw new StateDictException("Sgd.loadStateDict: 'nesterov' is set but 'momentum' is 0");
        }
        requireInRange(state, "weight_decay", 0.0, Double.MAX_VALUE, false);
    }

    @Override
    protected void restoreState(Map<String, Tensor> state) {
        momentum = state.get("momentum").item();
        nesterov = state.get("nesterov").item() == 1.0;
        weightDecay = state.get("weight_decay").item();
        if (momentum > 0.0) {
            for (int i = 0; i < momentumBuffers.length; i++) {
                momentumBuffers[i].copyFrom(state.get(MOMENTUM_BUFFER + "." + parameterName(i)));
            }
        }
    }
}
