/**
 * vae4j: variational autoencoders ({@link org.vae4j.Vae}) and deterministic autoencoders
 * ({@link org.vae4j.Autoencoder}) with hand-written backward passes, trained by
 * {@link org.vae4j.train.Trainer}. Subpackages: {@code kernel} (the GEMM interface and its
 * backends), {@code nn} (dense layers, activations), {@code loss} (sampler, KL, likelihoods),
 * {@code optim} (Adam, SGD), {@code train}, {@code data} (IDX files). Models are mutable and
 * single-threaded; {@link org.vae4j.LatentModel#inference()} gives a thread-safe
 * {@link org.vae4j.InferenceView} of one.
 *
 * <h2>The inference methods' names</h2>
 * Every model method takes and returns {@code FMatrixRMaj} matrices of shape (batch, features)
 * ({@code new FMatrixRMaj(float[][])} turns rows given as arrays into one).
 * {@link org.vae4j.LatentModel#encodeMean encodeMean} and
 * {@link org.vae4j.LatentModel#decodeMean decodeMean} return means (of q(z|x) and of p(x|z));
 * {@link org.vae4j.LatentModel#encoderOutput encoderOutput} and
 * {@link org.vae4j.LatentModel#decoderOutput decoderOutput} return the modules' raw outputs (for
 * the decoder the likelihood's parameters, e.g. logits); {@link org.vae4j.Vae#encode} returns
 * both parameters of q(z|x). {@link org.vae4j.LatentModel#negativeElbo negativeElbo} is always
 * the unweighted (beta = 1) negative ELBO, whatever beta the model was trained with.
 *
 * <h2>Seeds</h2>
 * A run has two seeds, each with one job, and both default to
 * {@link org.vae4j.ModelBuilder#DEFAULT_SEED} (42):
 * <ul>
 * <li>the <b>model seed</b>, {@link org.vae4j.ModelBuilder#seed(long) Vae.builder(n).seed(s)}
 * (and every other model builder's): the initial weights, and nothing else;</li>
 * <li>the <b>trainer seed</b>, {@link org.vae4j.train.Trainer.Builder#seed(long)
 * Trainer.builder().seed(s)}: every random draw of training (the shuffle of each epoch, the
 * reparameterisation noise, the corruption of a denoising objective) and the validation split,
 * all through {@link org.vae4j.random.Noise}{@code (s)}.</li>
 * </ul>
 * Evaluation draws from the {@link org.vae4j.random.Noise} or generator it is given
 * ({@link org.vae4j.LatentModel#negativeElbo(org.ejml.data.FMatrixRMaj, org.vae4j.random.Noise)}),
 * a {@link org.vae4j.nn.Dropout} module from its own seed. The same pair (model seed, trainer seed)
 * with the same data and settings gives bit-identical parameters run after run. To set a run's
 * seed in one place, keep it in one variable and pass it to both builders, as the example programs
 * do with their {@code --seed}:
 * <pre>{@code
 * long seed = 7;
 * Vae vae = Vae.builder(64).seed(seed).build();
 * Trainer trainer = Trainer.builder().seed(seed).build();
 * }</pre>
 * The two are kept apart so that one initial model can be trained with different draws (or one
 * trainer reused on differently initialised models); a checkpoint stores the trainer seed, the
 * model file the weights themselves.
 */
package org.vae4j;
