package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vae4j.Fixture.assertClose;
import static org.vae4j.Fixture.assertTensor;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.kernel.Elementwise;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.CategoricalLikelihood;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Parameter;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;

/**
 * The table likelihoods against PyTorch (src/test/python/make_tabular_fixtures.py): each one
 * alone (loss, d/d out, the log-variance parameter's gradient, per row, per column, with missing
 * cells), and a VAE with the composite of all of them (loss and every parameter's gradient, with
 * missing cells filled and masked as the library does it), to ~1e-5.
 */
class TabularParityTest {

    private static final Fixture F = Fixture.load("/parity/tabular_likelihoods.txt");

    /** Runs one likelihood on a fixture case and compares everything it computes. */
    private static void assertCase(String name, Likelihood lik, int columns) {
        FMatrixRMaj out = F.tensor(name + ".out");
        FMatrixRMaj x = F.tensor(name + ".x");
        FMatrixRMaj mask = F.tensor(name + ".mask");
        FMatrixRMaj dout = new FMatrixRMaj(out.numRows, out.numCols);
        for (Parameter p : lik.parameters()) {
            p.zeroGrad();
        }
        double loss = lik.negLogLikelihood(Elementwise.get(), out, x, mask, (float) F.scalar("scale"), dout);
        assertClose(F.scalar(name + ".loss"), loss, name + ".loss");
        assertTensor(F.tensor(name + ".dout"), dout, name + ".dout");

        double[] perRow = new double[x.numRows];
        lik.negLogLikelihoodPerRow(out, x, mask, perRow);
        assertTensor(F.tensor(name + ".perrow"), column(perRow), name + ".perrow");
        assertEquals(columns, lik.columnCount(x.numCols));
        double[] perColumn = new double[x.numRows * columns];
        lik.negLogLikelihoodPerColumn(out, x, mask, perColumn);
        assertTensor(F.tensor(name + ".percol"), new FMatrixRMaj(x.numRows, columns, true, floats(perColumn)),
                name + ".percol");
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static FMatrixRMaj column(double[] v) {
        return new FMatrixRMaj(v.length, 1, true, floats(v));
    }

    @Test
    void gaussianWithLearnedVarianceMatchesLossOutputAndLogVarianceGradients() {
        LearnedGaussianLikelihood lik = LearnedGaussianLikelihood.perColumn(3, F.scalar("bound"));
        lik.logVar().set(F.tensor("learned.log_var").data);
        assertCase("learned", lik, 3);
        assertTensor(F.tensor("learned.dlog_var"), gradOf(lik.logVar()), "learned.dlog_var");
    }

    private static FMatrixRMaj gradOf(Parameter p) {
        FMatrixRMaj g = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.gradArray(), p.offset(), g.data, 0, p.size());
        return g;
    }

    @Test
    void heteroscedasticGaussianMatchesLossAndBothOutputGradients() {
        assertCase("hetero", LearnedGaussianLikelihood.heteroscedastic(3, F.scalar("bound")), 3);
    }

    @Test
    void bernoulliWithMaskMatchesPyTorch() {
        assertCase("bernoulli", BernoulliLikelihood.INSTANCE, 3);
    }

    @Test
    void categoricalWithAWholeSpanMissingMatchesPyTorch() {
        assertCase("categorical", new CategoricalLikelihood(4), 1);
    }

    /** [gaussian-learned(2), gaussian-heteroscedastic(1), bernoulli(2), categorical(3)]: the fixture's table. */
    static CompositeLikelihood fixtureComposite() {
        return CompositeLikelihood.builder().gaussian(2).heteroscedasticGaussian(1).bernoulli(2).categorical(3)
                .build();
    }

    @Test
    void vaeWithCompositeLikelihoodAndMissingCellsMatchesLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/vae_composite.txt");
        Vae vae = Vae.builder(8).hidden(6).latent(2).likelihood(fixtureComposite()).build();
        List<Parameter> ps = vae.parameters();
        assertEquals(11, ps.size(), "fc1, fc_mu, fc_logvar, fc3, fc4 and likelihood.0.log_var");
        assertEquals("likelihood.0.log_var", ps.get(10).name());
        for (Parameter p : ps) {
            FMatrixRMaj ref = f.tensor(p.name());
            assertEquals(p.rows(), ref.numRows, p.name() + " rows");
            assertEquals(p.cols(), ref.numCols, p.name() + " cols");
            p.set(ref.data);
        }
        // NaN cells to the encoder's neutral input and the mask, as the trainer does it
        FMatrixRMaj raw = f.tensor("x_raw");
        vae.checkData(raw, "batch");
        FMatrixRMaj x = new FMatrixRMaj(1, 1);
        FMatrixRMaj mask = MissingCells.split(vae.likelihood(), raw, x, "batch");
        assertTensor(f.tensor("x"), x, "filled x");
        assertTensor(f.tensor("mask"), mask, "mask");

        int[] ids = {0, 1, 2, 3, 4};
        Batch batch = new Batch().set(x, x, null, mask, ids, 0);
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, 1.0, x.numRows).fixedNoise(f.tensor("eps0"));
        Loss loss = new GradientFunction(new NegativeElbo(), 1).compute(vae, batch, ctx);
        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon");
        assertClose(f.scalar("kl"), loss.kl(), "kl");
        for (Parameter p : ps) {
            assertTensor(f.tensor("grad." + p.name()), gradOf(p), "grad." + p.name());
        }
        // micro-batches carry the mask too: drawn noise, one pass and two parts give the same gradient
        StepContext drawn = new StepContext(new Noise(5)).set(1, 0, 1.0, x.numRows);
        Loss whole = new GradientFunction(new NegativeElbo(), 1).compute(vae, batch, drawn);
        FMatrixRMaj[] grads = new FMatrixRMaj[ps.size()];
        for (int k = 0; k < ps.size(); k++) {
            grads[k] = gradOf(ps.get(k));
        }
        Loss parts = new GradientFunction(new NegativeElbo(), 2).compute(vae, batch, drawn);
        assertClose(whole.total(), parts.total(), "loss in two micro-batches");
        for (int k = 0; k < ps.size(); k++) {
            assertTensor(grads[k], gradOf(ps.get(k)), "micro-batched grad." + ps.get(k).name());
        }
    }
}
