/**
 * Modules with explicit forward and backward passes: dense layers, activations, layer
 * normalisation, dropout, concatenation of a condition, and containers (Sequential, MLPs); and
 * the parameters they train: a {@link org.vae4j.nn.Parameter} is a named view of one tensor, and a
 * model's {@link org.vae4j.nn.ParameterStore} holds all its tensors' values in one flat array and
 * their gradients in another.
 */
package org.vae4j.nn;
