package org.vae4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.vae4j.Loss;
import org.vae4j.nn.ParameterStore;
import org.vae4j.optim.GradientClipping;
import org.vae4j.optim.Adam;
import org.vae4j.optim.AdamW;
import org.vae4j.optim.Optimizer;

/**
 * The explicit non-exact option of {@link SparkTrainer}: K local steps between synchronisations
 * (local SGD / parameter averaging). In a round of K steps each partition starts from the
 * driver's parameters and Adam state, takes one optimiser step per step of the round on its own
 * micro-batches of that step (their gradients summed in index order, scaled by 1/(its rows of
 * the step): the mean over its shard), and sends back its parameters and moments; the driver
 * averages them over the partitions that took a step, in partition order (float32 sums, then
 * divided by the count), and sets the optimiser's step count to t + K. One Spark job per K steps
 * instead of one per step.
 *
 * <p>What it guarantees: with one partition it is the exact computation (the local trainer with
 * N micro-batches), for any K; for a given P it is deterministic (the same bits run after run,
 * whatever the scheduling or retries). It is not the local computation for P &gt; 1.
 * Adam and AdamW only (their moments are averaged). Stateless; thread-safe.
 */
final class ParameterAveraging {

    private ParameterAveraging() {
    }

    /** One partition's state after its local steps. */
    record Local(int partition, float[] values, List<float[]> expAvg, List<float[]> expAvgSq, double[] lossTimesRows,
                 double[] reconTimesRows, double[] klTimesRows, int[] rows) implements Serializable {
    }

    /** The settings of one round, from the driver. */
    record Round(long epoch, long firstStep, int steps, long globalStep, double[] betas, double[] learningRates,
                 double clip) implements Serializable {
    }

    /**
     * Runs a round and leaves the averaged parameters in {@code store} and the averaged moments in
     * {@code optimizer} (step count advanced by the round's steps).
     *
     * @return per step of the round, the loss per example over the rows that took part
     */
    static List<Loss> round(JavaSparkContext sc, Broadcast<ModelFile> file, JavaRDD<MicroBatch> parts, Round round,
                            ParameterStore store, Optimizer optimizer) {
        checkAdam(optimizer);
        Optimizer adam = optimizer;
        Map<String, List<float[]>> state = adam.state();
        Broadcast<float[]> values = sc.broadcast(store.values().clone());
        Broadcast<List<float[]>> m = sc.broadcast(new ArrayList<>(state.get("exp_avg")));
        Broadcast<List<float[]>> v = sc.broadcast(new ArrayList<>(state.get("exp_avg_sq")));
        try {
            List<Local> got = new ArrayList<>(parts.mapPartitionsWithIndex(
                    (index, it) -> local(file, values, m, v, round, index, it), false).collect());
            got.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            if (got.isEmpty()) {
                throw new IllegalStateException("no partition holds a row of steps " + (round.firstStep() + 1)
                        + ".." + (round.firstStep() + round.steps()) + " of epoch " + round.epoch());
            }
            store.setValues(average(got.stream().map(Local::values).toList()), 0);
            restore(adam, round.globalStep() + round.steps(), averageLists(got, true), averageLists(got, false));
            List<Loss> losses = new ArrayList<>();
            for (int j = 0; j < round.steps(); j++) {
                double total = 0;
                double recon = 0;
                double kl = 0;
                long rows = 0;
                for (Local l : got) {
                    total += l.lossTimesRows()[j];
                    recon += l.reconTimesRows()[j];
                    kl += l.klTimesRows()[j];
                    rows += l.rows()[j];
                }
                losses.add(new Loss(total / rows, recon / rows, kl / rows));
            }
            return losses;
        } finally {
            values.destroy();
            m.destroy();
            v.destroy();
        }
    }

    static void checkAdam(Optimizer o) {
        if (!(o instanceof Adam) && !(o instanceof AdamW)) {
            throw new IllegalArgumentException("local steps average Adam's moments: the optimiser must be Adam or "
                    + "AdamW, got " + o.describe());
        }
    }

