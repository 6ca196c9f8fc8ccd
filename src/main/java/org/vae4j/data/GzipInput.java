package org.vae4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A strict gzip reader (RFC 1952) for the loaders: every member's header, CRC-32 and length are
 * checked, and anything after the last member that is not another gzip member is an error, where
 * {@link java.util.zip.GZIPInputStream} silently ignores it. Inflates only as much as the caller
 * reads, so a caller that stops after the bytes it expects decompresses no more than that (a bomb
 * of trailing zeros is never inflated). Not thread-safe.
 *
 * <p>Errors name the file: {@link IOException} {@code "NAME: gzip stream ends early ..."} for a
 * truncated stream, {@code "NAME: corrupt gzip data: ..."} for a bad header, deflate data, CRC-32
 * or length; {@link IllegalArgumentException} {@code "NAME: ... bytes after the end of the gzip
 * stream ..."} for appended junk.
 */
final class GzipInput extends InputStream {

    /** The most appended bytes counted for the message about them; more are not read. */
    static final int MAX_COUNTED_JUNK = 1 << 16;

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final String name;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long consumed;     // compressed bytes taken out of buf so far (the file offset of buf[pos])
    private long memberBytes;  // uncompressed bytes of the current member
    private boolean eof;

    /**
     * @param in   the compressed bytes, starting with the gzip magic 1f 8b
     * @param name the file, for error messages
     * @throws IOException when the first member's header is truncated or not gzip
     */
    GzipInput(InputStream in, String name) throws IOException {
        this.in = in;
        this.name = name;
        readHeader();
    }

    /** Compressed bytes consumed so far. */
    long compressedOffset() {
        return consumed + pos;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw corrupt(e.getMessage());
            }
            pos = lim - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw corrupt("a preset dictionary is not allowed in gzip");
            } else if (inflater.needsInput()) {
                if (!fill()) {
                    throw endsEarly();
                }
                inflater.setInput(buf, pos, lim - pos);
            }
        }
        return -1;
    }

    /** Checks a member's trailer; then either the stream ends, or another member begins. */
    private void endMember() throws IOException {
        long storedCrc = readLeInt();
        long storedSize = readLeInt();
        if (storedCrc != crc.getValue()) {
            throw corrupt(String.format("CRC-32 of member is %08x, its trailer says %08x", crc.getValue(), storedCrc));
        }
        if (storedSize != (memberBytes & 0xFFFFFFFFL)) {
            throw corrupt("member holds " + memberBytes + " bytes, its trailer says " + storedSize + " (mod 2^32)");
        }
        if (pos == lim && !fill()) {
            eof = true;
            return;
        }
        long at = compressedOffset();
        if ((buf[pos] & 0xFF) == 0x1f && (pos + 1 < lim || fill()) && (buf[pos + 1] & 0xFF) == 0x8b) {
            inflater.reset();
            crc.reset();
            memberBytes = 0;
            readHeader(); // a concatenated member, as gzip itself reads
            return;
        }
        long junk = lim - pos;
        while (junk < MAX_COUNTED_JUNK && fill()) {
            junk = lim - pos;
        }
        throw new IllegalArgumentException(name + ": " + (junk >= MAX_COUNTED_JUNK ? "at least " : "") + junk
                + " bytes after the end of the gzip stream (at byte " + at + " of the file), which are not gzip "
                + "data: junk appended to the file");
    }

    private void readHeader() throws IOException {
        if (readByte() != 0x1f || readByte() != 0x8b) {
            throw corrupt("not a gzip header (magic 1f 8b expected)");
        }
        int method = readByte();
        if (method != 8) {
            throw corrupt("compression method " + method + " (only 8, deflate, exists)");
        }
        int flags = readByte();
        if ((flags & 0xE0) != 0) {
            throw corrupt(String.format("reserved header flags set (0x%02x)", flags));
        }
        for (int i = 0; i < 6; i++) {
            readByte(); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = readByte() | readByte() << 8;
            for (int i = 0; i < xlen; i++) {
                readByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (readByte() != 0) {
                // the original file name, zero-terminated
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (readByte() != 0) {
                // a comment, zero-terminated
            }
        }
        if ((flags & FHCRC) != 0) {
            readByte();
            readByte();
        }
        inflater.setInput(buf, pos, lim - pos);
    }

    private long readLeInt() throws IOException {
        return readByte() | (long) readByte() << 8 | (long) readByte() << 16 | (long) readByte() << 24;
    }

    /** The next compressed byte outside the deflate data; end of file is a truncation. */
    private int readByte() throws IOException {
        if (pos == lim && !fill()) {
            throw endsEarly();
        }
        return buf[pos++] & 0xFF;
    }

    /** Moves unread bytes to the front and reads more; false at the end of the file. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            consumed += pos;
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            return true;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    private IOException endsEarly() {
        return new IOException(name + ": gzip stream ends early at byte " + compressedOffset()
                + " (truncated file or download?)");
    }

    private IOException corrupt(String why) {
        return new IOException(name + ": corrupt gzip data near byte " + compressedOffset() + ": " + why);
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
