/**
 * Modules with explicit forward and backward passes: dense layers, activations, layer
 * normalisation, dropout, concatenation of a condition, and containers (Sequential, MLPs).
 */
package org.vae4j.nn;
