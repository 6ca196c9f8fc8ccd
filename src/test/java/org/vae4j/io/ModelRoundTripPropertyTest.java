package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.ModelBuilder;
import org.vae4j.Vae;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * Property: for every model kind and random small architectures (widths, depths, activations,
 * likelihood) with random weights — including extreme finite floats — save then load gives the
 * same parameters bit for bit and the same encoder and decoder outputs bit for bit.
 */
class ModelRoundTripPropertyTest {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("vae4j-roundtrip");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** An architecture: kind, widths, activation, likelihood; the seed picks the weights. */
    record Arch(String kind, int input, int[] hidden, int[] decoderHidden, int latent, Activation activation,
                Likelihood likelihood, long seed) {

        LatentModel build() {
            ModelBuilder<?> b = kind.equals("autoencoder") ? Autoencoder.builder(input)
                    : kind.equals("cvae") ? ConditionalVae.builder(input, 3) : Vae.builder(input);
            b.hidden(hidden).latent(latent).activation(activation).likelihood(likelihood).seed(seed);
            if (decoderHidden != null) {
                b.decoderHidden(decoderHidden);
            }
            return kind.equals("autoencoder") ? ((Autoencoder.Builder) b).build()
                    : kind.equals("cvae") ? ((ConditionalVae.Builder) b).build() : ((Vae.Builder) b).build();
        }
    }

    @Provide
    Arbitrary<Arch> architectures() {
        Arbitrary<int[]> widths = Arbitraries.integers().between(1, 7).array(int[].class).ofMinSize(1).ofMaxSize(3);
        Arbitrary<Likelihood> likelihood = Arbitraries.oneOf(Arbitraries.just(BernoulliLikelihood.INSTANCE),
                Arbitraries.doubles().between(1e-3, 10).ofScale(4).flatMap(v -> Arbitraries.of(true, false)
                        .map(c -> new GaussianLikelihood(v, c))));
        return Combinators.combine(Arbitraries.of("vae", "autoencoder", "cvae"), Arbitraries.integers().between(1, 9),
                        widths, widths.injectNull(0.5), Arbitraries.integers().between(1, 4),
                        Arbitraries.of(Activation.RELU, Activation.TANH, Activation.LEAKY_RELU, Activation.SIGMOID,
                                Activation.SOFTPLUS),
                        likelihood, Arbitraries.longs())
                .as(Arch::new);
    }

    @Property(tries = 40)
    void saveThenLoadIsBitIdentical(@ForAll("architectures") Arch arch) throws IOException {
        LatentModel model = arch.build();
        SplittableRandom rng = new SplittableRandom(arch.seed());
        for (Parameter p : model.parameters()) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = randomFinite(rng);
            }
            p.set(v);
        }
        Path file = dir.resolve("model.safetensors");
        ModelFiles.save(model, file);
        LatentModel loaded = ModelFiles.load(file);

        assertEquals(model.kind(), loaded.kind());
        assertEquals(model.describe(), loaded.describe());
        List<Parameter> a = model.parameters();
        List<Parameter> b = loaded.parameters();
        assertEquals(a.size(), b.size());
        for (int t = 0; t < a.size(); t++) {
            assertEquals(a.get(t).name(), b.get(t).name());
            assertArrayEquals(bits(a.get(t)), bits(b.get(t)), a.get(t).name());
        }
        // outputs on moderate weights: reset both to the same small values so outputs stay finite
        for (int t = 0; t < a.size(); t++) {
            float[] v = new float[a.get(t).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextDouble(-1, 1);
            }
            a.get(t).set(v);
        }
        ModelFiles.save(model, file);
        loaded = ModelFiles.load(file);
        FMatrixRMaj x = org.vae4j.testing.Crafted.uniform(5, arch.input(), arch.seed() ^ 1);
        FMatrixRMaj z = org.vae4j.testing.Crafted.uniform(5, arch.latent(), arch.seed() ^ 2);
        FMatrixRMaj cond = model instanceof ConditionalVae ? org.vae4j.testing.Crafted.uniform(5, 3, arch.seed() ^ 3)
                : null;
        assertArrayEquals(model.encoderOutput(x, cond).data, loaded.encoderOutput(x, cond).data, 0f, "encoder output");
        assertArrayEquals(model.decoderOutput(z, cond).data, loaded.decoderOutput(z, cond).data, 0f, "decoder output");
    }

    /** A finite float: mostly ordinary, sometimes extreme (subnormal, max, negative zero). */
    static float randomFinite(SplittableRandom rng) {
        switch (rng.nextInt(8)) {
            case 0:
                return Float.MIN_VALUE * (1 + rng.nextInt(1000));
            case 1:
                return rng.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
            case 2:
                return -0f;
            case 3: {
                float f = Float.intBitsToFloat(rng.nextInt());
                return Float.isFinite(f) ? f : 1f;
            }
            default:
                return (float) rng.nextGaussian();
        }
    }

    private static int[] bits(Parameter p) {
        int[] b = new int[p.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = Float.floatToRawIntBits(p.valueArray()[p.offset() + i]);
        }
        return b;
    }
}
