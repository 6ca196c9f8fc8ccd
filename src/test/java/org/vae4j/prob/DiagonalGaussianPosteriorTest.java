package org.vae4j.prob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;

/** The named constructor's names and checks (the posterior's maths: ObjectiveParityTest, NegativeIwaeBoundTest). */
class DiagonalGaussianPosteriorTest {

    @Test
    void theHeadNamesPrefixTheParameters() {
        DiagonalGaussianPosterior q = new DiagonalGaussianPosterior("m", "v", 4, 2, Init.TORCH_DEFAULT,
                new SplittableRandom(1));
        assertEquals(List.of("m.weight", "m.bias", "v.weight", "v.bias"),
                q.parameters().stream().map(Parameter::name).toList());
    }

    @Test
    void aNullHeadNameIsRefusedByName() {
        IllegalArgumentException mu = assertThrows(IllegalArgumentException.class,
                () -> new DiagonalGaussianPosterior(null, "v", 4, 2, Init.TORCH_DEFAULT, new SplittableRandom(1)));
        assertTrue(mu.getMessage().contains("muName"), mu.getMessage());
        IllegalArgumentException logvar = assertThrows(IllegalArgumentException.class,
                () -> new DiagonalGaussianPosterior("m", null, 4, 2, Init.TORCH_DEFAULT, new SplittableRandom(1)));
        assertTrue(logvar.getMessage().contains("logvarName"), logvar.getMessage());
    }
}
