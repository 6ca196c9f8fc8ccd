package org.vae4j.bench;

import java.nio.file.Path;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.Vae;
import org.vae4j.data.DataSets;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Training step time of the seed VAE (784-512-32) or the deep autoencoder (784-1000-500-250-30) on
 * the first ROWS MNIST training images: wall ms per step over epochs 2..EPOCHS and the training
 * thread's CPU ms per step, after a one-epoch warm-up. Written against the API that main 5b9f97e
 * and the open core share, so the same file compiles against either jar for a before/after pair:
 * <pre>
 *   StepTime seed|deep ROWS EPOCHS [DATA_DIR]
 * </pre>
 */
public final class StepTime {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int rows = Integer.parseInt(a[1]);
        int epochs = Integer.parseInt(a[2]);
        FMatrixRMaj all = DataSets.load("mnist", a.length > 3 ? Path.of(a[3]) : null).train().images();
        FMatrixRMaj x = new FMatrixRMaj(rows, all.numCols);
        System.arraycopy(all.data, 0, x.data, 0, rows * all.numCols);
        Trainer warm = Trainer.builder().epochs(1).batchSize(128).seed(42).build();
        Trainer t = Trainer.builder().epochs(epochs).batchSize(128).seed(42).build();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<EpochStats> h;
        long cpu0;
        if (model.equals("seed")) {
            Vae m = Vae.builder(784).hidden(512).latent(32).build();
            warm.train(m, x);
            cpu0 = mx.getCurrentThreadCpuTime();
            h = t.train(m, x);
        } else {
            Autoencoder m = Autoencoder.builder(784).hidden(1000, 500, 250).latent(30).build();
            warm.train(m, x);
            cpu0 = mx.getCurrentThreadCpuTime();
            h = t.train(m, x);
        }
        double cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6;
        double s = 0;
        long steps = 0;
        long allSteps = 0;
        for (EpochStats e : h) {
            allSteps += e.steps();
        }
        for (int i = 1; i < h.size(); i++) {
            s += h.get(i).seconds();
            steps += h.get(i).steps();
        }
        System.out.printf("%s ms/step %.4f  images/s %.0f  cpu-ms/step %.4f%n", model, 1000 * s / steps,
                (h.size() - 1) * (double) rows / s, cpuMs / allSteps);
    }
}
