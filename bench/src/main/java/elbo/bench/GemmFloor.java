package elbo.bench;

import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GEMM floor of {@link VaeFamilyBench}'s training steps: the time the products of one step take alone,
 * on the same kernels and threads, with nothing else of the step (activations, the Bernoulli and Gaussian
 * log-densities, the sampling, Adam, the graph). No implementation of the step whose GEMM is this fast
 * can take less, so {@code PyTorch's step / this floor} is the largest speed-up over PyTorch the step
 * could reach were everything outside its products free. The PyTorch twin
 * {@code bench/reference/gemm_floor.py} times the same list with {@code torch.mm}.
 *
 * <p>The products are those of {@code MatMul.linear} for each dense layer ({@code in → out}, on
 * {@code rows} rows; {@code W} is {@code [out, in]}):
 * <pre>
 *   forward          y  = x·Wᵀ     rows x in x out : NT
 *   input gradient   dx = dy·W     rows x out x in       (not for the encoder's first layer: x is data)
 *   weight gradient  dW = dyᵀ·x    out x rows x in : TN
 * </pre>
 * The encoder 784-300-300-(40, 40) runs on the batch's 100 rows, the decoder 40-300-300-784 on the
 * {@code K·100} codes ({@code K = 1} for the VAE). (The forward product accumulates onto the bias rows in
 * the library; here it overwrites {@code C}: the same arithmetic, one pass over {@code C} less.)
 *
 * <p>Options: {@code --workloads=vae,iwae5,iwae50} (default all three), {@code --warmup=S} seconds of
 * warm-up per workload (default 3; then on until the JIT has settled, see {@link JitWarmup}; a line on
 * standard error says how long), {@code --time=S} seconds of timed steps (default 5),
 * {@code --min-steps=N} (default 10). Prints one line per workload:
 * {@code gemm_floor <name> <median> ms_per_step products <p> gflop <g> gflops <rate> threads <t>}.
 */
public final class GemmFloor {
    static final List<String> ALL = List.of("vae", "iwae5", "iwae50");

    private GemmFloor() {
    }

    /** The products of one training step with {@code k} codes per data point, in the order the step runs them. */
    static List<GemmShape> products(int k) {
        int batch = VaeFamilyBench.BATCH, codes = k * batch;
        int x = VaeFamilyBench.X, h = VaeFamilyBench.H, z = VaeFamilyBench.Z;
        List<GemmShape> forward = new ArrayList<>();
        List<GemmShape> backward = new ArrayList<>();
        layer(forward, backward, batch, x, h, false);      // encoder
        layer(forward, backward, batch, h, h, true);
        layer(forward, backward, batch, h, z, true);       // mean head
        layer(forward, backward, batch, h, z, true);       // log-variance head
        layer(forward, backward, codes, z, h, true);       // decoder: z is reparameterised, so dz too
        layer(forward, backward, codes, h, h, true);
        layer(forward, backward, codes, h, x, true);
        List<GemmShape> all = new ArrayList<>(forward);
        for (int i = backward.size() - 1; i >= 0; i--) { // backward runs the layers in reverse
            all.add(backward.get(i));
        }
        return all;
    }

    private static void layer(List<GemmShape> forward, List<GemmShape> backward, int rows, int in, int out,
                              boolean inputGradient) {
        // dW before dx here: products() reverses the backward list, so each layer runs dx, then dW, as
        // MatMul.linear's backward does
        forward.add(new GemmShape(rows, in, out, false, true));            // y = x·Wᵀ
        backward.add(new GemmShape(out, rows, in, true, false));           // dW = dyᵀ·x
        if (inputGradient) {
            backward.add(new GemmShape(rows, out, in, false, false));      // dx = dy·W
        }
    }

    static int samples(String workload) {
        return switch (workload) {
            case "vae" -> 1;
            case "iwae5" -> 5;
            case "iwae50" -> 50;
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "'; expected some of " + ALL);
        };
    }

    public static void main(String[] args) {
        Map<String, String> opt = BenchOptions.parse(args, List.of("workloads", "warmup", "time", "min-steps"));
        List<String> workloads = Arrays.asList(opt.getOrDefault("workloads", String.join(",", ALL)).split(","));
        workloads.forEach(GemmFloor::samples); // fails on an unknown name before any timing
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "3"));
        double time = Double.parseDouble(opt.getOrDefault("time", "5"));
        int minSteps = Integer.parseInt(opt.getOrDefault("min-steps", "10"));
        Kernels kernels = KernelProvider.get();
        for (String name : workloads) {
            List<GemmShape> shapes = products(samples(name));
            List<GemmShape.Operands> operands = shapes.stream().map(GemmShape::operands).toList();
            Runnable step = () -> {
                for (int i = 0; i < shapes.size(); i++) {
                    shapes.get(i).run(kernels, operands.get(i));
                }
            };
            // at least warmup seconds, then until the JIT has settled, as the steps themselves are warmed up
            System.err.println(name + " " + JitWarmup.run(step, 3, warmup, Math.max(30, 3 * warmup)).describe());
            double median = StepTimes.median(StepTimes.time(step, minSteps, time));
            double gflop = shapes.stream().mapToDouble(GemmShape::flops).sum() / 1e9;
            System.out.printf(Locale.ROOT, "gemm_floor %s %.4f ms_per_step products %d gflop %.4f gflops %.1f threads %d%n",
                    name, median, shapes.size(), gflop, gflop / (median / 1e3), Parallel.threads());
            System.out.flush();
        }
    }
}
