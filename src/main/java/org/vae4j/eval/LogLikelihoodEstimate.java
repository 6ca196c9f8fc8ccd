package org.vae4j.eval;

/**
 * An importance-weighted estimate of the test log-likelihood (see
 * {@link ImportanceWeighted#logLikelihood}), in nats per example. Immutable.
 *
 * @param logLikelihood the mean over examples of log p(x) estimated with k importance samples
 * @param standardError the standard error of that mean over examples (NaN for one example)
 * @param elbo          the mean over examples and samples of the log weights: a Monte Carlo ELBO
 *                      from the same z draws, never above {@code logLikelihood} (Jensen)
 * @param samples       k, importance samples per example
 * @param examples      number of examples
 */
public record LogLikelihoodEstimate(double logLikelihood, double standardError, double elbo, int samples,
                                    int examples) {
}
