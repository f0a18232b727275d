package elbo.models.cli;

import elbo.models.config.Overrides;
import elbo.models.experiments.FlowFit;

import java.util.List;

/** {@code ./elbo flows}: fit a flow to a toy density; see {@link FlowFit}. */
final class FlowsCommand {
    private FlowsCommand() {
    }

    static void run(List<String> args) throws Exception {
        FlowFit.Config config = Overrides.apply(FlowFit.Config.defaults(), args);
        System.out.print(Overrides.describe(config));
        FlowFit.run(config, System.out);
    }
}
