package elbo.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --key=value} options of the bench commands ({@link VaeFamilyBench}, {@link EpochBench}, {@link GemmFloor}). */
final class BenchOptions {
    private BenchOptions() {
    }

    /**
     * The options in {@code args}, by key.
     *
     * @throws IllegalArgumentException naming the argument that is not {@code --key=value}, or the key that is
     *                                  not among {@code known}
     */
    static Map<String, String> parse(String[] args, List<String> known) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("expected --key=value, got '" + a + "'");
            }
            String key = a.substring(2, a.indexOf('='));
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; expected some of " + known);
            }
            opt.put(key, a.substring(a.indexOf('=') + 1));
        }
        return opt;
    }
}
