package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * train-mnist's objective flags (issue 8): the combinations without a meaning are refused before
 * anything runs, with a message naming the flags; the ones with a meaning (iwae with a cvae) pass.
 */
class TrainMnistFlagsTest {

    /** The flags parsed and checked as the program does before it loads any data. */
    private static void check(String... args) throws TrainMnist.UsageException {
        TrainMnist o = new TrainMnist();
        TrainMnist.commandLine(o).parseArgs(args);
        TrainMnistSettings.check(o);
    }

    private static void refused(String expected, String... args) {
        TrainMnist.UsageException e = assertThrows(TrainMnist.UsageException.class, () -> check(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void iwaeWithAnAutoencoderIsRefused() {
        refused("needs --model vae or cvae", "--model", "ae", "--objective", "iwae:5");
    }

    @Test
    void freeBitsWithIwaeAreRefused() {
        refused("--free-bits clamp the ELBO's KL term", "--objective", "iwae:5", "--free-bits", "0.25");
    }

    @Test
    void aKlWeightOtherThanOneWithIwaeIsRefused() {
        refused("beta 1 at every step", "--objective", "iwae:5", "--beta", "0.5");
        refused("beta 1 at every step", "--objective", "iwae:5", "--kl-schedule", "cyclical:100,0.5");
        refused("beta 1 at every step", "--objective", "iwae:5", "--warmup-steps", "100");
    }

    @Test
    void iwaeWithAConditionalVaeAndTheElboWithFreeBitsAreAccepted() {
        assertDoesNotThrow(() -> check("--model", "cvae", "--objective", "iwae:5"));
        assertDoesNotThrow(() -> check("--model", "vae", "--objective", "iwae:3"));
        assertDoesNotThrow(() -> check("--model", "cvae", "--free-bits", "0.25", "--kl-schedule", "cyclical:100,0.5"));
    }

    @Test
    void theConditionScaleBuildsTheCvaeWithItAndIsRefusedElsewhereOrOutOfRange() throws TrainMnist.UsageException {
        refused("--condition-scale applies to --model cvae only", "--condition-scale", "5");
        refused("--condition-scale applies to --model cvae only", "--model", "ae", "--condition-scale", "5");
        refused("--condition-scale must be finite and > 0, got 0.0", "--model", "cvae", "--condition-scale", "0");
        refused("--condition-scale must be finite and > 0, got -1.0", "--model", "cvae", "--condition-scale", "-1");
        refused("--condition-scale must be finite and > 0, got NaN", "--model", "cvae", "--condition-scale", "NaN");
        TrainMnist o = new TrainMnist();
        TrainMnist.commandLine(o).parseArgs("--model", "cvae", "--condition-scale", "2.5", "--hidden", "8", "--latent", "2");
        TrainMnistSettings.check(o);
        org.vae4j.ConditionalVae m = (org.vae4j.ConditionalVae) o.buildModel(784);
        assertEquals(2.5f, m.conditionScale());
        TrainMnist d = new TrainMnist();
        TrainMnist.commandLine(d).parseArgs("--model", "cvae", "--hidden", "8", "--latent", "2");
        assertEquals(org.vae4j.ConditionalVae.DEFAULT_CONDITION_SCALE,
                ((org.vae4j.ConditionalVae) d.buildModel(784)).conditionScale(), "the default");
    }
}
