/**
 * vae4j on Apache Spark (artifact {@code vae4j-spark_2.13}; Spark is a {@code provided}
 * dependency): {@link org.vae4j.spark.SparkTrainer}, exact synchronous data-parallel training that
 * gives the local {@link org.vae4j.train.Trainer}'s parameters bit for bit for the same number of
 * micro-batches N, whatever the partitions or executors (and an explicit non-exact option, K local
 * steps between synchronisations); and the Spark ML pair {@link org.vae4j.spark.VaeEstimator}
 * (trains a VAE on a {@code Dataset} and calibrates an anomaly threshold) and
 * {@link org.vae4j.spark.VaeModel} (a {@code Transformer} appending each row's latent mean,
 * anomaly score and flag), with ML persistence through the ordinary vae4j model file. Rows are
 * identified by their index in the data, the key of their noise, so the data's order must be
 * deterministic. See docs/SPARK.md.
 */
package org.vae4j.spark;
