package org.vae4j.nn;

import java.util.random.RandomGenerator;

/**
 * Weight initialisation schemes for {@link Dense}. Immutable.
 *
 * <ul>
 * <li>{@link #XAVIER_UNIFORM}: U(-a, a), a = sqrt(6 / (in + out)), biases 0 (Glorot &amp; Bengio 2010).</li>
 * <li>{@link #HE_UNIFORM}: U(-a, a), a = sqrt(6 / in), biases 0 (He et al. 2015), for ReLU layers.</li>
 * <li>{@link #TORCH_DEFAULT}: PyTorch's {@code nn.Linear} default (kaiming_uniform with a = sqrt(5)),
 * U(-1/sqrt(in), 1/sqrt(in)) for weights and biases. The models' default: with it the seed VAE
 * trains as PyTorch's does (with He/Xavier it ends ~2 nats worse after 10 MNIST epochs).</li>
 * <li>{@link #BY_ACTIVATION}: {@link #HE_UNIFORM} for layers followed by ReLU or LeakyReLU,
 * {@link #XAVIER_UNIFORM} for the others.</li>
 * </ul>
 */
public enum Init {
    /** Glorot: W ~ U(-a, a) with a = sqrt(6 / (in + out)), bias 0. */
    XAVIER_UNIFORM,
    /** He: W ~ U(-a, a) with a = sqrt(6 / in), bias 0; for layers followed by ReLU. */
    HE_UNIFORM,
    /** PyTorch's {@code nn.Linear} default: W and b ~ U(-1/sqrt(in), 1/sqrt(in)). */
    TORCH_DEFAULT,
    /**
     * {@link #HE_UNIFORM} or {@link #XAVIER_UNIFORM} chosen per layer by the activation after it
     * ({@link #resolve}); a {@link Dense} cannot be built with it unresolved.
     */
    BY_ACTIVATION;

    /**
     * {@return {@link #HE_UNIFORM} for {@link Activation#RELU} and {@link Activation#LEAKY_RELU}, else
     * {@link #XAVIER_UNIFORM}}
     *
     * @param activation the activation that follows the layer; {@code null} (none) gives Xavier
     */
    public static Init forActivation(Activation activation) {
        return activation == Activation.RELU || activation == Activation.LEAKY_RELU ? HE_UNIFORM : XAVIER_UNIFORM;
    }

    /**
     * {@return this scheme for a layer followed by {@code activation} ({@link #BY_ACTIVATION} resolved
     * by {@link #forActivation}, any other scheme itself)}
     *
     * @param activation the activation that follows the layer, or {@code null} for none
     */
    public Init resolve(Activation activation) {
        return this == BY_ACTIVATION ? forActivation(activation) : this;
    }

    void initialise(Parameter weight, Parameter bias, RandomGenerator rng) {
        if (this == BY_ACTIVATION) {
            throw new IllegalStateException("BY_ACTIVATION must be resolved per layer");
        }
        int out = weight.rows();
        int in = weight.cols();
        double a;
        switch (this) {
            case XAVIER_UNIFORM:
                a = Math.sqrt(6.0 / (in + out));
                break;
            case HE_UNIFORM:
                a = Math.sqrt(6.0 / in);
                break;
            default:
                a = 1.0 / Math.sqrt(in);
        }
        float[] w = weight.valueArray();
        for (int i = 0, o = weight.offset(); i < weight.size(); i++) {
            w[o + i] = (float) ((2.0 * rng.nextDouble() - 1.0) * a);
        }
        float[] b = bias.valueArray();
        for (int i = 0, o = bias.offset(); i < bias.size(); i++) {
            b[o + i] = this == TORCH_DEFAULT ? (float) ((2.0 * rng.nextDouble() - 1.0) * a) : 0f;
        }
    }
}
