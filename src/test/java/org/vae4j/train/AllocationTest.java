package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.vae4j.Vae;
import org.vae4j.objective.Corruption;

/**
 * A training step allocates nothing in steady state. After warm-up (so the JIT has compiled the
 * kernels), the bytes the training thread allocates are measured over the same number of epochs
 * on a small and on a three times larger data set with the same short last batch: the per-epoch
 * costs (two generators, the statistics, the log line, and the short batch, whose shape can take
 * a code path too rarely run to be compiled yet) are the same in both, so the difference divided
 * by the extra steps is what one full step allocates. Checked on the fast backend (EJML's multi-threaded multiply allocates
 * its tasks on every call).
 */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class AllocationTest {

    /**
     * The bar for "nothing": a boxed vector or a per-step buffer in any kernel costs tens of
     * kilobytes per step; a few stray bytes per step can still come from the JIT's own work.
     */
    static final double MAX_BYTES_PER_STEP = 256;

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long[] bytesAndSteps(Trainer t, Vae vae, FMatrixRMaj x) {
        long thread = Thread.currentThread().getId();
        long before = MX.getThreadAllocatedBytes(thread);
        List<EpochStats> h = t.train(vae, x);
        long bytes = MX.getThreadAllocatedBytes(thread) - before;
        return new long[] {bytes, h.stream().mapToLong(EpochStats::steps).sum()};
    }

    /**
     * Bytes one step allocates: warms up, then measures the difference between a small and a
     * large data set (same short last batch) three times and keeps the least, since a JIT
     * compilation finishing during one measurement can add a few stray bytes to it.
     */
    static double bytesPerStep(Trainer t, Vae vae, FMatrixRMaj small, FMatrixRMaj large) {
        for (int i = 0; i < 6; i++) {
            t.train(vae, small);
            t.train(vae, large);
        }
        double least = Double.POSITIVE_INFINITY;
        for (int attempt = 0; attempt < 3; attempt++) {
            long[] a = bytesAndSteps(t, vae, small);
            long[] b = bytesAndSteps(t, vae, large);
            least = Math.min(least, (double) (b[0] - a[0]) / (b[1] - a[1]));
        }
        return least;
    }

    @Test
    void trainingStepAllocatesNothingInSteadyState() {
        FMatrixRMaj small = TrainerTest.prototypes(1000, 64, 11); // 31 batches of 32 and one of 8
        FMatrixRMaj large = TrainerTest.prototypes(3048, 64, 12); // 95 batches of 32 and one of 8
        Vae vae = Vae.builder(64).hidden(48).latent(8).seed(1).build();
        Trainer t = Trainer.builder().epochs(10).batchSize(32).build();
        double perStep = bytesPerStep(t, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "a step allocates " + perStep + " bytes");
    }

    /**
     * A model large enough (41,000 parameters, over the 2^15 threshold) that the optimiser's pass
     * is split over a 2-thread GEMM backend's threads (Adam, and AdamW): still no allocation.
     */
    @Test
    void aStepWithTheOptimiserSplitOverTwoThreadsAllocatesNothing() {
        FMatrixRMaj small = TrainerTest.prototypes(1000, 64, 11);
        FMatrixRMaj large = TrainerTest.prototypes(3048, 64, 12);
        Vae vae = Vae.builder(64).hidden(256).latent(8).seed(1).build();
        vae.setGemm(org.vae4j.kernel.Gemms.create("vector", 2));
        assertTrue(vae.parameterCount() > 1 << 15, vae.parameterCount() + " parameters");
        Trainer t = Trainer.builder().epochs(10).batchSize(32).build();
        double perStep = bytesPerStep(t, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "a step allocates " + perStep + " bytes");
        Trainer w = Trainer.builder().epochs(10).batchSize(32).weightDecay(0.01).build();
        perStep = bytesPerStep(w, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "an AdamW step allocates " + perStep + " bytes");
    }

    /** As above, with denoising: the extra steps of a three times larger data set cost no allocation. */
    @Test
    void aCorruptedTrainingStepAllocatesNothingInSteadyState() {
        FMatrixRMaj small = DenoisingTest.prototypes(1000, 64, 11);
        FMatrixRMaj large = DenoisingTest.prototypes(3048, 64, 12); // the same short last batch as 1000 rows
        Vae vae = Vae.builder(64).hidden(48).latent(8).seed(1).build();
        Trainer t = Trainer.builder().epochs(10).batchSize(32).corruption(Corruption.gaussian(0.2)).build();
        double perStep = bytesPerStep(t, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "a step allocates " + perStep + " bytes");
    }

    /** The IWAE bound (K = 3: one 3 B-row pass) and, separately, free bits with a cyclical KL schedule. */
    @Test
    void iwaeAndFreeBitsStepsAllocateNothingInSteadyState() {
        FMatrixRMaj small = TrainerTest.prototypes(1000, 64, 15);
        FMatrixRMaj large = TrainerTest.prototypes(3048, 64, 16);
        Vae vae = Vae.builder(64).hidden(48).latent(8).seed(3).build();
        Trainer iwae = Trainer.builder().epochs(10).batchSize(32).objective("iwae:3").build();
        double perStep = bytesPerStep(iwae, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "an IWAE step allocates " + perStep + " bytes");
        Trainer freeBits = Trainer.builder().epochs(10).batchSize(32).freeBits(0.1).klSchedule("cyclical:50,0.5")
                .build();
        perStep = bytesPerStep(freeBits, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "a free-bits step allocates " + perStep + " bytes");
    }

    /** The same with a cosine schedule and warm-up set before each step, AdamW and gradient-norm clipping. */
    @Test
    void trainingStepWithScheduleClippingAndAdamWAllocatesNothing() {
        FMatrixRMaj small = TrainerTest.prototypes(1000, 64, 13);
        FMatrixRMaj large = TrainerTest.prototypes(3048, 64, 14);
        Vae vae = Vae.builder(64).hidden(48).latent(8).seed(2).build();
        Trainer t = Trainer.builder().epochs(10).batchSize(32).lrSchedule("cosine").lrWarmupSteps(20)
                .weightDecay(0.01).clipGradNorm(0.5).build();
        double perStep = bytesPerStep(t, vae, small, large);
        assertTrue(perStep < MAX_BYTES_PER_STEP, "a step allocates " + perStep + " bytes");
    }

    /** A conditional VAE's step (the condition rows gathered with the batch, set into both Concats) allocates nothing. */
    @Test
    void aConditionalTrainingStepAllocatesNothing() {
        FMatrixRMaj small = TrainerTest.prototypes(1000, 64, 15);
        FMatrixRMaj large = TrainerTest.prototypes(3048, 64, 16);
        FMatrixRMaj cSmall = org.vae4j.ConditionalVae.oneHot(labels(1000), 3);
        FMatrixRMaj cLarge = org.vae4j.ConditionalVae.oneHot(labels(3048), 3);
        org.vae4j.ConditionalVae cvae = org.vae4j.ConditionalVae.builder(64, 3).hidden(48).latent(8).seed(3).build();
        Trainer t = Trainer.builder().epochs(10).batchSize(32).build();
        org.vae4j.optim.Optimizer[] opt = new org.vae4j.optim.Optimizer[1];
        for (int i = 0; i < 6; i++) {
            t.train(cvae, small, cSmall, t.newOptimizer());
            t.train(cvae, large, cLarge, t.newOptimizer());
        }
        long thread = Thread.currentThread().getId();
        double least = Double.POSITIVE_INFINITY;
        for (int attempt = 0; attempt < 3; attempt++) {
            long[] bytes = new long[2];
            long[] steps = new long[2];
            for (int k = 0; k < 2; k++) {
                opt[0] = t.newOptimizer();
                long before = MX.getThreadAllocatedBytes(thread);
                List<EpochStats> h = k == 0 ? t.train(cvae, small, cSmall, opt[0]) : t.train(cvae, large, cLarge, opt[0]);
                bytes[k] = MX.getThreadAllocatedBytes(thread) - before;
                steps[k] = h.stream().mapToLong(EpochStats::steps).sum();
            }
            least = Math.min(least, (double) (bytes[1] - bytes[0]) / (steps[1] - steps[0]));
        }
        assertTrue(least < MAX_BYTES_PER_STEP, "a conditional step allocates " + least + " bytes");
    }

    private static int[] labels(int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = (i * 7) % 3;
        }
        return l;
    }
}
