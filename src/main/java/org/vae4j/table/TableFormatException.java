package org.vae4j.table;

import java.nio.file.Path;

/**
 * A table that cannot be read or does not fit its schema: the message names the file, and where
 * known the line (1-based, as an editor counts), the column (by name and 1-based position) and the
 * offending value. Immutable.
 */
public final class TableFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The file's name as given, or {@code null}. */
    private final String file;
    /** The 1-based line, or 0 when the problem is not on one line. */
    private final long line;

    /**
     * A problem in a file; the message is the file (or {@code table}), {@code , line N} when the line is known,
     * a colon and the detail.
     *
     * @param file   the file, or {@code null}
     * @param line   1-based line, or 0 when the problem is not on one line
     * @param detail what is wrong
     */
    public TableFormatException(Path file, long line, String detail) {
        super((file == null ? "table" : file.toString()) + (line > 0 ? ", line " + line : "") + ": " + detail);
        this.file = file == null ? null : file.toString();
        this.line = line;
    }

    /** {@return the file's name as given, or {@code null}} */
    public String file() {
        return file;
    }

    /** {@return the 1-based line, or 0} */
    public long line() {
        return line;
    }

    /** {@code column 3 ("age")}. */
    static String column(int index, String name) {
        return "column " + (index + 1) + " (\"" + name + "\")";
    }
}
