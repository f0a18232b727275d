/** ELBO nn: modules, layers, optimizers, distributions, flows and checkpoints. */
module elbo.nn {
    requires transitive elbo.core;

    exports elbo.nn;
    exports elbo.nn.dist;
    exports elbo.nn.flow;
    exports elbo.nn.optim;
    exports elbo.nn.io;
}
