/** Optimisers with PyTorch's exact update rules: {@link org.vae4j.optim.Adam}, {@link org.vae4j.optim.Sgd}. */
package org.vae4j.optim;
