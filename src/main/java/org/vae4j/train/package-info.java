/** Mini-batch training: {@link org.vae4j.train.Trainer}, its schedules, statistics and listeners. */
package org.vae4j.train;
