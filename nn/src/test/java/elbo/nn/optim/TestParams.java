package elbo.nn.optim;

import elbo.core.Tensor;
import elbo.nn.Module;

import java.util.Map;

/** A module holding given tensors as parameters, for driving optimizers directly. */
final class TestParams extends Module {
    TestParams(Map<String, Tensor> params) {
        params.forEach(this::parameter);
    }

    TestParams(String name, Tensor param) {
        parameter(name, param);
    }
}
