package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.train.EpochStats;
import org.vae4j.train.GradientFunction;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingRun;

/**
 * Models with the composite table likelihood: whole-model gradients (the likelihood's log-variance
 * included) against finite differences with missing cells, the model's handling of NaN (neutral
 * encoder input, masked loss) in evaluation, and training on a small mixed table.
 */
class CompositeModelTest {

    /** [gaussian-learned(2), gaussian-heteroscedastic(1), bernoulli(2), categorical(3)], d = 8. */
    static CompositeLikelihood table() {
        return TabularParityTest.fixtureComposite();
    }

    /**
     * A mixed table driven by two latent factors: numeric 0..2, binary 3..4, a 3-way category
     * 5..7; a fraction {@code missing} of the cells NaN (a categorical span as a whole).
     */
    static FMatrixRMaj mixedTable(int n, double missing, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, 8);
        for (int r = 0; r < n; r++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            x.set(r, 0, (float) (a + 0.1 * rng.nextGaussian()));
            x.set(r, 1, (float) (a - b + 0.1 * rng.nextGaussian()));
            x.set(r, 2, (float) (b + (0.1 + 0.5 * Math.abs(a)) * rng.nextGaussian()));
            x.set(r, 3, rng.nextDouble() < 1 / (1 + Math.exp(-3 * a)) ? 1f : 0f);
            x.set(r, 4, rng.nextDouble() < 1 / (1 + Math.exp(3 * b)) ? 1f : 0f);
            x.set(r, 5 + (a + b > 0.7 ? 0 : a + b < -0.7 ? 2 : 1), 1f);
            for (int j = 0; j < 5; j++) {
                if (rng.nextDouble() < missing) {
                    x.set(r, j, Float.NaN);
                }
            }
            if (rng.nextDouble() < missing) {
                x.set(r, 5, Float.NaN);
                x.set(r, 6, Float.NaN);
                x.set(r, 7, Float.NaN);
            }
        }
        return x;
    }

    private static FMatrixRMaj valueOf(Parameter p) {
        FMatrixRMaj v = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.valueArray(), p.offset(), v.data, 0, p.size());
        return v;
    }

    private static FMatrixRMaj gradOf(Parameter p) {
        FMatrixRMaj g = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.gradArray(), p.offset(), g.data, 0, p.size());
        return g;
    }

    /** The negative ELBO of the rows with NaN cells filled and masked as the trainer does, with fixed noise. */
    private static Loss loss(LatentModel model, FMatrixRMaj raw, FMatrixRMaj eps) {
        FMatrixRMaj x = new FMatrixRMaj(1, 1);
        FMatrixRMaj mask = MissingCells.split(model.likelihood(), raw, x, "batch");
        int[] ids = new int[raw.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, 1.0, raw.numRows).fixedNoise(eps);
        return new GradientFunction(new NegativeElbo(), 1).compute(model, new Batch().set(x, x, null, mask, ids, 0),
                ctx);
    }

    @Test
    void everyGradientOfAVaeWithTheCompositeLikelihoodMatchesFiniteDifferencesWithMissingCells() {
        Vae vae = Vae.builder(8).init(Init.BY_ACTIVATION).hidden(7).latent(2).activation(Activation.TANH).seed(4)
                .likelihood(table()).build();
        assertEquals(9, vae.decoder().outputSize());
        vae.parameterStore().get("likelihood.0.log_var").set(new float[] {0.3f, -0.6f});
        FMatrixRMaj raw = mixedTable(4, 0.25, 9);
        assertTrue(MissingCells.any(raw));
        SplittableRandom rng = new SplittableRandom(2);
        FMatrixRMaj eps = new FMatrixRMaj(4, 2);
        for (int i = 0; i < eps.getNumElements(); i++) {
            eps.data[i] = (float) rng.nextGaussian();
        }
        loss(vae, raw, eps);
        List<FMatrixRMaj> analytic = new ArrayList<>();
        for (Parameter p : vae.parameters()) {
            analytic.add(gradOf(p));
        }
        List<Parameter> ps = vae.parameters();
        assertEquals("likelihood.0.log_var", ps.get(ps.size() - 1).name());
        for (int k = 0; k < ps.size(); k++) {
            Parameter p = ps.get(k);
            FMatrixRMaj values = valueOf(p);
            GradientCheck.assertGradient(p.name(), values, analytic.get(k), () -> {
                p.set(values.data);
                return loss(vae, raw, eps).total();
            });
            p.set(values.data);
        }
    }

    @Test
    void twoModelsBuiltFromOneLikelihoodDoNotShareItsParameters() {
        CompositeLikelihood t = table();
        Vae a = Vae.builder(8).hidden(4).latent(2).likelihood(t).build();
        Vae b = Vae.builder(8).hidden(4).latent(2).likelihood(t).build();
        Parameter pa = a.parameterStore().get("likelihood.0.log_var");
        Parameter pb = b.parameterStore().get("likelihood.0.log_var");
        assertTrue(!pa.sameTensor(pb));
        assertTrue(!pa.sameTensor(t.parameters().get(0)));
    }

    @Test
    void evaluationMasksMissingCellsAndFeedsTheEncoderTheirNeutralValue() {
        // an autoencoder: no noise, so evaluate's reconstruction term can be recomputed exactly
        Autoencoder ae = Autoencoder.builder(8).hidden(6).latent(3).likelihood(table()).seed(3).build();
        FMatrixRMaj raw = mixedTable(30, 0.2, 5);
        FMatrixRMaj filled = new FMatrixRMaj(1, 1);
        Likelihood lik = ae.likelihood();
        FMatrixRMaj mask = MissingCells.split(lik, raw, filled, "data");

        FMatrixRMaj code = ae.encodeMean(raw);
        assertEquals(code.getNumElements(), ae.encodeMean(filled).getNumElements());
        for (int i = 0; i < code.getNumElements(); i++) {
            assertEquals(ae.encodeMean(filled).data[i], code.data[i], "the encoder sees the neutral value");
        }
        FMatrixRMaj out = ae.decoderOutput(code);
        double[] perRow = new double[30];
        lik.negLogLikelihoodPerRow(out, filled, mask, perRow);
        double expected = 0;
        for (double v : perRow) {
            expected += v;
        }
        Loss l = ae.negativeElbo(raw, new Noise(1));
        assertEquals(expected / 30, l.reconstruction(), 1e-9 * Math.abs(expected));
        // the neutral value is not imputed into the loss: scored as observed, the filled cells change it
        assertNotEquals(l.reconstruction(), ae.negativeElbo(filled, new Noise(1)).reconstruction());
    }

    @Test
    void theElboAndImportanceWeightedEstimatesLeaveMissingCellsOut() {
        Autoencoder ae = Autoencoder.builder(8).hidden(6).latent(3).likelihood(table()).seed(3).build();
        FMatrixRMaj raw = mixedTable(20, 0.2, 6);
        assertEquals(ae.negativeElbo(raw, new Noise(1)).reconstruction(),
                org.vae4j.eval.Elbo.estimate(ae, raw, 1, new SplittableRandom(1)).reconstruction(), 1e-9);
        Vae vae = Vae.builder(8).hidden(6).latent(2).likelihood(table()).seed(3).build();
        org.vae4j.eval.LogLikelihoodEstimate iw = org.vae4j.eval.ImportanceWeighted.logLikelihood(vae, raw, 8,
                new SplittableRandom(2));
        assertTrue(Double.isFinite(iw.logLikelihood()) && iw.logLikelihood() >= iw.elbo(),
                "log p " + iw.logLikelihood() + " >= ELBO " + iw.elbo() + " on the same draws");
        // one importance sample: its log-weight is minus a one-sample negative ELBO of the observed cells
        org.vae4j.eval.LogLikelihoodEstimate one = org.vae4j.eval.ImportanceWeighted.logLikelihood(vae, raw, 1,
                new SplittableRandom(2));
        assertEquals(one.elbo(), one.logLikelihood(), 1e-9);
    }

    @Test
    void nanIsStillAnErrorForAnImageLikelihood() {
        Vae vae = Vae.builder(4).hidden(3).latent(2).build();
        FMatrixRMaj x = new FMatrixRMaj(2, 4);
        x.set(1, 2, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vae.checkData(x, "input"));
        assertTrue(e.getMessage().contains("row 1, column 2"), e.getMessage());
    }

    @Test
    void trainingAVaeWithTheCompositeLikelihoodOnAMixedTableWithMissingCellsLowersTheLoss() {
        FMatrixRMaj data = mixedTable(600, 0.1, 21);
        FMatrixRMaj held = mixedTable(200, 0.1, 22);
        Vae vae = Vae.builder(8).hidden(32).latent(2).likelihood(table()).seed(5).build();
        double before = vae.negativeElbo(held, new Noise(3)).total();
        Trainer trainer = Trainer.builder().epochs(25).batchSize(32).learningRate(3e-3).seed(8).validation(100)
                .patience(100).build();
        TrainingRun run = trainer.start(vae, data);
        List<EpochStats> history = run.train();
        assertTrue(Double.isFinite(run.bestValue()), "validation rows with missing cells: " + run.bestValue());
        double after = vae.negativeElbo(held, new Noise(3)).total();
        assertTrue(Double.isFinite(after));
        assertTrue(history.get(history.size() - 1).trainLoss() < history.get(0).trainLoss() - 1,
                "train loss " + history.get(0).trainLoss() + " -> " + history.get(history.size() - 1).trainLoss());
        assertTrue(after < before - 1, "held-out negative ELBO " + before + " -> " + after);
        // the learned log-variances fell from 0: columns 0 and 1 are predictable from z (noise sd 0.1)
        FMatrixRMaj logVar = valueOf(vae.parameterStore().get("likelihood.0.log_var"));
        assertTrue(logVar.data[0] < -0.25 && logVar.data[1] < -0.25,
                "learned log-variances " + logVar.data[0] + ", " + logVar.data[1]);
    }
}
