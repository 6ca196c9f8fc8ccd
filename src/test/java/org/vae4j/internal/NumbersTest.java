package org.vae4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The data-file number grammar: NumPy's and pandas' decimal forms, not Java's extras. */
class NumbersTest {

    @Test
    void decimalFormsAreNumbers() {
        for (String s : new String[] {"0", "-7", "+3", "1.", ".25", "1.5e3", "2E-4", "-0.0e+0", "007"}) {
            assertTrue(Numbers.isDecimal(s), s);
            assertEquals(Double.parseDouble(s), Numbers.parseDouble(s), 0.0, s);
        }
        assertEquals(Double.NEGATIVE_INFINITY, Numbers.parseDouble("-inf"));
        assertEquals(Double.POSITIVE_INFINITY, Numbers.parseDouble("Infinity"));
        assertTrue(Double.isNaN(Numbers.parseDouble("NAN")));
    }

    @Test
    void javaExtrasAreNotNumbers() {
        for (String s : new String[] {"1.5f", "2d", "2D", "0x1p3", "0X10", "1_0", "\u0661", ".", "e5", "1e", "--1",
            "1.2.3", " 1", "NaNx", "infinit"}) {
            assertFalse(Numbers.isDecimal(s), s);
            NumberFormatException e = assertThrows(NumberFormatException.class, () -> Numbers.parseDouble(s), s);
            assertTrue(e.getMessage().contains("is not a number"), e.getMessage());
        }
    }

    @Test
    void finiteTextOutOfRangeIsRefusedNotTurnedIntoInfinity() {
        assertEquals(3.4e38f, Numbers.parseFloat("3.4e38"));
        NumberFormatException f = assertThrows(NumberFormatException.class, () -> Numbers.parseFloat("3.5e38"));
        assertTrue(f.getMessage().contains("'3.5e38' is out of the float32 range"), f.getMessage());
        assertEquals(1e300, Numbers.parseDouble("1e300"), 0.0);
        NumberFormatException d = assertThrows(NumberFormatException.class, () -> Numbers.parseDouble("-1e500"));
        assertTrue(d.getMessage().contains("out of the double range"), d.getMessage());
        assertEquals(0f, Numbers.parseFloat("1e-60")); // underflow rounds to zero, as NumPy does
    }
}
