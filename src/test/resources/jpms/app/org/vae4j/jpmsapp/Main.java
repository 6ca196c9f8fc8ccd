package org.vae4j.jpmsapp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.eval.Pca;
import org.vae4j.io.ModelFiles;
import org.vae4j.kernel.Gemms;
import org.vae4j.train.Trainer;

/** Trains, saves, loads and compares a small VAE from a named module; prints what it found. */
public final class Main {
    public static void main(String[] args) throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] x = new float[96][12];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextDouble() < 0.3 ? 1f : 0f;
            }
        }
        Vae vae = Vae.builder(12).hidden(8).latent(2).seed(5).build();
        var history = Trainer.builder().epochs(2).batchSize(32).seed(5).build().train(vae, x);
        Path file = Files.createTempDirectory("jpms-app").resolve("vae.safetensors");
        ModelFiles.save(vae, file);
        LatentModel loaded = ModelFiles.load(file); // the Vae codec, found by ServiceLoader
        FMatrixRMaj rows = new FMatrixRMaj(x);
        boolean same = Arrays.equals(vae.encodeMean(rows).data, loaded.encodeMean(rows).data);
        Pca pca = Pca.fit(rows, 2); // ejml-ddense, from the class path
        Module m = Vae.class.getModule();
        System.out.println("module " + m.getName() + " automatic=" + m.getDescriptor().isAutomatic()
                + " app=" + Main.class.getModule().getName());
        System.out.println("backend " + Gemms.get().name());
        System.out.println("epochs " + history.size() + " finite=" + Double.isFinite(history.get(1).trainLoss()));
        System.out.println("loaded " + loaded.getClass().getSimpleName() + " same=" + same);
        System.out.println("pca " + pca.componentCount());
    }
}
