/**
 * Dense layers, activations and multi-layer perceptrons with explicit forward and backward passes.
 */
package org.vae4j.nn;
