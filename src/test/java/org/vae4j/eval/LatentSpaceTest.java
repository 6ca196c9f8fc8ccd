package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Vae;

class LatentSpaceTest {

    private static float[] row(FMatrixRMaj m, int r) {
        return Arrays.copyOfRange(m.data, r * m.numCols, (r + 1) * m.numCols);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void linearPathIsEvenlySpacedBetweenTheEnds() {
        FMatrixRMaj a = new FMatrixRMaj(new float[][] {{0, 2}, {1, 1}});
        FMatrixRMaj b = new FMatrixRMaj(new float[][] {{4, -2}, {1, 1}});
        FMatrixRMaj p = Interpolation.LINEAR.path(a, b, 5);
        assertEquals(10, p.numRows);
        assertArrayEquals(new float[] {0, 2}, row(p, 0));
        assertArrayEquals(new float[] {1, 1}, row(p, 1));
        assertArrayEquals(new float[] {2, 0}, row(p, 2));
        assertArrayEquals(new float[] {4, -2}, row(p, 4));
        for (int s = 5; s < 10; s++) {
            assertArrayEquals(new float[] {1, 1}, row(p, s)); // second pair: a = b
        }
    }

    @Test
    void sphericalPathBetweenOrthogonalUnitVectorsStaysOnTheCircle() {
        FMatrixRMaj a = new FMatrixRMaj(new float[][] {{1, 0, 0}});
        FMatrixRMaj b = new FMatrixRMaj(new float[][] {{0, 1, 0}});
        FMatrixRMaj p = Interpolation.SPHERICAL.path(a, b, 7);
        for (int s = 0; s < 7; s++) {
            double angle = Math.PI / 2 * s / 6;
            assertArrayEquals(new float[] {(float) Math.cos(angle), (float) Math.sin(angle), 0}, row(p, s), 1e-6f);
            assertEquals(1.0, norm(row(p, s)), 1e-6);
        }
        // the straight line's midpoint has norm 1/sqrt(2)
        assertEquals(Math.sqrt(0.5), norm(row(Interpolation.LINEAR.path(a, b, 3), 1)), 1e-6);
    }

    @Test
    void sphericalPathMatchesTheSlerpFormulaAndFallsBackToTheLineForParallelEnds() {
        FMatrixRMaj a = new FMatrixRMaj(new float[][] {{1, 2, -1}});
        FMatrixRMaj b = new FMatrixRMaj(new float[][] {{-0.5f, 1, 3}});
        double omega = Interpolation.angle(new double[] {1, 2, -1}, new double[] {-0.5, 1, 3});
        FMatrixRMaj p = Interpolation.SPHERICAL.path(a, b, 4);
        double t = 1.0 / 3;
        double wa = Math.sin((1 - t) * omega) / Math.sin(omega);
        double wb = Math.sin(t * omega) / Math.sin(omega);
        assertArrayEquals(new float[] {(float) (wa - 0.5 * wb), (float) (2 * wa + wb), (float) (-wa + 3 * wb)},
                row(p, 1), 1e-6f);

        FMatrixRMaj c = new FMatrixRMaj(new float[][] {{2, 4, -2}}); // parallel to a
        assertArrayEquals(Interpolation.LINEAR.path(a, c, 5).data, Interpolation.SPHERICAL.path(a, c, 5).data, 1e-6f);
        FMatrixRMaj zero = new FMatrixRMaj(1, 3);
        assertArrayEquals(Interpolation.LINEAR.path(a, zero, 5).data, Interpolation.SPHERICAL.path(a, zero, 5).data, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Interpolation.LINEAR.path(a, b, 1));
        assertThrows(IllegalArgumentException.class, () -> Interpolation.LINEAR.path(a, new FMatrixRMaj(1, 2), 3));
    }

    @Test
    void decodedInterpolationStartsAndEndsAtTheReconstructions() {
        Vae vae = Vae.builder(8).hidden(6).latent(3).seed(1).build();
        FMatrixRMaj from = EvalFixtures.uniform(2, 8, 2);
        FMatrixRMaj to = EvalFixtures.uniform(2, 8, 3);
        for (Interpolation kind : Interpolation.values()) {
            FMatrixRMaj images = LatentSpace.interpolate(vae, from, to, 6, kind);
            assertEquals(12, images.numRows);
            assertEquals(8, images.numCols);
            FMatrixRMaj rf = vae.reconstruct(from);
            FMatrixRMaj rt = vae.reconstruct(to);
            assertArrayEquals(row(rf, 0), row(images, 0), 1e-6f);
            assertArrayEquals(row(rt, 0), row(images, 5), 1e-6f);
            assertArrayEquals(row(rf, 1), row(images, 6), 1e-6f);
            assertArrayEquals(row(rt, 1), row(images, 11), 1e-6f);
            FMatrixRMaj codes = kind.path(vae.encode(from).mu(), vae.encode(to).mu(), 6);
            assertArrayEquals(vae.decodeMean(codes).data, images.data, 1e-6f);
        }
        Autoencoder ae = Autoencoder.builder(8).hidden(6).latent(3).seed(1).build();
        FMatrixRMaj images = LatentSpace.interpolate(ae, from, to, 4, Interpolation.LINEAR);
        assertArrayEquals(row(ae.reconstruct(from), 0), row(images, 0), 1e-6f);
        assertArrayEquals(row(ae.reconstruct(to), 1), row(images, 7), 1e-6f);
    }

    @Test
    void traversalVariesOneDimensionAroundTheBase() {
        FMatrixRMaj base = new FMatrixRMaj(new float[][] {{0.5f, -1, 2}});
        FMatrixRMaj codes = LatentSpace.traversalCodes(base, 1, -3, 3, 7);
        assertEquals(7, codes.numRows);
        for (int s = 0; s < 7; s++) {
            assertArrayEquals(new float[] {0.5f, -3 + s, 2}, row(codes, s), 1e-6f);
        }
        Vae vae = Vae.builder(8).hidden(6).latent(3).seed(1).build();
        assertArrayEquals(vae.decodeMean(codes).data, LatentSpace.traverse(vae, base, 1, -3, 3, 7).data);
        Autoencoder ae = Autoencoder.builder(8).hidden(6).latent(3).seed(1).build();
        assertArrayEquals(ae.decodeMean(codes).data, LatentSpace.traverse(ae, base, 1, -3, 3, 7).data);

        FMatrixRMaj each = LatentSpace.traverseEach(vae, base, -3, 3, 7);
        assertEquals(21, each.numRows);
        for (int u = 0; u < 3; u++) {
            FMatrixRMaj one = LatentSpace.traverse(vae, base, u, -3, 3, 7);
            assertArrayEquals(one.data, Arrays.copyOfRange(each.data, u * 7 * 8, (u + 1) * 7 * 8), 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> LatentSpace.traversalCodes(base, 3, -3, 3, 7));
        assertThrows(IllegalArgumentException.class, () -> LatentSpace.traversalCodes(base, 0, -3, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> LatentSpace.traverse(vae, new FMatrixRMaj(1, 2), 0, -3, 3, 5));
    }
}
