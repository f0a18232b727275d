package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Tensor;

/**
 * Activation normalization (Kingma &amp; Dhariwal, Glow 2018): a per-dimension affine map with learned
 * log-scale {@code s} and shift {@code b}, both {@code [D]}:
 *
 * <pre>
 *   forward:  y = x ⊙ exp(s) + b,       log|det ∂y/∂x| =  Σ_d s_d
 *   inverse:  x = (y - b) ⊙ exp(-s),    log|det ∂x/∂y| = -Σ_d s_d
 * </pre>
 *
 * <p><b>Data-dependent initialisation.</b> The first {@link #forward} or {@link #inverse} call made in
 * training mode sets {@code s} and {@code b} from that batch so that <em>the output of that call</em> has
 * zero mean and unit variance per dimension (statistics over every batch axis), then proceeds with the
 * new values: for {@code forward(x)}, {@code s = -log σ_x}, {@code b = -μ_x / σ_x}; for {@code inverse(y)}
 * (the density direction, data in), {@code s = log σ_y}, {@code b = μ_y}. A batch of one example only
 * centres ({@code σ} taken as 1); {@code σ} is floored at 1e-6. The flag is the buffer
 * {@code initialized} (0 or 1), so a restored checkpoint is not re-initialised. In evaluation mode, or
 * once initialised, the parameters are used as they are ({@code s = 0}, {@code b = 0} before
 * initialisation: the identity).
 */
public final class ActNorm extends Flow {
    private final Tensor logScale;
    private final Tensor shift;
    private final Tensor initialized;

    /**
     * The identity until data-initialised.
     *
     * @throws IllegalArgumentException if {@code eventSize < 1}
     */
    public ActNorm(int eventSize, DType dtype) {
        super(eventSize, dtype);
        if (eventSize < 1) {
            throw new IllegalArgumentException("ActNorm: event size must be at least 1, got " + eventSize);
        }
        this.logScale = parameter("logScale", Tensor.zeros(dtype, eventSize));
        this.shift = parameter("shift", Tensor.zeros(dtype, eventSize));
        this.initialized = buffer("initialized", Tensor.scalar(0.0, dtype));
    }

    /** The log-scale parameter {@code s}, {@code [D]}. */
    public Tensor logScale() {
        return logScale;
    }

    /** The shift parameter {@code b}, {@code [D]}. */
    public Tensor shift() {
        return shift;
    }

    /** True once data-initialised (or restored from a checkpoint of an initialised layer). */
    public boolean isInitialized() {
        return initialized.item() != 0.0;
    }

    /** Marks the layer initialised (or not) without touching {@code s} and {@code b}. */
    public void setInitialized(boolean on) {
        initialized.setFlat(0, on ? 1.0 : 0.0);
    }

    /** {@code y = x ⊙ exp(s) + b}, log-det {@code Σ s} (data-initialising first if due). */
    @Override
    public Result forward(Tensor x) {
        checkInput(x, "forward");
        initializeIfDue(x, true);
        Tensor s = param(logScale);
        Tensor y = x.mul(s.exp()).add(param(shift));
        return new Result(y, broadcastLogDet(s.sum(), x));
    }

    /** {@code x = (y - b) ⊙ exp(-s)}, log-det {@code -Σ s} (data-initialising first if due). */
    @Override
    public Result inverse(Tensor y) {
        checkInput(y, "inverse");
        initializeIfDue(y, false);
        Tensor s = param(logScale);
        Tensor x = y.sub(param(shift)).mul(s.neg().exp());
        return new Result(x, broadcastLogDet(s.sum().neg(), y));
    }

    private void initializeIfDue(Tensor in, boolean forwardDirection) {
        if (!isTraining() || isInitialized()) {
            return;
        }
        int d = eventSize();
        int n = in.numel() / d;
        if (n == 0) {
            return; // no data to initialise from: wait for a non-empty batch
        }
        double[] mean = new double[d];
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += in.getFlat(i * d + j);
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = in.getFlat(i * d + j) - mean[j];
                var[j] += c * c;
            }
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int j = 0; j < d; j++) {
                double sigma = n < 2 ? 1.0 : Math.max(Math.sqrt(var[j] / n), 1e-6);
                if (forwardDirection) {
                    logScale.setFlat(j, -Math.log(sigma));
                    shift.setFlat(j, -mean[j] / sigma);
                } else {
                    logScale.setFlat(j, Math.log(sigma));
                    shift.setFlat(j, mean[j]);
                }
            }
        }
        setInitialized(true);
    }
}
