package elbo.models.cli;

import elbo.core.kernels.KernelProvider;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ./elbo} command line: {@code ./elbo <command> [--key=value ...]}. Each command resolves its
 * configuration record from the defaults and the overrides, prints it, then runs. Bad arguments end
 * with a one-line message and exit status 2; a failed run with status 1.
 */
public final class Main {

    /** A command: its one-line help and its entry point. */
    record Command(String help, Runner runner) {
    }

    @FunctionalInterface
    interface Runner {
        void run(List<String> args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
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
        try {
            command.runner().run(Arrays.asList(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println("elbo " + args[0] + ": " + e.getMessage());
            System.exit(2);
        } catch (java.io.IOException e) {
            System.err.println("elbo " + args[0] + ": I/O error: " + e);
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

    static void info() {
        System.out.println("java      " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("kernels   " + KernelProvider.get().name()
                + (KernelProvider.vectorApiAvailable() ? "" : " (jdk.incubator.vector not resolved)"));
        System.out.println("cpus      " + Runtime.getRuntime().availableProcessors());
    }
}
