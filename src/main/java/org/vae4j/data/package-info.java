/**
 * Data: reading MNIST-format IDX files ({@link org.vae4j.data.IdxReader}) into
 * {@link org.vae4j.data.ImageDataset} (pixels in [0, 1] plus labels, with splitting, shuffling and
 * binarisation); finding, downloading and caching MNIST and Fashion-MNIST by name
 * ({@link org.vae4j.data.DataSets}, {@link org.vae4j.data.DataLocator},
 * {@link org.vae4j.data.DatasetSource}); and matrices in and out as NumPy {@code .npy}
 * ({@link org.vae4j.data.Npy}) and CSV ({@link org.vae4j.data.Csv}); and the row-keyed stochastic
 * binarisation of training and test rows ({@link org.vae4j.data.Binarisation}). Depends on no other
 * vae4j package except {@code org.vae4j.internal} (atomic writes, file checks, heap budget, number
 * parsing) and {@code org.vae4j.random} (the counter-based noise of {@code Binarisation}).
 * docs/DATA.md describes the formats and the search order.
 */
package org.vae4j.data;
