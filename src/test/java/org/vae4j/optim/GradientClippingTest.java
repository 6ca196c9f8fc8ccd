package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.nn.Parameter;

/** {@link GradientClipping} on hand-computed cases. */
class GradientClippingTest {

    private static Parameter param(String name, float... grad) {
        Parameter p = new Parameter(name, 1, grad.length);
        p.setGrad(grad);
        return p;
    }

    @Test
    void totalNormIsTheNormOfAllGradientsAsOneVector() {
        // two parameters 3 and 4: sqrt(3^2 + 4^2) = 5, as if concatenated
        assertEquals(5.0, GradientClipping.totalNorm(List.of(param("a", 3f), param("b", 4f))), 0.0);
        // (1, 2, 2) and (4): sqrt(9 + 16) = 5 again
        assertEquals(5.0, GradientClipping.totalNorm(List.of(param("a", 1f, 2f, 2f), param("b", -4f))), 0.0);
        assertEquals(0.0, GradientClipping.totalNorm(List.of()), 0.0);
    }

    @Test
    void gradientsAboveTheMaxNormAreScaledByMaxNormOverNormPlusEps() {
        Parameter a = param("a", 3f);
        Parameter b = param("b", 4f);
        double norm = GradientClipping.clipGradNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 0.0, "the norm before clipping is returned");
        float coef = (1f / (5f + 1e-6f)) * 1f; // PyTorch: max_norm / (norm + 1e-6), as reciprocal times max_norm
        assertEquals(3f * coef, a.grad(0), 0f);
        assertEquals(4f * coef, b.grad(0), 0f);
        assertEquals(0.6f, a.grad(0), 1e-6f);
        assertEquals(0.8f, b.grad(0), 1e-6f);
        assertEquals(1.0, GradientClipping.totalNorm(List.of(a, b)), 1e-6);
    }

    @Test
    void gradientsAtOrBelowTheMaxNormAreUnchangedBitForBit() {
        Parameter a = param("a", 0.1f, -0.2f, 1e-30f);
        float[] before = a.gradCopy().data;
        double norm = GradientClipping.clipGradNorm(List.of(a), 10.0);
        assertEquals(Math.sqrt(0.1f * 0.1f + 0.2f * 0.2f), norm, 1e-7);
        assertArrayEquals(before, a.gradCopy().data);
        // exactly at the max norm: coef = 5 / (5 + 1e-6) < 1, so PyTorch clips (by ~2e-7)
        Parameter b = param("b", 3f, 4f);
        GradientClipping.clipGradNorm(List.of(b), 5.0);
        assertTrue(b.grad(1) < 4f && b.grad(1) > 4f - 1e-5f);
        // zero gradients: coef = max_norm / 1e-6, no change
        Parameter z = param("z", 0f, 0f);
        assertEquals(0.0, GradientClipping.clipGradNorm(List.of(z), 1.0), 0.0);
        assertArrayEquals(new float[] {0f, 0f}, z.gradCopy().data);
    }

    @Test
    void aNonFiniteNormIsReturnedAndNoGradientIsTouched() {
        Parameter a = param("a", 3f, 4f);
        Parameter b = param("b", Float.NaN);
        double norm = GradientClipping.clipGradNorm(List.of(a, b), 1.0);
        assertTrue(Double.isNaN(norm));
        assertArrayEquals(new float[] {3f, 4f}, a.gradCopy().data);
        Parameter c = param("c", Float.NEGATIVE_INFINITY, 1f);
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGradNorm(List.of(a, c), 1.0));
        assertArrayEquals(new float[] {3f, 4f}, a.gradCopy().data);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 1f}, c.gradCopy().data);
    }

    @Test
    void squaresAreSummedInDoubleSoLargeFiniteGradientsDoNotOverflow() {
        // 3e19^2 overflows float (PyTorch's float32 sum gives inf); the norm itself is finite
        Parameter a = param("a", 3e19f, 4e19f);
        assertEquals(5e19, GradientClipping.clipGradNorm(List.of(a), 1.0), 5e19 * 1e-7);
        assertEquals(0.6f, a.grad(0), 1e-6f);
    }

    @Test
    void badArgumentsAreRejected() {
        List<Parameter> ps = List.of(param("a", 1f));
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GradientClipping.clipGradNorm(ps, bad));
            assertTrue(e.getMessage().contains("max gradient norm"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNorm(null, 1.0));
    }

    @Test
    void clippingAllocatesNothing() {
        Parameter a = new Parameter("a", 64, 48);
        Parameter b = new Parameter("b", 1, 48);
        List<Parameter> ps = List.of(a, b);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 2000; i++) {
                java.util.Arrays.fill(a.gradArray(), a.offset(), a.offset() + a.size(), 1f);
                GradientClipping.clipGradNorm(ps, 0.5);
            }
            least = Math.min(least, mx.getThreadAllocatedBytes(thread) - before);
        }
        assertTrue(least < 2000, "2000 clips allocated " + least + " bytes");
    }
}