    private static void restore(Optimizer o, long steps, List<float[]> m, List<float[]> v) {
        if (o instanceof Adam a) {
            a.restoreState(steps, m, v);
        } else if (o instanceof AdamW a) {
            a.restoreState(steps, m, v);
        } else {
            checkAdam(o);
        }
    }

    private static List<float[]> averageLists(List<Local> got, boolean first) {
        List<float[]> out = new ArrayList<>();
        int tensors = (first ? got.get(0).expAvg() : got.get(0).expAvgSq()).size();
        for (int k = 0; k < tensors; k++) {
            final int t = k;
            out.add(average(got.stream().map(l -> (first ? l.expAvg() : l.expAvgSq()).get(t)).toList()));
        }
        return out;
    }

    /** The element-wise mean, summed in list order in float32, then divided by the count. */
    static float[] average(List<float[]> arrays) {
        float[] sum = arrays.get(0).clone();
        for (int i = 1; i < arrays.size(); i++) {
            float[] a = arrays.get(i);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += a[j];
            }
        }
        float n = arrays.size();
        for (int j = 0; j < sum.length; j++) {
            sum[j] /= n;
        }
        return sum;
    }

    /** A partition's local steps; empty when it holds no micro-batch of the round. */
    private static Iterator<Local> local(Broadcast<ModelFile> file, Broadcast<float[]> values, Broadcast<List<float[]>> m,
                                         Broadcast<List<float[]>> v, Round round, int partition,
                                         Iterator<MicroBatch> it) {
        List<List<MicroBatch>> byStep = new ArrayList<>();
        for (int j = 0; j < round.steps(); j++) {
            byStep.add(new ArrayList<>());
        }
        boolean any = false;
        while (it.hasNext()) {
            MicroBatch mb = it.next();
            long j = mb.step() - round.firstStep();
            if (j >= 0 && j < round.steps()) {
                byStep.get((int) j).add(mb); // in (step, index) order: the partition is sorted
                any = true;
            }
        }
        if (!any) {
            return List.<Local>of().iterator();
        }
        Workers.Worker w = Workers.borrow(file);
        try {
            ParameterStore store = w.model.parameterStore();
            store.setValues(values.value(), 0);
            w.model.setTraining(true);
            Optimizer opt = w.config.newOptimizer();
            restore(opt, round.globalStep(), m.value(), v.value());
            double[] loss = new double[round.steps()];
            double[] recon = new double[round.steps()];
            double[] kl = new double[round.steps()];
            int[] rows = new int[round.steps()];
            float[] sums = new float[store.size()];
            for (int j = 0; j < round.steps(); j++) {
                List<MicroBatch> blocks = byStep.get(j);
                if (blocks.isEmpty()) {
                    continue;
                }
                int b = 0;
                for (MicroBatch mb : blocks) {
                    b += mb.rows();
                }
                for (int i = 0; i < blocks.size(); i++) {
                    MicroGradient g = w.gradient(store.values(), blocks.get(i), round.epoch(),
                            round.globalStep() + j, round.betas()[j], b, blocks.get(i).hasMissing());
                    if (i == 0) {
                        System.arraycopy(g.gradient(), 0, sums, 0, sums.length);
                    } else {
                        for (int q = 0; q < sums.length; q++) {
                            sums[q] += g.gradient()[q];
                        }
                    }
                    loss[j] += g.total() * b;
                    recon[j] += g.recon() * b;
                    kl[j] += g.kl() * b;
                }
                rows[j] = b;
                store.setGradients(sums, 0);
                if (round.clip() > 0) {
                    GradientClipping.clipGradNorm(w.model.parameters(), round.clip());
                }
                opt.setLearningRate(round.learningRates()[j]);
                opt.step(w.model.parameters(), w.model.kernels().elementwise());
            }
            Map<String, List<float[]>> state = opt.state();
            return List.of(new Local(partition, store.values().clone(), new ArrayList<>(state.get("exp_avg")),
                    new ArrayList<>(state.get("exp_avg_sq")), loss, recon, kl, rows)).iterator();
        } finally {
            Workers.release(w);
        }
    }
}
