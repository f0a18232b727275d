package elbo.models.cli;

import elbo.models.config.Overrides;
import elbo.models.experiments.FlowCosts;

import java.util.List;

/** {@code ./elbo flow-costs}: the cost table of flow density evaluation and sampling; see {@link FlowCosts}. */
final class FlowCostsCommand {
    private FlowCostsCommand() {
    }

    static void run(List<String> args) {
        FlowCosts.Config config = Overrides.apply(FlowCosts.Config.defaults(), args);
        System.out.print(Overrides.describe(config));
        FlowCosts.run(config, System.out);
    }
}
