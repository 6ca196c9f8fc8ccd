package org.vae4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.spark.broadcast.Broadcast;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.data.Binarisation;
import org.vae4j.kernel.Gemms;
import org.vae4j.objective.Batch;
import org.vae4j.objective.Denoising;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.train.TrainerConfig;

/**
 * The executors' model copies: one pool per broadcast model file, each worker a model built from
 * it (with one GEMM thread: the tasks are the parallelism) plus the objective of the run's
 * settings, used by one task at a time and returned to the pool after it. The pools of the two
 * most recent model files are kept per JVM.
 *
 * <p>Thread-safe.
 */
final class Workers {

    /** The broadcast model file's metadata key that turns on the epoch's binarisation of the rows ("true"). */
    static final String META_BINARISE = "spark.binarise";

    private static final int KEPT = 2;
    private static final Map<String, Pool> POOLS = new LinkedHashMap<>();

    private Workers() {
    }

    /** A copy of the model of {@code file} with its objective; give it back with {@link #release}. */
    static Worker borrow(Broadcast<ModelFile> file) {
        ModelFile f = file.value();
        Pool pool = pool(f.token());
        Worker w = pool.workers.poll();
        return w != null ? w : new Worker(pool, ModelBytes.load(f.bytes(), "the broadcast model file"));
    }

    static void release(Worker w) {
        w.pool.workers.add(w);
    }

    /** The free workers of one model file. */
    private record Pool(ConcurrentLinkedQueue<Worker> workers) {
    }

    /** The pool of the model file with this token. */
    private static Pool pool(String token) {
        synchronized (POOLS) {
            Pool q = POOLS.get(token);
            if (q == null) {
                q = new Pool(new ConcurrentLinkedQueue<>());
                POOLS.put(token, q);
                Iterator<String> it = POOLS.keySet().iterator();
                while (POOLS.size() > KEPT && it.hasNext()) {
                    it.next();
                    it.remove();
                }
            }
            return q;
        }
    }

    /** One model copy, its objective and buffers; one task at a time. */
    static final class Worker {
        private final Pool pool;
        final LatentModel model;
        final Objective objective;  // null when the file has no trainer settings (scoring only)
        final TrainerConfig config; // null likewise
        final StepContext context;
        final Batch batch = new Batch();
        final FMatrixRMaj mask = new FMatrixRMaj(1, 1);
        final Binarisation binarisation; // null: the rows as they are

        private Worker(Pool pool, ModelBytes.Loaded loaded) {
            this.pool = pool;
            this.model = loaded.model();
            model.setGemm(Gemms.create(1));
            this.config = loaded.training() != null ? loaded.training().config() : null;
            if (config != null) {
                Objective o = config.newObjective();
                this.objective = config.corruption().isNone() ? o : new Denoising(config.corruption(), o);
                this.context = new StepContext(new Noise(config.seed()));
            } else {
                this.objective = null;
                this.context = null;
            }
            this.binarisation = config != null && "true".equals(loaded.metadata().get(META_BINARISE))
                    ? new Binarisation(config.seed()) : null;
        }

        /**
         * The gradient of one micro-batch of a step with B rows, into zeroed gradients: as
         * {@link org.vae4j.train.GradientFunction} computes each of its micro-batches.
         *
         * @param values  the parameters, flat in the store's order
         * @param missing whether the step's whole batch has a missing cell (then every micro-batch gets a mask)
         */
        MicroGradient gradient(float[] values, MicroBatch mb, long epoch, long globalStep, double beta,
                               int batchRows, boolean missing) {
            model.parameterStore().setValues(values, 0);
            model.setTraining(true);
            FMatrixRMaj x = mb.matrix();
            FMatrixRMaj c = null;
            int cw = model.conditionSize();
            if (cw > 0) { // a conditional model's rows are [x | c]
                FMatrixRMaj both = x;
                int d = model.inputSize();
                x = new FMatrixRMaj(both.numRows, d);
                c = new FMatrixRMaj(both.numRows, cw);
                for (int r = 0; r < both.numRows; r++) {
                    System.arraycopy(both.data, r * (d + cw), x.data, r * d, d);
                    System.arraycopy(both.data, r * (d + cw) + d, c.data, r * cw, cw);
                }
            }
            if (binarisation != null) { // this epoch's draw of each row, keyed by its id: train-mnist --binarise
                binarisation.binarise(x, x, epoch, mb.ids());
            }
            FMatrixRMaj m = null;
            if (missing && model.likelihood().acceptsMissing()) {
                mask.reshape(x.numRows, x.numCols);
                model.likelihood().fillMissing(x, mask);
                m = mask;
            }
            context.set(epoch, globalStep, beta, batchRows);
            batch.set(x, x, c, m, mb.ids(), 0);
            model.zeroGrad();
            Loss l = objective.computeGradients(model, batch, context);
            return new MicroGradient(mb.index(), model.parameterStore().gradients().clone(), l.total(),
                    l.reconstruction(), l.kl());
        }

        /**
         * Checks rows as the local trainer checks its data (width, finite, the likelihood's
         * support) and a conditional model's conditions (each row [x | c]).
         */
        void check(List<float[]> rows, long firstId) {
            if (rows.isEmpty()) {
                return;
            }
            int d = model.inputSize();
            int cw = model.conditionSize();
            FMatrixRMaj x = new FMatrixRMaj(rows.size(), d);
            FMatrixRMaj c = cw > 0 ? new FMatrixRMaj(rows.size(), cw) : null;
            for (int r = 0; r < rows.size(); r++) {
                float[] row = rows.get(r);
                if (row.length != d + cw) {
                    throw new IllegalArgumentException("training row " + (firstId + r) + " has " + row.length
                            + " values but the model's input size is " + d + (cw > 0 ? " and its condition size "
                            + cw + " (a conditional model's rows are data then condition: " + (d + cw) + " values)"
                            : ""));
                }
                System.arraycopy(row, 0, x.data, r * d, d);
                if (c != null) {
                    System.arraycopy(row, d, c.data, r * cw, cw);
                }
            }
            String what = "training rows " + firstId + ".." + (firstId + rows.size() - 1) + " (row numbers within these)";
            model.checkData(x, what);
            if (c != null) {
                model.checkCondition(c, rows.size(), "the conditions of " + what);
            }
        }
    }

    /** Rows in chunks, for {@link Worker#check}. */
    static List<float[]> chunk(Iterator<float[]> it, int max) {
        List<float[]> out = new ArrayList<>();
        while (out.size() < max && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }
}
