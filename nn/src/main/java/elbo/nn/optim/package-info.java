/**
 * Optimizers and learning-rate schedules: {@link elbo.nn.optim.Sgd} (momentum, Nesterov, L2 weight
 * decay), {@link elbo.nn.optim.Adam} and {@link elbo.nn.optim.AdamW}, gradient clipping by global norm
 * ({@link elbo.nn.optim.GradientClipping}), and {@link elbo.nn.optim.LearningRateSchedule}s including
 * the IWAE paper's ({@link elbo.nn.optim.IwaeSchedule}).
 *
 * <p>Optimizers update parameters in place, outside the autodiff tape, without allocating per step;
 * their {@link elbo.nn.optim.Optimizer#stateDict() state dict} (step count, hyper-parameters, moment
 * buffers keyed by parameter path) makes a resumed run continue bit for bit.
 */
package elbo.nn.optim;
