package org.vae4j.examples;

import org.vae4j.objective.Corruption;
import picocli.CommandLine;

/** Parses train-mnist's {@code --corruption}: none, mask:P or gaussian:S. Stateless. */
final class CorruptionConverter implements CommandLine.ITypeConverter<Corruption> {
    @Override
    public Corruption convert(String value) {
        String v = value.trim().toLowerCase();
        try {
            if (v.equals("none")) {
                return Corruption.none();
            }
            if (v.startsWith("mask:")) {
                return Corruption.masking(Double.parseDouble(v.substring(5)));
            }
            if (v.startsWith("gaussian:")) {
                return Corruption.gaussian(Double.parseDouble(v.substring(9)));
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new CommandLine.TypeConversionException("'" + value + "': " + e.getMessage());
        }
        throw new CommandLine.TypeConversionException("'" + value
                + "' is not none, mask:P (0 <= P < 1) or gaussian:S (S >= 0)");
    }
}
