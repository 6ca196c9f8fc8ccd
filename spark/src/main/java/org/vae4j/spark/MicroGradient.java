package org.vae4j.spark;

import java.io.Serializable;

/**
 * What a task sends back for one micro-batch: its index within the step, its gradient (computed
 * into zeroed gradients, scaled by 1/B, flat in the parameter store's order) and its loss terms
 * (sums over its rows divided by B).
 *
 * @param index     the micro-batch within the step
 * @param gradient  the flat gradient
 * @param total     its share of the step's loss per example
 * @param recon     its share of the reconstruction term
 * @param kl        its share of the KL term
 */
record MicroGradient(int index, float[] gradient, double total, double recon, double kl) implements Serializable {
}
