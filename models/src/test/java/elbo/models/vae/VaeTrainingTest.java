package elbo.models.vae;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.prior.VampPrior;
import elbo.nn.optim.Adam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Short float32 training runs on random bars (6×6 binary images, one random row or column lit, a few pixels
 * flipped): the library trains end to end.
 */
class VaeTrainingTest {
    private static final int SIDE = 6;

    /** {@code n} images of one full row or column, with 5% of the pixels flipped. */
    static Tensor bars(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.FLOAT32, n, SIDE * SIDE);
        for (int k = 0; k < n; k++) {
            boolean row = rng.nextDouble() < 0.5;
            int line = rng.nextInt(SIDE);
            for (int i = 0; i < SIDE; i++) {
                for (int j = 0; j < SIDE; j++) {
                    boolean on = row ? i == line : j == line;
                    if (rng.nextDouble() < 0.05) {
                        on = !on;
                    }
                    x.setFlat(k * SIDE * SIDE + i * SIDE + j, on ? 1 : 0);
                }
            }
        }
        return x;
    }

    private static VaeConfig tiny(VaeConfig.PriorKind prior) {
        return new VaeConfig(SIDE, SIDE, 4, 32, 1, Networks.Net.TANH, VaeConfig.PosteriorKind.GAUSSIAN, 1,
                VaeConfig.DecoderKind.MLP, 0, 4, 3, prior, 10, 2, 16);
    }

    private static void train(Vae vae, Objective objective, Tensor data, int epochs) {
        Adam adam = new Adam(vae, 3e-3);
        Rng rng = new Rng(3);
        int batch = 20;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int start = 0; start + batch <= data.dim(0); start += batch) {
                try (Workspace ws = Workspace.open()) {
                    Tensor x = data.narrow(0, start, batch);
                    adam.zeroGrad();
                    vae.loss(x, objective, rng, epoch).value().backward();
                    adam.step();
                }
            }
        }
    }

    private static double heldOutElbo(Vae vae, Tensor x) {
        return ImportanceSampling.estimate(vae, x, 20, new int[] {1}, new Rng(9)).ladder()[0];
    }

    @Test
    void theElboImprovesOnHeldOutImages() {
        Tensor train = bars(300, 1);
        Tensor test = bars(100, 2);
        Vae vae = tiny(VaeConfig.PriorKind.STANDARD).build(DType.FLOAT32, new Rng(4), train);
        double before = heldOutElbo(vae, test);
        train(vae, Elbo.standard(), train, 15);
        double after = heldOutElbo(vae, test);
        assertTrue(after > before + 3, "held-out ELBO " + before + " -> " + after);
    }

    @Test
    void vampPriorPseudoInputsMove() {
        Tensor train = bars(300, 5);
        Vae vae = tiny(VaeConfig.PriorKind.VAMP).build(DType.FLOAT32, new Rng(6), train);
        Tensor start = ((VampPrior) vae.prior()).rawPseudoInputs().copy();
        double before = heldOutElbo(vae, bars(100, 7));
        train(vae, Elbo.standard(), train, 5);
        double moved = 0;
        Tensor now = ((VampPrior) vae.prior()).rawPseudoInputs();
        for (int i = 0; i < start.numel(); i++) {
            moved = Math.max(moved, Math.abs(now.getFlat(i) - start.getFlat(i)));
        }
        assertTrue(moved > 1e-3, "pseudo-inputs moved by at most " + moved);
        assertTrue(heldOutElbo(vae, bars(100, 7)) > before, "the VampPrior VAE should improve too");
    }

    @Test
    void anIwaeRunHasL5AboveL1OnHeldOutImages() {
        Tensor train = bars(300, 8);
        Tensor test = bars(100, 9);
        Vae vae = tiny(VaeConfig.PriorKind.STANDARD).build(DType.FLOAT32, new Rng(10), train);
        train(vae, new Iwae(5, new Reparameterised()), train, 10);
        ImportanceSampling.Result r = ImportanceSampling.estimate(vae, test, 1000, new int[] {1, 5}, new Rng(11));
        double gap = r.ladder()[1] - r.ladder()[0];
        assertTrue(gap > 0.05, "held-out L_5 " + r.ladder()[1] + " should exceed L_1 " + r.ladder()[0]);
    }
}
