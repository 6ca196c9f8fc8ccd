package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/** A Spark run's checkpoint resumes locally, a local one on Spark, both bit-identical to an uninterrupted run. */
class CheckpointInteropTest {

    private static final int N = 2;

    @TempDir
    Path dir;

    private static TrainerConfig config(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(40).seed(3).learningRate(2e-3).microBatches(N).buildConfig();
    }

    private static Vae model() {
        Vae v = Vae.builder(784).hidden(16).latent(3).seed(9).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    private static FMatrixRMaj data() {
        return SparkTestSession.mnist(100);
    }

    private static JavaRDD<float[]> rdd(FMatrixRMaj x) {
        return SparkTestSession.context().parallelize(SparkTestSession.rows(x), 2);
    }

    private static Vae straight() {
        Vae v = model();
        Trainer.builder().config(config(2)).build().train(v, data());
        return v;
    }

    @Test
    void aSparkCheckpointResumesLocally() throws IOException {
        Vae v = model();
        SparkTrainer t = SparkTrainer.builder(config(1)).partitions(2).build();
        Optimizer opt = t.config().newOptimizer();
        List<EpochStats> h = t.train(rdd(data()), v, opt);
        Path ck = dir.resolve("spark.safetensors");
        ModelFiles.saveCheckpoint(v, opt, t.state(h), ck);
        Checkpoint c = ModelFiles.loadCheckpoint(ck);
        assertEquals(N, c.training().config().microBatches());
        c.model().setGemm(Gemms.create(1));
        c.resume(c.training().trainerBuilder().epochs(2).build(), data()).train();
        SparkTrainerTest.assertSameBits(straight(), c.model(), "Spark epoch 1, local epoch 2");
    }

    @Test
    void aLocalCheckpointResumesOnSpark() throws IOException {
        Vae v = model();
        Trainer local = Trainer.builder().config(config(1)).build();
        Optimizer opt = local.newOptimizer();
        List<EpochStats> h = local.train(v, data(), opt);
        Path ck = dir.resolve("local.safetensors");
        ModelFiles.saveCheckpoint(v, opt, TrainingState.of(local, h), ck);
        Checkpoint c = ModelFiles.loadCheckpoint(ck);
        LatentModel m = c.model();
        m.setGemm(Gemms.create(1));
        SparkTrainer t = SparkTrainer.builder(Trainer.builder().config(c.training().config()).epochs(2).buildConfig())
                .partitions(3).microBatches(c.training().config().microBatches()).build();
        assertEquals(1, t.train(rdd(data()), m, c.optimizer()).size());
        SparkTrainerTest.assertSameBits(straight(), (Vae) m, "local epoch 1, Spark epoch 2");
    }
}
