package org.vae4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Gemms#create(String, int)}'s argument checks (the backends themselves: EjmlGemmTest, ParallelStepTest). */
class GemmsTest {

    @Test
    void aNullNameIsRefusedAsAnUnknownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemms.create(null, 2));
        assertTrue(e.getMessage().contains("'null'") && e.getMessage().contains("expected auto, vector or ejml"),
                e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Gemms.create("cuda", 2));
        assertTrue(unknown.getMessage().contains("'cuda'"), unknown.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class, () -> Gemms.create("ejml", 0));
        assertTrue(threads.getMessage().contains("got 0"), threads.getMessage());
    }

    @Test
    void aKnownNameGivesThatBackend() {
        assertEquals("ejml", Gemms.create("ejml", 1).name().substring(0, 4));
    }
}
