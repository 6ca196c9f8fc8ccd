package org.vae4j.data;

import java.nio.file.Path;

/**
 * The child JVM of {@link BoundedIdxTest}: loads an images and a labels file and prints one line,
 * {@code loaded N} or {@code failed: EXCEPTION}; exit status 0, 1 (an exception) or 2 (an Error).
 */
final class LoadImagesMain {

    private LoadImagesMain() {
    }

    public static void main(String[] args) {
        try {
            ImageDataset d = ImageDataset.fromIdx(Path.of(args[0]), Path.of(args[1]));
            System.out.println("loaded " + d.size());
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        } catch (Error e) {
            System.out.println("failed: " + e);
            System.exit(2);
        }
    }
}
