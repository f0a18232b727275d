/** ELBO models: the VAE family, its objectives, experiments and the command-line interface. */
module elbo.models {
    requires transitive elbo.nn;

    exports elbo.models.config;
    exports elbo.models.experiments;
    exports elbo.models.report;
}
