package org.vae4j.examples;

import java.io.IOException;

import org.vae4j.data.DataLocator;
import org.vae4j.data.DatasetSource;
import org.vae4j.data.DatasetSplits;
import org.vae4j.data.ImageDataset;

/**
 * The data of a {@link TrainMnist} run: the files are recognised by their SHA-256 whatever
 * {@code --dataset} says (MNIST, Fashion-MNIST, the bundled subset), and a folder of valid IDX
 * files of the expected names that no checksum is known for (EMNIST, KMNIST, ...) is accepted,
 * each with one note; {@code --dataset} given and disagreeing with the files is an error naming
 * both. Also the names the pictures are titled with. Stateless.
 */
final class TrainMnistData {

    private TrainMnistData() {
    }

    /**
     * Loads the run's data and sets {@code o.dataset} to the set the files hold.
     *
     * @param resumed whether {@code o.dataset} is a checkpoint's, which the files must hold
     * @throws TrainMnist.UsageException when {@code --dataset} (or the checkpoint) names another set than the files hold
     */
    static DatasetSplits load(TrainMnist o, boolean resumed) throws TrainMnist.UsageException, IOException {
        DatasetSplits s = ExampleData.loadRecognised(o.dataset, o.data);
        boolean knownName = DatasetSource.names().contains(o.dataset);
        if (s.name().equals(o.dataset) || (resumed && !knownName && !s.isVerified())) {
            o.dataset = resumed ? o.dataset : s.name();
            return s;
        }
        String holds = s.dir() + " holds " + (s.isVerified()
                ? label(s) + " (recognised by the SHA-256 of its four files)"
                : "IDX files that are not " + displayName(o.dataset) + " (no checksum of theirs is known)");
        if (resumed) {
            throw new TrainMnist.UsageException("the checkpoint " + o.resume + " was trained on "
                    + displayName(o.dataset) + ", but " + holds + ": resume with the data the run started with (--data)");
        }
        if (o.given("--dataset")) {
            throw new TrainMnist.UsageException("--dataset " + o.dataset + " does not match the data: " + holds + "; "
                    + (s.isVerified() ? "give --dataset " + s.name() + " or leave --dataset out"
                    : "leave --dataset out to train on them unverified"));
        }
        if (s.isVerified()) {
            System.out.println("note: " + holds + ": training on " + s.name());
        } else {
            System.out.println("note: no checksum is known for the IDX files in " + s.dir() + " (they are not MNIST, "
                    + "Fashion-MNIST or the bundled subset): training on them unverified as '" + s.name() + "'");
        }
        o.dataset = s.name();
        return s;
    }

    /**
     * The data as the pictures' titles name it: {@code MNIST}, {@code Fashion-MNIST}, {@code the
     * bundled 5,000-image MNIST subset}, or an unverified set's name with {@code (IDX files, no known checksum)}.
     */
    static String label(DatasetSplits s) {
        if (s.isBundledSubset()) {
            return String.format("the bundled %,d-image MNIST subset", s.train().size());
        }
        return s.isVerified() ? displayName(s.name()) : s.name() + " (IDX files, no known checksum)";
    }

    /** {@code MNIST}, {@code Fashion-MNIST}, else the name. */
    static String displayName(String dataset) {
        return switch (dataset) {
            case "mnist" -> "MNIST";
            case "fashion-mnist" -> "Fashion-MNIST";
            default -> dataset;
        };
    }

    /** How the folder was found, in words for the {@code data:} line. */
    static String origin(DataLocator.Origin origin) {
        return switch (origin) {
            case EXPLICIT -> "--data";
            case ENVIRONMENT -> "$" + DataLocator.ENV_VAR;
            case EXTRA -> "the shared data folder beside the project";
            case CACHE -> "the cache";
            case DOWNLOADED -> "downloaded into the cache";
            case BUNDLED_SUBSET -> "the bundled subset, the last resort";
        };
    }

    /** The classes of a set: 10 for MNIST and Fashion-MNIST, else one more than the largest label of either split. */
    static int classCount(DatasetSplits s) {
        int max = TrainMnist.CLASSES - 1;
        if (!s.isVerified()) {
            max = 0;
            for (ImageDataset d : new ImageDataset[] {s.train(), s.test()}) {
                for (int y : d.labels()) {
                    max = Math.max(max, y);
                }
            }
        }
        return max + 1;
    }
}
