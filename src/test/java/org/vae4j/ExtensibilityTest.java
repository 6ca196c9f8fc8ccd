package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.eval.Elbo;
import org.vae4j.eval.ImportanceWeighted;
import org.vae4j.eval.LatentUsage;
import org.vae4j.io.ModelCodec;
import org.vae4j.io.ModelCodecs;
import org.vae4j.io.ModelFileException;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.ModelHeader;
import org.vae4j.io.LikelihoodCodecs;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.ActivationLayer;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Init;
import org.vae4j.nn.Module;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.Sequential;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.optim.Adam;
import org.vae4j.prob.DiagonalGaussianPosterior;
import org.vae4j.random.Noise;
import org.vae4j.train.EpochStats;
import org.vae4j.train.GradientFunction;
import org.vae4j.train.Trainer;

/**
 * The open core, shown rather than claimed: a module, a model kind, an objective and a file codec
 * written here, outside the library, go through gradient checks, the trainer, model files (the
 * codec found by {@link java.util.ServiceLoader} from src/test/resources/META-INF/services) and
 * the evaluations, with no library class edited for them.
 */
public class ExtensibilityTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ the user's code

    /**
     * A learned elementwise scale and shift, y = x * scale + shift (broadcast over rows), with its
     * own forward, backward and parameters {@code scale} and {@code shift}, each (1, width).
     */
    public static final class ScaleShift implements Module {
        private final int width;
        private final Parameter scale;
        private final Parameter shift;
        private FMatrixRMaj x;  // the last input, referenced
        private FMatrixRMaj y;  // (batch, width)
        private FMatrixRMaj dx; // (batch, width)

        public ScaleShift(int width, RandomGenerator rng) {
            this.width = width;
            this.scale = new Parameter("scale", 1, width);
            this.shift = new Parameter("shift", 1, width);
            float[] s = new float[width];
            float[] b = new float[width];
            for (int j = 0; j < width; j++) {
                s[j] = (float) (1 + 0.1 * rng.nextGaussian());
                b[j] = (float) (0.1 * rng.nextGaussian());
            }
            scale.set(s);
            shift.set(b);
        }

        @Override
        public int inputSize() {
            return width;
        }

        @Override
        public int outputSize() {
            return width;
        }

        @Override
        public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj input) {
            Module.checkInput(this, input);
            x = input;
            y = Module.reshape(y, input.numRows, width);
            // the parameters' storage: their arrays at their offsets (a model's flat arrays once built)
            float[] s = scale.valueArray();
            int so = scale.offset();
            float[] b = shift.valueArray();
            int bo = shift.offset();
            for (int r = 0; r < input.numRows; r++) {
                for (int j = 0; j < width; j++) {
                    int i = r * width + j;
                    y.data[i] = input.data[i] * s[so + j] + b[bo + j];
                }
            }
            return y;
        }

        @Override
        public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
            Module.checkGradient(this, dy, x.numRows);
            float[] ds = scale.gradArray();
            int so = scale.offset();
            float[] db = shift.gradArray();
            int bo = shift.offset();
            float[] s = scale.valueArray();
            if (inputGradient) {
                dx = Module.reshape(dx, x.numRows, width);
            }
            for (int r = 0; r < x.numRows; r++) {
                for (int j = 0; j < width; j++) {
                    int i = r * width + j;
                    ds[so + j] += dy.data[i] * x.data[i];
                    db[bo + j] += dy.data[i];
                    if (inputGradient) {
                        dx.data[i] = dy.data[i] * s[so + j];
                    }
                }
            }
            return inputGradient ? dx : null;
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(scale, shift);
        }
    }

    /**
     * A VAE of its own kind: encoder Dense-tanh-ScaleShift, the diagonal Gaussian posterior,
     * decoder Dense-tanh-ScaleShift-Dense, Bernoulli likelihood. Its parameter names are composed
     * by the modules: {@code encoder.0.weight}, {@code encoder.2.scale}, {@code fc_mu.weight}, ...
     */
    public static final class GatedVae extends ComposedLatentModel {
        public static final String KIND = "test-gated-vae";
        final int hidden;

        public GatedVae(int input, int hidden, int latent, long seed) {
            this(input, hidden, latent, new SplittableRandom(seed));
        }

        private GatedVae(int input, int hidden, int latent, SplittableRandom rng) {
            super(KIND, "encoder", new Sequential(List.of(new Dense(input, hidden, Init.TORCH_DEFAULT, rng),
                            new ActivationLayer(Activation.TANH, hidden), new ScaleShift(hidden, rng))),
                    new DiagonalGaussianPosterior(hidden, latent, Init.TORCH_DEFAULT, rng),
                    "decoder", new Sequential(List.of(new Dense(latent, hidden, Init.TORCH_DEFAULT, rng),
                            new ActivationLayer(Activation.TANH, hidden), new ScaleShift(hidden, rng),
                            new Dense(hidden, input, Init.TORCH_DEFAULT, rng))),
                    BernoulliLikelihood.INSTANCE);
            this.hidden = hidden;
        }

        /** The encoder's ScaleShift scale: what the objective below penalises. */
        Parameter encoderScale() {
            return parameters().stream().filter(p -> p.name().equals("encoder.2.scale")).findFirst().orElseThrow();
        }
    }

    /** The file codec of {@link GatedVae}, registered in META-INF/services/org.vae4j.io.ModelCodec. */
    public static class GatedVaeCodec implements ModelCodec<GatedVae> {
        static final String INPUT = "vae4j.test_gated.input_size";
        static final String HIDDEN = "vae4j.test_gated.hidden_size";
        static final String LATENT = "vae4j.test_gated.latent_size";

        @Override
        public String kind() {
            return GatedVae.KIND;
        }

        @Override
        public Class<GatedVae> modelType() {
            return GatedVae.class;
        }

        @Override
        public void writeArchitecture(GatedVae m, Map<String, String> metadata) {
            metadata.put(INPUT, Integer.toString(m.inputSize()));
            metadata.put(HIDDEN, Integer.toString(m.hidden));
            metadata.put(LATENT, Integer.toString(m.latentSize()));
            LikelihoodCodecs.write(m.likelihood(), metadata);
        }

        @Override
        public GatedVae build(ModelHeader header) throws ModelFileException {
            int in = header.positiveInt(INPUT);
            int h = header.positiveInt(HIDDEN);
            int z = header.positiveInt(LATENT);
            header.likelihood(); // only Bernoulli here, but the entry must be valid
            long size = (long) h * in + 4L * h + 2L * ((long) z * h + z) + (long) h * z + (long) in * h + in;
            header.checkFits("test-gated-vae", size, new long[] {h, in});
            return new GatedVae(in, h, z, 0);
        }
    }

    /** The negative ELBO plus (lambda / 2) ||encoder scale - 1||^2, forward and backward. */
    public static final class PenalisedElbo implements Objective {
        private final NegativeElbo elbo = new NegativeElbo();
        private final double lambda;

        public PenalisedElbo(double lambda) {
            this.lambda = lambda;
        }

        @Override
        public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
            Loss l = elbo.computeGradients(model, batch, context);
            Parameter s = ((GatedVae) model).encoderScale();
            // counted once per batch: micro-batches each add their share rows / B
            double share = (double) batch.rows() / context.batchSize();
            double sum = 0;
            for (int j = 0; j < s.size(); j++) {
                double d = s.value(j) - 1.0;
                sum += d * d;
                s.gradArray()[s.offset() + j] += (float) (share * lambda * d);
            }
            return new Loss(l.total() + share * lambda / 2 * sum, l.reconstruction(), l.kl());
        }

        @Override
        public String describe() {
            return "negative ELBO + L2 on the encoder scale";
        }
    }

    // ------------------------------------------------------------------ the tests

    private static FMatrixRMaj data(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(rows, cols);
        for (int r = 0; r < rows; r++) {
            int prototype = r % 3;
            for (int c = 0; c < cols; c++) {
                double p = (c % 3 == prototype) ? 0.9 : 0.1;
                x.data[r * cols + c] = rng.nextDouble() < p ? 1f : 0f;
            }
        }
        return x;
    }

    @Test
    void theUserModuleBackwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        ScaleShift m = new ScaleShift(5, rng);
        Kernels k = Kernels.defaults();
        FMatrixRMaj x = GradientCheck.uniform(4, 5, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(4, 5, -1, 1, rng);
        m.forward(k, x);
        FMatrixRMaj dx = m.backward(k, r, true).copy();
        for (Parameter p : m.parameters()) {
            GradientCheck.assertGradient(p.name(), p, p.gradCopy(), () -> GradientCheck.dot(r, m.forward(k, x)));
        }
        GradientCheck.assertGradient("x", x, dx, () -> GradientCheck.dot(r, m.forward(k, x)));
    }

    @Test
    void theUserObjectiveGradientOfEveryParameterMatchesFiniteDifferences() {
        GatedVae model = new GatedVae(6, 5, 2, 11);
        model.encoderScale().valueArray()[model.encoderScale().offset()] = 1.7f; // the penalty's gradient is not 0
        SplittableRandom rng = new SplittableRandom(5);
        FMatrixRMaj x = data(3, 6, 4);
        FMatrixRMaj eps = new FMatrixRMaj(3, 2);
        for (int i = 0; i < eps.getNumElements(); i++) {
            eps.data[i] = (float) rng.nextGaussian();
        }
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, 1.0, 3).fixedNoise(eps);
        GradientFunction f = new GradientFunction(new PenalisedElbo(0.5), 1);
        f.compute(model, Batch.of(x), ctx);
        List<FMatrixRMaj> analytic = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            analytic.add(p.gradCopy());
        }
        for (int i = 0; i < analytic.size(); i++) {
            Parameter p = model.parameters().get(i);
            GradientCheck.assertGradient(p.name(), p, analytic.get(i),
                    () -> f.compute(model, Batch.of(x), ctx).total());
        }
    }

    @Test
    void aUserModelTrainsSavesAndLoadsBitForBit() throws IOException {
        assertTrue(ModelCodecs.kinds().contains(GatedVae.KIND), "found by ServiceLoader: " + ModelCodecs.kinds());
        GatedVae model = new GatedVae(12, 8, 3, 7);
        assertEquals(List.of("encoder.0.weight", "encoder.0.bias", "encoder.2.scale", "encoder.2.shift",
                "fc_mu.weight", "fc_mu.bias", "fc_logvar.weight", "fc_logvar.bias", "decoder.0.weight",
                "decoder.0.bias", "decoder.2.scale", "decoder.2.shift", "decoder.3.weight", "decoder.3.bias"),
                model.parameters().stream().map(Parameter::name).toList());
        FMatrixRMaj x = data(240, 12, 1);
        List<EpochStats> history = Trainer.builder().epochs(8).batchSize(32).seed(3)
                .objective(() -> new PenalisedElbo(0.1)).optimizer(() -> new Adam(1e-2)).build().train(model, x);
        assertEquals(8, history.size());
        double first = history.get(0).trainLoss();
        double last = history.get(history.size() - 1).trainLoss();
        assertTrue(last < first * 0.9, "loss " + first + " -> " + last);

        Path file = dir.resolve("gated.safetensors");
        ModelFiles.save(model, file, Map.of("note", "user model"));
        assertEquals(GatedVae.KIND, ModelFiles.readMetadata(file).get("vae4j.model"));
        LatentModel loaded = ModelFiles.load(file);
        GatedVae again = assertInstanceOf(GatedVae.class, loaded);
        assertEquals(model.parameters().size(), again.parameters().size());
        for (int i = 0; i < model.parameters().size(); i++) {
            Parameter a = model.parameters().get(i);
            Parameter b = again.parameters().get(i);
            assertEquals(a.name(), b.name());
            assertArrayEquals(a.valueCopy().data, b.valueCopy().data, 0f, a.name());
        }
        FMatrixRMaj probe = data(20, 12, 9);
        assertArrayEquals(model.encodeMean(probe).data, again.encodeMean(probe).data, 0f, "encodeMean");
        assertArrayEquals(model.reconstruct(probe).data, again.reconstruct(probe).data, 0f, "reconstruct");
        assertEquals(GatedVae.class, ModelFiles.load(file, GatedVae.class).getClass());

        // the evaluations take it as any latent model
        assertTrue(Double.isFinite(Elbo.estimate(again, probe, 3, new SplittableRandom(1)).negativeElbo()));
        assertTrue(Double.isFinite(ImportanceWeighted.logLikelihood(again, probe, 10, new SplittableRandom(1))
                .logLikelihood()));
        assertEquals(3, LatentUsage.klPerDimension(again, probe).length);
    }

    @Test
    void aKindWithoutACodecIsRefusedWithHowToRegisterOne() throws IOException {
        ComposedLatentModel odd = new ComposedLatentModel("test-unregistered", "encoder",
                Sequential.of(new Dense(4, 3, Init.TORCH_DEFAULT, new SplittableRandom(1))),
                new DiagonalGaussianPosterior(3, 2, Init.TORCH_DEFAULT, new SplittableRandom(2)), "decoder",
                Sequential.of(new Dense(2, 4, Init.TORCH_DEFAULT, new SplittableRandom(3))),
                BernoulliLikelihood.INSTANCE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(odd, dir.resolve("odd.safetensors")));
        assertTrue(e.getMessage().contains("'test-unregistered'") && e.getMessage().contains("ModelCodecs.register"),
                e.getMessage());

        // a file of an unknown kind (written here by hand-editing a saved file's kind)
        Path p = dir.resolve("gated.safetensors");
        ModelFiles.save(new GatedVae(4, 3, 2, 1), p);
        ModelFiles.save(new GatedVae(4, 3, 2, 1), dir.resolve("gated2.safetensors"));
        Map<String, String> meta = new java.util.LinkedHashMap<>(ModelFiles.readMetadata(p));
        meta.put("vae4j.model", "test-unregistered");
        meta.remove("vae4j.data_sha256");
        meta.remove("vae4j.sha256");
        meta.remove("vae4j.digest");
        List<org.vae4j.io.FloatTensor> tensors = new ArrayList<>();
        try (org.vae4j.io.SafeTensorsFile f = org.vae4j.io.SafeTensors.open(p)) {
            for (String name : f.tensors().keySet()) {
                tensors.add(new org.vae4j.io.FloatTensor(name, f.tensors().get(name).shape(), f.readFloats(name)));
            }
        }
        org.vae4j.io.SafeTensors.write(p, meta, tensors);
        ModelFileException f = assertThrows(ModelFileException.class, () -> ModelFiles.load(p));
        assertTrue(f.getMessage().contains("'test-unregistered'") && f.getMessage().contains("ModelCodecs.register")
                && f.getMessage().contains("META-INF/services/org.vae4j.io.ModelCodec"), f.getMessage());

        // loadInto needs no codec: the names and shapes are the model's own
        Path q = dir.resolve("odd.safetensors");
        List<org.vae4j.io.FloatTensor> state = new ArrayList<>();
        for (Parameter t : odd.parameters()) {
            long[] shape = t.name().endsWith(".bias") ? new long[] {t.size()}
                    : new long[] {t.rows(), t.cols()};
            state.add(new org.vae4j.io.FloatTensor(t.name(), shape, t.valueCopy().data));
        }
        org.vae4j.io.SafeTensors.write(q, Map.of(), state);
        ComposedLatentModel target = new ComposedLatentModel("test-unregistered", "encoder",
                Sequential.of(new Dense(4, 3, Init.TORCH_DEFAULT, new SplittableRandom(4))),
                new DiagonalGaussianPosterior(3, 2, Init.TORCH_DEFAULT, new SplittableRandom(5)), "decoder",
                Sequential.of(new Dense(2, 4, Init.TORCH_DEFAULT, new SplittableRandom(6))),
                BernoulliLikelihood.INSTANCE);
        ModelFiles.loadInto(q, target);
        for (int i = 0; i < odd.parameters().size(); i++) {
            assertArrayEquals(odd.parameters().get(i).valueCopy().data, target.parameters().get(i).valueCopy().data, 0f);
        }
        // and refuses the file of another kind
        ModelFileException g = assertThrows(ModelFileException.class,
                () -> ModelFiles.loadInto(dir.resolve("gated2.safetensors"), target));
        assertTrue(g.getMessage().contains("kind 'test-gated-vae'"), g.getMessage());
    }

    @Test
    void codecsRegisteredProgrammaticallyAreUsedAndDuplicatesRefused() {
        ModelCodec<GatedVae> twin = new GatedVaeCodec();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCodecs.register(twin));
        assertTrue(e.getMessage().contains("already has a ModelCodec"), e.getMessage());
        ModelCodecs.register(new GatedVaeCodec() {
            @Override
            public String kind() {
                return "test-gated-vae-2";
            }
        });
        assertTrue(ModelCodecs.forKind("test-gated-vae-2").isPresent());
    }

    /** A user likelihood: Bernoulli with its logits divided by a temperature (here only its name and file entry matter). */
    public record TemperedBernoulli(double temperature) implements org.vae4j.loss.Likelihood {
        private static final BernoulliLikelihood B = BernoulliLikelihood.INSTANCE;

        public Activation requiredOutputActivation() {
            return B.requiredOutputActivation();
        }

        public Activation defaultOutputActivation() {
            return B.defaultOutputActivation();
        }

        public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
            return B.negLogLikelihood(out, x, scale, dout);
        }

        public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow) {
            B.negLogLikelihoodPerRow(out, x, perRow);
        }

        public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
            B.mean(out, meanOut);
        }

        public void validate(FMatrixRMaj x, String what) {
            B.validate(x, what);
        }

        public String describe() {
            return "tempered-bernoulli";
        }
    }

    @Test
    void aUserLikelihoodIsSavedOnceItsCodecIsRegistered() throws IOException {
        Vae vae = Vae.builder(6).hidden(4).latent(2).likelihood(new TemperedBernoulli(2.5)).build();
        Path p = dir.resolve("tempered.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.save(vae, p));
        assertTrue(e.getMessage().contains("register a LikelihoodCodec"), e.getMessage());
        LikelihoodCodecs.register(new org.vae4j.io.LikelihoodCodec() {
            public String name() {
                return "test-tempered-bernoulli";
            }

            public boolean handles(org.vae4j.loss.Likelihood l) {
                return l instanceof TemperedBernoulli;
            }

            public void write(org.vae4j.loss.Likelihood l, Map<String, String> metadata) {
                metadata.put("vae4j.test_temperature", Double.toString(((TemperedBernoulli) l).temperature()));
            }

            public org.vae4j.loss.Likelihood read(ModelHeader header) throws ModelFileException {
                return new TemperedBernoulli(header.number("vae4j.test_temperature"));
            }
        });
        ModelFiles.save(vae, p);
        Vae again = ModelFiles.loadVae(p);
        assertEquals(new TemperedBernoulli(2.5), again.likelihood());
        assertEquals("test-tempered-bernoulli", ModelFiles.readMetadata(p).get("vae4j.likelihood"));
    }

    @Test
    void importanceWeightingRefusesAPointMassPosterior() {
        Autoencoder ae = Autoencoder.builder(6).hidden(4).latent(2).build();
        FMatrixRMaj x = data(5, 6, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImportanceWeighted.logLikelihood(ae, x, 3, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("needs a posterior with a density"), e.getMessage());
        // the ELBO of a point mass is its reconstruction loss
        assertEquals(ae.negativeElbo(x, new SplittableRandom(1)).total(),
                Elbo.estimate(ae, x, 1, new SplittableRandom(1)).negativeElbo(), 1e-9);
    }
}
