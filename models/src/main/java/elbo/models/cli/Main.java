package elbo.models.cli;

import elbo.core.kernels.KernelProvider;
import elbo.models.config.OptionException;
import elbo.models.config.Overrides;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ./elbo} command line: {@code ./elbo <command> [--key=value ...]}. Each command resolves its
 * configuration record from the defaults and the overrides, prints it, then runs. Bad arguments
 * ({@link OptionException}) end with a one-line message and exit status 2 before anything is written; a
 * failed run with status 1.
 */
public final class Main {

    /** A command: its one-line help and its entry point. */
    record Command(String help, Runner runner, java.util.function.Supplier<Record> defaults) {
        Command(String help, Runner runner) {
            this(help, runner, null);
        }
    }

    @FunctionalInterface
    interface Runner {
        void run(List<String> args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("train", new Command(
                "train a VAE: --data=digits|mnist|binarized-mnist|fashion-mnist --prior=standard|mog|vamp|realnvp|maf|iaf "
                        + "--posterior=gaussian|iaf --decoder=mlp|pixelcnn --objective=elbo|iwae --k=K "
                        + "--estimator=reparam|stl|dreg --beta=constant|linear|sigmoid|cyclical --epochs=N --out=DIR "
                        + "[--resume] (./elbo train --help lists every setting)",
                TrainCommand::run, elbo.models.train.TrainConfig::defaults));
        COMMANDS.put("eval", new Command(
                "score a run on the test set: --run=DIR --k=5000 [--n=N]: log p(x) by importance sampling, the "
                        + "L_1..L_K ladder, active units, ELBO surgery (into DIR/summary.json)",
                EvalCommand::run, EvalCommand.EvalConfig::defaults));
        COMMANDS.put("sample", new Command("draw from a run's model: --run=DIR --n=64 (writes DIR/samples.png)",
                SampleCommand::run, SampleCommand.SampleConfig::defaults));
        COMMANDS.put("lecture", new Command(
                "the lecture's theorems as figures: --part=theory --out=runs/lecture (ladder, IWAE posterior, "
                        + "gradient SNR, ELBO surgery; a few minutes)",
                LectureCommand::run, LectureCommand.LectureConfig::defaults));
        COMMANDS.put("flows", new Command(
                "fit a normalizing flow to a 2-D toy density: --density=moons|gaussians|rings|checkerboard "
                        + "--flow=realnvp|maf|iaf|planar --out=DIR (writes density.png, summary.json)",
                FlowsCommand::run));
        COMMANDS.put("flow-costs", new Command(
                "time logProb and sampling of RealNVP, MAF and IAF at D=40 (why IAF is a bad prior)",
                FlowCostsCommand::run));
        COMMANDS.put("info", new Command("print the JVM, kernels and thread settings", args -> info()));
    }

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage();
            return;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            System.err.println("elbo: unknown command '" + args[0] + "'");
            usage();
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (command.defaults() != null && (rest.contains("--help") || rest.contains("-h"))) {
            System.out.println("./elbo " + args[0] + ": " + command.help() + "\n\nsettings and their defaults "
                    + "(override with --key=value):");
            System.out.print(Overrides.describe(command.defaults().get()));
            return;
        }
        try {
            command.runner().run(Arrays.asList(args).subList(1, args.length));
        } catch (OptionException e) {
            System.err.println("elbo " + args[0] + ": " + e.getMessage());   // a bad setting: nothing was written
            System.exit(2);
        } catch (java.io.IOException e) {
            // data and checkpoint errors are typed and say what is wrong where (file, byte offset)
            System.err.println("elbo " + args[0] + ": " + (e.getMessage() != null ? e.getMessage() : e));
            System.exit(1);
        } catch (Exception e) {
            System.err.println("elbo " + args[0] + ": failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void usage() {
        System.out.println("usage: ./elbo <command> [--key=value ...]\n\ncommands:");
        COMMANDS.forEach((name, c) -> System.out.printf("  %-12s %s%n", name, c.help()));
    }

    /** The CPU's model name (from /proc/cpuinfo where there is one) and architecture. */
    static String cpuName() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim() + " (" + System.getProperty("os.arch") + ")";
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    static void info() {
        System.out.println("java      " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("kernels   " + KernelProvider.get().name()
                + (KernelProvider.vectorApiAvailable() ? "" : " (jdk.incubator.vector not resolved)"));
        System.out.println("cpus      " + Runtime.getRuntime().availableProcessors());
    }
}
