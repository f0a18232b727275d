package elbo.models.experiments;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;

/**
 * Two-dimensional toy densities for flow experiments, each a sampler on roughly [-4, 4]².
 * They are the standard shapes of the flow literature: multi-modal (gaussians), curved (moons),
 * thin and nested (rings) and discontinuous (checkerboard).
 */
public enum ToyDensity {
    /** Two interleaving half circles with Gaussian noise (σ = 0.1 before scaling by 2). */
    MOONS {
        @Override
        void sample(Rng rng, double[] xy) {
            double t = Math.PI * rng.nextDouble();
            boolean upper = rng.nextDouble() < 0.5;
            double x = upper ? Math.cos(t) : 1 - Math.cos(t);
            double y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
            xy[0] = 2 * (x + 0.1 * rng.nextGaussian()) - 1.0;
            xy[1] = 2 * (y + 0.1 * rng.nextGaussian()) - 0.5;
        }
    },
    /** Eight Gaussians (σ = 0.5/√2) at radius 4/√2 on the eight compass directions. */
    GAUSSIANS {
        @Override
        void sample(Rng rng, double[] xy) {
            int k = rng.nextInt(8);
            double angle = k * Math.PI / 4;
            double s = 1 / Math.sqrt(2);
            xy[0] = s * (4 * Math.cos(angle) + 0.5 * rng.nextGaussian());
            xy[1] = s * (4 * Math.sin(angle) + 0.5 * rng.nextGaussian());
        }
    },
    /** Four concentric rings of radii 0.75, 1.5, 2.25, 3, chosen in proportion to their length. */
    RINGS {
        @Override
        void sample(Rng rng, double[] xy) {
            // P(ring k) ∝ radius k, i.e. 1:2:3:4 out of 10, so points are uniform along the curves.
            int u = rng.nextInt(10);
            int ring = u < 1 ? 1 : u < 3 ? 2 : u < 6 ? 3 : 4;
            double r = 0.75 * ring;
            double angle = 2 * Math.PI * rng.nextDouble();
            xy[0] = r * Math.cos(angle) + 0.08 * rng.nextGaussian();
            xy[1] = r * Math.sin(angle) + 0.08 * rng.nextGaussian();
        }
    },
    /** Uniform on the dark squares of a 4×4 checkerboard of unit-2 squares covering [-4, 4]². */
    CHECKERBOARD {
        @Override
        void sample(Rng rng, double[] xy) {
            double x1 = -2 + 4 * rng.nextDouble();
            double x2 = rng.nextDouble() - 2 * rng.nextInt(2);
            x2 += Math.floorMod((int) Math.floor(x1), 2);
            xy[0] = 2 * x1;
            xy[1] = 2 * x2;
        }
    };

    /** Writes one draw into {@code xy[0..1]}. */
    abstract void sample(Rng rng, double[] xy);

    /** {@code n} draws as an {@code [n, 2]} tensor. */
    public Tensor sample(Rng rng, int n, DType dtype) {
        double[] data = new double[2 * n];
        double[] xy = new double[2];
        for (int i = 0; i < n; i++) {
            sample(rng, xy);
            data[2 * i] = xy[0];
            data[2 * i + 1] = xy[1];
        }
        return Tensor.of(data, n, 2).cast(dtype);
    }

    /**
     * The density named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static ToyDensity parse(String name) {
        for (ToyDensity d : values()) {
            if (d.name().equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown density '" + name + "'; expected moons, gaussians, rings or checkerboard");
    }
}
