package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;

/** {@link TrainingRun#epochOrder}: the order in which a run really visits the rows. */
class EpochOrderTest {

    /** The ELBO, recording the data-set index of every row it sees, in order. */
    private static final class Recording implements Objective {
        final NegativeElbo inner = new NegativeElbo();
        final List<Integer> rows = new ArrayList<>();

        @Override
        public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
            for (int r = 0; r < batch.rows(); r++) {
                rows.add(batch.rowId(r));
            }
            return inner.computeGradients(model, batch, context);
        }

        @Override
        public String describe() {
            return "recording " + inner.describe();
        }
    }

    @Test
    void isTheOrderInWhichEachEpochVisitsTheRows() {
        int n = 23;
        FMatrixRMaj x = new FMatrixRMaj(n, 4);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (i * 7 % 10) / 10f;
        }
        Vae vae = Vae.builder(4).hidden(5).latent(2).seed(3).build();
        Recording rec = new Recording();
        Trainer.builder().epochs(3).batchSize(5).seed(11).microBatches(2).objective(() -> rec).build().train(vae, x);
        assertEquals(3 * n, rec.rows.size());
        for (int e = 1; e <= 3; e++) {
            int[] seen = rec.rows.subList((e - 1) * n, e * n).stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(TrainingRun.epochOrder(11, e, n), seen, "epoch " + e);
        }
        int[] sorted = TrainingRun.epochOrder(11, 1, n).clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(TrainingRun.epochOrder(11, 1, n), TrainingRun.epochOrder(11, 2, n)));
        assertFalse(Arrays.equals(TrainingRun.epochOrder(11, 1, n), TrainingRun.epochOrder(12, 1, n)));
    }

    @Test
    void refusesAnEmptyEpoch() {
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.epochOrder(1, 1, 0));
    }
}
