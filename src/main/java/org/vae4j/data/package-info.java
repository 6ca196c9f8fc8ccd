/** Reading data sets: IDX files ({@link org.vae4j.data.IdxReader}) and MNIST-format image sets. */
package org.vae4j.data;
