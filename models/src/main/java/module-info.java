/** ELBO models: the VAE family, its objectives, experiments and the command-line interface. */
module elbo.models {
    requires transitive elbo.nn;

    exports elbo.models.config;
    exports elbo.models.data;
    exports elbo.models.experiments;
    exports elbo.models.report;
    exports elbo.models.theory;
    exports elbo.models.train;
    exports elbo.models.vae;
    exports elbo.models.vae.decoder;
    exports elbo.models.vae.eval;
    exports elbo.models.vae.objective;
    exports elbo.models.vae.posterior;
    exports elbo.models.vae.prior;
}
